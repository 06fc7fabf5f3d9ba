"""The one list of built-in container formats, and the door the pipeline opens containers through.

Formats are listed explicitly (nothing registers itself on import), in the order they are tried.
Names are permanent: they are stored in the case database as a container's kind.
"""

from __future__ import annotations

from collections.abc import Iterator

from footprint.model import Item, ItemWarning
from footprint.sources.archives import (
    Bzip2Format,
    GzipFormat,
    SevenZipFormat,
    TarFormat,
    XzFormat,
    ZipFormat,
)
from footprint.sources.base import ContainerFormat, EvidenceSource, Found, Limits
from footprint.sources.carve import ContentCarveFormat
from footprint.sources.disk import RawImageFormat
from footprint.sources.ewf import EwfFormat
from footprint.sources.virtual import VhdFormat, VhdxFormat, VmdkFormat

CONTAINER_FORMATS: tuple[ContainerFormat, ...] = (
    # archives
    ZipFormat(),
    TarFormat(),
    SevenZipFormat(),
    GzipFormat(),
    Bzip2Format(),
    XzFormat(),
    # disk images (virtual disks: a fixed VHD is read as raw, see sources/virtual.py), then carving
    # of the content of any file no other format recognises (last)
    RawImageFormat(), EwfFormat(), VmdkFormat(), VhdFormat(), VhdxFormat(), ContentCarveFormat(),
)


def container_formats() -> tuple[ContainerFormat, ...]:
    """The built-in container formats, checked for unique names."""
    names = [f.name for f in CONTAINER_FORMATS]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RuntimeError(f"container format names must be unique: {', '.join(duplicates)}")
    return CONTAINER_FORMATS


def format_named(name: str) -> ContainerFormat | None:
    return next((f for f in container_formats() if f.name == name), None)


def sniff(head: bytes) -> ContainerFormat | None:
    """The first format that recognises ``head`` (the item's first bytes), if any."""
    return next((f for f in container_formats() if f.sniff(head)), None)


def open_container(item: Item, head: bytes, limits: Limits) -> EvidenceSource | None:
    """``item`` opened as a container if its head is one footprint knows, else None.

    Depth is not checked here: whoever recurses compares ``item.ref.depth`` with ``limits.max_depth``.
    A format that fails to open gives a source with one warning rather than an exception.
    """
    found = sniff(head)
    if found is None:
        return None
    try:
        return found.open(item, limits)
    except Exception as exc:  # bad evidence is data: the warning names the format and the reason
        return _Unopened(item, found.name, exc)


class _Unopened(EvidenceSource):
    name = "unopened"

    def __init__(self, item: Item, kind: str, exc: Exception) -> None:
        self.warning = ItemWarning(item.ref, "source", f"{kind}: cannot open: {type(exc).__name__}: {exc}")

    def items(self) -> Iterator[Found]:
        yield self.warning
