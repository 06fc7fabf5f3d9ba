"""Known-good lists and marks in the case database, over the SQL store's engine.

Only the list's registration (where its compact lookup is, what it was built from) and the per-item
marks are kept here; the digests themselves stay in the lookup folder (matching/knowngood.py).
Marking is idempotent: an item is marked once per list, so a repeated ``apply`` changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Row, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from footprint.errors import AlreadyExists, NotFound

from . import codec
from .engine import transaction
from .schema import exhibits, items, warnings
from .schema_knowngood import knowngood_lists, knowngood_marks

IN_LIMIT = 1000
STAGE = "knowngood"


@dataclass(frozen=True)
class KnownGoodList:
    id: int
    name: str
    path: str  # folder of the compact lookup
    source: str
    source_sha256: str
    imported: datetime
    rows: int
    counts: Mapping[str, int] = field(default_factory=dict)
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class NewMark:
    """A mark to record on a saved item (a scan saves its marks with its items, in sql_items)."""

    item_id: int
    list_name: str
    algorithm: str
    conflict: bool
    warning: str | None = None  # recorded on the item with a new conflicting mark


class KnownGoodStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _tx(self, write: bool = False) -> AbstractContextManager[Connection]:
        return transaction(self.engine, write, "case store: known-good")

    # -- lists ------------------------------------------------------------------------------

    def add_list(self, name: str, path: str, source: str, source_sha256: str, rows: int,
                 counts: Mapping[str, int], details: Mapping[str, object] | None = None) -> KnownGoodList:
        values = {"name": name, "path": path, "source": source, "source_sha256": source_sha256,
                  "imported": codec.now(), "rows": rows, "counts": dict(counts),
                  "details": codec.json_or_none(details, f"details of known-good list {name!r}")}
        try:
            with self._tx(write=True) as conn:
                return _list(conn.execute(knowngood_lists.insert().values(values)
                                          .returning(*knowngood_lists.c)).one())
        except IntegrityError as exc:
            raise AlreadyExists(f"known-good list {name!r} already exists") from exc

    def get_list(self, name: str) -> KnownGoodList:
        with self._tx() as conn:
            row = conn.execute(select(knowngood_lists).where(knowngood_lists.c.name == name)).first()
        if row is None:
            raise NotFound(f"known-good list {name!r} not found")
        return _list(row)

    def list_lists(self) -> list[KnownGoodList]:
        with self._tx() as conn:
            return [_list(r) for r in conn.execute(select(knowngood_lists).order_by(knowngood_lists.c.name))]

    def remove_list(self, name: str) -> None:
        """Marks already made keep the list's name (their list_id becomes NULL)."""
        with self._tx(write=True) as conn:
            deleted = conn.execute(knowngood_lists.delete().where(knowngood_lists.c.name == name)).rowcount
        if not deleted:
            raise NotFound(f"known-good list {name!r} not found")

    # -- marks ------------------------------------------------------------------------------

    def add_marks(self, marks: Sequence[NewMark]) -> int:
        """Record marks not recorded before (one per item and list; a mark already there is kept)
        and, with each new conflicting mark, its warning on the item. Returns how many were new."""
        if not marks:
            return 0
        with self._tx(write=True) as conn:
            list_ids = {name: id_ for name, id_ in conn.execute(select(knowngood_lists.c.name, knowngood_lists.c.id))}
            rows = [{"item_id": m.item_id, "list_id": list_ids.get(m.list_name), "list_name": m.list_name,
                     "algorithm": m.algorithm, "conflict": m.conflict, "marked": codec.now()} for m in marks]
            warned = {(m.item_id, m.list_name): m.warning for m in marks}
            query = _insert_ignoring_duplicates(conn).returning(knowngood_marks.c.item_id, knowngood_marks.c.list_name)
            new = [(item_id, name) for item_id, name in conn.execute(query, rows)]
            self._warn(conn, [(item_id, text) for item_id, name in new if (text := warned[(item_id, name)])])
        return len(new)

    def flag_conflicts(self, marks: Sequence[NewMark]) -> int:
        """Set ``conflict`` on marks recorded without it (their item has matched a known list since: a
        re-match), each with its warning on the item; a mark already a conflict is left. Returns how many."""
        flagged = 0
        found: list[tuple[int, str]] = []
        with self._tx(write=True) as conn:
            for mark in marks:
                query = (knowngood_marks.update().where(knowngood_marks.c.item_id == mark.item_id,
                                                        knowngood_marks.c.list_name == mark.list_name,
                                                        knowngood_marks.c.conflict.is_(False))
                         .values(conflict=True))
                if conn.execute(query).rowcount:
                    flagged += 1
                    found += [(mark.item_id, mark.warning)] if mark.warning else []
            self._warn(conn, found)
        return flagged

    def _warn(self, conn: Connection, found: list[tuple[int, str]]) -> None:
        if not found:
            return
        where: dict[int, tuple[int, str]] = {}
        for chunk in codec.batched(sorted({item_id for item_id, _ in found}), IN_LIMIT):
            query = select(items.c.id, items.c.exhibit_id, items.c.ref).where(items.c.id.in_(chunk))
            where.update((r.id, (r.exhibit_id, r.ref)) for r in conn.execute(query))
        conn.execute(insert(warnings), [
            {"item_id": item_id, "exhibit_id": where[item_id][0], "ref": where[item_id][1],
             "stage": STAGE, "message": text} for item_id, text in found])

    def record_applied(self, case_id: int, applied: Sequence[Mapping[str, object]]) -> None:
        """Add the lists just applied to every exhibit of the case (their details' ``known_good_lists``,
        after any recorded before: each application is kept)."""
        with self._tx(write=True) as conn:
            found = conn.execute(select(exhibits.c.id, exhibits.c.details).where(exhibits.c.case_id == case_id))
            for exhibit_id, details in list(found):
                kept = dict(details or {})
                kept["known_good_lists"] = [*kept.get("known_good_lists", []), *map(dict, applied)]
                conn.execute(exhibits.update().where(exhibits.c.id == exhibit_id)
                             .values(details=codec.json_or_none(kept, f"details of exhibit {exhibit_id}")))

    def case_counts(self, case_id: int) -> dict[str, int]:
        """Items of the case marked known-good (no match) and marked but matched (conflicts)."""
        query = (select(knowngood_marks.c.conflict, func.count(func.distinct(knowngood_marks.c.item_id)))
                 .select_from(knowngood_marks.join(items).join(exhibits))
                 .where(exhibits.c.case_id == case_id).group_by(knowngood_marks.c.conflict))
        with self._tx() as conn:
            found = {bool(conflict): int(n) for conflict, n in conn.execute(query)}
        return {"known_good": found.get(False, 0), "known_good_conflicts": found.get(True, 0)}


def _insert_ignoring_duplicates(conn: Connection) -> Insert:
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
    return dialect.insert(knowngood_marks).on_conflict_do_nothing(index_elements=["item_id", "list_name"])


def _list(row: Row[Any]) -> KnownGoodList:
    return KnownGoodList(id=row.id, name=row.name, path=row.path, source=row.source,
                         source_sha256=row.source_sha256, imported=row.imported, rows=row.rows,
                         counts=row.counts or {}, details=row.details or {})
