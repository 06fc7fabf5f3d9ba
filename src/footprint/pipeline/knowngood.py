"""Known-good exclusion: import an NSRL RDS v3 minimal database into a compact lookup under
FOOTPRINT_HOME/knowngood/<name>/, and mark the items found in it (during a scan, or after one).

A known-good mark takes an item out of the review queue and the new-material list, and nothing
else: it never hides a match. An item both known-good and matched keeps its match; the mark is
recorded with ``conflict`` set and a warning on the item says so, for the examiner to look at.

Which lists were applied, and when, is recorded on each exhibit they were applied to (its details'
``known_good_lists``: the list's name, its NSRL version when the source has a VERSION table, its rows
and distinct digests, the SHA-256 of the file it was built from, when it was imported, when it was
applied and how: ``scan`` or ``apply``), so the court report can state it even after a list is removed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from footprint.errors import AlreadyExists, FormatError, NotFound, StoreError, UsageError
from footprint.hashsets.nsrl import open_readonly, read_digests
from footprint.matching.knowngood import IndexBuilder, KnownGoodIndex, hex_to_digests
from footprint.model import Digests, Match
from footprint.review import audit
from footprint.store.base import ItemRecord, KnownGoodMark, Store
from footprint.store.codec import batched, now
from footprint.store.knowngood import STAGE, KnownGoodList, KnownGoodStore, NewMark

STRONGEST_FIRST = ("sha256", "sha1", "md5")
DEFAULT_ALGORITHMS = ("sha256",)
APPLY_BATCH = 1000
LIST_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")  # it names a folder under FOOTPRINT_HOME


def knowngood_store(store: Store) -> KnownGoodStore:
    """The known-good tables of a SQL case store (the in-memory test store has none)."""
    engine = getattr(store, "engine", None)
    if engine is None:
        raise StoreError("known-good lists need a SQL case store (SQLite or PostgreSQL)")
    return KnownGoodStore(engine)


# -- import ---------------------------------------------------------------------------------


def import_nsrl(store: Store, home: Path, path: Path, name: str,
                algorithms: Sequence[str] = DEFAULT_ALGORITHMS, chunk: int = 200_000,
                user: str | None = None) -> KnownGoodList:
    """Build the lookup in a scratch folder, move it into place, then register it; a global audit entry
    (``knowngood.import``, naming ``user``): a known-good list takes items out of review."""
    if not LIST_NAME.fullmatch(name):
        raise UsageError(f"a known-good list name is letters, digits, '.', '_' and '-', not {name!r}")
    lists = knowngood_store(store)
    if any(found.name == name for found in lists.list_lists()):
        raise AlreadyExists(f"known-good list {name!r} already exists")
    root = home / "knowngood"
    folder, scratch = root / name, root / f".{name}.building"
    if folder.exists():
        raise AlreadyExists(f"{folder} already exists: remove it or choose another name")
    shutil.rmtree(scratch, ignore_errors=True)  # left by an import that was stopped
    started = time.monotonic()
    source_sha256 = _sha256(path)
    try:
        header = _build(scratch, path, name, source_sha256, list(algorithms), chunk)
        header["seconds"] = round(time.monotonic() - started, 3)
        scratch.rename(folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    try:
        added = lists.add_list(name, str(folder), str(path.resolve()), source_sha256, header["rows"],
                               header["counts"], details={"algorithms": header["algorithms"],
                                                          "invalid": header["invalid"],
                                                          "seconds": header["seconds"],
                                                          "version": nsrl_version(path)})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    audit.append(store, "knowngood.import", user=user, details=_audited(added))
    return added


def _build(scratch: Path, path: Path, name: str, source_sha256: str, algorithms: list[str],
           chunk: int) -> dict[str, Any]:
    builder = IndexBuilder(scratch, algorithms)
    rows, invalid = 0, dict.fromkeys(algorithms, 0)
    for columns in read_digests(path, algorithms, chunk):
        for algorithm, values in columns.items():
            digests, _ = hex_to_digests(values, algorithm)
            builder.add(algorithm, digests)
            invalid[algorithm] += len(values) - len(digests)
        rows += len(next(iter(columns.values())))
    return builder.finish({"name": name, "source": str(path.resolve()), "source_sha256": source_sha256,
                           "rows": rows, "invalid": invalid,
                           "imported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})


def nsrl_version(path: Path) -> dict[str, str] | None:
    """The first row of the NSRL database's VERSION table (version, build set, build and release dates,
    description), as text; None when it has none (the minimal set as some tools write it)."""
    try:
        conn = open_readonly(path)
        try:
            cursor = conn.execute("SELECT * FROM VERSION LIMIT 1")
            row = cursor.fetchone()
            names = [column[0].lower() for column in cursor.description or ()]
        finally:
            conn.close()
    except (sqlite3.Error, OSError, FormatError):
        return None
    return {name: str(value) for name, value in zip(names, row or (), strict=False) if value is not None} or None


def list_facts(kg: KnownGoodList, applied: str, how: str) -> dict[str, object]:
    """What a report states of a known-good list applied to an exhibit (see the module's notes)."""
    return {"name": kg.name, "version": kg.details.get("version"), "rows": kg.rows, "counts": dict(kg.counts),
            "source_sha256": kg.source_sha256, "imported": kg.imported.isoformat(timespec="seconds"),
            "applied": applied, "how": how}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while block := stream.read(8 << 20):
                digest.update(block)
    except OSError as exc:
        raise NotFound(f"cannot read {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def remove_list(store: Store, name: str, user: str | None = None) -> None:
    lists = knowngood_store(store)
    found = lists.get_list(name)
    lists.remove_list(name)
    shutil.rmtree(found.path, ignore_errors=True)
    audit.append(store, "knowngood.remove", user=user, details=_audited(found))


def _audited(kg: KnownGoodList) -> dict[str, object]:
    return {"list": kg.name, "rows": kg.rows, "source": kg.source, "source_sha256": kg.source_sha256,
            "version": kg.details.get("version")}


# -- marking --------------------------------------------------------------------------------


class KnownGood:
    """Every registered known-good list, open for lookups; built once per scan or apply."""

    def __init__(self, lists: KnownGoodStore, indexes: Sequence[tuple[KnownGoodList, KnownGoodIndex]]) -> None:
        self.lists = lists
        self.indexes = list(indexes)

    @classmethod
    def for_store(cls, store: Store) -> KnownGood | None:
        """None when there is nothing to look up (no list, or a store without the tables)."""
        if getattr(store, "engine", None) is None:
            return None
        lists = knowngood_store(store)
        found = lists.list_lists()
        if not found:
            return None
        return cls(lists, [(kg, _open(kg)) for kg in found])

    def describe(self, how: str = "scan") -> list[dict[str, object]]:
        """The lists this lookup applies, as recorded on an exhibit (``list_facts``), applied now."""
        applied = now().isoformat(timespec="seconds")
        return [list_facts(kg, applied, how) for kg, _ in self.indexes]

    def judge(self, digests: Sequence[Digests | None],
              matches: Sequence[Sequence[Match]]) -> list[list[tuple[str, str, str | None]]]:
        """Per item: (list name, algorithm, conflict warning or None) for each list that knows it."""
        out: list[list[tuple[str, str, str | None]]] = [[] for _ in digests]
        for kg, index in self.indexes:
            for i, algorithm in _found_in(index, digests).items():
                out[i].append((kg.name, algorithm, _conflict(kg.name, algorithm, matches[i])))
        return out

    def annotate(self, records: Sequence[ItemRecord]) -> list[ItemRecord]:
        """Records about to be saved (a scan), with their marks and any conflict warning: the store
        saves them in the same transaction as the items."""
        judged = self.judge([r.digests for r in records], [r.matches for r in records])
        return [replace(record, known_good=tuple(KnownGoodMark(n, a, w is not None) for n, a, w in found),
                        warnings=(*record.warnings, *(f"{STAGE}: {w}" for _, _, w in found if w)))
                if found else record for record, found in zip(records, judged, strict=True)]

    def mark(self, records: Sequence[ItemRecord]) -> int:
        """Records read back from the store (an apply): look them up and record the marks they do
        not have yet; returns how many were new."""
        judged = self.judge([r.digests for r in records], [r.matches for r in records])
        marks = [NewMark(record.id, name, algorithm, warning is not None, warning)
                 for record, found in zip(records, judged, strict=True) if record.id is not None
                 for name, algorithm, warning in found]
        return self.lists.add_marks(marks)


    def remark(self, records: Sequence[ItemRecord]) -> int:
        """Records read back from the store with matches added since they were saved (a re-match): record
        the marks they lack, and set ``conflict`` (with its warning) on the marks made while they matched
        nothing, as a scan would have recorded them. Returns how many marks were added or changed."""
        judged = self.judge([r.digests for r in records], [r.matches for r in records])
        had = {(record.id, mark.list_name): mark.conflict for record in records for mark in record.known_good}
        marks = [NewMark(record.id, name, algorithm, warning is not None, warning)
                 for record, found in zip(records, judged, strict=True) if record.id is not None
                 for name, algorithm, warning in found]
        added = self.lists.add_marks([m for m in marks if (m.item_id, m.list_name) not in had])
        return added + self.lists.flag_conflicts(
            [m for m in marks if m.conflict and had.get((m.item_id, m.list_name)) is False])


def _open(kg: KnownGoodList) -> KnownGoodIndex:
    try:
        return KnownGoodIndex.open(Path(kg.path))
    except Exception as exc:
        raise NotFound(f"known-good list {kg.name!r}: its lookup {kg.path} cannot be opened ({exc}); "
                       f"import it again or remove it") from exc


def _found_in(index: KnownGoodIndex, digests: Sequence[Digests | None]) -> dict[int, str]:
    """Item position → the strongest algorithm by which this list knows it."""
    found: dict[int, str] = {}
    for algorithm in STRONGEST_FIRST:
        if algorithm not in index.tables:
            continue
        wanted = [(i, d.crypto[algorithm]) for i, d in enumerate(digests)
                  if i not in found and d is not None and d.crypto.get(algorithm)]
        if not wanted:
            continue
        hits = index.lookup(algorithm, [value for _, value in wanted])
        found.update((i, algorithm) for (i, _), hit in zip(wanted, hits, strict=True) if hit)
    return found


def _conflict(name: str, algorithm: str, matches: Sequence[Match]) -> str | None:
    if not matches:
        return None
    sets = ", ".join(sorted({m.hashset for m in matches}))
    return (f"in known-good list {name} ({algorithm}) but matched {sets}: the match stands; "
            f"check the known-good list")


@dataclass
class ApplySummary:
    case: str
    items: int = 0
    new_marks: int = 0
    known_good: int = 0  # items of the case marked known-good (after)
    known_good_conflicts: int = 0  # of them, items that also matched a known list


def apply_known_good(store: Store, case_name: str, user: str | None = None) -> ApplySummary:
    """Mark a scanned case's items after the fact (a list imported later). Idempotent; an entry of the
    case's audit trail (``knowngood.apply``: the lists, the marks added)."""
    case = store.get_case(case_name)
    lists = knowngood_store(store)
    summary = ApplySummary(case.name)
    checker = KnownGood.for_store(store)
    if checker is not None:
        for chunk in batched(store.iter_items(case.id), APPLY_BATCH):
            summary.items += len(chunk)
            summary.new_marks += checker.mark(chunk)
        lists.record_applied(case.id, checker.describe("apply"))
    counts = lists.case_counts(case.id)
    summary.known_good, summary.known_good_conflicts = counts["known_good"], counts["known_good_conflicts"]
    audit.append(store, "knowngood.apply", user=user, case_id=case.id, details={
        "lists": [kg.name for kg, _ in checker.indexes] if checker is not None else [],
        "items": summary.items, "new_marks": summary.new_marks})
    return summary


def is_known_good(record: ItemRecord) -> bool:
    """Marked known-good and not matched: the only kind of mark that takes an item out of review."""
    return bool(record.known_good) and not record.matches
