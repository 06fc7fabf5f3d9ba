"""A case store in plain dicts, for fast unit tests of the layers above. It keeps the same rows as
the SQL store and decodes them with the same codec, so it returns exactly what a database would
(JSON types, UTC timestamps, Skipped kept), and it passes the same contract tests.

Not for real cases: nothing is written anywhere. ``open_store("memory:")`` gives one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np

from footprint.errors import AlreadyExists, NotFound
from footprint.model import CategoryScheme, KnownEntry

from . import codec
from .base import CaseRecord, EntryHit, ExhibitRecord, Findings, HashSetRecord, ItemRecord

_Detailed = TypeVar("_Detailed", ExhibitRecord, HashSetRecord)

Row = dict[str, Any]


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._next_id = 0
        self._cases: dict[int, CaseRecord] = {}
        self._exhibits: dict[int, ExhibitRecord] = {}
        self._items: dict[int, dict[str, Row]] = {}  # exhibit id → ref → row (with matches, warnings)
        self._hashsets: dict[int, HashSetRecord] = {}
        self._entries: dict[int, Row] = {}  # entry id → row, in id order

    def close(self) -> None:
        pass

    def _new_id(self) -> int:
        self._next_id += 1  # never reused, like the database's ids
        return self._next_id

    # -- cases ------------------------------------------------------------------------------

    def create_case(self, name: str, scheme: CategoryScheme, description: str = "") -> CaseRecord:
        with self._lock:
            if any(c.name == name for c in self._cases.values()):
                raise AlreadyExists(f"case {name!r} already exists")
            case = CaseRecord(self._new_id(), name, CategoryScheme(scheme), codec.now(), description)
            self._cases[case.id] = case
            return case

    def get_case(self, name: str) -> CaseRecord:
        found = [c for c in self._cases.values() if c.name == name]
        if not found:
            raise NotFound(f"case {name!r} not found")
        return found[0]

    def get_case_by_id(self, case_id: int) -> CaseRecord:
        self._require(self._cases, case_id, "case")
        return self._cases[case_id]

    def list_cases(self) -> list[CaseRecord]:
        return sorted(self._cases.values(), key=lambda c: c.name)

    # -- exhibits ---------------------------------------------------------------------------

    def add_exhibit(self, case_id: int, name: str, path: str, kind: str, size: int | None,
                    hashes_before: Mapping[str, str]) -> ExhibitRecord:
        with self._lock:
            self._require(self._cases, case_id, "case")
            if self.find_exhibit(case_id, name) is not None:
                raise AlreadyExists(f"case {case_id} already has an exhibit named {name!r}")
            exhibit = ExhibitRecord(self._new_id(), case_id, name, path, kind, size,
                                    codec.jsonable(dict(hashes_before), "hashes"), {}, "scanning",
                                    codec.now(), None, {})
            self._exhibits[exhibit.id] = exhibit
            self._items[exhibit.id] = {}
            return exhibit

    def find_exhibit(self, case_id: int, name: str) -> ExhibitRecord | None:
        found = [e for e in self._exhibits.values() if e.case_id == case_id and e.name == name]
        return found[0] if found else None

    def finish_exhibit(self, exhibit_id: int, status: str, hashes_after: Mapping[str, str],
                       details: Mapping[str, object] | None = None) -> ExhibitRecord:
        with self._lock:
            self._require(self._exhibits, exhibit_id, "exhibit")
            old = self._exhibits[exhibit_id]
            kept = old.details if details is None else (codec.json_or_none(details, "details") or {})
            new = replace(old, status=status, hashes_after=codec.jsonable(dict(hashes_after), "hashes"),
                          finished=codec.now(), details=kept)
            self._exhibits[exhibit_id] = new
            return new

    def record_run(self, exhibit_id: int, run: Mapping[str, object]) -> None:
        with self._lock:
            self._require(self._exhibits, exhibit_id, "exhibit")
            old = self._exhibits[exhibit_id]
            earlier = old.details.get("runs")
            runs = [*(earlier if isinstance(earlier, list) else []), codec.jsonable(dict(run), "run")]
            self._exhibits[exhibit_id] = replace(old, details={**old.details, "runs": runs})

    def add_exhibit_details(self, exhibit_id: int, details: Mapping[str, object]) -> None:
        with self._lock:
            self._require(self._exhibits, exhibit_id, "exhibit")
            self._exhibits[exhibit_id] = _with_details(self._exhibits[exhibit_id], details)

    def list_exhibits(self, case_id: int) -> list[ExhibitRecord]:
        self._require(self._cases, case_id, "case")
        return sorted((e for e in self._exhibits.values() if e.case_id == case_id), key=lambda e: e.name)

    # -- items ------------------------------------------------------------------------------

    def done_refs(self, exhibit_id: int) -> set[str]:
        self._require(self._exhibits, exhibit_id, "exhibit")
        return set(self._items[exhibit_id])

    def save_items(self, exhibit_id: int, records: Sequence[ItemRecord]) -> None:
        """All or nothing; a ref already saved is skipped with its matches and warnings."""
        with self._lock:
            self._require(self._exhibits, exhibit_id, "exhibit")
            saved = self._items[exhibit_id]
            fresh: dict[str, Row] = {}
            for record in records:
                if record.ref not in saved and record.ref not in fresh:
                    fresh[record.ref] = self._item_row(record)  # may raise: nothing saved yet
            saved.update(fresh)

    def add_findings(self, exhibit_id: int, found: Sequence[Findings]) -> None:
        """All or nothing, as the database's one transaction."""
        with self._lock:
            self._require(self._exhibits, exhibit_id, "exhibit")
            by_id = {row["id"]: row for row in self._items[exhibit_id].values()}
            missing = [f.item_id for f in found if f.item_id not in by_id]
            if missing:
                raise NotFound(f"item {missing[0]} is not an item of exhibit {exhibit_id}")
            added = [(by_id[f.item_id], [codec.match_row(m) for m in f.matches],
                      [codec.split_warning(w) for w in f.warnings]) for f in found]  # may raise: nothing added yet
            for row, new_matches, new_warnings in added:
                row["matches"] = [*row["matches"], *new_matches]
                row["warnings"] = [*row["warnings"], *new_warnings]

    def _item_row(self, record: ItemRecord) -> Row:
        row = codec.item_row(record)
        row["id"] = self._new_id()
        row["matches"] = [codec.match_row(m) for m in record.matches]
        row["warnings"] = [codec.split_warning(w) for w in record.warnings]
        row["known_good"] = sorted(record.known_good, key=lambda mark: mark.list_name)
        row["camera"] = codec.camera_row(record.camera) if record.camera else None  # as a database keeps it
        return row

    def iter_items(self, case_id: int, exhibit_id: int | None = None) -> Iterator[ItemRecord]:
        exhibits = [e for e in self.list_exhibits(case_id) if exhibit_id in (None, e.id)]
        if exhibit_id is not None and not exhibits:
            raise NotFound(f"case {case_id} has no exhibit {exhibit_id}")
        return self._stream_items(exhibits)

    def _stream_items(self, exhibits: list[ExhibitRecord]) -> Iterator[ItemRecord]:
        for exhibit in exhibits:
            rows = self._items[exhibit.id]
            for ref in sorted(rows):
                row = rows[ref]
                record = codec.item_from_row(row, exhibit.name, [codec.match_from_row(m) for m in row["matches"]],
                                             [codec.join_warning(*w) for w in row["warnings"]])
                camera = codec.camera_from_row(row["camera"]) if row["camera"] else None
                yield replace(record, known_good=tuple(row["known_good"]), camera=camera)

    def count_items(self, case_id: int) -> int:
        return sum(len(self._items[e.id]) for e in self.list_exhibits(case_id))

    # -- hash sets --------------------------------------------------------------------------

    def create_hashset(self, name: str, format: str, source: str, pdq_threshold: int = 31,
                       details: Mapping[str, object] | None = None) -> HashSetRecord:
        with self._lock:
            if any(h.name == name for h in self._hashsets.values()):
                raise AlreadyExists(f"hash set {name!r} already exists")
            record = HashSetRecord(self._new_id(), name, format, source, codec.now(), pdq_threshold, 0,
                                   codec.json_or_none(details, "details") or {})
            self._hashsets[record.id] = record
            return record

    def add_entries(self, hashset_id: int, entries: Iterable[KnownEntry]) -> int:
        with self._lock:
            self._require(self._hashsets, hashset_id, "hash set")
            rows = [{**codec.entry_row(e), "hashset_id": hashset_id} for e in entries]  # all or nothing
            for row in rows:
                row["id"] = self._new_id()
                self._entries[row["id"]] = row
            old = self._hashsets[hashset_id]
            self._hashsets[hashset_id] = replace(old, entry_count=old.entry_count + len(rows))
            return len(rows)

    def add_hashset_details(self, hashset_id: int, details: Mapping[str, object]) -> None:
        with self._lock:
            self._require(self._hashsets, hashset_id, "hash set")
            self._hashsets[hashset_id] = _with_details(self._hashsets[hashset_id], details)

    def get_hashset(self, name: str) -> HashSetRecord:
        found = [h for h in self._hashsets.values() if h.name == name]
        if not found:
            raise NotFound(f"hash set {name!r} not found")
        return found[0]

    def list_hashsets(self) -> list[HashSetRecord]:
        return sorted(self._hashsets.values(), key=lambda h: h.name)

    def remove_hashset(self, name: str) -> None:
        with self._lock:
            record = self.get_hashset(name)
            del self._hashsets[record.id]
            self._entries = {i: r for i, r in self._entries.items() if r["hashset_id"] != record.id}

    def lookup_exact(self, algorithm: str, values: Sequence[str]) -> dict[str, list[EntryHit]]:
        column = codec.exact_column(algorithm)
        wanted: dict[str, list[str]] = {}
        for value in values:
            wanted.setdefault(value.lower(), []).append(value)
        found: dict[str, list[EntryHit]] = {}
        for entry_id, row in list(self._entries.items()):
            for given in wanted.get(row[column] or "", ()):
                found.setdefault(given, []).append(self._hit(entry_id, row))
        return found

    def get_entries(self, entry_ids: Sequence[int]) -> dict[int, EntryHit]:
        return {i: self._hit(i, self._entries[i]) for i in sorted(set(entry_ids)) if i in self._entries}

    def iter_pdq(self, hashset_id: int, chunk: int = 100_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        self._require(self._hashsets, hashset_id, "hash set")
        found = [(i, r["pdq"]) for i, r in self._entries.items()
                 if r["hashset_id"] == hashset_id and r["pdq"] is not None]
        return (codec.pdq_arrays([i for i, _ in part], [h for _, h in part])
                for part in codec.batched(found, chunk))

    def iter_entries(self, hashset_id: int, chunk: int = 10_000) -> Iterator[EntryHit]:
        self._require(self._hashsets, hashset_id, "hash set")
        found = [(i, r) for i, r in self._entries.items() if r["hashset_id"] == hashset_id]
        return (self._hit(i, r) for i, r in found)

    def _hit(self, entry_id: int, row: Row) -> EntryHit:
        return EntryHit(self._hashsets[row["hashset_id"]], entry_id, codec.entry_from_row(row))

    @staticmethod
    def _require(table: Mapping[int, object], key: int, what: str) -> None:
        if key not in table:
            raise NotFound(f"{what} {key} not found")


def _with_details(record: _Detailed, details: Mapping[str, object]) -> _Detailed:
    """``record`` with ``details`` merged into its own (the keys given replace theirs)."""
    return replace(record, details=codec.json_or_none({**record.details, **details}, "details") or {})
