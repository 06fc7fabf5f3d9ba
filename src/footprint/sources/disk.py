"""Disk images (raw/dd, split .001/.002…, the media of E01s and virtual disks): partitions, file systems, carving.

Addresses inside an image follow one rule, so that a path always says which volume it is on:

* a disk with a partition table (MBR, GPT…): partitions are ``p1``, ``p2``… numbered in the order
  TSK lists the allocated ones (table entries and unallocated gaps are not numbered), so a file is
  ``laptop.E01!p2/Users/a/x.jpg``;
* an image of a bare file system (a USB stick formatted without a table, a partition image):
  the volume is ``fs``, so ``stick.dd!fs/DCIM/x.jpg``.

Space outside the file systems is carved too: unallocated blocks of each file system
(``…!p2!unallocated@0x…``, offset from the partition's start), gaps between partitions
(``…!unpartitioned@0x…``, offset from the disk's start), and the whole volume when no file system
opens (``…!p3!volume@0x…`` or ``image!volume@0x…``). A corrupt table or an unknown or damaged file
system is always a warning first: nothing is skipped in silence.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytsk3

from footprint.model import Item, ItemRef, ItemWarning
from footprint.sources.base import ContainerFormat, EvidenceSource, Found, Limits
from footprint.sources.carve import LaterPiece, Window, carve_stream, spooled
from footprint.sources.integrity import later_piece, segments
from footprint.sources.streams import PositionedReader
from footprint.sources.tskfs import FileSystemWalk

_ALLOC = int(pytsk3.TSK_VS_PART_FLAG_ALLOC)
_UNALLOC = int(pytsk3.TSK_VS_PART_FLAG_UNALLOC)


# ---------------------------------------------------------------------------------------------
# The media as one stream, and that stream as a TSK image
# ---------------------------------------------------------------------------------------------


class SplitStream(PositionedReader):
    """Segments of a split raw image (x.001, x.002…) read as one read-only stream."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.files = [open(p, "rb") for p in paths]  # noqa: SIM115 - closed in close()
        self.starts, total = [], 0
        for f in self.files:
            self.starts.append(total)
            total += f.seek(0, io.SEEK_END)
        self.size, self.pos = total, 0

    def readinto(self, buffer: Any) -> int:
        done, want = 0, min(len(buffer), self.size - self.pos)
        while done < want:
            index = max(i for i, start in enumerate(self.starts) if start <= self.pos)
            part = self.files[index]
            part.seek(self.pos - self.starts[index])
            data = part.read(want - done)
            if not data:
                break
            buffer[done:done + len(data)] = data
            done += len(data)
            self.pos += len(data)
        return done

    def close(self) -> None:
        for f in self.files:
            f.close()
        super().close()


