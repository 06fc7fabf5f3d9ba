"""Bare single-file compression (gzip, bzip2, xz): one inner item, or a compressed tar.

A ``.gz`` holds one stream with no member list. Its one item is named after the outer file without
the suffix (``photo.jpg.gz`` → ``photo.jpg``), or ``content`` when the outer name has no known
suffix. When the decompressed bytes begin with a tar header, the file is opened as a compressed
tar instead, so ``x.tar.gz!dir/a.jpg`` is one step, whatever the outer file is called.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import BinaryIO

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

    def __init__(self, item: Item, limits: Limits, kind: str, problem: str | None = None) -> None:
        self.item = item
        self.limits = limits
        self.kind = kind
        self.problem = problem

    def items(self) -> Iterator[Found]:
        ref = self.item.ref.enter(inner_name(self.item.ref.name, self.kind))
        if self.problem:
            yield ItemWarning(self.item.ref, "source", f"{self.kind}: cannot decompress: {self.problem}")
            return
        cap = member_cap(self.limits, self.item.size)
        yield Item(ref, None, partial(self._open, cap, str(ref)))

    def _open(self, cap: int, what: str) -> BinaryIO:
        raw = self.item.open()
        stream = decompressed(raw, KINDS[self.kind][0])
        return CappedReader(stream, cap, what, (raw.close,))  # type: ignore[return-value]
