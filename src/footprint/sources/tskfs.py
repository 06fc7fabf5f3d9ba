"""One file system inside a disk image, read through The Sleuth Kit: live and deleted files, and the
unallocated space left over for carving.

Choices an investigator should know:

* Every regular file is an item, live or deleted. A deleted name whose metadata entry is still
  unallocated is recovered through it (TSK follows the entry's data runs; for a deleted FAT file it
  assumes the clusters were contiguous, so a fragmented one reads wrong and simply does not match).
  A deleted FAT12/16/32 file longer than one cluster therefore carries a warning: its content and
  hashes are right only if it was not fragmented (FAT keeps no cluster chain for a deleted file).
  A deleted name whose entry now belongs to another file gives a warning, not an item: its content
  is gone, and reading the entry would attribute another file's bytes to it.
* Orphan files (TSK's virtual ``$OrphanFiles`` folder: deleted entries no folder names any more)
  are items under ``$OrphanFiles/``. A deleted entry is an item once, under the first name that
  reaches it: a deleted folder's old cluster, reused, can name the same deleted entry again.
* TSK shows a deleted FAT name with its first letter as ``_`` (FAT overwrote it); so do we. Names that
  several entries of one folder share (``1.jpg`` and ``2.jpg`` deleted, both ``_.jpg``; a deleted file
  beside a live one of its name) stay apart: the live entry keeps the name, each other one is
  ``name (entry N)`` (_entry_names). A ref is one item: two entries under one name lost one of them.
* Deleted files are settled after the walk, once every live file's blocks are known: one whose first
  block a live file holds is a warning, not an item (its bytes are the live file's start: its hashes
  would put that file under the deleted name); one that shares later blocks says so on the item; one
  whose metadata keeps a size but no blocks (ext4 frees them) is a warning, not a file of zeros. The
  blocks of the rest are theirs: carving skips what starts inside them (a deleted zip's stored members
  are items through the zip, not carved a second time), except past the first cluster of a deleted FAT
  file over one cluster: FAT's contiguous guess may be wrong, and a wrong guess must not hide a picture
  that carving finds there (a deleted zip's stored members beyond its first cluster are then carved too).
* A live folder whose first data block another live folder already had is a loop (FAT numbers a
  folder by its entry, so a subfolder pointed at its parent's clusters has an entry of its own).
* NTFS alternate data streams are items of their own, ``path:stream``, with inode ``entry-128-id``
  as TSK writes it.
* Not items: ``.``/``..``, the FAT volume label, TSK's virtual files (``$MBR``, ``$FAT1``…), exFAT's
  special root entries as TSK names them (``$ALLOC_BITMAP``, ``$UPCASE_TABLE``…: only at the root and
  only without timestamps, which every real exFAT file has), NTFS's own metadata files (``$MFT``,
  ``$LogFile``, ``$Extend``…: records about files, not files; ``$BadClus:$Bad`` alone is as large as
  the volume; known by their reserved MFT entries, 0-15, at the root: a user's folder or file named
  with a ``$``, ``$RECYCLE.BIN`` first among them, is walked as any other), symbolic links, devices,
  FIFOs and sockets. Their data runs still count as allocated, so carving does not mistake them for
  free space.
* "Unallocated" is every block that no file's data runs claim, as TSK lists them. On ext file
  systems that includes block-group metadata, which holds no file content to carve.
* Timestamps are UTC as TSK gives them. FAT and exFAT store the device's local time without a zone,
  and TSK turns it into seconds through the examiner's own time zone (``TZ``); that is undone here, so
  the same image gives the same times on every machine: their face value, labelled UTC.
"""

from __future__ import annotations

import bisect
import calendar
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, BinaryIO, cast

import pytsk3

from footprint.model import Item, ItemFacts, ItemRef, ItemState, ItemWarning, Opener
from footprint.sources.base import Found, Limits
from footprint.sources.carve import Window, carve_stream
from footprint.sources.streams import PositionedReader

