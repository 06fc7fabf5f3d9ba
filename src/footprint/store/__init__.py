"""The case store: ``open_store(url)`` gives a Store on SQLite or PostgreSQL, migrated to the newest
schema revision."""

from __future__ import annotations

from footprint.store.base import Store


def open_store(url: str) -> Store:
    from footprint.store.sql import SqlStore

    return SqlStore(url)
