"""Items with their matches and warnings, in and out of the SQL store.

Saving is idempotent on (exhibit_id, ref) with INSERT ... ON CONFLICT DO NOTHING: the first save of a
ref wins, and a later one (a resumed scan, a second worker racing on the same item) is skipped with
its matches and warnings. That holds with concurrent writers on PostgreSQL, where a select-then-
insert would not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Insert, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from footprint.errors import NotFound
from footprint.model import CameraFacts

from . import codec
from .base import Findings, ItemRecord, KnownGoodMark
from .schema import hashsets, items, matches, warnings
from .schema_intel import item_exif
from .schema_knowngood import knowngood_lists, knowngood_marks

IN_LIMIT = 1000


def _insert_ignoring_duplicates(conn: Connection, table: Table) -> Insert:
    dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(conn.dialect.name)
    if dialect is None:
        raise NotImplementedError(f"no idempotent insert for {conn.dialect.name}")
    return dialect.insert(table).on_conflict_do_nothing(index_elements=["exhibit_id", "ref"])


def insert_items(conn: Connection, exhibit_id: int, records: Sequence[ItemRecord]) -> int:
    """Save the records not saved before (first one wins within the call too); return how many."""
    unique: dict[str, ItemRecord] = {}
    for record in records:
        unique.setdefault(record.ref, record)
    if not unique:
        return 0
    rows = [{**codec.item_row(r), "exhibit_id": exhibit_id} for r in unique.values()]
    query = _insert_ignoring_duplicates(conn, items).returning(items.c.id, items.c.ref)
    saved = {ref: item_id for item_id, ref in conn.execute(query, rows)}
    match_rows: list[dict[str, Any]] = []
    warning_rows: list[dict[str, Any]] = []
    good_rows: list[dict[str, Any]] = []
    exif_rows: list[dict[str, Any]] = []
    for ref, item_id in saved.items():
        record = unique[ref]
        match_rows += [{**codec.match_row(m), "item_id": item_id} for m in record.matches]
        warning_rows += [_warning_row(item_id, exhibit_id, ref, text) for text in record.warnings]
        good_rows += [_known_good_row(item_id, mark) for mark in record.known_good]
        if record.camera is not None:
            exif_rows.append({**codec.camera_row(record.camera), "item_id": item_id})
    if match_rows:
        _link_hashsets(conn, match_rows)
        conn.execute(insert(matches), match_rows)
    if warning_rows:
        conn.execute(insert(warnings), warning_rows)
    if good_rows:
        lists = dict(conn.execute(select(knowngood_lists.c.name, knowngood_lists.c.id)).all())
        conn.execute(insert(knowngood_marks), [{**row, "list_id": lists.get(row["list_name"])} for row in good_rows])
    if exif_rows:
        conn.execute(insert(item_exif), exif_rows)
    return len(saved)


def insert_findings(conn: Connection, exhibit_id: int, found: Sequence[Findings]) -> None:
    """Add matches and warnings to items of the exhibit already saved; NotFound for an item of no such id
    in it (nothing is added: the caller's transaction rolls back)."""
    refs: dict[int, str] = {}
    wanted = sorted({f.item_id for f in found})
    for chunk in codec.batched(wanted, IN_LIMIT):
        query = select(items.c.id, items.c.ref).where(items.c.exhibit_id == exhibit_id, items.c.id.in_(chunk))
        refs.update((item_id, ref) for item_id, ref in conn.execute(query))
    missing = [item_id for item_id in wanted if item_id not in refs]
    if missing:
        raise NotFound(f"item {missing[0]} is not an item of exhibit {exhibit_id}")
    match_rows = [{**codec.match_row(m), "item_id": f.item_id} for f in found for m in f.matches]
    warning_rows = [_warning_row(f.item_id, exhibit_id, refs[f.item_id], text) for f in found for text in f.warnings]
    if match_rows:
        _link_hashsets(conn, match_rows)
        conn.execute(insert(matches), match_rows)
    if warning_rows:
        conn.execute(insert(warnings), warning_rows)


def _known_good_row(item_id: int, mark: KnownGoodMark) -> dict[str, Any]:
    return {"item_id": item_id, "list_name": mark.list_name, "algorithm": mark.algorithm,
            "conflict": mark.conflict, "marked": codec.now()}


def _warning_row(item_id: int, exhibit_id: int, ref: str, text: str) -> dict[str, Any]:
    stage, message = codec.split_warning(text)
    return {"item_id": item_id, "exhibit_id": exhibit_id, "ref": ref, "stage": stage, "message": message}


def _link_hashsets(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """hashset_id by name; NULL for a set that is gone (the match keeps its name regardless)."""
    names = sorted({r["hashset"] for r in rows})
    ids: dict[str, int] = {}
    for chunk in codec.batched(names, IN_LIMIT):
        query = select(hashsets.c.name, hashsets.c.id).where(hashsets.c.name.in_(chunk))
        ids.update((name, hashset_id) for name, hashset_id in conn.execute(query))
    for row in rows:
        row["hashset_id"] = ids.get(row["hashset"])


def read_item_page(conn: Connection, exhibit_id: int, exhibit: str, after: str | None, limit: int, *,
                   item_id: int | None = None, item_ids: Sequence[int] | None = None) -> list[ItemRecord]:
    """Up to ``limit`` items of one exhibit with refs after ``after``, in ref order, complete
    (only the item ``item_id``, or only those of ``item_ids``, when given)."""
    query = select(items).where(items.c.exhibit_id == exhibit_id)
    if after is not None:
        query = query.where(items.c.ref > after)
    if item_id is not None:
        query = query.where(items.c.id == item_id)
    if item_ids is not None:
        query = query.where(items.c.id.in_(item_ids))
    page = conn.execute(query.order_by(items.c.ref).limit(limit)).mappings().all()
    ids = [row["id"] for row in page]
    found_matches: dict[int, list[Any]] = {i: [] for i in ids}
    found_warnings: dict[int, list[str]] = {i: [] for i in ids}
    found_good: dict[int, list[KnownGoodMark]] = {i: [] for i in ids}
    found_camera: dict[int, CameraFacts] = {}
    for chunk in codec.batched(ids, IN_LIMIT):
        for row in conn.execute(select(matches).where(matches.c.item_id.in_(chunk))
                                .order_by(matches.c.id)).mappings():
            found_matches[row["item_id"]].append(codec.match_from_row(row))
        for row in conn.execute(select(warnings).where(warnings.c.item_id.in_(chunk))
                                .order_by(warnings.c.id)).mappings():
            found_warnings[row["item_id"]].append(codec.join_warning(row["stage"], row["message"]))
        for row in conn.execute(select(knowngood_marks).where(knowngood_marks.c.item_id.in_(chunk))
                                .order_by(knowngood_marks.c.list_name)).mappings():
            found_good[row["item_id"]].append(KnownGoodMark(row["list_name"], row["algorithm"], row["conflict"]))
        for row in conn.execute(select(item_exif).where(item_exif.c.item_id.in_(chunk))).mappings():
            found_camera[row["item_id"]] = codec.camera_from_row(row)
    return [replace(codec.item_from_row(row, exhibit, found_matches[row["id"]], found_warnings[row["id"]]),
                    known_good=tuple(found_good[row["id"]]), camera=found_camera.get(row["id"])) for row in page]
