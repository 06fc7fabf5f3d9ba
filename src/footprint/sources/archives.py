"""The archive kinds footprint opens: zip, tar, 7z, and bare gzip / bzip2 / xz.

Each ``ContainerFormat`` recognises its kind from content (``sniff``, never the file name) and opens
an item as an ``EvidenceSource``. Opening does no harm and raises nothing for bad content: all
reading happens in ``items()``, where damage becomes warnings. The sources themselves live in
ziparchive, tararchive, sevenzip and compressed; ``registry.CONTAINER_FORMATS`` lists these formats.
"""

from __future__ import annotations

from footprint.model import Item
from footprint.sources.base import ContainerFormat, EvidenceSource, Limits
from footprint.sources.compressed import open_compressed
from footprint.sources.detect import detect
from footprint.sources.sevenzip import SevenZipSource
from footprint.sources.tararchive import TarSource
from footprint.sources.ziparchive import ZipSource


class ZipFormat(ContainerFormat):
    name = "zip"

    def sniff(self, head: bytes) -> bool:
        return detect(head) == "application/zip"

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        return ZipSource(item, limits)


class TarFormat(ContainerFormat):
    """Plain tar. A compressed tar is found by the compression format, which hands it to TarSource."""

    name = "tar"

    def sniff(self, head: bytes) -> bool:
        return detect(head) == "application/x-tar"

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        return TarSource(item, limits)


class SevenZipFormat(ContainerFormat):
    name = "7z"

    def sniff(self, head: bytes) -> bool:
        return detect(head) == "application/x-7z-compressed"

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        return SevenZipSource(item, limits)


class _CompressedFormat(ContainerFormat):
    media_type = ""

    def sniff(self, head: bytes) -> bool:
        return detect(head) == self.media_type

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        return open_compressed(item, limits, self.name)


class GzipFormat(_CompressedFormat):
    name = "gzip"
    media_type = "application/gzip"


class Bzip2Format(_CompressedFormat):
    name = "bzip2"
    media_type = "application/x-bzip2"


class XzFormat(_CompressedFormat):
    name = "xz"
    media_type = "application/x-xz"

