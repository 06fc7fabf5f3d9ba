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

On a cluster (pipeline.distributed) the client holds the exhibit, and each part of the scan, a task on a
worker, holds it too, shared with the other parts (``part_hold``): a scan or re-match is refused while any
part still runs, even after the client has gone (Ctrl-C, a lost scheduler). A part asks between items
whether the client still holds the exhibit (``PartHold.client_gone``) and stops when it does not.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from footprint.errors import EvidenceError
from footprint.private import private_dir
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


def _parts_key(case: str, exhibit: str) -> bytes:
    return hashlib.sha256(f"footprint scan parts\0{case}\0{exhibit}".encode("utf-8", "surrogateescape")).digest()


def _parts_busy(case: str, exhibit: str, doing: str) -> EvidenceError:
    return EvidenceError(f"exhibit {exhibit} of case {case}: parts of a cluster scan of it are still running on "
                         f"its workers: run this {doing} again once they have stopped (they stop within seconds "
                         f"of their scan's end; a worker that cannot reach the case store holds them longer)")


class PartHold:
    """A part's share of its exhibit's hold (``part_hold``); ``client_gone()``: whether the scan's client no
    longer holds the exhibit (it was interrupted, or lost its scheduler, or ended), and the part should stop."""

    def __init__(self, gone: Callable[[], bool]) -> None:
        self.client_gone = gone


def parts_running(url: str, case: str, exhibit: str) -> bool:
    """Whether a part of a cluster scan of the exhibit still holds it (``part_hold``)."""
    parsed = make_url(driver_url(url)) if not url.startswith("memory:") else None
    backend = parsed.get_backend_name() if parsed is not None else "memory"
    if backend == "sqlite" and parsed is not None and parsed.database not in (None, "", ":memory:"):
        folder = Path(str(parsed.database)).expanduser()
        folder = folder.with_name(folder.name + ".scans")
        private_dir(folder)
        handle = os.open(folder / f"{_parts_key(case, exhibit).hex()[:32]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(handle)
        return False
    if backend != "postgresql":
        return False
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
            parts = _lock_id(_parts_key(f"{schema}\0{case}", exhibit))
            free = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": parts}).scalar()
            if free:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": parts})
            connection.commit()
            return not free
    finally:
        engine.dispose()


@contextmanager
def part_hold(url: str, case: str, exhibit: str) -> Iterator[PartHold]:
    """Hold exhibit ``exhibit`` for one part of a cluster scan, shared with the other parts."""
    parsed = make_url(driver_url(url)) if not url.startswith("memory:") else None
    backend = parsed.get_backend_name() if parsed is not None else "memory"
    if backend == "sqlite" and parsed is not None and parsed.database not in (None, "", ":memory:"):
        hold = _file_part(Path(str(parsed.database)).expanduser(), case, exhibit)
    elif backend == "postgresql":
        hold = _advisory_part(url, case, exhibit)
    else:
        hold = _in_process_part(url, case, exhibit)
    with hold as held:
        yield held


def _busy(case: str, exhibit: str, doing: str, who: str = "") -> EvidenceError:
    if doing == "scan":
        return EvidenceError(f"exhibit {exhibit} of case {case} is being scanned by another process{who}: run this "
                             f"scan again once that one has ended (it then resumes, or finds the exhibit done)")
    return EvidenceError(f"exhibit {exhibit} of case {case} is being scanned or re-matched by another process{who}: "
                         f"run this {doing} again once that one has ended; nothing was changed")


@contextmanager
def _file_lock(database: Path, case: str, exhibit: str, doing: str) -> Iterator[None]:
    folder = database.with_name(database.name + ".scans")
    private_dir(folder)
    path = folder / f"{_key(case, exhibit).hex()[:32]}.lock"
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
            raise _busy(case, exhibit, doing, f" (process {holder})" if holder.isdigit() else "") from None
        parts = os.open(folder / f"{_parts_key(case, exhibit).hex()[:32]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:  # no part of a cluster scan still running on it
            fcntl.flock(parts, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _parts_busy(case, exhibit, doing) from None
        finally:
            os.close(parts)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # the lock goes with the file's last descriptor


@contextmanager
def _file_part(database: Path, case: str, exhibit: str) -> Iterator[PartHold]:
    folder = database.with_name(database.name + ".scans")
    private_dir(folder)
    main = folder / f"{_key(case, exhibit).hex()[:32]}.lock"
    handle = os.open(folder / f"{_parts_key(case, exhibit).hex()[:32]}.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def gone() -> bool:
        probe = os.open(main, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)  # taken only when no scan holds the exhibit
        except BlockingIOError:
            return False
        finally:
            os.close(probe)
        return True

    try:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield PartHold(gone)
    finally:
        os.close(handle)


def _lock_id(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big", signed=True)


def _held_by(connection: Connection, key: int) -> str:
    """Who holds advisory lock ``key``, as its connection named itself (application_name), and from where."""
    query = text("SELECT a.application_name, a.client_addr, a.pid FROM pg_locks l JOIN pg_stat_activity a "
                 "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :high "
                 "AND l.objid = :low AND l.objsubid = 1 LIMIT 1")
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    row = connection.execute(query, {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF}).first()
    if row is None:
        return ""
    name = row[0] if row[0] and str(row[0]).startswith("footprint") else f"server process {row[2]}"
    return f" ({name}{f', connected from {row[1]}' if row[1] else ''})"


def _name(connection: Connection, what: str) -> None:
    label = f"footprint {what}, process {os.getpid()} on {socket.gethostname()}"[:63]
    connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": label})


@contextmanager
def _advisory_lock(url: str, case: str, exhibit: str, doing: str) -> Iterator[None]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()  # advisory locks span schemas
            key = _lock_id(_key(f"{schema}\0{case}", exhibit))
            parts = _lock_id(_parts_key(f"{schema}\0{case}", exhibit))
            _name(connection, doing)
            if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                raise _busy(case, exhibit, doing, _held_by(connection, key))
            if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": parts}).scalar():
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
                raise _parts_busy(case, exhibit, doing)
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": parts})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
    finally:
        engine.dispose()


@contextmanager
def _advisory_part(url: str, case: str, exhibit: str) -> Iterator[PartHold]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
            key = _lock_id(_key(f"{schema}\0{case}", exhibit))
            parts = _lock_id(_parts_key(f"{schema}\0{case}", exhibit))
            _name(connection, "scan part")
            connection.execute(text("SELECT pg_advisory_lock_shared(:key)"), {"key": parts})
            connection.commit()

            def gone() -> bool:  # the shared lock is granted only when no scan holds the exhibit
                free = connection.execute(text("SELECT pg_try_advisory_lock_shared(:key)"), {"key": key}).scalar()
                if free:
                    connection.execute(text("SELECT pg_advisory_unlock_shared(:key)"), {"key": key})
                connection.commit()
                return bool(free)

            try:
                yield PartHold(gone)
            finally:
                connection.execute(text("SELECT pg_advisory_unlock_shared(:key)"), {"key": parts})
                connection.commit()
    finally:
        engine.dispose()


@contextmanager
def _in_process_part(url: str, case: str, exhibit: str) -> Iterator[PartHold]:
    yield PartHold(lambda: (url, case, exhibit) not in _HELD)


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
