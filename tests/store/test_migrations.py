"""Migrations: the migrated database is what the code expects, is recorded, runs once, is refused
when newer than this footprint, and ships inside the package."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from setuptools import find_packages
from sqlalchemy import inspect, text

from footprint.errors import StoreError
from footprint.model import CategoryScheme
from footprint.store import migrations, open_store
from footprint.store.engine import engine_for
from footprint.store.tables import metadata

SRC = Path(__file__).resolve().parents[2] / "src"


def test_migrated_database_matches_the_tables_the_code_uses(sql_url):
    store = open_store(sql_url)
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        names = set(inspect(conn).get_table_names())
    store.close()
    assert diffs == []
    assert names == {*metadata.tables, "alembic_version"}


def test_reopening_keeps_data_and_revision(sql_url):
    first = open_store(sql_url)
    first.create_case("op", CategoryScheme.UK)
    first.close()
    again = open_store(sql_url)
    assert again.revision == migrations.head() and [c.name for c in again.list_cases()] == ["op"]
    again.close()


def test_a_newer_schema_is_refused_untouched(sql_url):
    store = open_store(sql_url)
    store.create_case("op", CategoryScheme.UK)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    store.close()
    with pytest.raises(StoreError, match="9999_from_the_future"):
        open_store(sql_url)
    engine = engine_for(sql_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "9999_from_the_future"
        assert conn.execute(text("SELECT name FROM cases")).scalars().all() == ["op"]
    engine.dispose()


def test_two_first_openings_at_once_both_succeed(sql_url):
    """Two processes starting on an empty database: one migrates, the other waits and finds it done."""
    start, opened, errors = threading.Barrier(2), [], []

    def open_one() -> None:
        start.wait()
        try:
            opened.append(open_store(sql_url))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and [s.revision for s in opened] == [migrations.head()] * 2
    for store in opened:
        store.close()


def test_migrations_ship_inside_the_package():
    packages = set(find_packages(str(SRC)))
    assert {"footprint.store.migrations", "footprint.store.migrations.versions"} <= packages
    versions = sorted(p.name for p in (migrations.HERE / "versions").glob("[0-9]*.py"))
    assert versions and versions[0].startswith("0001_")
    assert (migrations.HERE / "env.py").is_file()


def test_an_older_store_is_upgraded_with_its_data(sql_url):
    from alembic import command

    engine = engine_for(sql_url)
    with engine.connect() as conn:
        conn.execution_options(footprint_write=True)
        with conn.begin():
            cfg = migrations.config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            assert migrations.current(conn) == {"0001"}
            conn.execute(text("INSERT INTO hashsets (name, format, source, imported, pdq_threshold, entry_count)"
                              " VALUES ('old', 'csv', 'x', '2024-01-01 00:00:00', 31, 1)"))
            conn.execute(text("INSERT INTO entries (hashset_id, md5, label) "
                              "SELECT id, :md5, 'kept' FROM hashsets"), {"md5": "ab" * 16})
    engine.dispose()
    store = open_store(sql_url)
    assert store.revision == migrations.head() != "0001"
    assert [h.entry.label for h in store.lookup_exact("md5", ["ab" * 16])["ab" * 16]] == ["kept"]
    store.close()