class TskImage(pytsk3.Img_Info):
    """A seekable Python stream handed to TSK as a disk image."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream, self.size = stream, size
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, length: int) -> bytes:
        self.stream.seek(offset)
        return self.stream.read(length)

    def get_size(self) -> int:
        return self.size

    def close(self) -> None:
        pass  # the stream belongs to the source


def open_raw_item(item: Item, limits: Limits) -> BinaryIO:
    """A raw image item's bytes as one seekable stream: all segments of a split image when the item
    is the first segment of one on disk; a stream that cannot seek is copied to a temporary file."""
    if item.path and Path(item.path).is_file():
        parts = segments(Path(item.path))
        if len(parts) > 1:
            return SplitStream(parts)  # type: ignore[return-value]
    stream = item.open()
    return stream if stream.seekable() else spooled(stream, limits)


# ---------------------------------------------------------------------------------------------
# The source
# ---------------------------------------------------------------------------------------------


class _Numbers:
    """Partition numbers as Linux gives them (``sda1``…, and as ``mmls`` shows their slots), so that ``p2``
    is the partition another tool calls 2: on an MBR disk the slot in the primary table (1-4) and, for a
    logical partition, 5 on in the order of the extended tables that hold them; on a GPT disk (and any
    other table) the entry's place from 1. TSK lists partitions by where they start, which is not always
    the table's order (a partition moved or created later in a lower slot). A slot TSK does not give, or a
    number taken twice (a damaged table), gives the next number after the highest so far."""

    def __init__(self, vstype: int) -> None:
        self.mbr = vstype == int(pytsk3.TSK_VS_TYPE_DOS)
        self.used: set[int] = set()

    def of(self, part: Any) -> int:
        table, slot = int(part.table_num), int(part.slot_num)  # TSK gives a GPT entry no table (-1)
        number = 0 if slot < 0 else 4 + table if self.mbr and table > 0 else slot + 1
        if number < 1 or number in self.used:
            number = max(self.used, default=0) + 1
        self.used.add(number)
        return number


class DiskImageSource(EvidenceSource):
    """The items of a disk image: each partition's files and carved space (see the module notes)."""

    name = "disk"

    def __init__(self, item: Item, limits: Limits, open_media: Callable[[], BinaryIO],
                 kind: str = "raw") -> None:
        self.item, self.limits, self.open_media, self.kind = item, limits, open_media, kind
        self.ref = item.ref

    def items(self) -> Iterator[Found]:
        try:
            media = self.open_media()
        except Exception as exc:  # a truncated or damaged container: say so, carve what bytes there are
            yield ItemWarning(self.ref, "source", f"{self.kind}: cannot open the image: "
                                                  f"{type(exc).__name__}: {exc}; its bytes are carved instead")
            yield from self._carve_item_bytes()
            return
        # Not closed here: items may be read after the walk, and each one's opener keeps the media
        # alive through TSK; it closes when the last of them is gone.
        try:
            size = media.seek(0, io.SEEK_END)
            yield from self._volumes(media, size)
        except Exception as exc:  # TSK or libewf failing mid-way: the rest of the exhibit goes on
            yield ItemWarning(self.ref, "source", f"{self.kind}: stopped reading the image: "
                                                  f"{type(exc).__name__}: {_reason(exc)}")
        errors = getattr(media, "errors", ())
        if errors:
            yield ItemWarning(self.ref, "source", f"{self.kind}: {len(errors)} chunk(s) of the image could "
                                                  "not be read (missing or damaged) and were read as zeros")

    def _volumes(self, media: BinaryIO, size: int) -> Iterator[Found]:
        image = TskImage(media, size)
        try:
            table = pytsk3.Volume_Info(image)
        except OSError:
            table = None
        if table is not None:
            yield from self._partitions(table, media, size)
            return
        try:
            fs = pytsk3.FS_Info(image, offset=0)
        except OSError:
            fs = None
        if fs is not None:
            yield from FileSystemWalk(fs, media, 0, size, self.ref.enter("fs"), self.limits).items()
            return
        yield ItemWarning(self.ref, "source", "no partition table or file system The Sleuth Kit knows: "
                                              "the whole image is carved")
        yield from carve_stream(Window(media, 0, size), self.ref, "volume", self.limits,  # type: ignore[arg-type]
                                size=size)

    def _partitions(self, table: Any, media: BinaryIO, size: int) -> Iterator[Found]:
        sector, numbers = int(table.info.block_size), _Numbers(int(table.info.vstype))
        image = TskImage(media, size)
        for part in table:
            flags, start, declared = int(part.flags), int(part.start) * sector, int(part.len) * sector
            length = max(0, min(declared, size - start))
            if flags & _ALLOC:
                ref = self.ref.enter(f"p{numbers.of(part)}")
                if length <= 0:
                    yield ItemWarning(ref, "source", f"partition starts at byte {start}, beyond the image's "
                                                     f"end ({size}): the table is damaged or the image cut short")
                    continue
                if length < declared:
                    yield ItemWarning(ref, "source", f"partition of {declared} bytes from byte {start}, but the "
                                                     f"image ends at byte {size}: its last {declared - length} "
                                                     f"bytes are missing (the image cut short, or the table "
                                                     f"damaged)")
                yield from self._file_system(image, media, start, length, ref)
            elif flags & _UNALLOC and length > 0:
                yield from carve_stream(Window(media, start, length), self.ref,  # type: ignore[arg-type]
                                        "unpartitioned", self.limits, base=start, size=length)

    def _file_system(self, image: Any, media: BinaryIO, start: int, length: int,
                     ref: ItemRef) -> Iterator[Found]:
        """The walk of the file system at ``start``; when none opens, a warning and the volume carved."""
        try:
            fs = pytsk3.FS_Info(image, offset=start)
        except OSError as exc:
            yield ItemWarning(ref, "source", f"no file system The Sleuth Kit can read ({_reason(exc)}): "
                                             "the volume is carved")
            yield from carve_stream(Window(media, start, length), ref, "volume", self.limits,  # type: ignore[arg-type]
                                    size=length)
            return
        yield from FileSystemWalk(fs, media, start, length, ref, self.limits).items()

    def _carve_item_bytes(self) -> Iterator[Found]:
        try:
            stream = open_raw_item(self.item, self.limits)
        except OSError as exc:
            yield ItemWarning(self.ref, "source", f"cannot read the image's bytes: {exc}")
            return
        with stream:
            yield from carve_stream(stream, self.ref, "volume", self.limits)


