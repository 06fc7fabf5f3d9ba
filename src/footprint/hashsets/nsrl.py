"""NIST NSRL RDS v3 "minimal" databases: a SQLite file whose table ``FILE`` has the columns ``sha256,
sha1, md5, file_name, file_size, package_id`` (hex digests in upper case).

The reader streams the digest columns in chunks (hundreds of millions of rows are never in memory)
and opens the database read-only: a reference set is treated like evidence, never written to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from footprint.errors import FormatError

TABLE = "FILE"
COLUMNS = ("sha256", "sha1", "md5", "file_name", "file_size", "package_id")
DIGEST_COLUMNS = ("sha256", "sha1", "md5")
SQLITE_MAGIC = b"SQLite format 3\x00"


def open_readonly(path: Path) -> sqlite3.Connection:
    """The NSRL database, read-only (``mode=ro``): no journal, no lock file, no change."""
    try:
        with path.open("rb") as stream:
            magic = stream.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if magic != SQLITE_MAGIC:
        raise FormatError(f"{path} is not a SQLite database (an NSRL RDS v3 minimal set is one)")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_minimal(conn: sqlite3.Connection, path: Path) -> None:
    try:
        found = {row[1].lower() for row in conn.execute(f"PRAGMA table_info({TABLE})")}
    except sqlite3.DatabaseError as exc:
        raise FormatError(f"{path}: {exc}") from exc
    if not found:
        raise FormatError(f"{path} has no table {TABLE}: not an NSRL RDS v3 minimal database")
    missing = [c for c in DIGEST_COLUMNS if c not in found]
    if missing:
        raise FormatError(f"{path}: table {TABLE} lacks the column(s) {', '.join(missing)}")


def read_digests(path: Path, algorithms: Sequence[str], chunk: int = 1_000_000) -> Iterator[dict[str, list[str]]]:
    """Yields ``{algorithm: [hex, ...]}`` for ``chunk`` rows at a time, in table order. Values are
    as stored (upper-case hex, or NULL/empty where a row lacks that hash)."""
    wanted = [a for a in algorithms if a in DIGEST_COLUMNS]
    if len(wanted) != len(algorithms) or not wanted:
        raise FormatError(f"NSRL algorithms must be among {', '.join(DIGEST_COLUMNS)}, not {list(algorithms)}")
    conn = open_readonly(path)
    try:
        check_minimal(conn, path)
        cursor = conn.execute(f"SELECT {', '.join(wanted)} FROM {TABLE}")
        while rows := cursor.fetchmany(chunk):
            columns = list(zip(*rows, strict=True))
            yield {algorithm: list(columns[k]) for k, algorithm in enumerate(wanted)}
    except sqlite3.DatabaseError as exc:
        raise FormatError(f"{path}: cannot read table {TABLE}: {exc}") from exc
    finally:
        conn.close()
