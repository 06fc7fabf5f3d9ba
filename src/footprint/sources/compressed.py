"""Bare single-file compression (gzip, bzip2, xz): one inner item, or a compressed tar.

A ``.gz`` holds one stream with no member list. Its one item is named after the outer file without
the suffix (``photo.jpg.gz`` → ``photo.jpg``), or ``content`` when the outer name has no known
suffix. When the decompressed bytes begin with a tar header, the file is opened as a compressed
tar instead, so ``x.tar.gz!dir/a.jpg`` is one step, whatever the outer file is called.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, BinaryIO

from footprint.model import Item, ItemWarning
from footprint.sources.base import EvidenceSource, Found, Limits
from footprint.sources.detect import tar_checksum_ok
from footprint.sources.members import READ_ERRORS, CappedReader, member_cap
from footprint.sources.tararchive import TarSource, decompressed

# kind → (tarfile's compression name, suffix → what the inner name ends with instead)
KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "gzip": ("gz", {".tgz": ".tar", ".svgz": ".svg", ".gz": "", ".gzip": "", ".z": ""}),
    "bzip2": ("bz2", {".tbz2": ".tar", ".tbz": ".tar", ".bz2": "", ".bzip2": "", ".bz": ""}),
    "xz": ("xz", {".txz": ".tar", ".xz": ""}),
}


def inner_name(outer: str, kind: str) -> str:
    """The name of the one file inside: the outer name without its compression suffix."""
    for suffix, replacement in KINDS[kind][1].items():
        if outer.lower().endswith(suffix) and len(outer) > len(suffix):
            return outer[: -len(suffix)] + replacement
    return "content"


def peek(item: Item, compression: str, size: int = 512) -> bytes | str:
    """The first decompressed bytes, or why they could not be had."""
    try:
        with item.open() as raw, decompressed(raw, compression) as stream:
            return stream.read(size)
    except READ_ERRORS as exc:
        return f"{type(exc).__name__}: {exc}"


def open_compressed(item: Item, limits: Limits, kind: str) -> EvidenceSource:
    """A compressed tar as a tar, anything else as one compressed file."""
    compression = KINDS[kind][0]
    head = peek(item, compression)
    if isinstance(head, bytes) and len(head) == 512 and (head[257:262] == b"ustar" or tar_checksum_ok(head)):
        return TarSource(item, limits, compression)
    return CompressedSource(item, limits, kind, head if isinstance(head, str) else None)


class CompressedSource(EvidenceSource):
    name = "compressed"
    unpacks = True

    def __init__(self, item: Item, limits: Limits, kind: str, problem: str | None = None) -> None:
        self.item = item
        self.limits = limits
        self.kind = kind
        self.problem = problem
        self.trailing: int | None = None  # where bytes that are no gzip member follow its stream, once read

    def items(self) -> Iterator[Found]:
        ref = self.item.ref.enter(inner_name(self.item.ref.name, self.kind))
        if self.problem:
            yield ItemWarning(self.item.ref, "source", f"{self.kind}: cannot decompress: {self.problem}")
            return
        cap = member_cap(self.limits, self.item.size)
        yield Item(ref, None, partial(self._open, cap, str(ref)))
        if self.trailing is not None:  # the item was read as it was yielded (the scan reads it there)
            yield ItemWarning(self.item.ref, "source", f"gzip: bytes after the end of its compressed stream, from "
                                                       f"byte {self.trailing}: not part of {ref.name}, not read")

    def _open(self, cap: int, what: str) -> BinaryIO:
        raw = self.item.open()
        if self.kind == "gzip":
            stream: BinaryIO = io.BufferedReader(_GzipMembers(raw, self._trailing_at))
        else:
            stream = decompressed(raw, KINDS[self.kind][0])
        return CappedReader(stream, cap, what, (raw.close,))  # type: ignore[return-value]

    def _trailing_at(self, offset: int) -> None:
        self.trailing = offset


class _GzipMembers(io.RawIOBase):
    """The decompressed bytes of a gzip file's members, one after another, as gzip -d reads them: bytes
    after the last member that are no member (a trailer some tool added, data hidden there) end the
    stream instead of failing it (Python's gzip refuses the whole file then), and ``trailing(offset)``
    is told where they start; zeros after the end are padding. A member cut short is an EOFError.
    At most OUT bytes are inflated at a time, whatever a block of input expands to (a bomb's zeros)."""

    BLOCK = 1 << 20
    OUT = 1 << 20

    def __init__(self, raw: BinaryIO, trailing: Callable[[int], None]) -> None:
        super().__init__()
        self.raw, self.trailing = raw, trailing
        self.member = zlib.decompressobj(31)
        self.read_raw = 0  # bytes read from the compressed file so far
        self.pending, self.at = b"", 0
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.at >= len(self.pending) and not self.done:
            self.pending, self.at = self._more(), 0
        size = min(len(buffer), len(self.pending) - self.at)
        buffer[:size] = self.pending[self.at:self.at + size]
        self.at += size
        return size

    def _more(self) -> bytes:
        if self.member.eof:
            rest = self.member.unused_data
            start = self.read_raw - len(rest)  # where what follows this member starts
            if not rest:
                rest = self._raw()
            while rest and not rest.strip(b"\0"):  # zero padding: the end, unless something follows it
                rest = self._raw()
            if not rest:
                self.done = True
                return b""
            if not rest.startswith(b"\x1f\x8b"):
                self.trailing(start)
                self.done = True
                return b""
            self.member = zlib.decompressobj(31)
            return self._inflate(rest)
        data = self.member.unconsumed_tail or self._raw()
        if not data:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        return self._inflate(data)

    def _raw(self) -> bytes:
        block = self.raw.read(self.BLOCK)
        self.read_raw += len(block)
        return block

    def _inflate(self, data: bytes) -> bytes:
        try:
            return self.member.decompress(data, self.OUT)
        except zlib.error as exc:
            raise OSError(f"gzip: {exc}") from exc
