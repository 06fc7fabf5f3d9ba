"""What every archive source shares: member names made safe, limits on size, guarded streams.

Archive members are addressed by their path inside the archive, but the archive is hostile input:
its names may climb out (``../``), start at the root, hold NUL bytes, or repeat. Nothing is written
to disk, so such a name does no harm here, but an investigator must see that it was there, and each
member still needs one address of its own. ``MemberNamer`` gives both.

Sizes declared in headers are checked before a member is offered, and the bytes actually produced
are counted while reading (``CappedReader``), so a header that lies cannot sneak a bomb past.
"""

from __future__ import annotations

import io
import lzma
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO, Protocol

from footprint.errors import ItemError
from footprint.model import Item, ItemRef, ItemWarning
from footprint.sources.base import EvidenceSource, Found, Limits

# A member smaller than Limits.ratio_floor is never called a bomb for its ratio alone: 300 KiB of
# spaces in a text file, or a small disk image of an empty volume, compresses a thousandfold and is
# harmless; the ratio only matters when the size does.

_DRIVE = re.compile(r"^[A-Za-z]:")


class MemberTooLarge(ItemError):
    """A member produced more bytes than the limits allow (a bomb, or a header that lied)."""


class CorruptMember(ItemError):
    """A member's bytes could not be read back: corrupt or truncated compressed data."""


def safe_member_path(name: str) -> tuple[str, list[str]]:
    """The inner path to address a member by, and what was wrong with its name (empty when nothing).

    A harmless name is only tidied (``./a//b`` → ``a/b``). A hostile one keeps every component,
    with markers where the danger was: ``../../etc/x`` → ``(dotdot)/(dotdot)/etc/x``,
    ``/etc/x`` → ``(root)/etc/x``, NUL → ``(nul)``. Backslashes count as separators when judging
    danger, since an archive made on Windows or aimed at it may use them.
    """
    problems: list[str] = []
    text = name
    if "\0" in text:
        problems.append("NUL byte in name")
        text = text.replace("\0", "(nul)")
    absolute = text.startswith(("/", "\\")) or bool(_DRIVE.match(text))
    if absolute:
        problems.append("absolute path")
    if ".." in re.split(r"[/\\]", text):
        problems.append("path traversal (..)")
    if not problems:
        return _tidy(text.split("/")), problems
    parts = ["(dotdot)" if p == ".." else p for p in re.split(r"[/\\]", text)]
    if absolute:
        parts.insert(0, "(root)")
    return _tidy(parts), problems


def _tidy(parts: list[str]) -> str:
    kept = [p for p in parts if p not in ("", ".")]
    return "/".join(kept) or "(unnamed)"


class MemberNamer:
    """Hands out one distinct inner path per member, flagging hostile and duplicate names."""

    def __init__(self, container: ItemRef) -> None:
        self.container = container
        self.used: set[str] = set()
        self.last = ""  # the inner path handed out last

    def name(self, raw_name: str) -> tuple[ItemRef, list[ItemWarning]]:
        path, problems = safe_member_path(raw_name)
        warnings = []
        if problems:
            note = ", ".join(problems)
            warnings.append(f"unsafe member name {raw_name!r} ({note}): read as {path!r}, nothing written")
        unique = path
        copy = 1
        while unique in self.used:
            copy += 1
            unique = f"{path}#{copy}"
        if copy > 1:
            warnings.append(f"duplicate member name {raw_name!r}: this copy is {unique!r}")
        self.used.add(unique)
        self.last = unique
        ref = self.container.enter(unique)
        return ref, [ItemWarning(ref, "source", w) for w in warnings]


def warn(ref: ItemRef, message: str) -> ItemWarning:
    """A warning raised while reading a container (stage "source")."""
    return ItemWarning(ref, "source", message)


def too_many(kind: str, limits: Limits) -> str:
    return f"{kind}: more than {limits.max_members} members: the rest not read"


def member_cap(limits: Limits, compressed: int | None = None) -> int:
    """Most bytes one member may produce: the size limit, and the ratio limit if its packed size is known."""
    cap = limits.max_member_size
    if compressed is not None:
        cap = min(cap, max(compressed * limits.max_ratio, limits.ratio_floor))
    return cap


