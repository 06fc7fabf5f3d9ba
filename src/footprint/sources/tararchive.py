"""Tar archives, plain or compressed (gzip, bzip2, xz), from seekable or streaming parents.

Three ways to give a member's bytes, chosen for cost:

* plain tar on a cheaply seekable parent (a file, bytes in memory): each open seeks straight to the
  member's data, nothing is held in memory;
* otherwise (compressed, or a parent that only streams, such as a member of another archive): the
  member is read into memory as the walk passes it, up to ``Limits.in_memory``;
* a larger member, when the parent can seek, is reopened and decompressed up to it on each open
  (slow, but correct); when the parent only streams, it is a warning.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, BinaryIO

from footprint.model import Item, ItemFacts, ItemRef, ItemWarning
from footprint.sources.base import EvidenceSource, Found, Limits
from footprint.sources.budget import Metered
from footprint.sources.members import (
    READ_ERRORS,
    CappedReader,
    CorruptMember,
    MemberNamer,
    bytes_opener,
    declared_problem,
    guarded,
    too_many,
    warn,
)
from footprint.sources.streams import PositionedReader

Compression = str | None  # None, "gz", "bz2", "xz"


def decompressed(stream: BinaryIO, compression: Compression) -> BinaryIO:
    """A decompressing reader over ``stream`` (multi-member gzip and concatenated streams included)."""
    if compression == "gz":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if compression == "bz2":
        return bz2.BZ2File(stream, "rb")  # type: ignore[return-value]
    if compression == "xz":
        return lzma.LZMAFile(stream, "rb")  # type: ignore[return-value]
    return stream


def _cheap_seek(stream: BinaryIO) -> bool:
    if isinstance(stream, Metered):  # counted against a budget, as each slice opened from it will be
        return _cheap_seek(stream.raw)
    return isinstance(stream, (io.BufferedReader, io.FileIO, io.BytesIO))


class _Slice(PositionedReader):
    """``size`` bytes of ``raw`` from ``start``; a parent that ends early is a corrupt member."""

    def __init__(self, raw: BinaryIO, start: int, size: int, what: str) -> None:
        super().__init__()
        self.raw, self.start, self.size, self.what = raw, start, size, what
        self.pos = 0
        raw.seek(start)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        super().seek(offset, whence)
        self.raw.seek(self.start + min(self.pos, self.size))
        return self.pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        data = self.raw.read(want)
        if not data:
            raise CorruptMember(f"{self.what}: archive ends inside this member (truncated)")
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.raw.close()
            super().close()


class _LastRead:
    """Wraps the stream tarfile reads headers from, keeping the last block read.

    tarfile ends its walk quietly when a header is cut short or is garbage anywhere after the first;
    for evidence that silence would hide a truncated or damaged archive, so the last block is kept to
    tell a proper end (a zero block) from a cut or a damaged header.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last = bytes(512)  # tarfile.open read the first block already; had it been bad, open failed

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.inner.read(size)
        self.last = data
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _end_problem(last: bytes) -> str | None:
    if len(last) < 512:
        return "the archive ends without its end marker (truncated)"
    if last.count(0) != len(last):
        return "a damaged header ends the walk"
    return None


class _Damaged(Exception):
    """A member cannot be read because the archive is cut short or damaged there: the walk ends."""


