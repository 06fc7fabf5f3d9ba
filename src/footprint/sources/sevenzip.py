"""7z archives, decompressed in memory with py7zr and never extracted to disk.

7z archives are usually solid: many members share one compressed stream, so reading them one by one
would decompress the start of the stream again for every member. Instead one pass decompresses every
wanted member, in a worker thread, handing each over as soon as it is complete through a small queue;
memory holds about one member at a time. If the consumer stops early, the worker is told to stop.

py7zr's own extraction refuses a whole archive over one hostile name; here names are judged by
``MemberNamer`` like every other archive, and py7zr's worker is fed in-memory writers directly.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

import py7zr
from py7zr.compressor import SupportedMethods
from py7zr.exceptions import CrcError, DecompressionBombError, PasswordRequired
from py7zr.io import MemIO, Py7zIO, WriterFactory

from footprint.model import Item, ItemFacts, ItemRef, ItemWarning
from footprint.sources.base import Found
from footprint.sources.members import (
    MemberNamer,
    SeekableArchive,
    bytes_opener,
    declared_problem,
    too_many,
    warn,
)

# py7zr writer key → the member's ref, facts, and warnings about its name (given after the item)
Wanted = dict[str, tuple[ItemRef, ItemFacts, list[ItemWarning]]]

_DONE = object()


class _Stopped(Exception):
    """The consumer went away: the worker abandons the extraction."""


class _Sink(WriterFactory):
    """Makes one in-memory writer per wanted member and passes each finished member to the consumer."""

    def __init__(self, wanted: Wanted, cap: int) -> None:
        self.wanted = wanted
        self.cap = cap
        self.results: queue.Queue[object] = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        self.done: set[str] = set()  # the wanted members handed over (or said over the cap)

    def create(self, filename: str) -> Py7zIO:
        return _Writer(filename, self)

    def put(self, found: object) -> None:
        while not self.stop.is_set():
            try:
                self.results.put(found, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped

    def finished(self, key: str, data: bytes | None, produced: int) -> None:
        self.done.add(key)
        ref, facts, warnings = self.wanted[key]
        if data is None:
            self.put(warn(ref, f"produced {produced} bytes, over the limit of {self.cap}: not read"))
        else:
            self.put(Item(ref, len(data), bytes_opener(data), facts))
        for warning in warnings:
            self.put(warning)


class _Writer(Py7zIO):
    def __init__(self, key: str, sink: _Sink) -> None:
        self.key = key
        self.sink = sink
        self.buffer: bytearray | None = bytearray()
        self.produced = 0

    def write(self, s: bytes | bytearray) -> int:
        if self.sink.stop.is_set():
            raise _Stopped
        self.produced += len(s)
        if self.buffer is not None:
            self.buffer += s
            if len(self.buffer) > self.sink.cap:
                self.buffer = None  # a bomb's bytes are counted, never kept
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.produced

    def close(self) -> None:
        self.sink.finished(self.key, bytes(self.buffer) if self.buffer is not None else None, self.produced)


class SevenZipSource(SeekableArchive):
    name = "7z"

    def members(self, base: BinaryIO) -> Iterator[Found]:
        try:
            archive = py7zr.SevenZipFile(base, "r")
        except PasswordRequired:
            yield ItemWarning(self.item.ref, "source", "7z: encrypted (names and all): not readable")
            return
        except Exception as exc:  # py7zr raises many kinds for damaged headers
            yield warn(self.item.ref, f"7z: cannot read the header: {type(exc).__name__}: {exc}")
            return
        with archive:
            wanted: Wanted = {}
            yield from self._plan(archive, wanted)
            if wanted:
                yield from self._extract(archive, wanted)

    def _plan(self, archive: py7zr.SevenZipFile, wanted: Wanted) -> Iterator[Found]:
        """Warnings for members that will not be read; the rest registered for the one pass."""
        ref, limits = self.item.ref, self.limits
        namer = MemberNamer(ref)
        expansion = _folder_expansion(archive)
        total = 0
        for count, member in enumerate(archive.files, 1):
            if count > limits.max_members:
                yield warn(ref, too_many("7z", limits))
                return
            if member.is_directory:
                continue
            member_ref, warnings = namer.name(member.filename)
            facts = ItemFacts(modified=_mtime(member))
            if member.emptystream and not member.is_symlink:
                yield Item(member_ref, 0, bytes_opener(b""), facts)
                yield from warnings
                continue
            problem = self._problem(member, expansion)
            if problem:
                yield ItemWarning(member_ref, "source", problem)
                yield from warnings
                continue
            total += member.uncompressed
            if total > limits.max_archive_total:
                yield ItemWarning(ref, "source", f"7z: expands beyond {limits.max_archive_total} bytes: "
                                                 "the rest not read (suspected bomb)")
                return
            key = str(member.id)
            wanted[key] = (member_ref, facts, warnings)
            archive.worker.register_filelike(member.id, MemIO(key, _NO_FACTORY))

    def _problem(self, member: Any, expansion: dict[int, tuple[int, int]]) -> str | None:
        limits = self.limits
        if member.is_symlink:
            return "symbolic link member: not followed"
        folder = member.folder
        if folder is not None and SupportedMethods.needs_password(folder.coders):
            return "encrypted: not readable"
        problem = declared_problem(member.uncompressed, None, limits)
        if problem:
            return problem
        packed, unpacked = expansion.get(id(folder), (0, 0))
        if unpacked > max(packed * limits.max_ratio, limits.ratio_floor):
            return (f"suspected bomb: its solid block of {packed} bytes expands to {unpacked} "
                    f"(ratio limit {limits.max_ratio})")
        if member.uncompressed > limits.in_memory:
            return f"{member.uncompressed} bytes: over the in-memory limit of {limits.in_memory}, not read"
        return None

    def _extract(self, archive: py7zr.SevenZipFile,
                 wanted: Wanted) -> Iterator[Found]:
        sink = _Sink(wanted, min(self.limits.in_memory, self.limits.max_member_size))
        for fileish in archive.worker.target_filepath.values():
            if isinstance(fileish, MemIO):
                fileish.factory = sink
        archive.worker.max_extract_size = self.limits.max_archive_total
        worker = threading.Thread(target=self._run, args=(archive, sink), daemon=True, name="footprint-7z")
        worker.start()
        try:
            while (found := sink.results.get()) is not _DONE:
                yield found  # type: ignore[misc]
        finally:
            sink.stop.set()
            while worker.is_alive():
                with contextlib.suppress(queue.Empty):
                    sink.results.get(timeout=0.1)
            worker.join()

    def _run(self, archive: py7zr.SevenZipFile, sink: _Sink) -> None:
        ref = self.item.ref
        try:
            archive.worker.extract(archive.fp, None, parallel=False)
        except _Stopped:
            return
        except DecompressionBombError:
            _offer(sink, warn(ref, f"7z: expands beyond {self.limits.max_archive_total} bytes: "
                                   "the rest not read (suspected bomb)"))
        except Exception as exc:  # damaged data: what was read stands, the rest is a warning on each
            why = f"7z: stopped reading: {_reason(exc)}"
            _offer(sink, ItemWarning(ref, "source", why))
            for key, (member_ref, _, _) in sink.wanted.items():  # each member it never gave: named, not lost
                if key not in sink.done:
                    _offer(sink, ItemWarning(member_ref, "source", "7z: not read: the archive's reading stopped "
                                                                   "before this member (see the archive's warning)"))
        _offer(sink, _DONE)


def _reason(exc: Exception) -> str:
    """py7zr's error in words: a CRC error's arguments are (expected, found, member)."""
    if isinstance(exc, CrcError) and len(exc.args) == 3:
        return f"member {exc.args[2]!r} fails its CRC check (damaged data)"
    return f"{type(exc).__name__}" + (f": {exc}" if str(exc) else "")


def _offer(sink: _Sink, found: object) -> None:
    with contextlib.suppress(_Stopped):
        sink.put(found)


class _NoFactory(WriterFactory):
    def create(self, filename: str) -> Py7zIO:
        raise RuntimeError("7z writer used before the extraction was set up")


_NO_FACTORY = _NoFactory()


def _folder_expansion(archive: py7zr.SevenZipFile) -> dict[int, tuple[int, int]]:
    """For each solid block (folder): its packed size and what its members declare they expand to."""
    streams = getattr(archive.header, "main_streams", None)
    if streams is None:
        return {}
    positions = streams.packinfo.packpositions
    out: dict[int, tuple[int, int]] = {}
    for i, folder in enumerate(streams.unpackinfo.folders):
        packed = positions[i + 1] - positions[i] if i + 1 < len(positions) else 0
        unpacked = sum(f.uncompressed for f in (folder.files or []))
        out[id(folder)] = (packed, unpacked)
    return out


def _mtime(member: Any) -> datetime | None:
    stamp = member.lastwritetime
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(stamp.totimestamp(), UTC)
    except (OverflowError, OSError, ValueError):
        return None