MAX_DIR_DEPTH = 256
_FAT_LABEL = "(Volume Label Entry)"  # TSK lists a FAT volume label as an empty file named so
_NTFS_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_NTFS_RESERVED = 16  # MFT entries 0-15 are NTFS's own metadata files ($MFT .. $Extend, and spare ones)
_DEFAULT = int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT)
_UNALLOC_NAME = int(pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
_UNALLOC_META = int(pytsk3.TSK_FS_META_FLAG_UNALLOC)
_SKIP_RUN = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER)
_REG, _DIR = pytsk3.TSK_FS_META_TYPE_REG, pytsk3.TSK_FS_META_TYPE_DIR
_VIRT, _VIRT_DIR = pytsk3.TSK_FS_META_TYPE_VIRT, pytsk3.TSK_FS_META_TYPE_VIRT_DIR
_EXFAT_SPECIAL = frozenset({"$ALLOC_BITMAP", "$UPCASE_TABLE", "$VOLUME_GUID", "$TEX_FAT", "$ACT",
                            "$VOLUME_LABEL_NONE"})
_FAT = frozenset(int(t) for t in (pytsk3.TSK_FS_TYPE_FAT12, pytsk3.TSK_FS_TYPE_FAT16, pytsk3.TSK_FS_TYPE_FAT32))
_EXT_RESERVED = range(1, 11)  # ext's reserved inodes (journal, resize…): in no folder, yet allocated


_RESIDENT = int(pytsk3.TSK_FS_ATTR_RES)


def _is_data(attr: Any) -> bool:
    """Whether a TSK attribute holds a file's data: its default attribute, or NTFS's unnamed $DATA."""
    kind = int(attr.info.type)
    return kind == _DEFAULT or (kind == _NTFS_DATA and _text(attr.info.name) in ("", "$Data"))


def _first_block(runs: list[tuple[int, int]] | None) -> int | None:
    return runs[0][0] if runs else None


def _inside(offset: int | None, extents: list[tuple[int, int]]) -> bool:
    return offset is not None and any(start <= offset < end for start, end in extents)


@dataclass(frozen=True)
class _Deleted:
    """A deleted file recovered by name, held until every live file's blocks are known (FileSystemWalk)."""

    item: Item
    runs: list[tuple[int, int]] | None  # None: its data lies in its metadata entry (NTFS resident)
    notes: list[str]


class _Blocks:
    """Blocks live files hold, as sorted disjoint (first, end) stretches, for questions about other runs."""

    def __init__(self, runs: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, count in sorted(runs):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], start + count)
            else:
                merged.append([start, start + count])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def holds(self, block: int) -> bool:
        i = bisect.bisect_right(self.starts, block) - 1
        return i >= 0 and block < self.ends[i]

    def overlap(self, start: int, count: int) -> int:
        """How many of blocks start .. start+count-1 live files hold."""
        end, shared = start + count, 0
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        while i < len(self.starts) and self.starts[i] < end:
            shared += max(0, min(end, self.ends[i]) - max(start, self.starts[i]))
            i += 1
        return shared


