"""Evidence sources: each container kind yields Items addressed by a nested ItemRef.

A source never writes to evidence and never raises for bad content inside it: a corrupt member, a
hostile name, a bomb, becomes an ItemWarning in the stream and the walk goes on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from footprint.model import Item, ItemWarning

Found = Item | ItemWarning


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile evidence from exhausting the machine."""

    max_depth: int = 12  # containers within containers
    max_member_size: int = 8 << 30  # an archive member larger than this (uncompressed) is not read
    # uncompressed bytes one archive may expand to: a phone's full file system (up to 1 TB) is one archive;
    # a small archive is held far tighter by the budget of the top-level archive it lies in (nested_bytes)
    max_archive_total: int = 1 << 40
    max_ratio: int = 200  # uncompressed / compressed: beyond this a member is a suspected bomb
    # ... but only once it expands past this: a small disk image of a mostly empty volume (DFTT's 6 MB
    # FAT and NTFS images zip to 21 KB and 186 KB) is evidence, not a bomb; the byte caps still hold
    ratio_floor: int = 64 << 20
    max_members: int = 1_000_000
    in_memory: int = 512 << 20  # a nested container up to this size is opened from memory
    # everything beneath one top-level archive, however deep (sources/budget.py): bytes read out of its
    # members at every level, up to the larger of nested_bytes and nested_ratio times the archive's size ...
    nested_bytes: int = 64 << 30
    nested_ratio: int = 200
    max_nested_members: int = 4_000_000  # ... and members found at every level


class EvidenceSource(ABC):
    """An opened container that yields the items inside it."""

    name: ClassVar[str]  # permanent: stored in the database as the exhibit's or container's kind
    # an archive, whose members are decompressed out of it (their total can exceed its size many times),
    # not a disk image, whose files lie in place within it: the outermost one starts a budget (budget.py)
    unpacks: ClassVar[bool] = False

    @abstractmethod
    def items(self) -> Iterator[Found]: ...


class ContainerFormat(ABC):
    """A kind of container that can be opened from an item's bytes (archives, disk images)."""

    name: ClassVar[str]  # permanent short name: zip, tar, 7z, gzip, raw, e01, ...

    @abstractmethod
    def sniff(self, head: bytes) -> bool:
        """True if ``head`` (the first 64 KiB or fewer) starts a container of this kind."""

    @abstractmethod
    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        """Open ``item`` as a container. Inner items' refs are ``item.ref.enter(inner_path)``."""
