"""Expert Witness (E01) images through libewf: the media as a read-only, seekable file object.

An E01 found as a file on the examiner's disk is opened with all its segments (``x.E01``, ``x.E02``…,
found by libewf's own ``glob``); one found inside another container (an archive, a disk image) can
only be opened from its own bytes, so a split one there gives a warning for its missing segments as
libewf reports them. The media then goes to the disk-image source like any raw image.

Only the first segment of a set is opened as an image. A later one (x.E02, x.EAA…) holds the middle
of the same media, and libewf reads it through the first: opened as an image of its own it would
read the whole disk again, once per segment. Its file header numbers it, so a later segment is
plain data: hashed as a file, never carved (its chunks are the first segment's disk), and, when its
first segment is not beside it, given a warning that says which set it belongs to.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from footprint.errors import EvidenceError
from footprint.model import Item, ItemWarning
from footprint.sources.base import ContainerFormat, EvidenceSource, Found, Limits
from footprint.sources.detect import detect
from footprint.sources.integrity import failed_sectors, first_segment
from footprint.sources.streams import MediaStream


class EwfStream(MediaStream):
    """The media of an EWF image, read through a pyewf handle. Read-only; every read is positioned.

    libewf checks each chunk's checksum as it reads; a chunk that fails reads as zeros, so a damaged
    image still reads, and its acquisition hash (see ``integrity.verify_ewf``) says that it is damaged.
    A chunk libewf cannot give at all (missing from a truncated image) reads as zeros too. Both are in
    ``errors`` (see ``MediaStream``): the missing ones as they are met, the failing ones from the E01's
    verification when it was verified before it was opened (``integrity.failed_sectors``; a scan
    verifies it first), so that a file over either fails its read instead of hashing zeros.
    """

    def __init__(self, handle: Any, keep: Any = None) -> None:
        super().__init__(handle, int(handle.get_chunk_size() or 32768), keep=keep)


def open_ewf_path(path: str | Path) -> EwfStream:
    """The media of the E01 at ``path``, with every segment libewf finds beside it."""
    import pyewf

    try:
        segments = pyewf.glob(str(path))
        handle = pyewf.handle()
        handle.open(segments)
    except (OSError, RuntimeError, MemoryError) as exc:  # pyewf.glob of a missing file: MemoryError
        raise EvidenceError(f"cannot open E01 {path}: {exc}") from exc
    stream = EwfStream(handle)
    sector = int(handle.get_bytes_per_sector() or 512)
    for first, last in failed_sectors(Path(path)):  # read as zeros by libewf: unreadable, as a missing chunk
        stream.errors.update(range(first * sector // stream.chunk, ((last + 1) * sector - 1) // stream.chunk + 1))
    return stream


def open_ewf_stream(stream: BinaryIO) -> EwfStream:
    """The media of a one-segment E01 read from a file object (an E01 inside another container)."""
    import pyewf

    handle = pyewf.handle()
    try:
        handle.open_file_objects([stream])
    except (OSError, RuntimeError) as exc:
        raise EvidenceError(f"cannot open E01: {exc}") from exc
    return EwfStream(handle, keep=stream)


def open_ewf_item(item: Item) -> EwfStream:
    """An E01 item's media: from its file and segments when it has one, else from its bytes."""
    if item.path and Path(item.path).is_file():
        return open_ewf_path(item.path)
    return open_ewf_stream(item.open())


_EWF1 = (b"EVF\x09\x0d\x0a\xff\x00", b"LVF\x09\x0d\x0a\xff\x00")  # then fields start, uint16 segment number
_EWF2 = (b"EVF2\x0d\x0a\x81\x00", b"LEF2\x0d\x0a\x81\x00")  # then versions, compression, uint32 number


def ewf_segment_number(head: bytes) -> int | None:
    """The segment number an EWF file header gives (1 for the first segment of a set), or None when
    ``head`` is not an EWF segment. EWF1 (E01, L01, s01): a little-endian uint16 at offset 9, after
    the 8-byte signature and the fields-start byte; EWF2 (Ex01, Lx01): a uint32 at offset 12."""
    if head[:8] in _EWF1 and len(head) >= 11:
        return int(struct.unpack_from("<H", head, 9)[0])
    if head[:8] in _EWF2 and len(head) >= 16:
        return int(struct.unpack_from("<I", head, 12)[0])
    return None


class LaterSegment(EvidenceSource):
    """A later segment of an EWF set (x.E02…): no items of its own, the media is read through the
    first segment. Found without its first segment beside it (alone, or inside an archive or a disk
    image), it is a warning: the examiner is told which file to give to read the image."""

    name = "ewf-segment"

    def __init__(self, item: Item, number: int) -> None:
        self.item, self.number = item, number

    def items(self) -> Iterator[Found]:
        first = first_segment(Path(self.item.path or self.item.ref.name))
        if self.item.path and first and first[0].is_file():
            return  # the first segment beside it reads this one as part of the image
        first_name = first[0].name if first else "x.E01 of the set"  # renamed: its name says nothing
        yield ItemWarning(self.item.ref, "source", f"e01: segment {self.number} of an EWF set, not an image of its "
                                                   f"own: read as plain data; its media is read through the set's "
                                                   f"first segment, {first_name}, which is not beside it")


class EwfFormat(ContainerFormat):
    """EWF images (E01 and Ex01 by their signatures); the media is read as a disk image."""

    name = "e01"

    def sniff(self, head: bytes) -> bool:
        return detect(head) == "application/x-ewf"

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        from footprint.sources.disk import DiskImageSource

        with item.open() as stream:
            number = ewf_segment_number(stream.read(16))
        if number is not None and number > 1:
            return LaterSegment(item, number)

        return DiskImageSource(item, limits, lambda: cast(BinaryIO, open_ewf_item(item)), kind=self.name)
