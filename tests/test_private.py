"""footprint.private: folders and files made private from their creation, and older ones narrowed;
SQLite's own -wal and -shm files take the database's 0600."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from footprint.private import private_dir, private_sqlite, write_private
from footprint.store.engine import engine_for


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def umask_022():
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_folders_and_files_are_made_private(tmp_path):
    made = private_dir(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == 0o700 and mode(made) == 0o700
    written = write_private(made / "x.jpg", lambda out: out.write(b"data"))
    assert mode(written) == 0o600 and written.read_bytes() == b"data"
    assert [p.name for p in made.iterdir()] == ["x.jpg"]


def test_what_an_older_version_left_open_is_narrowed(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    (home / "footprint.db").write_bytes(b"")
    os.chmod(home / "footprint.db", 0o644)
    private_dir(home)
    assert mode(home) == 0o700 and mode(home / "footprint.db") == 0o600


def test_sqlite_database_and_its_wal_and_shm_are_private(tmp_path):
    database = tmp_path / "case.db"
    engine = engine_for(f"sqlite:///{database}")
    with engine.connect() as conn:  # WAL mode: -wal and -shm exist while a connection is open
        conn.exec_driver_sql("CREATE TABLE t (x)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        files = {p.name: mode(p) for p in tmp_path.iterdir()}
    engine.dispose()
    assert files == {"case.db": 0o600, "case.db-wal": 0o600, "case.db-shm": 0o600}


def test_an_older_databases_companions_are_narrowed(tmp_path):
    database = tmp_path / "case.db"
    for name in ("case.db", "case.db-wal", "case.db-shm"):
        (tmp_path / name).write_bytes(b"")
        os.chmod(tmp_path / name, 0o644)
    private_sqlite(database)
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == dict.fromkeys(("case.db", "case.db-wal", "case.db-shm"),
                                                                          0o600)
