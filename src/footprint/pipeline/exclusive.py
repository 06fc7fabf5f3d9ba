"""One scan of an exhibit at a time.

Two scans of one exhibit into one case (the same command run in a second terminal, or by a colleague
on the same case store) both took it as an interrupted scan to resume: both read every item, and the
case's counts took the two runs' summaries. The scan that comes second now stops at once, in one line,
and the first goes on. The hold is the operating system's or the database's, never a row a crashed scan
would leave behind: on SQLite a lock (flock) on a file beside the database, on PostgreSQL an advisory
lock held by a connection of its own; either ends with the process that holds it. A store in memory
belongs to one process: its hold is in that process.

A re-match of the exhibit's stored hashes (pipeline.rematch) takes the same hold: a scan and a re-match
of one exhibit never run together.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from footprint.errors import EvidenceError
from footprint.store.engine import driver_url, engine_for

_HELD: set[tuple[str, str, str]] = set()  # holds of stores in memory, by (url, case, exhibit)
_HELD_LOCK = threading.Lock()


@contextmanager
def scanning(url: str, case: str, exhibit: str, doing: str = "scan") -> Iterator[None]:
    """Hold exhibit ``exhibit`` of case ``case`` in the store at ``url`` for one scan (or what ``doing``
    names: "re-match"); EvidenceError when another scan or re-match holds it."""
    parsed = make_url(driver_url(url)) if not url.startswith("memory:") else None
    backend = parsed.get_backend_name() if parsed is not None else "memory"
    if backend == "sqlite" and parsed is not None and parsed.database not in (None, "", ":memory:"):
        hold = _file_lock(Path(str(parsed.database)).expanduser(), case, exhibit, doing)
    elif backend == "postgresql":
        hold = _advisory_lock(url, case, exhibit, doing)
    else:
        hold = _in_process(url, case, exhibit, doing)
    with hold:
        yield


def _key(case: str, exhibit: str) -> bytes:
    return hashlib.sha256(f"footprint scan\0{case}\0{exhibit}".encode("utf-8", "surrogateescape")).digest()


def _busy(case: str, exhibit: str, doing: str, who: str = "") -> EvidenceError:
    if doing == "scan":
        return EvidenceError(f"exhibit {exhibit} of case {case} is being scanned by another process{who}: run this "
                             f"scan again once that one has ended (it then resumes, or finds the exhibit done)")
    return EvidenceError(f"exhibit {exhibit} of case {case} is being scanned or re-matched by another process{who}: "
                         f"run this {doing} again once that one has ended; nothing was changed")


@contextmanager
def _file_lock(database: Path, case: str, exhibit: str, doing: str) -> Iterator[None]:
    folder = database.with_name(database.name + ".scans")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_key(case, exhibit).hex()[:32]}.lock"
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
            raise _busy(case, exhibit, doing, f" (process {holder})" if holder.isdigit() else "") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # the lock goes with the file's last descriptor


@contextmanager
def _advisory_lock(url: str, case: str, exhibit: str, doing: str) -> Iterator[None]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()  # advisory locks span schemas
            key = int.from_bytes(_key(f"{schema}\0{case}", exhibit)[:8], "big", signed=True)
            if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                raise _busy(case, exhibit, doing)
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
    finally:
        engine.dispose()


@contextmanager
def _in_process(url: str, case: str, exhibit: str, doing: str) -> Iterator[None]:
    key = (url, case, exhibit)
    with _HELD_LOCK:
        if key in _HELD:
            raise _busy(case, exhibit, doing)
        _HELD.add(key)
    try:
        yield
    finally:
        with _HELD_LOCK:
            _HELD.discard(key)