def _reason(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


# ---------------------------------------------------------------------------------------------
# Recognising a raw image from its first bytes
# ---------------------------------------------------------------------------------------------


def _mbr(head: bytes) -> bool:
    """A DOS partition table: the boot signature and at least one sane, non-empty entry."""
    if len(head) < 512 or head[510:512] != b"\x55\xaa":
        return False
    entries = [head[446 + 16 * i:462 + 16 * i] for i in range(4)]
    used = [e for e in entries if e[4] != 0]
    if not used or any(e[0] not in (0, 0x80) for e in entries):
        return False
    return all(int.from_bytes(e[8:12], "little") > 0 and int.from_bytes(e[12:16], "little") > 0
               for e in used)


def _fat(head: bytes) -> bool:
    if len(head) < 512 or head[510:512] != b"\x55\xaa" or head[0] not in (0xEB, 0xE9):
        return False
    per_sector = int.from_bytes(head[11:13], "little")
    return per_sector in (512, 1024, 2048, 4096) and (head[54:57] == b"FAT" or head[82:87] == b"FAT32")


def _ext(head: bytes) -> bool:
    sb = head[1024:1024 + 100]
    return (len(sb) >= 100 and sb[56:58] == b"\x53\xef" and int.from_bytes(sb[24:28], "little") <= 6
            and int.from_bytes(sb[76:80], "little") <= 1 and int.from_bytes(sb[0:4], "little") > 0)


def sniff_raw(head: bytes) -> bool:
    """True if ``head`` starts a disk or a file system TSK reads: a partition table (MBR, GPT) or the
    boot sector / superblock of FAT, exFAT, NTFS, ext2/3/4, HFS+ or ISO 9660. Strict on purpose:
    a false yes costs a warning and a carve of some unrelated file."""
    return (
        head[512:520] == b"EFI PART" or head[4096:4104] == b"EFI PART"
        or head[3:11] in (b"NTFS    ", b"EXFAT   ")
        or _fat(head) or _ext(head)
        or (head[1024:1026] in (b"H+", b"HX") and head[1026:1028] in (b"\x00\x04", b"\x00\x05"))
        or head[32769:32774] == b"CD001"
        or _mbr(head)
    )


class RawImageFormat(ContainerFormat):
    """Raw (dd) disk and file-system images, recognised from their first sectors."""

    name = "raw"

    def sniff(self, head: bytes) -> bool:
        return sniff_raw(head)

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        if later_piece(item):
            return LaterPiece()
        return DiskImageSource(item, limits, lambda: open_raw_item(item, limits), kind=self.name)
