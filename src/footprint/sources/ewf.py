"""Expert Witness (E01) images through libewf: the media as a read-only, seekable file object.

An E01 found as a file on the examiner's disk is opened with all its segments (``x.E01``, ``x.E02``…,
found by libewf's own ``glob``); one found inside another container (an archive, a disk image) can
only be opened from its own bytes, so a split one there gives a warning for its missing segments as
libewf reports them. The media then goes to the disk-image source like any raw image.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, cast

from footprint.errors import EvidenceError
from footprint.model import Item
from footprint.sources.base import ContainerFormat, EvidenceSource, Limits
from footprint.sources.detect import detect
from footprint.sources.streams import MediaStream


class EwfStream(MediaStream):
    """The media of an EWF image, read through a pyewf handle. Read-only; every read is positioned.

    libewf checks each chunk's checksum as it reads; a chunk that fails reads as zeros, so a damaged
    image still reads, and its acquisition hash (see ``integrity.verify_ewf``) says that it is damaged.
    A chunk libewf cannot give at all (missing from a truncated image) reads as zeros too, and is
    recorded in ``errors`` (see ``MediaStream``).
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
    return EwfStream(handle)


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


class EwfFormat(ContainerFormat):
    """EWF images (E01 and Ex01 by their signatures); the media is read as a disk image."""

    name = "e01"

    def sniff(self, head: bytes) -> bool:
        return detect(head) == "application/x-ewf"

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        from footprint.sources.disk import DiskImageSource

        return DiskImageSource(item, limits, lambda: cast(BinaryIO, open_ewf_item(item)), kind=self.name)