class TskFileStream(PositionedReader):
    """One data stream of one file, read through TSK in blocks. Reopens the entry by address, so
    an item's opener holds nothing but the file system and a few numbers.

    ``lost()``, once the stream is read, says how much of it lay in chunks of the image that could not be
    read (``MediaStream.errors``: a segment missing, a chunk damaged), which TSK was handed as zeros; the
    read of the item then fails (hashers.compute.hash_stream), so zeros never pass for the file's bytes."""

    def __init__(self, fs: Any, addr: int, attr_type: int, attr_id: int, size: int,
                 media: BinaryIO | None = None, offset: int = 0) -> None:
        super().__init__()
        self.file = fs.open_meta(inode=addr)
        self.attr_type, self.attr_id, self.size, self.pos = attr_type, attr_id, size, 0
        self.media, self.offset, self.block = media, offset, int(fs.info.block_size)

    def lost(self) -> str | None:
        errors: set[int] = getattr(self.media, "errors", set())  # a MediaStream's (sources.streams)
        chunk: int = getattr(self.media, "chunk", 0)
        if not errors or not chunk:
            return None
        lost = 0
        for start, length in self._extents():
            for index in range(start // chunk, (start + length - 1) // chunk + 1):
                if index in errors:
                    lost += min(start + length, (index + 1) * chunk) - max(start, index * chunk)
        if not lost:
            return None
        return (f"{min(lost, self.size)} of its {self.size} bytes lie in chunks of the image that could not be "
                f"read (missing or damaged) and read as zeros: its content and hashes would not be the file's")

    def _extents(self) -> Iterator[tuple[int, int]]:
        """Where the stream's data lies in the image: (byte offset, length) of each of its runs."""
        for attr in self.file:
            if self.attr_id >= 0 and int(attr.info.id) != self.attr_id:
                continue
            for run in attr:
                if not int(run.flags) & _SKIP_RUN and int(run.len) > 0:
                    yield self.offset + int(run.addr) * self.block, int(run.len) * self.block

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        data = self.file.read_random(self.pos, want, self.attr_type, self.attr_id)
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)


def _utc(seconds: int, nanos: int = 0) -> datetime | None:
    if not seconds or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds + nanos / 1e9, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _face_value(seconds: int) -> int:
    """TSK read a FAT time as local time of this machine (mktime); give back the time as written."""
    try:
        return calendar.timegm(time.localtime(seconds))
    except (OverflowError, OSError, ValueError):
        return seconds


def _facts(meta: Any, state: ItemState, inode: str, local_times: bool = False) -> ItemFacts:
    def when(name: str) -> datetime | None:
        seconds = int(getattr(meta, name, 0) or 0)
        if local_times and seconds > 0:
            seconds = _face_value(seconds)
        return _utc(seconds, getattr(meta, f"{name}_nano", 0))

    return ItemFacts(state=state, inode=inode, created=when("crtime"), modified=when("mtime"),
                     accessed=when("atime"), changed=when("ctime"))


