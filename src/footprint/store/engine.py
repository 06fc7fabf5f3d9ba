"""SQLAlchemy engines for the two databases the case store runs on, set up the way it needs them.

SQLite: WAL (readers never block the writer), foreign keys ON (cascades), a 30 s busy timeout,
and BEGIN issued by us (``BEGIN IMMEDIATE`` for writes, so two writers queue instead of one failing
when it upgrades its lock). PostgreSQL: the psycopg 3 driver, connections checked before use.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from footprint.errors import StoreError
from footprint.private import private_dir, private_sqlite

# cache_size: 64 MiB (allocated as used) keeps the hash indexes of a large import in memory.
_BUSY_SECONDS = 30  # the busy timeout, set by the driver as it connects (sqlite3.connect's ``timeout``)
_PRAGMAS = ("foreign_keys=ON", "synchronous=NORMAL", "cache_size=-65536")


def driver_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; anything else is left as given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_for(url: str) -> Engine:
    try:
        parsed = make_url(driver_url(url))
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite(parsed.database)
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(f"unsupported case store {backend!r} in {url!r}: use sqlite:/// or postgresql://")


def _sqlite(database: str | None) -> Engine:
    if not database or database == ":memory:":
        engine = create_engine("sqlite://", poolclass=StaticPool,
                               connect_args={"check_same_thread": False})
    else:
        path = Path(database).expanduser()
        private_dir(path.parent, narrow=False)  # a missing folder made 0700; one the user chose left as it is
        private_sqlite(path)  # case data: 0600, and so the -wal and -shm files SQLite makes beside it
        engine = create_engine(f"sqlite:///{database}",
                               connect_args={"check_same_thread": False, "timeout": _BUSY_SECONDS})
    _sqlite_events(engine)
    return engine


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (transactional DDL too)
        cursor = dbapi_connection.cursor()
        for pragma in _PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        _wal(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("footprint_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _wal(cursor: Any) -> None:
    """Put the database in WAL mode. Switching a new database takes its lock, and SQLite answers a second
    opener that arrives meanwhile "database is locked" at once, without its busy handler: retry until the
    busy timeout (the switch itself takes milliseconds)."""
    deadline = time.monotonic() + _BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def transaction(engine: Engine, write: bool = False, what: str = "case store") -> Iterator[Connection]:
    """One transaction over ``engine``: ``write`` takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE), so
    two writers queue rather than one failing mid-way. Database failures leave as StoreError naming
    ``what``; IntegrityError passes through for callers that turn it into AlreadyExists and the like."""
    try:
        with engine.connect() as conn:
            if write:
                conn.execution_options(footprint_write=True)
            with conn.begin():
                yield conn
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        raise StoreError(f"{what}: {str(getattr(exc, 'orig', exc)).strip()[:300]}") from exc