def declared_problem(size: int, compressed: int | None, limits: Limits) -> str | None:
    """Why a member whose header declares ``size`` (packed to ``compressed``) must not be read, if so."""
    if size > limits.max_member_size:
        return f"suspected bomb: declares {size} bytes, over the member limit of {limits.max_member_size}"
    if compressed is not None and size > member_cap(limits, compressed):
        ratio = size / max(compressed, 1)
        return (f"suspected bomb: {compressed} bytes expand to {size} "
                f"(ratio {ratio:.0f}, limit {limits.max_ratio})")
    return None


# Exceptions that mean "these compressed bytes are bad" (zlib, lzma, bz2, zipfile, tarfile, py7zr).
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, ValueError, RuntimeError,
    zlib.error, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError,
)


class Readable(Protocol):
    """What CappedReader needs of the stream under it (file objects, ZipExtFile, GzipFile, ...)."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def seekable(self) -> bool: ...
    def close(self) -> None: ...


class CappedReader(io.RawIOBase):
    """A read-only stream over another that stops with ``MemberTooLarge`` past ``cap`` bytes.

    Read errors of the compressed data become ``CorruptMember`` with the member named, so the pipeline
    records one clear warning. ``closers`` are closed after the stream (the archive behind it).
    """

    def __init__(self, raw: Readable, cap: int, what: str, closers: tuple[Callable[[], object], ...] = ()):
        super().__init__()
        self.raw = raw
        self.cap = cap
        self.what = what
        self.closers = closers
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self.raw.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = self.raw.seek(offset, whence)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            data = self.raw.read(len(buffer))
        except ItemError:
            raise
        except READ_ERRORS as exc:
            raise CorruptMember(f"{self.what}: corrupt data: {exc}") from exc
        n = len(data)
        buffer[:n] = data
        self.pos += n
        if self.pos > self.cap:
            raise MemberTooLarge(f"{self.what}: produced more than {self.cap} bytes (bomb or lying header)")
        return n

    def close(self) -> None:
        if not self.closed:
            try:
                self.raw.close()
                for close in self.closers:
                    close()
            finally:
                super().close()


def read_bounded(stream: BinaryIO, limit: int) -> bytes | None:
    """All of ``stream`` if it holds at most ``limit`` bytes, else None (having read limit + 1)."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def bytes_opener(data: bytes) -> Callable[[], BinaryIO]:
    """An opener over bytes held in memory: a fresh, seekable stream each call."""
    return lambda: io.BytesIO(data)


def seekable_copy(item: Item, stream: BinaryIO, limits: Limits) -> BinaryIO | ItemWarning:
    """``stream`` itself if it can seek, else its bytes in memory, else (too big) a warning."""
    if stream.seekable():
        return stream
    data = read_bounded(stream, limits.in_memory)
    stream.close()
    if data is None:
        return ItemWarning(item.ref, "source", f"not seekable and larger than {limits.in_memory} bytes: "
                                               "too large to open in memory")
    return io.BytesIO(data)


def guarded(found: Iterator[Found], ref: ItemRef, what: str) -> Iterator[Found]:
    """Pass items through; an unexpected failure of the container becomes a warning at that point.

    Members yielded before the failure stand: a truncated archive still gives what it holds.
    """
    try:
        yield from found
    except MemoryError:
        yield ItemWarning(ref, "source", f"{what}: out of memory while reading the container")
    except Exception as exc:
        yield ItemWarning(ref, "source", f"{what}: stopped reading: {type(exc).__name__}: {exc}")


class SeekableArchive(EvidenceSource):
    """An archive read through a seekable view of its item (the item's own stream, or a bounded copy
    in memory). Subclasses list the members with ``members``; a failure midway becomes a warning."""

    unpacks = True

    def __init__(self, item: Item, limits: Limits) -> None:
        self.item = item
        self.limits = limits

    def items(self) -> Iterator[Found]:
        return guarded(self._items(), self.item.ref, self.name)

    def _items(self) -> Iterator[Found]:
        base = seekable_copy(self.item, self.item.open(), self.limits)
        if isinstance(base, ItemWarning):
            yield base
            return
        yield from self.members(base)

    def members(self, base: BinaryIO) -> Iterator[Found]:
        raise NotImplementedError
