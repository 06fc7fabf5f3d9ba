"""Opening a store: URL forms, SQLite set-up, and refusals that name the problem and touch nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from footprint.errors import StoreError
from footprint.model import CategoryScheme
from footprint.store import open_store
from footprint.store.engine import driver_url
from footprint.store.memory import MemoryStore


def test_postgres_urls_mean_psycopg3():
    assert driver_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert driver_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert driver_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert driver_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "oracle+cx://x"])
def test_unsupported_urls_are_refused(url):
    with pytest.raises(StoreError):
        open_store(url)


def test_sqlite_creates_its_folder_and_runs_in_wal_with_foreign_keys(tmp_path):
    path = tmp_path / "new" / "deeper" / "case.db"
    store = open_store(f"sqlite:///{path}")
    assert path.is_file()
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 10_000
    store.close()


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    content = b"these are an investigator's notes, not a database\n" * 100
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a database"):
        open_store(f"sqlite:///{path}")
    assert path.read_bytes() == content


def test_an_unreachable_server_is_a_store_error():
    with pytest.raises(StoreError, match="cannot open the case store"):
        open_store("postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2")


def test_memory_and_sqlite_memory_urls(tmp_path):
    assert isinstance(open_store("memory:"), MemoryStore)
    store = open_store("sqlite://")  # one shared connection: the data outlives each call
    store.create_case("op", CategoryScheme.UK)
    assert [c.name for c in store.list_cases()] == ["op"]
    store.close()