def _fat_guess(size: int, cluster: int) -> str:
    clusters = -(-size // cluster)
    return (f"deleted FAT file over {clusters} clusters: read as if they followed one another from its first "
            f"(FAT keeps no cluster chain for a deleted file); if it was fragmented, its content and "
            f"hashes are not the original file's")


def _text(raw: bytes | None) -> str:
    """A name as TSK gives it (UTF-8) as text; a byte that is not UTF-8 becomes a lone surrogate, which the
    item's ref writes as %XX escapes, one to one (ItemRef): backslashreplace wrote it ``\\xff``, as a
    name that really holds those four characters is written."""
    return (raw or b"").decode("utf-8", "surrogateescape")


def _entry_names(entries: list[Any]) -> list[str]:
    """Each entry's name within its folder, all different: a name that several entries share (a live
    file and a deleted one, or deleted FAT names, which lose their first letter: ``1.jpg`` and ``2.jpg``
    both ``_.jpg``) is kept by its live entry, if any; each other one is written ``name (entry N)``, N
    being its entry number (inode, MFT or directory entry), so that no entry hides another."""
    names = [_text(entry.info.name.name) for entry in entries]
    counts = Counter(names)
    taken: set[str] = set()
    out: list[str | None] = [None] * len(names)
    for live in (True, False):  # live entries first, so that they keep their names
        for i, (entry, name) in enumerate(zip(entries, names, strict=True)):
            if bool(int(entry.info.name.flags) & _UNALLOC_NAME) == live:
                continue
            unique = name
            if (not live and counts[name] > 1) or unique in taken:
                addr, copy = int(entry.info.name.meta_addr), 1
                unique = f"{name} (entry {addr})"
                while unique in taken:
                    copy += 1
                    unique = f"{name} (entry {addr}, {copy})"
            taken.add(unique)
            out[i] = unique
    return [name for name in out if name is not None]


class FileSystemWalk:
    """The items of one TSK file system, then the pictures carved from its unallocated blocks.

    ``ref`` is the file system's own address (``image!p2`` or ``image!fs``); files are
    ``ref.join(path)``, so ``image!p2/Users/a/x.jpg``; carved items ``image!p2!unallocated@0x…``
    with the offset counted from the start of the file system.
    """

    def __init__(self, fs: Any, media: BinaryIO, offset: int, size: int, ref: ItemRef,
                 limits: Limits) -> None:
        self.fs, self.media, self.offset, self.size = fs, media, offset, size
        self.ref, self.limits = ref, limits
        self.ntfs = int(fs.info.ftype) & int(pytsk3.TSK_FS_TYPE_NTFS_DETECT) != 0
        self.exfat = int(fs.info.ftype) == int(pytsk3.TSK_FS_TYPE_EXFAT)  # a value, not a flag
        self.local_times = int(fs.info.ftype) & int(pytsk3.TSK_FS_TYPE_FAT_DETECT) != 0
        self.ext = int(fs.info.ftype) & int(pytsk3.TSK_FS_TYPE_EXT_DETECT) != 0
        self.block = int(fs.info.block_size)
        self.fat_cluster = self._fat_cluster() if int(fs.info.ftype) in _FAT else 0
        self.allocated: list[tuple[int, int]] = []  # (first block, count) claimed by live files
        self.recovered: list[tuple[int, int]] = []  # (first byte, end) of each recovered deleted file's runs
        self.visited: set[int] = set()
        self.walked: set[int] = set()  # first data block of each folder walked
        self.seen: set[tuple[int, int]] = set()
        self.deleted: list[_Deleted] = []  # recovered deleted files, settled once every live file is known

    def items(self) -> Iterator[Found]:
        try:
            root = self.fs.open_dir(path="/")
        except OSError as exc:
            yield ItemWarning(self.ref, "source", f"cannot read the root folder: {exc}")
        else:
            self.visited.add(int(self.fs.info.root_inum))
            yield from self._folder(root, "", 0, orphans=False)
        self._note_reserved()
        yield from self._settle_deleted()
        yield from self._carve_unallocated()
        yield from self._outside()

    def _outside(self) -> Iterator[Found]:
        """The file system's size against its volume's: a warning when the image holds less of it than it
        declares (an acquisition cut short), and the volume's slack past its end carved (a file system
        made smaller than its partition leaves the old one's data there)."""
        declared = int(self.fs.info.block_count) * self.block
        if declared > self.size:
            yield ItemWarning(self.ref, "source", f"the file system declares {declared} bytes but the image holds "
                                                  f"{self.size} of it ({declared - self.size} fewer): cut short, "
                                                  f"or its volume damaged; what lay past byte {self.size} cannot "
                                                  f"be read")
        elif self.size > declared:
            window = Window(self.media, self.offset + declared, self.size - declared)
            yield from carve_stream(window, self.ref, "slack", self.limits,  # type: ignore[arg-type]
                                    base=declared, size=self.size - declared)

    # -- the folder walk --------------------------------------------------------------------

    def _folder(self, folder: Any, path: str, depth: int, orphans: bool) -> Iterator[Found]:
        try:
            entries = list(folder)
        except OSError as exc:
            yield ItemWarning(self.ref.join(path) if path else self.ref, "source", f"cannot list folder: {exc}")
            return
        entries = [entry for entry in entries if _text(entry.info.name.name) not in (".", "..")]
        for entry, name in zip(entries, _entry_names(entries), strict=True):
            yield from self._entry(entry, f"{path}/{name}" if path else name, depth, orphans)

    def _entry(self, entry: Any, path: str, depth: int, orphans: bool) -> Iterator[Found]:
        ref = self.ref.join(path)
        deleted = orphans or bool(int(entry.info.name.flags) & _UNALLOC_NAME)
        meta, problem = self._meta(entry, deleted)
        if meta is None:
            if problem:
                yield ItemWarning(ref, "source", problem, ItemState.DELETED if deleted else None)
            return
        mtype = meta.type
        deleted = deleted or bool(int(meta.flags) & _UNALLOC_META)
        if self._is_system(path, depth, meta):
            self._note_tree(entry, depth)
            return
        if mtype == _DIR or (mtype == _VIRT_DIR and path == "$OrphanFiles"):
            yield from self._subfolder(meta, path, ref, depth, orphans or mtype == _VIRT_DIR, live=not deleted)
        elif mtype == _REG and not path.endswith(_FAT_LABEL):
            yield from self._file(entry, meta, path, deleted, orphans)

    def _meta(self, entry: Any, deleted: bool) -> tuple[Any, str | None]:
        """The entry's metadata, or (None, why not). A deleted NTFS name's entry has moved on one
        sequence number when the file was deleted; further on, it belongs to someone else."""
        meta = entry.info.meta
        if meta is not None:
            return meta, None
        addr = int(entry.info.name.meta_addr)
        if not deleted:
            return None, "no metadata entry: not read"
        if addr == 0 and not self.ntfs:
            return None, "deleted, and its metadata entry is cleared: content not recoverable"
        try:
            meta = self.fs.open_meta(inode=addr).info.meta
        except OSError:
            return None, f"deleted, and metadata entry {addr} cannot be read: content not recoverable"
        name_seq = int(entry.info.name.meta_seq)
        if int(meta.flags) & _UNALLOC_META and (not self.ntfs or int(meta.seq) in (name_seq, name_seq + 1)):
            return meta, None
        return None, f"deleted, and metadata entry {addr} now belongs to another file: content not recoverable"

    def _is_system(self, path: str, depth: int, meta: Any) -> bool:
        """TSK's virtual files, exFAT's special entries, NTFS's metadata files (see the module notes)."""
        mtype = meta.type
        if mtype == _VIRT or (mtype == _VIRT_DIR and path != "$OrphanFiles"):
            return True
        if self.exfat and depth == 0 and path in _EXFAT_SPECIAL:
            return not (meta.mtime or meta.crtime or meta.atime)
        return self.ntfs and depth == 0 and path.startswith("$") and int(meta.addr) < _NTFS_RESERVED

    def _subfolder(self, meta: Any, path: str, ref: ItemRef, depth: int, orphans: bool,
                   live: bool) -> Iterator[Found]:
        addr = int(meta.addr)
        if addr in self.visited:
            yield ItemWarning(ref, "source", f"folder loop: entry {addr} was already walked; not entered again")
            return
        if depth >= MAX_DIR_DEPTH:
            yield ItemWarning(ref, "source", f"folders nested deeper than {MAX_DIR_DEPTH}: not entered")
            return
        self.visited.add(addr)
        tsk_folder = self._open(addr)
        # FAT numbers a folder by its entry in its parent, not by its clusters: a live folder whose clusters
        # are another live folder's is a loop all the same (deleted folders' clusters are reused as a matter
        # of course, and what they reach again is told apart by ``seen``)
        first = _first_block(self._runs(tsk_folder, -1)) if live else None
        if first is not None and first in self.walked:
            yield ItemWarning(ref, "source", f"folder loop: its content (block {first}) was already walked as "
                                             f"another folder's; not entered again")
            return
        if first is not None:
            self.walked.add(first)
        self._note_runs(tsk_folder, meta)
        try:
            folder = self.fs.open_dir(inode=addr)
        except OSError as exc:
            yield ItemWarning(ref, "source", f"cannot open folder: {exc}")
            return
        yield from self._folder(folder, path, depth + 1, orphans)

    def _file(self, entry: Any, meta: Any, path: str, deleted: bool, orphans: bool) -> Iterator[Found]:
        addr = int(meta.addr)
        tsk_file = self._open(addr)
        if tsk_file is None:
            yield ItemWarning(self.ref.join(path), "source", f"cannot open metadata entry {addr}")
            return
        if not deleted:
            self._note_runs(tsk_file, meta)
        state = ItemState.DELETED if deleted else ItemState.ALLOCATED
        for suffix, attr_type, attr_id, size, inode in self._streams(tsk_file, meta):
            if (addr, attr_id) in self.seen and deleted:
                continue  # one deleted entry reached again by another stale name (see the notes)
            self.seen.add((addr, attr_id))
            ref = self.ref.join(path + suffix)
            item = Item(ref=ref, size=size,
                        opener=cast(Opener, partial(TskFileStream, self.fs, addr, attr_type, attr_id, size,
                                                    self.media, self.offset)),
                        facts=_facts(meta, state, inode, self.local_times))
            if not deleted:
                yield item
                continue
            runs = self._runs(tsk_file, attr_id)
            if size > 0 and runs == []:
                yield ItemWarning(ref, "source", f"deleted, and its metadata entry keeps no data blocks for its "
                                                 f"{size} bytes: content not recoverable", ItemState.DELETED)
                continue
            notes = [_fat_guess(size, self.fat_cluster)] if self.fat_cluster and size > self.fat_cluster else []
            self.deleted.append(_Deleted(item, runs, notes))

    def _settle_deleted(self) -> Iterator[Found]:
        """The recovered deleted files, now that every live file's blocks are known. Blocks a live file
        holds are no longer the deleted file's: a deleted file whose first block a live file holds is a
        warning, not an item (what lies there is the live file's start: its hashes would put the live
        file's content under the deleted name); one that shares later blocks with live files is an item
        that says so. The blocks of the others are its, and carving does not find their content again."""
        live = _Blocks(self.allocated)
        for found in self.deleted:
            ref = found.item.ref
            if found.runs and live.holds(found.runs[0][0]):
                yield ItemWarning(ref, "source", f"deleted, and its first {self._unit} now belongs to a live file: "
                                                 f"the content there is that file's, not this one's; not read",
                                  ItemState.DELETED)
                continue
            shared = sum(live.overlap(start, count) for start, count in found.runs or ())
            for note in found.notes:
                yield ItemWarning(ref, "source", note)
            if shared:
                total = sum(count for _, count in found.runs or ())
                yield ItemWarning(ref, "source", f"deleted, and {shared} of its {total} {self._unit}s now belong "
                                                 f"to live files: its content and hashes are partly theirs")
            elif found.notes:  # FAT's guess of a deleted file's clusters: only its first is surely the file's
                first = (found.runs or [])[:1]
                self.recovered += [(start * self.block, (start + 1) * self.block) for start, _ in first]
            else:
                self.recovered += [(start * self.block, (start + count) * self.block)
                                   for start, count in found.runs or ()]
            yield found.item

    @property
    def _unit(self) -> str:
        return "cluster" if self.fat_cluster or self.exfat else "block"

    def _runs(self, tsk_file: Any, attr_id: int) -> list[tuple[int, int]] | None:
        """(first block, count) of each run of the stream's data (attribute ``attr_id``, -1 for the first),
        sparse runs left out; None when its data lies in the metadata entry itself (NTFS resident)."""
        if tsk_file is None:
            return []
        runs: list[tuple[int, int]] = []
        try:
            for attr in tsk_file:
                if attr_id not in (-1, int(attr.info.id)) or (attr_id == -1 and not _is_data(attr)):
                    continue
                if int(attr.info.flags) & _RESIDENT:
                    return None
                runs += [(int(run.addr), int(run.len)) for run in attr
                         if not int(run.flags) & _SKIP_RUN and int(run.len) > 0]
                break
        except OSError:
            pass
        return runs

    def _streams(self, tsk_file: Any, meta: Any) -> Iterator[tuple[str, int, int, int, str]]:
        """(name suffix, attribute type, attribute id, size, inode text) of each data stream."""
        addr = int(meta.addr)
        if not self.ntfs:
            yield "", _DEFAULT, -1, int(meta.size), str(addr)
            return
        for attr in tsk_file:
            if int(attr.info.type) != _NTFS_DATA:
                continue
            stream = _text(attr.info.name)
            if stream and stream != "$Data":
                yield f":{stream}", _NTFS_DATA, int(attr.info.id), int(attr.info.size), \
                    f"{addr}-{_NTFS_DATA}-{int(attr.info.id)}"
            else:
                yield "", _NTFS_DATA, int(attr.info.id), int(attr.info.size), str(addr)

    def _fat_cluster(self) -> int:
        """Bytes per cluster from the FAT boot sector (TSK counts FAT blocks in sectors); 0 if unreadable."""
        try:
            self.media.seek(self.offset + 11)
            bpb = self.media.read(3)
        except OSError:
            return 0
        return int.from_bytes(bpb[:2], "little") * bpb[2] if len(bpb) == 3 else 0

    def _open(self, addr: int) -> Any:
        try:
            return self.fs.open_meta(inode=addr)
        except OSError:
            return None

    # -- allocation, for carving ------------------------------------------------------------

    def _note_runs(self, tsk_file: Any, meta: Any) -> None:
        if tsk_file is None or int(meta.flags) & _UNALLOC_META:
            return
        try:
            for attr in tsk_file:
                for run in attr:
                    if not int(run.flags) & _SKIP_RUN and int(run.len) > 0:
                        self.allocated.append((int(run.addr), int(run.len)))
        except OSError:
            pass

    def _note_tree(self, entry: Any, depth: int) -> None:
        """Data runs of a file or folder that is not an item (system files), folders included."""
        meta = entry.info.meta
        if meta is None or int(meta.addr) in self.visited:
            return
        self._note_runs(self._open(int(meta.addr)), meta)
        if meta.type == _DIR and depth < MAX_DIR_DEPTH:
            self.visited.add(int(meta.addr))
            try:
                for child in self.fs.open_dir(inode=int(meta.addr)):
                    if _text(child.info.name.name) not in (".", ".."):
                        self._note_tree(child, depth + 1)
            except OSError:
                pass

    def _note_reserved(self) -> None:
        if not self.ext:
            return
        for addr in _EXT_RESERVED:
            tsk_file = self._open(addr)
            if tsk_file is not None and tsk_file.info.meta is not None:
                self._note_runs(tsk_file, tsk_file.info.meta)

    def unallocated(self) -> list[tuple[int, int]]:
        """(byte offset, length) of each stretch of blocks no live file claims."""
        blocks = min(int(self.fs.info.block_count), self.size // self.block)
        gaps, pos = [], 0
        for start, count in sorted(self.allocated):
            if start > pos:
                gaps.append((pos, min(start, blocks) - pos))
            pos = max(pos, start + count)
        if pos < blocks:
            gaps.append((pos, blocks - pos))
        return [(s * self.block, n * self.block) for s, n in gaps if n > 0]

    def _carve_unallocated(self) -> Iterator[Found]:
        for start, length in self.unallocated():
            window = Window(self.media, self.offset + start, length)
            for found in carve_stream(window, self.ref, "unallocated", self.limits,  # type: ignore[arg-type]
                                      base=start, size=length):
                if isinstance(found, Item) and _inside(found.facts.offset, self.recovered):
                    continue  # inside a deleted file recovered by name (a picture, or a zip's member)
                yield found
