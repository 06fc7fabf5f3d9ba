"""The case store on SQLAlchemy Core: one implementation for SQLite (single user, the default) and
PostgreSQL (teams). Both pass the same contract tests (tests/contracts/test_store_contract.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from footprint.errors import AlreadyExists, NotFound, StoreError
from footprint.model import CategoryScheme, KnownEntry

from . import codec, migrations
from .base import CaseRecord, EntryHit, ExhibitRecord, HashSetRecord, ItemRecord
from .schema import cases, entries, exhibits, hashsets, items, matches, warnings

LOOKUP_BATCH = 900  # values per IN (...) list: under SQLite's variable limit
ENTRY_BATCH = 10_000
ITEM_PAGE = 1000


def engine_for(url: str) -> Engine:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        _sqlite_pragmas(engine)
    return engine


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("footprint_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class SqlStore:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = engine_for(url)
            self.revision = migrations.upgrade(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the case store: {exc.__class__.__name__}: {exc}") from exc

    def _write(self) -> Any:
        return self.engine.connect().execution_options(footprint_write=True)

    def _read(self) -> Connection:
        return self.engine.connect()

    # -- cases ------------------------------------------------------------------------------

    def create_case(self, name: str, scheme: CategoryScheme, description: str = "") -> CaseRecord:
        row = {"name": name, "scheme": CategoryScheme(scheme).value, "created": codec.now(),
               "description": description}
        with self._write() as conn, conn.begin():
            try:
                row["id"] = conn.execute(insert(cases).values(row).returning(cases.c.id)).scalar_one()
            except IntegrityError as exc:
                raise AlreadyExists(f"a case named {name} already exists") from exc
        return _case(row)

    def get_case(self, name: str) -> CaseRecord:
        with self._read() as conn:
            row = conn.execute(select(cases).where(cases.c.name == name)).mappings().first()
        if row is None:
            raise NotFound(f"no case named {name}")
        return _case(row)

    def list_cases(self) -> list[CaseRecord]:
        with self._read() as conn:
            return [_case(r) for r in conn.execute(select(cases).order_by(cases.c.name)).mappings()]

    # -- exhibits ---------------------------------------------------------------------------

    def add_exhibit(self, case_id: int, name: str, path: str, kind: str, size: int | None,
                    hashes_before: Mapping[str, str]) -> ExhibitRecord:
        row = {"case_id": case_id, "name": name, "path": path, "kind": kind, "size": size,
               "hashes_before": dict(hashes_before), "hashes_after": {}, "status": "scanning",
               "started": codec.now(), "finished": None, "details": None}
        with self._write() as conn, conn.begin():
            try:
                conn.execute(insert(exhibits).values(row))
            except IntegrityError as exc:
                raise AlreadyExists(f"the case already has an exhibit named {name}") from exc
        found = self.find_exhibit(case_id, name)
        assert found is not None
        return found

    def find_exhibit(self, case_id: int, name: str) -> ExhibitRecord | None:
        with self._read() as conn:
            row = conn.execute(select(exhibits).where(exhibits.c.case_id == case_id,
                                                      exhibits.c.name == name)).mappings().first()
        return _exhibit(row) if row else None

    def finish_exhibit(self, exhibit_id: int, status: str, hashes_after: Mapping[str, str],
                       details: Mapping[str, object] | None = None) -> ExhibitRecord:
        values = {"status": status, "hashes_after": dict(hashes_after), "finished": codec.now(),
                  "details": codec.json_or_none(details, "exhibit details")}
        with self._write() as conn, conn.begin():
            conn.execute(update(exhibits).where(exhibits.c.id == exhibit_id).values(values))
            row = conn.execute(select(exhibits).where(exhibits.c.id == exhibit_id)).mappings().first()
        if row is None:
            raise NotFound(f"no exhibit with id {exhibit_id}")
        return _exhibit(row)

    def list_exhibits(self, case_id: int) -> list[ExhibitRecord]:
        query = select(exhibits).where(exhibits.c.case_id == case_id).order_by(exhibits.c.name)
        with self._read() as conn:
            return [_exhibit(r) for r in conn.execute(query).mappings()]

    # -- items ------------------------------------------------------------------------------

    def done_refs(self, exhibit_id: int) -> set[str]:
        with self._read() as conn:
            return set(conn.execute(select(items.c.ref).where(items.c.exhibit_id == exhibit_id)).scalars())

    def save_items(self, exhibit_id: int, records: Sequence[ItemRecord]) -> None:
        """One transaction. A ref already saved for the exhibit is kept as it is (not duplicated)."""
        if not records:
            return
        with self._write() as conn, conn.begin():
            existing = set()
            for chunk in codec.batched([r.ref for r in records], LOOKUP_BATCH):
                query = select(items.c.ref).where(items.c.exhibit_id == exhibit_id, items.c.ref.in_(chunk))
                existing.update(conn.execute(query).scalars())
            fresh = list({r.ref: r for r in records if r.ref not in existing}.values())
            if not fresh:
                return
            rows = [{**codec.item_row(r), "exhibit_id": exhibit_id} for r in fresh]
            ids = conn.execute(insert(items).returning(items.c.id, sort_by_parameter_order=True),
                               rows).scalars().all()
            match_rows, warning_rows = [], []
            for item_id, record in zip(ids, fresh, strict=True):
                match_rows += [{**codec.match_row(m), "item_id": item_id,
                                "hashset_id": None} for m in record.matches]
                for text in record.warnings:
                    stage, message = codec.split_warning(text)
                    warning_rows.append({"item_id": item_id, "exhibit_id": exhibit_id, "ref": record.ref,
                                         "stage": stage, "message": message})
            if match_rows:
                self._link_hashsets(conn, match_rows)
                conn.execute(insert(matches), match_rows)
            if warning_rows:
                conn.execute(insert(warnings), warning_rows)

    @staticmethod
    def _link_hashsets(conn: Connection, rows: list[dict[str, Any]]) -> None:
        names = {r["hashset"] for r in rows}
        ids = dict(conn.execute(select(hashsets.c.name, hashsets.c.id).where(hashsets.c.name.in_(names))).all())
        for row in rows:
            row["hashset_id"] = ids.get(row["hashset"])

    def iter_items(self, case_id: int) -> Iterator[ItemRecord]:
        for exhibit in self.list_exhibits(case_id):
            last = None
            while True:
                page = self._item_page(exhibit.id, last)
                if not page:
                    break
                yield from (self._records(page, exhibit.name))
                last = page[-1]["ref"]

    def _item_page(self, exhibit_id: int, after: str | None) -> list[Mapping[str, Any]]:
        query = select(items).where(items.c.exhibit_id == exhibit_id)
        if after is not None:
            query = query.where(items.c.ref > after)
        with self._read() as conn:
            return list(conn.execute(query.order_by(items.c.ref).limit(ITEM_PAGE)).mappings())

    def _records(self, page: list[Mapping[str, Any]], exhibit: str) -> list[ItemRecord]:
        ids = [r["id"] for r in page]
        found_matches: dict[int, list] = {i: [] for i in ids}
        found_warnings: dict[int, list[str]] = {i: [] for i in ids}
        with self._read() as conn:
            for row in conn.execute(select(matches).where(matches.c.item_id.in_(ids))
                                    .order_by(matches.c.item_id, matches.c.id)).mappings():
                found_matches[row["item_id"]].append(codec.match_from_row(row))
            for row in conn.execute(select(warnings).where(warnings.c.item_id.in_(ids))
                                    .order_by(warnings.c.item_id, warnings.c.id)).mappings():
                found_warnings[row["item_id"]].append(codec.join_warning(row["stage"], row["message"]))
        return [codec.item_from_row(r, exhibit, found_matches[r["id"]], found_warnings[r["id"]]) for r in page]

    # -- hash sets --------------------------------------------------------------------------

    def create_hashset(self, name: str, format: str, source: str, pdq_threshold: int = 31,
                       details: Mapping[str, object] | None = None) -> HashSetRecord:
        row = {"name": name, "format": format, "source": source, "imported": codec.now(),
               "pdq_threshold": pdq_threshold, "entry_count": 0,
               "details": codec.json_or_none(details, "hash set details")}
        with self._write() as conn, conn.begin():
            try:
                conn.execute(insert(hashsets).values(row))
            except IntegrityError as exc:
                raise AlreadyExists(f"a hash set named {name} already exists") from exc
        return self.get_hashset(name)

    def add_entries(self, hashset_id: int, new_entries: Iterable[KnownEntry]) -> int:
        added = 0
        for chunk in codec.batched(new_entries, ENTRY_BATCH):
            rows = [{**codec.entry_row(e), "hashset_id": hashset_id} for e in chunk]
            with self._write() as conn, conn.begin():
                conn.execute(insert(entries), rows)
                conn.execute(update(hashsets).where(hashsets.c.id == hashset_id)
                             .values(entry_count=hashsets.c.entry_count + len(rows)))
            added += len(rows)
        return added

    def get_hashset(self, name: str) -> HashSetRecord:
        with self._read() as conn:
            row = conn.execute(select(hashsets).where(hashsets.c.name == name)).mappings().first()
        if row is None:
            raise NotFound(f"no hash set named {name}")
        return _hashset(row)

    def list_hashsets(self) -> list[HashSetRecord]:
        with self._read() as conn:
            return [_hashset(r) for r in conn.execute(select(hashsets).order_by(hashsets.c.name)).mappings()]

    def remove_hashset(self, name: str) -> None:
        """Entries go with the set; matches already made keep their record (hash set name, label,
        category), so a case's findings never change after the fact."""
        record = self.get_hashset(name)
        with self._write() as conn, conn.begin():
            conn.execute(delete(entries).where(entries.c.hashset_id == record.id))
            conn.execute(delete(hashsets).where(hashsets.c.id == record.id))

    def lookup_exact(self, algorithm: str, values: Sequence[str]) -> dict[str, list[EntryHit]]:
        column = entries.c[codec.exact_column(algorithm)]
        sets = {h.id: h for h in self.list_hashsets()}
        found: dict[str, list[EntryHit]] = {}
        with self._read() as conn:
            for chunk in codec.batched(sorted({v.lower() for v in values}), LOOKUP_BATCH):
                query = select(entries).where(column.in_(chunk)).order_by(entries.c.id)
                for row in conn.execute(query).mappings():
                    hit = EntryHit(sets[row["hashset_id"]], row["id"], codec.entry_from_row(row))
                    found.setdefault(row[algorithm], []).append(hit)
        return found

    def iter_pdq(self, hashset_id: int, chunk: int = 100_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        last = 0
        while True:
            query = (select(entries.c.id, entries.c.pdq)
                     .where(entries.c.hashset_id == hashset_id, entries.c.pdq.is_not(None), entries.c.id > last)
                     .order_by(entries.c.id).limit(chunk))
            with self._read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            yield codec.pdq_arrays([r[0] for r in rows], [r[1] for r in rows])
            last = rows[-1][0]

    def iter_entries(self, hashset_id: int, chunk: int = 10_000) -> Iterator[EntryHit]:
        hashset = {h.id: h for h in self.list_hashsets()}.get(hashset_id)
        if hashset is None:
            raise NotFound(f"no hash set with id {hashset_id}")
        last = 0
        while True:
            query = (select(entries).where(entries.c.hashset_id == hashset_id, entries.c.id > last)
                     .order_by(entries.c.id).limit(chunk))
            with self._read() as conn:
                rows = list(conn.execute(query).mappings())
            if not rows:
                return
            yield from (EntryHit(hashset, r["id"], codec.entry_from_row(r)) for r in rows)
            last = rows[-1]["id"]

    def get_entries(self, entry_ids: Sequence[int]) -> dict[int, EntryHit]:
        sets = {h.id: h for h in self.list_hashsets()}
        found: dict[int, EntryHit] = {}
        with self._read() as conn:
            for chunk in codec.batched(sorted(set(entry_ids)), LOOKUP_BATCH):
                for row in conn.execute(select(entries).where(entries.c.id.in_(chunk))).mappings():
                    found[row["id"]] = EntryHit(sets[row["hashset_id"]], row["id"], codec.entry_from_row(row))
        return found

    def count_items(self, case_id: int) -> int:
        query = (select(func.count()).select_from(items.join(exhibits))
                 .where(exhibits.c.case_id == case_id))
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())


def _case(row: Mapping[str, Any]) -> CaseRecord:
    return CaseRecord(id=row["id"], name=row["name"], scheme=CategoryScheme(row["scheme"]),
                      created=codec.utc(row["created"]), description=row["description"])  # type: ignore[arg-type]


def _exhibit(row: Mapping[str, Any]) -> ExhibitRecord:
    return ExhibitRecord(id=row["id"], case_id=row["case_id"], name=row["name"], path=row["path"],
                         kind=row["kind"], size=row["size"], hashes_before=row["hashes_before"] or {},
                         hashes_after=row["hashes_after"] or {}, status=row["status"],
                         started=row["started"], finished=row["finished"], details=row["details"] or {})


def _hashset(row: Mapping[str, Any]) -> HashSetRecord:
    return HashSetRecord(id=row["id"], name=row["name"], format=row["format"], source=row["source"],
                         imported=row["imported"], pdq_threshold=row["pdq_threshold"],
                         entry_count=row["entry_count"], details=row["details"] or {})
