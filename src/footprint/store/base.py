"""The case store's narrow interface. SQLite and PostgreSQL (one SQLAlchemy implementation) and any
fake used in fast unit tests all pass the same contract tests in tests/contracts/."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np

from footprint.model import CameraFacts, CategoryScheme, Digests, ItemFacts, KnownEntry, Match


@dataclass(frozen=True)
class CaseRecord:
    id: int
    name: str
    scheme: CategoryScheme
    created: datetime
    description: str = ""


@dataclass(frozen=True)
class ExhibitRecord:
    """One evidence source given to a scan, with its integrity hashes before and after reading."""

    id: int
    case_id: int
    name: str  # the root of every item ref of this exhibit
    path: str  # absolute path as given
    kind: str  # source name: folder, file, zip, raw, e01, ...
    size: int | None
    hashes_before: Mapping[str, str]
    hashes_after: Mapping[str, str] = field(default_factory=dict)
    status: str = "scanning"  # scanning | complete | changed
    started: datetime | None = None
    finished: datetime | None = None
    details: Mapping[str, object] = field(default_factory=dict)  # e.g. E01 acquisition hash check


@dataclass(frozen=True)
class KnownGoodMark:
    """An item found in a known-good list (NSRL). ``conflict``: it also matched a known list, and
    the match stands (a known-good mark never hides a match)."""

    list_name: str
    algorithm: str
    conflict: bool = False


@dataclass(frozen=True)
class ItemRecord:
    """Everything the scan learned about one item, saved atomically with its matches and warnings."""

    ref: str
    size: int | None
    status: str  # ok | skipped | error
    facts: ItemFacts = field(default_factory=ItemFacts)
    digests: Digests | None = None
    reason: str | None = None  # why skipped or error
    matches: Sequence[Match] = ()
    warnings: Sequence[str] = ()
    exhibit: str | None = None  # filled in when read back
    id: int | None = None  # filled in when read back
    known_good: Sequence[KnownGoodMark] = ()  # NSRL marks, saved with the item (ordered by list name)
    camera: CameraFacts | None = None  # a picture's EXIF facts (table item_exif), saved with the item


@dataclass(frozen=True)
class Findings:
    """Matches and warnings to add to an item already saved (a re-match of stored hashes)."""

    item_id: int
    matches: Sequence[Match] = ()
    warnings: Sequence[str] = ()


@dataclass(frozen=True)
class HashSetRecord:
    id: int
    name: str
    format: str  # permanent format name: vics, csv, hashlist, vpdq, ...
    source: str  # where it came from (file path or issuer)
    imported: datetime
    pdq_threshold: int = 31
    entry_count: int = 0
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class EntryHit:
    hashset: HashSetRecord
    entry_id: int
    entry: KnownEntry


class Store(Protocol):
    # cases
    def create_case(self, name: str, scheme: CategoryScheme, description: str = "") -> CaseRecord: ...
    def get_case(self, name: str) -> CaseRecord: ...  # raises NotFound
    def list_cases(self) -> list[CaseRecord]: ...

    # exhibits
    def add_exhibit(self, case_id: int, name: str, path: str, kind: str, size: int | None,
                    hashes_before: Mapping[str, str]) -> ExhibitRecord: ...
    def find_exhibit(self, case_id: int, name: str) -> ExhibitRecord | None: ...
    def finish_exhibit(self, exhibit_id: int, status: str, hashes_after: Mapping[str, str],
                       details: Mapping[str, object] | None = None) -> ExhibitRecord: ...
    def list_exhibits(self, case_id: int) -> list[ExhibitRecord]: ...
    # appends ``run`` to the exhibit's details["runs"]; concurrent callers (a cluster's parts) lose nothing
    def record_run(self, exhibit_id: int, run: Mapping[str, object]) -> None: ...
    # merges ``details`` into the exhibit's (key by key); its status, hashes and finish time are kept
    def add_exhibit_details(self, exhibit_id: int, details: Mapping[str, object]) -> None: ...

    # items
    def done_refs(self, exhibit_id: int) -> set[str]: ...
    def save_items(self, exhibit_id: int, records: Sequence[ItemRecord]) -> None: ...
    # ordered by exhibit, ref; ``exhibit_id``: that exhibit's alone (NotFound for one not of the case)
    def iter_items(self, case_id: int, exhibit_id: int | None = None) -> Iterator[ItemRecord]: ...
    # one transaction; NotFound (nothing added) when an item id is not one of the exhibit's items
    def add_findings(self, exhibit_id: int, found: Sequence[Findings]) -> None: ...

    # hash sets
    def create_hashset(self, name: str, format: str, source: str, pdq_threshold: int = 31,
                       details: Mapping[str, object] | None = None) -> HashSetRecord: ...
    def add_entries(self, hashset_id: int, entries: Iterable[KnownEntry]) -> int: ...
    def add_hashset_details(self, hashset_id: int, details: Mapping[str, object]) -> None: ...  # merged in
    def get_hashset(self, name: str) -> HashSetRecord: ...
    def list_hashsets(self) -> list[HashSetRecord]: ...
    def remove_hashset(self, name: str) -> None: ...
    def lookup_exact(self, algorithm: str, values: Sequence[str]) -> dict[str, list[EntryHit]]: ...
    def iter_pdq(self, hashset_id: int, chunk: int = 100_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yields (entry ids int64[n], hashes uint8[n, 32]) in chunks."""
        ...
    def get_entries(self, entry_ids: Sequence[int]) -> dict[int, EntryHit]: ...
    def iter_entries(self, hashset_id: int, chunk: int = 10_000) -> Iterator[EntryHit]: ...
