"""Zip archives: members from the central directory, or from local headers when it is lost.

A seized zip is often a partial download or a cut-off copy, whose central directory (at the end) is
missing. The members before the cut are still there, each behind its own local header, and still
evidence: ``_recovered`` walks them from the front, and a warning says the directory was missing.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import BinaryIO

from footprint.errors import ItemError
from footprint.model import Item, ItemFacts, ItemRef, ItemWarning
from footprint.sources.base import Found, Limits
from footprint.sources.members import (
    CappedReader,
    MemberNamer,
    SeekableArchive,
    declared_problem,
    member_cap,
    seekable_copy,
    too_many,
    warn,
)

_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_S_IFLNK = 0o120000


class ZipSource(SeekableArchive):
    name = "zip"

    def members(self, base: BinaryIO) -> Iterator[Found]:
        try:
            archive = zipfile.ZipFile(base)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            yield warn(self.item.ref, f"zip: central directory unreadable ({exc}); "
                                      "members recovered from local headers")
            yield from _recovered(self.item, base, self.limits)
            return
        yield from _listed(self.item, base, archive, self.limits)


def _listed(item: Item, base: BinaryIO, archive: zipfile.ZipFile, limits: Limits) -> Iterator[Found]:
    ref = item.ref
    namer = MemberNamer(ref)
    total = 0
    data_at: dict[int, str] = {}  # where each member's data starts (its local header): whose it is
    listed = archive.infolist()[: limits.max_members]  # beyond it the listing stops (too_many) before any read
    headers = {info.header_offset: _local_header(base, info.header_offset) for info in listed}
    for count, info in enumerate(archive.infolist(), 1):
        if count > limits.max_members:
            yield warn(ref, too_many("zip", limits))
            return
        if info.is_dir() and info.file_size == 0:
            continue
        member_ref, warnings = namer.name(info.orig_filename.rstrip("/") if info.is_dir() else info.orig_filename)
        if info.is_dir():  # data under a folder's name: a place to hide a file
            warnings = [*warnings, ItemWarning(member_ref, "source", f"zip: a folder entry holding {info.file_size} "
                                                                     "bytes of data: read as a file")]
        problem = _problem(info, limits) or _overlap(info, data_at, member_ref)
        if problem:
            yield ItemWarning(member_ref, "source", problem)
            yield from warnings
            continue
        total += info.file_size
        if total > limits.max_archive_total:
            yield ItemWarning(ref, "source", f"zip: expands beyond {limits.max_archive_total} bytes: "
                                             "the rest not read (suspected bomb)")
            return
        cap = member_cap(limits, info.compress_size)
        local, local_data = headers[info.header_offset]
        if local is not None and local.orig_filename != info.orig_filename:
            # zipfile refuses such a member; its data is there all the same, behind its local header
            warnings = [*warnings, ItemWarning(member_ref, "source", f"zip: its local header names it "
                                                                     f"{local.orig_filename!r}, the central "
                                                                     f"directory {info.orig_filename!r}: read "
                                                                     f"under the directory's name")]
            opener = partial(_open_recovered, item, info, local_data, cap, str(member_ref), limits)
        else:
            opener = partial(_open_listed, archive, info, cap, str(member_ref))
        yield Item(member_ref, info.file_size, opener, ItemFacts(modified=_unix_mtime(info.extra)))
        yield from warnings  # after the item, so the pipeline files them with it
    yield from _unlisted(item, base, archive, headers, namer, limits)


def _unlisted(item: Item, base: BinaryIO, archive: zipfile.ZipFile,
              headers: dict[int, tuple[zipfile.ZipInfo | None, int]], namer: MemberNamer,
              limits: Limits) -> Iterator[Found]:
    """Members whose local header and data lie in the zip where no listed member's do: left out of the
    central directory (a way to hide a file from every tool that reads the directory: unzip, 7z and
    zipfile list nothing) or left over from an earlier version of the archive. Only the stretches no
    listed member covers are searched (``headers``: each listed member's local header, read once)."""
    covered = []
    for info in archive.infolist():
        local, data = headers[info.header_offset]
        covered.append((info.header_offset, data + info.compress_size if local is not None else info.header_offset))
    gaps, pos = [], 0
    for start, end in sorted(covered):
        if start > pos:
            gaps.append((pos, start))
        pos = max(pos, end)
    if archive.start_dir > pos:
        gaps.append((pos, archive.start_dir))
    for start, end in gaps:
        if end - start < _LOCAL.size:
            continue
        base.seek(start)
        stretch = base.read(min(end - start, limits.in_memory))
        at = stretch.find(b"PK\x03\x04")
        while at >= 0:
            hidden, data = _local_header(base, start + at)
            if hidden is not None and not hidden.flag_bits & 0x8 and data + hidden.compress_size <= end:
                for found in _recovered_member(item, hidden, data, namer, limits):
                    yield found
                    if isinstance(found, Item):
                        yield ItemWarning(found.ref, "source", f"zip: not listed in the central directory: found "
                                                               f"behind a local header at byte {start + at}")
                at = stretch.find(b"PK\x03\x04", data + hidden.compress_size - start)
            else:
                at = stretch.find(b"PK\x03\x04", at + 4)


def _overlap(info: zipfile.ZipInfo, data_at: dict[int, str], member_ref: ItemRef) -> str | None:
    """A member whose data is another's (its local header at the same offset): the trick of a zip bomb
    that lists one large member thousands of times in a small file; read once, under its first name."""
    first = data_at.setdefault(info.header_offset, str(member_ref))
    if first == str(member_ref):
        return None
    return (f"zip: the same data as {first} (one local header listed twice, the trick of a zip bomb): "
            "not read again")


def _problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Why a member cannot or must not be read, if so."""
    if info.flag_bits & 0x1:
        return "encrypted: not readable"
    if info.compress_type not in _METHODS:
        return f"compression method {info.compress_type} not supported: not read"
    if info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == _S_IFLNK:
        return "symbolic link member: not followed"
    return declared_problem(info.file_size, info.compress_size, limits)


def _open_listed(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, what: str) -> BinaryIO:
    """The member's bytes; a member whose own header is damaged (zipfile's BadZipFile: a bad magic
    number, a name that differs from the directory's) is that member's read failure, never the end of
    the archive: the other members are still read."""
    try:
        opened = archive.open(info)
    except zipfile.BadZipFile as exc:
        raise ItemError(f"zip member unreadable: {exc}") from exc
    return CappedReader(opened, cap, what)  # type: ignore[return-value]


def _unix_mtime(extra: bytes) -> datetime | None:
    """Modification time from the "UT" extra field (0x5455), the only zip time that is in UTC.

    The DOS date and time of a zip are the creating machine's local time, zone unknown: reporting
    them as UTC would mislead a court, so without a UT field the time stays unknown.
    """
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4:at + 4 + size]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            return datetime.fromtimestamp(int.from_bytes(body[1:5], "little", signed=True), UTC)
        at += 4 + size
    return None


# ---------------------------------------------------------------------------------------------
# Recovery from local headers
# ---------------------------------------------------------------------------------------------


def _recovered(item: Item, base: BinaryIO, limits: Limits) -> Iterator[Found]:
    """Members found by walking local headers from the start, up to the first damage."""
    end = base.seek(0, 2)
    namer = MemberNamer(item.ref)
    at = 0
    for count in range(1, limits.max_members + 2):
        if count > limits.max_members:
            yield warn(item.ref, too_many("zip", limits))
            return
        info, data_at = _local_header(base, at)
        if info is None:
            return
        if info.flag_bits & 0x8:
            yield warn(item.ref, f"zip: member {info.filename!r} at {at} has no sizes in its "
                                 "local header: recovery stops there")
            return
        if data_at + info.compress_size > end:
            yield ItemWarning(item.ref, "source", f"zip: member {info.filename!r} truncated: recovery stops")
            return
        yield from _recovered_member(item, info, data_at, namer, limits)
        at = data_at + info.compress_size


def _local_header(base: BinaryIO, at: int) -> tuple[zipfile.ZipInfo | None, int]:
    base.seek(at)
    head = base.read(_LOCAL.size)
    if len(head) < _LOCAL.size or head[:4] != b"PK\x03\x04":
        return None, at
    _sig, _ver, flags, method, _t, _d, crc, csize, usize, nlen, xlen = _LOCAL.unpack(head)
    raw_name = base.read(nlen)
    info = zipfile.ZipInfo(raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace"))
    info.flag_bits, info.compress_type, info.CRC = flags, method, crc
    info.compress_size, info.file_size = csize, usize
    info.extra = base.read(xlen)
    return info, at + _LOCAL.size + nlen + xlen


def _recovered_member(item: Item, info: zipfile.ZipInfo, data_at: int, namer: MemberNamer,
                      limits: Limits) -> Iterator[Found]:
    if info.filename.endswith("/"):
        return
    member_ref, warnings = namer.name(info.orig_filename)
    problem = _problem(info, limits)
    if problem:
        yield ItemWarning(member_ref, "source", problem)
    else:
        opener = partial(_open_recovered, item, info, data_at, member_cap(limits, info.compress_size),
                         str(member_ref), limits)
        yield Item(member_ref, info.file_size, opener, ItemFacts(modified=_unix_mtime(info.extra)))
    yield from warnings


def _open_recovered(item: Item, info: zipfile.ZipInfo, data_at: int, cap: int, what: str,
                    limits: Limits) -> BinaryIO:
    """zipfile's own member reader (decompression and CRC check) over the bytes at ``data_at``."""
    parent = seekable_copy(item, item.open(), limits)
    if isinstance(parent, ItemWarning):
        raise OSError(parent.message)
    parent.seek(data_at)
    member = zipfile.ZipExtFile(parent, "r", info, None, True)
    return CappedReader(member, cap, what)  # type: ignore[return-value]
