"""A first list goes into an empty entries table with its indexes built after the rows (SQLite): the
indexes are there afterwards and still there when the import fails half-way, and another connection
reads the store meanwhile without waiting for the import."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from footprint.errors import FormatError
from footprint.model import KnownEntry
from footprint.store import open_store

INDEXES = {("ix_entries_md5", ("md5",), False), ("ix_entries_sha1", ("sha1",), False),
           ("ix_entries_sha256", ("sha256",), False), ("ix_entries_hashset_id_id", ("hashset_id", "id"), False)}


def entry_indexes(store) -> set[tuple[str, tuple[str, ...], bool]]:
    """Name, columns and uniqueness of each index on entries, as the database reports them."""
    return {(index["name"], tuple(index["column_names"]), bool(index["unique"]))
            for index in inspect(store.engine).get_indexes("entries")}


def many(count: int, start: int = 0):
    return (KnownEntry(md5=f"{i:032x}", sha1=f"{i:040x}", label=str(i)) for i in range(start, start + count))


def test_indexes_are_there_after_a_first_and_a_later_list(sql_url):
    store, reader = open_store(sql_url), open_store(sql_url)
    assert entry_indexes(store) == INDEXES  # as the migrations made them
    first = store.create_hashset("first", "csv", "src")
    seen_meanwhile = []

    def entries_read_alongside():
        yield from many(12_000)
        seen_meanwhile.append((reader.lookup_exact("md5", [f"{1:032x}"]), reader.get_hashset("first").entry_count))
        yield from many(13_000, start=12_000)

    assert store.add_entries(first.id, entries_read_alongside()) == 25_000
    assert seen_meanwhile == [({}, 0)]
    assert len(reader.lookup_exact("md5", [f"{1:032x}"])[f"{1:032x}"]) == 1
    reader.close()
    assert entry_indexes(store) == INDEXES
    second = store.create_hashset("second", "csv", "src")
    assert store.add_entries(second.id, many(10, start=24_995)) == 10
    assert entry_indexes(store) == INDEXES
    hits = store.lookup_exact("md5", [f"{24_999:032x}", f"{25_001:032x}"])
    assert sorted(h.hashset.name for h in hits[f"{24_999:032x}"]) == ["first", "second"]
    assert [h.entry.label for h in hits[f"{25_001:032x}"]] == ["25001"]
    assert [h.entry.label for h in store.lookup_exact("sha1", [f"{7:040x}"])[f"{7:040x}"]] == ["7"]
    store.close()


def test_a_failed_first_list_leaves_the_indexes_and_no_rows(sql_url):
    store = open_store(sql_url)
    hashset = store.create_hashset("first", "csv", "src")

    def then_bad():
        yield from many(15_000)
        raise FormatError("line 15001: not a hash")

    with pytest.raises(FormatError, match="15001"):
        store.add_entries(hashset.id, then_bad())
    assert entry_indexes(store) == INDEXES
    assert store.lookup_exact("md5", [f"{1:032x}"]) == {}
    assert store.add_entries(hashset.id, many(3)) == 3
    assert entry_indexes(store) == INDEXES
    store.close()
