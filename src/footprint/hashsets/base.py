"""Hash-set file formats. Each reads a stream into KnownEntry records without holding the whole file
in memory. The name of each format is permanent."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from footprint.model import KnownEntry


class HashSetFormat(ABC):
    name: ClassVar[str]  # vics, csv, hashlist, vpdq, ...

    @abstractmethod
    def sniff(self, head: bytes) -> bool:
        """True if a file starting with ``head`` (up to 64 KiB) is in this format."""

    @abstractmethod
    def read(self, stream: BinaryIO) -> Iterator[KnownEntry]:
        """Yield entries one at a time; raise FormatError with the line/record for bad input."""

    def category_numbering(self) -> str | None:
        """After ``read``: where this file's categories came from and how numbers in them were read (UK or
        VICS numbering, and why), for the importer to state; None when the format has no categories."""
        return None

    def warnings(self) -> list[str]:
        """After ``read``: what the file holds that the reader could not use and the user must hear (a
        column that looks like a category but is not one the reader understands)."""
        return []