class TarSource(EvidenceSource):
    name = "tar"
    unpacks = True

    def __init__(self, item: Item, limits: Limits, compression: Compression = None) -> None:
        self.item = item
        self.limits = limits
        self.compression = compression

    def items(self) -> Iterator[Found]:
        return guarded(self._items(), self.item.ref, "tar")

    def _items(self) -> Iterator[Found]:
        stream = self.item.open()
        seekable = stream.seekable()
        mode = ("r:" if seekable else "r|") + (self.compression or "")
        try:
            archive = tarfile.open(fileobj=stream, mode=mode)  # type: ignore[call-overload]  # noqa: SIM115
        except READ_ERRORS as exc:
            stream.close()
            yield ItemWarning(self.item.ref, "source", f"tar: cannot read: {exc}")
            return
        lazy = seekable and self.compression is None and _cheap_seek(stream)
        recorder = _LastRead(archive.fileobj)
        archive.fileobj = recorder
        with archive, stream:
            yield from self._members(archive, recorder, seekable, lazy)

    def _members(self, archive: tarfile.TarFile, recorder: _LastRead, seekable: bool,
                 lazy: bool) -> Iterator[Found]:
        ref, limits = self.item.ref, self.limits
        namer = MemberNamer(ref)
        total = 0
        for count in range(1, limits.max_members + 2):
            try:
                member = archive.next()
            except READ_ERRORS as exc:
                yield ItemWarning(ref, "source", f"tar: damaged after {count - 1} members: {exc}")
                return
            if member is None:
                problem = _end_problem(recorder.last)
                if problem:
                    yield warn(ref, f"tar: {problem}, after {count - 1} members")
                return
            if count > limits.max_members:
                yield warn(ref, too_many("tar", limits))
                return
            total += member.size if member.isreg() else 0
            stop = self._over_limits(member, total)
            if stop:
                yield ItemWarning(ref, "source", stop)
                return
            try:
                yield from self._member(archive, member, namer, seekable, lazy)
            except _Damaged as exc:
                # the archive as a whole is cut or damaged here: the warning goes on the container
                yield warn(ref, f"tar: member {namer.last!r}: {exc}: the rest not read")
                return

    def _over_limits(self, member: tarfile.TarInfo, total: int) -> str | None:
        """Why the whole archive must stop here (it expands too far), if so."""
        limits = self.limits
        if total > limits.max_archive_total:
            return f"tar: expands beyond {limits.max_archive_total} bytes: the rest not read (suspected bomb)"
        packed = self.item.size
        if self.compression and packed is not None and member.isreg():
            end = member.offset_data + member.size
            if end > max(packed * limits.max_ratio, limits.ratio_floor):
                return (f"tar: suspected bomb: {packed} compressed bytes expand past {end} "
                        f"(ratio limit {limits.max_ratio}): the rest not read")
        return None

    def _member(self, archive: tarfile.TarFile, member: tarfile.TarInfo, namer: MemberNamer,
                seekable: bool, lazy: bool) -> Iterator[Found]:
        if member.isdir() or not (member.isreg() or member.issym() or member.islnk()):
            return  # folders, devices and FIFOs hold no content
        member_ref, warnings = namer.name(member.name)
        if member.issym() or member.islnk():
            kind = "symbolic" if member.issym() else "hard"
            yield ItemWarning(member_ref, "source", f"{kind} link to {member.linkname!r}: not followed")
        elif problem := declared_problem(member.size, None, self.limits):
            yield ItemWarning(member_ref, "source", problem)
        else:
            try:
                yield from self._content(archive, member, member_ref, seekable, lazy)
            except _Damaged:
                yield from warnings
                raise
        yield from warnings  # after the item, so the pipeline files them with it

    def _content(self, archive: tarfile.TarFile, member: tarfile.TarInfo, member_ref: ItemRef,
                 seekable: bool, lazy: bool) -> Iterator[Found]:
        facts = ItemFacts(modified=_mtime(member))
        what = str(member_ref)
        if lazy and not member.issparse():
            if self.item.size is not None and member.offset_data + member.size > self.item.size:
                raise _Damaged("the archive ends inside this member (truncated)")
            opener = partial(self._open_slice, member.offset_data, member.size, what)
            yield Item(member_ref, member.size, opener, facts)
        elif member.size <= min(self.limits.in_memory, self.limits.max_member_size):
            data = _read_member(archive, member)
            yield Item(member_ref, member.size, bytes_opener(data), facts)
        elif seekable and not member.issparse():
            opener = partial(self._open_slice, member.offset_data, member.size, what)
            yield Item(member_ref, member.size, opener, facts)
        else:
            yield warn(member_ref, f"{member.size} bytes in an archive that can only be streamed: "
                                   f"over the in-memory limit of {self.limits.in_memory}, not read")

    def _open_slice(self, start: int, size: int, what: str) -> BinaryIO:
        raw = self.item.open()
        inner = decompressed(raw, self.compression)
        return CappedReader(_Slice(inner, start, size, what), size, what, (raw.close,))  # type: ignore[return-value]


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    """The member's bytes; ``_Damaged`` when they cannot all be read (truncated, bad compression)."""
    try:
        stream = archive.extractfile(member)
        data = stream.read() if stream else b""
    except READ_ERRORS as exc:
        raise _Damaged(f"cannot read this member: {exc}") from exc
    if len(data) != member.size:
        raise _Damaged(f"truncated: {len(data)} of {member.size} bytes present")
    return data


def _mtime(member: tarfile.TarInfo) -> datetime | None:
    """The member's modification time; 0 is what a tar writer leaves when it records none (Python's
    TarInfo, many build tools): unknown, never "1970-01-01" in a report (as the disk sources do)."""
    if not member.mtime:
        return None
    try:
        return datetime.fromtimestamp(member.mtime, UTC)
    except (OverflowError, OSError, ValueError):
        return None
