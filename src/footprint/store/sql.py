"""The case store on SQLAlchemy Core: one implementation for SQLite and PostgreSQL.

Every public method is one short transaction. Writes on SQLite begin IMMEDIATE, so two writers
queue on the busy timeout instead of failing half-way. Database errors leave as StoreError with
the cause chained; AlreadyExists and NotFound name the thing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import Connection, Row, Select, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from footprint.errors import AlreadyExists, NotFound, StoreError
from footprint.model import CategoryScheme, KnownEntry

from . import codec, migrations
from .base import CaseRecord, EntryHit, ExhibitRecord, Findings, HashSetRecord, ItemRecord
from .engine import engine_for, transaction
from .schema import cases, entries, exhibits, hashsets, items
from .sql_items import insert_findings, insert_items, read_item_page

IN_LIMIT = 1000  # values per IN list
ENTRY_BATCH = 10_000  # entries per INSERT executemany
ITEM_PAGE = 1000  # items read per query when streaming a case


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]


class SqlStore:
    """Implements ``footprint.store.base.Store``. Opening migrates the database to the newest
    revision (StoreError if it is at one this footprint does not know)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        try:
            self.revision = migrations.upgrade(self.engine)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open the case store {self._where()}: {_short(exc)}") from exc
        except StoreError:
            self.engine.dispose()
            raise

    def _where(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release pooled connections (added to the Store protocol's methods)."""
        self.engine.dispose()

    # -- transactions -----------------------------------------------------------------------

    def _tx(self, write: bool = False) -> AbstractContextManager[Connection]:
        """One transaction; IntegrityError passes through for callers that name the duplicate."""
        return transaction(self.engine, write, f"case store {self._where()}")

    def _one(self, conn: Connection, query: Select[Any], what: str) -> Row[Any]:
        row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"{what} not found")
        return row

    # -- cases ------------------------------------------------------------------------------

    def create_case(self, name: str, scheme: CategoryScheme, description: str = "") -> CaseRecord:
        values = {"name": name, "scheme": CategoryScheme(scheme).value, "created": codec.now(),
                  "description": description}
        try:
            with self._tx(write=True) as conn:
                new_id = conn.execute(cases.insert().values(values).returning(cases.c.id)).scalar_one()
        except IntegrityError as exc:
            raise AlreadyExists(f"case {name!r} already exists") from exc
        return self.get_case_by_id(new_id)

    def get_case(self, name: str) -> CaseRecord:
        with self._tx() as conn:
            return _case(self._one(conn, select(cases).where(cases.c.name == name), f"case {name!r}"))

    def get_case_by_id(self, case_id: int) -> CaseRecord:
        """Added to the protocol: reports and the web app address cases by id."""
        with self._tx() as conn:
            return _case(self._one(conn, select(cases).where(cases.c.id == case_id), f"case {case_id}"))

    def list_cases(self) -> list[CaseRecord]:
        with self._tx() as conn:
            return [_case(r) for r in conn.execute(select(cases).order_by(cases.c.name))]

    # -- exhibits ---------------------------------------------------------------------------

    def add_exhibit(self, case_id: int, name: str, path: str, kind: str, size: int | None,
                    hashes_before: Mapping[str, str]) -> ExhibitRecord:
        values = {"case_id": case_id, "name": name, "path": path, "kind": kind, "size": size,
                  "hashes_before": dict(hashes_before), "hashes_after": {}, "status": "scanning",
                  "started": codec.now(), "finished": None, "details": None}
        try:
            with self._tx(write=True) as conn:
                self._one(conn, select(cases.c.id).where(cases.c.id == case_id), f"case {case_id}")
                query = exhibits.insert().values(values).returning(*exhibits.c)
                return _exhibit(conn.execute(query).one())
        except IntegrityError as exc:
            raise AlreadyExists(f"case {case_id} already has an exhibit named {name!r}") from exc

    def find_exhibit(self, case_id: int, name: str) -> ExhibitRecord | None:
        with self._tx() as conn:
            query = select(exhibits).where(exhibits.c.case_id == case_id, exhibits.c.name == name)
            row = conn.execute(query).first()
        return _exhibit(row) if row else None

    def finish_exhibit(self, exhibit_id: int, status: str, hashes_after: Mapping[str, str],
                       details: Mapping[str, object] | None = None) -> ExhibitRecord:
        values: dict[str, object] = {"status": status, "hashes_after": dict(hashes_after),
                                     "finished": codec.now()}
        if details is not None:  # None keeps what is there
            values["details"] = codec.json_or_none(details, f"details of exhibit {exhibit_id}")
        with self._tx(write=True) as conn:
            query = update(exhibits).where(exhibits.c.id == exhibit_id).values(values).returning(*exhibits.c)
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"exhibit {exhibit_id} not found")
        return _exhibit(row)

    def record_run(self, exhibit_id: int, run: Mapping[str, object]) -> None:
        with self._tx(write=True) as conn:  # SQLite: the write lock; PostgreSQL: the exhibit's row lock
            query = select(exhibits.c.details).where(exhibits.c.id == exhibit_id).with_for_update()
            details = dict(self._one(conn, query, f"exhibit {exhibit_id}").details or {})
            details["runs"] = [*details.get("runs", []), dict(run)]
            conn.execute(update(exhibits).where(exhibits.c.id == exhibit_id)
                         .values(details=codec.json_or_none(details, f"details of exhibit {exhibit_id}")))

    def add_exhibit_details(self, exhibit_id: int, details: Mapping[str, object]) -> None:
        with self._tx(write=True) as conn:
            query = select(exhibits.c.details).where(exhibits.c.id == exhibit_id).with_for_update()
            merged = {**(self._one(conn, query, f"exhibit {exhibit_id}").details or {}), **details}
            conn.execute(update(exhibits).where(exhibits.c.id == exhibit_id)
                         .values(details=codec.json_or_none(merged, f"details of exhibit {exhibit_id}")))

    def list_exhibits(self, case_id: int) -> list[ExhibitRecord]:
        with self._tx() as conn:
            self._one(conn, select(cases.c.id).where(cases.c.id == case_id), f"case {case_id}")
            query = select(exhibits).where(exhibits.c.case_id == case_id).order_by(exhibits.c.name)
            return [_exhibit(r) for r in conn.execute(query)]

    # -- items ------------------------------------------------------------------------------

    def done_refs(self, exhibit_id: int) -> set[str]:
        with self._tx() as conn:
            self._require_exhibit(conn, exhibit_id)
            return set(conn.execute(select(items.c.ref).where(items.c.exhibit_id == exhibit_id)).scalars())

    def save_items(self, exhibit_id: int, records: Sequence[ItemRecord]) -> None:
        """One transaction. A ref already saved for this exhibit is skipped, with its matches and
        warnings: the first save of a ref wins, so a resumed or repeated scan never counts twice."""
        with self._tx(write=True) as conn:
            self._require_exhibit(conn, exhibit_id)
            insert_items(conn, exhibit_id, records)

    def add_findings(self, exhibit_id: int, found: Sequence[Findings]) -> None:
        with self._tx(write=True) as conn:
            self._require_exhibit(conn, exhibit_id)
            insert_findings(conn, exhibit_id, found)

    def iter_items(self, case_id: int, exhibit_id: int | None = None) -> Iterator[ItemRecord]:
        """Streams page by page (keyset on ref), each page its own short read: a million-item case
        is never in memory at once, and no transaction is held while the caller works."""
        with self._tx() as conn:
            self._one(conn, select(cases.c.id).where(cases.c.id == case_id), f"case {case_id}")
            query = select(exhibits.c.id, exhibits.c.name).where(exhibits.c.case_id == case_id)
            if exhibit_id is not None:
                query = query.where(exhibits.c.id == exhibit_id)
            found = conn.execute(query.order_by(exhibits.c.name)).all()
        if exhibit_id is not None and not found:
            raise NotFound(f"case {case_id} has no exhibit {exhibit_id}")
        return self._stream_items([(r.id, r.name) for r in found])

    def _stream_items(self, found: list[tuple[int, str]]) -> Iterator[ItemRecord]:
        for exhibit_id, name in found:
            after: str | None = None
            while True:
                with self._tx() as conn:
                    page = read_item_page(conn, exhibit_id, name, after, ITEM_PAGE)
                yield from page
                if len(page) < ITEM_PAGE:
                    break
                after = page[-1].ref

    def get_item(self, case_id: int, item_id: int) -> ItemRecord:
        """One item of the case, complete (added to the protocol: the web app shows items by id).
        NotFound for an item of another case, as for one that does not exist."""
        query = (select(exhibits.c.id, exhibits.c.name).select_from(items.join(exhibits))
                 .where(items.c.id == item_id, exhibits.c.case_id == case_id))
        with self._tx() as conn:
            exhibit = self._one(conn, query, f"item {item_id}")
            return read_item_page(conn, exhibit.id, exhibit.name, None, 1, item_id=item_id)[0]

    def _require_exhibit(self, conn: Connection, exhibit_id: int) -> None:
        self._one(conn, select(exhibits.c.id).where(exhibits.c.id == exhibit_id), f"exhibit {exhibit_id}")

    # -- hash sets --------------------------------------------------------------------------

    def create_hashset(self, name: str, format: str, source: str, pdq_threshold: int = 31,
                       details: Mapping[str, object] | None = None) -> HashSetRecord:
        values = {"name": name, "format": format, "source": source, "imported": codec.now(),
                  "pdq_threshold": pdq_threshold, "entry_count": 0,
                  "details": codec.json_or_none(details, f"details of hash set {name!r}")}
        try:
            with self._tx(write=True) as conn:
                return _hashset(conn.execute(hashsets.insert().values(values).returning(*hashsets.c)).one())
        except IntegrityError as exc:
            raise AlreadyExists(f"hash set {name!r} already exists") from exc

    def add_entries(self, hashset_id: int, entries_: Iterable[KnownEntry]) -> int:
        """All or nothing, in one transaction (a half-imported list would silently miss matches):
        SQLite inserts batches of 10k, PostgreSQL streams one COPY. Errors from the entries iterable
        (FormatError) pass through."""
        with self._tx(write=True) as conn:
            return self.add_entries_in(conn, hashset_id, entries_)

    def add_entries_in(self, conn: Connection, hashset_id: int, entries_: Iterable[KnownEntry]) -> int:
        """add_entries inside the caller's write transaction (the service's bank store: the entries and
        their audit entry commit together)."""
        self._one(conn, select(hashsets.c.id).where(hashsets.c.id == hashset_id), f"hash set {hashset_id}")
        rows = ((hashset_id, *codec.entry_values(e)) for e in entries_)
        add = _copy_entries if conn.dialect.name == "postgresql" else _insert_entries
        count = add(conn, rows)
        conn.execute(update(hashsets).where(hashsets.c.id == hashset_id)
                     .values(entry_count=hashsets.c.entry_count + count))
        return count

    def add_hashset_details(self, hashset_id: int, details: Mapping[str, object]) -> None:
        with self._tx(write=True) as conn:
            old = self._one(conn, select(hashsets.c.details).where(hashsets.c.id == hashset_id),
                            f"hash set {hashset_id}")
            merged = {**(old.details or {}), **details}
            conn.execute(update(hashsets).where(hashsets.c.id == hashset_id)
                         .values(details=codec.json_or_none(merged, f"details of hash set {hashset_id}")))

    def get_hashset(self, name: str) -> HashSetRecord:
        with self._tx() as conn:
            query = select(hashsets).where(hashsets.c.name == name)
            return _hashset(self._one(conn, query, f"hash set {name!r}"))

    def list_hashsets(self) -> list[HashSetRecord]:
        with self._tx() as conn:
            return [_hashset(r) for r in conn.execute(select(hashsets).order_by(hashsets.c.name))]

    def remove_hashset(self, name: str) -> None:
        """Its entries go with it (ON DELETE CASCADE); matches already made keep its name."""
        with self._tx(write=True) as conn:
            deleted = conn.execute(hashsets.delete().where(hashsets.c.name == name)).rowcount
        if not deleted:
            raise NotFound(f"hash set {name!r} not found")

    def lookup_exact(self, algorithm: str, values: Sequence[str]) -> dict[str, list[EntryHit]]:
        """Hits by the values given (only values with hits); matched case-insensitively."""
        column = entries.c[codec.exact_column(algorithm)]
        wanted: dict[str, list[str]] = {}
        for value in values:
            wanted.setdefault(value.lower(), []).append(value)
        found: dict[str, list[EntryHit]] = {}
        with self._tx() as conn:
            sets = self._hashsets_by_id(conn)
            for chunk in codec.batched(wanted, IN_LIMIT):
                query = select(entries).where(column.in_(chunk)).order_by(entries.c.id)
                for row in conn.execute(query).mappings():
                    hit = EntryHit(sets[row["hashset_id"]], row["id"], codec.entry_from_row(row))
                    for given in wanted[row[algorithm]]:
                        found.setdefault(given, []).append(hit)
        return found

    def get_entries(self, entry_ids: Sequence[int]) -> dict[int, EntryHit]:
        """Entries by id, for showing a match; ids that no longer exist are left out."""
        found: dict[int, EntryHit] = {}
        with self._tx() as conn:
            sets = self._hashsets_by_id(conn)
            for chunk in codec.batched(sorted(set(entry_ids)), IN_LIMIT):
                for row in conn.execute(select(entries).where(entries.c.id.in_(chunk))).mappings():
                    found[row["id"]] = EntryHit(sets[row["hashset_id"]], row["id"], codec.entry_from_row(row))
        return found

    def iter_pdq(self, hashset_id: int, chunk: int = 100_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yields (entry ids int64[n], hashes uint8[n, 32]) in id order, keyset-paginated."""
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        with self._tx() as conn:
            self._one(conn, select(hashsets.c.id).where(hashsets.c.id == hashset_id), f"hash set {hashset_id}")
        return self._stream_pdq(hashset_id, chunk)

    def _stream_pdq(self, hashset_id: int, chunk: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        after = 0
        while True:
            query = (select(entries.c.id, entries.c.pdq)
                     .where(entries.c.hashset_id == hashset_id, entries.c.pdq.is_not(None), entries.c.id > after)
                     .order_by(entries.c.id).limit(chunk))
            with self._tx() as conn:
                rows = conn.execute(query).all()
            if rows:
                yield codec.pdq_arrays([r[0] for r in rows], [r[1] for r in rows])
            if len(rows) < chunk:
                return
            after = rows[-1][0]

    def iter_entries(self, hashset_id: int, chunk: int = 10_000) -> Iterator[EntryHit]:
        """Every entry of one set in id order, keyset-paginated (video matching reads them all)."""
        with self._tx() as conn:
            query = select(hashsets).where(hashsets.c.id == hashset_id)
            hashset = _hashset(self._one(conn, query, f"hash set {hashset_id}"))
        return self._stream_entries(hashset, chunk)

    def _stream_entries(self, hashset: HashSetRecord, chunk: int) -> Iterator[EntryHit]:
        after = 0
        while True:
            query = (select(entries).where(entries.c.hashset_id == hashset.id, entries.c.id > after)
                     .order_by(entries.c.id).limit(chunk))
            with self._tx() as conn:
                rows = conn.execute(query).mappings().all()
            yield from (EntryHit(hashset, r["id"], codec.entry_from_row(r)) for r in rows)
            if len(rows) < chunk:
                return
            after = rows[-1]["id"]

    def count_items(self, case_id: int) -> int:
        query = select(func.count()).select_from(items.join(exhibits)).where(exhibits.c.case_id == case_id)
        with self._tx() as conn:
            return int(conn.execute(query).scalar_one())

    def _hashsets_by_id(self, conn: Connection) -> dict[int, HashSetRecord]:
        return {r.id: _hashset(r) for r in conn.execute(select(hashsets))}


_ENTRY_INSERT_COLUMNS = ("hashset_id", *codec.ENTRY_COLUMNS)
_EXTRA = len(_ENTRY_INSERT_COLUMNS) - 1


def _copy_entries(conn: Connection, rows: Iterator[tuple[Any, ...]]) -> int:
    """PostgreSQL: one COPY in the same transaction, fed as the rows come, so the server indexes them
    while the next ones are read (about twice the rate of multi-row INSERTs)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    count = 0
    try:
        with driver.cursor() as cursor, \
                cursor.copy(f"COPY entries ({', '.join(_ENTRY_INSERT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row if row[_EXTRA] is None else (*row[:_EXTRA], json.dumps(row[_EXTRA])))
                count += 1
    except psycopg.Error as exc:
        raise StoreError(f"case store: cannot add entries: {_short(exc)}") from exc
    return count


def _insert_entries(conn: Connection, rows: Iterator[tuple[Any, ...]]) -> int:
    """SQLite: executemany on the driver's own connection, in the transaction already begun, batch by
    batch (SQLAlchemy's per-row parameter processing cost more than SQLite's inserts).

    Into an empty table (a first list) the indexes are dropped and built once the rows are in: sorting
    a million keys once is about twice as fast as a million B-tree inserts that outgrow the page cache.
    Both happen in this transaction, so readers (WAL) keep the old indexes and a failure restores them."""
    driver = conn.connection.driver_connection
    assert driver is not None
    sql = (f"INSERT INTO entries ({', '.join(_ENTRY_INSERT_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(_ENTRY_INSERT_COLUMNS))})")
    first_list = conn.execute(select(entries.c.id).limit(1)).first() is None
    later = sorted(entries.indexes, key=lambda index: str(index.name)) if first_list else []
    for index in later:
        index.drop(conn)
    count = 0
    for batch in codec.batched(rows, ENTRY_BATCH):
        values = [row if row[_EXTRA] is None else (*row[:_EXTRA], json.dumps(row[_EXTRA])) for row in batch]
        try:
            driver.executemany(sql, values)
        except sqlite3.Error as exc:
            raise StoreError(f"case store: cannot add entries: {_short(exc)}") from exc
        count += len(values)
    for index in later:
        index.create(conn)
    return count


# -- rows to records ------------------------------------------------------------------------


def _case(row: Row[Any]) -> CaseRecord:
    return CaseRecord(id=row.id, name=row.name, scheme=CategoryScheme(row.scheme), created=row.created,
                      description=row.description)


def _exhibit(row: Row[Any]) -> ExhibitRecord:
    return ExhibitRecord(id=row.id, case_id=row.case_id, name=row.name, path=row.path, kind=row.kind,
                         size=row.size, hashes_before=row.hashes_before, hashes_after=row.hashes_after or {},
                         status=row.status, started=row.started, finished=row.finished,
                         details=row.details or {})


def _hashset(row: Row[Any]) -> HashSetRecord:
    return HashSetRecord(id=row.id, name=row.name, format=row.format, source=row.source,
                         imported=row.imported, pdq_threshold=row.pdq_threshold,
                         entry_count=row.entry_count, details=row.details or {})

