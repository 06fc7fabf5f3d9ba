"""The case store: ``open_store(url)`` gives a Store on SQLite or PostgreSQL, migrated to the newest
schema revision, or the in-memory fake for tests.

URLs: ``sqlite:///path/case.db`` (the folder is created), ``postgresql://user@host:5432/db`` (psycopg 3),
``memory:`` (nothing kept). Anything else, or a database written by a newer footprint, is a StoreError.
"""

from __future__ import annotations

from footprint.store.base import Store


def open_store(url: str) -> Store:
    if url in ("memory:", "memory://"):
        from footprint.store.memory import MemoryStore

        return MemoryStore()
    from footprint.store.sql import SqlStore

    return SqlStore(url)
