"""One battery for every store: SQLite and a real PostgreSQL server pass the same contract."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from footprint.errors import AlreadyExists, NotFound
from footprint.model import (
    Category,
    CategoryScheme,
    Digests,
    ItemFacts,
    ItemState,
    KnownEntry,
    Match,
    MatchKind,
    PerceptualDigest,
    Skipped,
)
from footprint.store import open_store
from footprint.store.base import ItemRecord

POSTGRES = os.environ.get("FOOTPRINT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh database on the PostgreSQL server for this test session, dropped at the end."""
    admin_url = POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server at {POSTGRES}: {exc}")
    name = f"footprint_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'case.db'}")
    url = request.getfixturevalue("postgres_database")
    schema_store = open_store(url)
    _empty(schema_store)
    return schema_store


def _empty(store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("TRUNCATE cases, hashsets, entries, exhibits, items, matches, warnings CASCADE"))


PDQ = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"


def _record(ref: str, **overrides) -> ItemRecord:
    digests = Digests(size=3, crypto={"md5": "a" * 32, "sha1": "b" * 40, "sha256": "c" * 64},
                      perceptual={"pdq": PerceptualDigest("pdq", PDQ, 90)}, media_type="image/jpeg")
    facts = ItemFacts(state=ItemState.DELETED, inode="42", modified=datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    values = {"ref": ref, "size": 3, "status": "ok", "facts": facts, "digests": digests}
    values.update(overrides)
    return ItemRecord(**values)


def test_cases(store):
    created = store.create_case("op", CategoryScheme.UK, "desc")
    assert store.get_case("op") == created and created.created.tzinfo is not None
    with pytest.raises(AlreadyExists):
        store.create_case("op", CategoryScheme.UK)
    with pytest.raises(NotFound):
        store.get_case("nope")
    store.create_case("alpha", CategoryScheme.VICS)
    assert [c.name for c in store.list_cases()] == ["alpha", "op"]


def test_exhibits(store):
    case = store.create_case("op", CategoryScheme.UK)
    exhibit = store.add_exhibit(case.id, "usb", "/e/usb", "folder", None, {"manifest-sha256": "x"})
    assert exhibit.status == "scanning" and store.find_exhibit(case.id, "usb") == exhibit
    assert store.find_exhibit(case.id, "other") is None
    with pytest.raises(AlreadyExists):
        store.add_exhibit(case.id, "usb", "/e/usb", "folder", None, {})
    done = store.finish_exhibit(exhibit.id, "complete", {"manifest-sha256": "x"}, {"k": [1]})
    assert done.status == "complete" and done.details == {"k": [1]} and done.finished is not None
    assert store.list_exhibits(case.id) == [done]


def test_items_round_trip_and_save_is_idempotent(store):
    case = store.create_case("op", CategoryScheme.UK)
    exhibit = store.add_exhibit(case.id, "usb", "/e/usb", "folder", None, {})
    hashset = store.create_hashset("known", "vics", "test")
    match = Match("known", 7, MatchKind.NEAR, "pdq", 12, "lbl", Category(CategoryScheme.UK, "A"), {"variant": 4})
    skipped = _record("usb/b.jpg", status="skipped", reason="pdq: undecodable",
                      digests=Digests(size=3, crypto={"md5": "d" * 32}, perceptual={"pdq": Skipped("undecodable")}))
    store.save_items(exhibit.id, [_record("usb/a.jpg", matches=(match,), warnings=("decode: odd",)), skipped])
    store.save_items(exhibit.id, [_record("usb/a.jpg")])  # again: not duplicated, not replaced
    assert store.done_refs(exhibit.id) == {"usb/a.jpg", "usb/b.jpg"}
    first, second = list(store.iter_items(case.id))
    assert first.ref == "usb/a.jpg" and first.exhibit == "usb"
    assert first.matches == (match,) and first.warnings == ("decode: odd",)
    assert first.facts.state is ItemState.DELETED and first.facts.modified == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert first.digests.perceptual["pdq"] == PerceptualDigest("pdq", PDQ, 90)
    assert second.digests.perceptual["pdq"] == Skipped("undecodable") and second.reason == "pdq: undecodable"
    store.remove_hashset(hashset.name)
    assert next(iter(store.iter_items(case.id))).matches == (match,)  # findings outlive the list


def test_hash_sets_and_lookups(store):
    hashset = store.create_hashset("known", "csv", "src", 24, {"file_sha256": "f"})
    entries = [KnownEntry(md5="A" * 32, label="one", category=Category(CategoryScheme.VICS, "1")),
               KnownEntry(sha256="c" * 64, pdq=PDQ, victim_identified=True, extra={"MediaID": "9"})]
    assert store.add_entries(hashset.id, entries) == 2
    record = store.get_hashset("known")
    assert record.entry_count == 2 and record.pdq_threshold == 24 and record.details == {"file_sha256": "f"}
    with pytest.raises(AlreadyExists):
        store.create_hashset("known", "csv", "src")
    hits = store.lookup_exact("md5", ["a" * 32, "e" * 32])
    assert list(hits) == ["a" * 32] and hits["a" * 32][0].entry.label == "one"
    ids, hashes = next(store.iter_pdq(hashset.id))
    assert hashes.shape == (1, 32) and bytes(hashes[0]).hex() == PDQ and ids.dtype == np.int64
    got = store.get_entries([int(ids[0])])[int(ids[0])]
    assert got.entry.victim_identified is True and got.entry.extra == {"MediaID": "9"}
    assert next(h.entry for h in store.iter_entries(hashset.id)).label == "one"
    store.remove_hashset("known")
    assert store.lookup_exact("md5", ["a" * 32]) == {} and store.list_hashsets() == []
    with pytest.raises(NotFound):
        store.get_hashset("known")


def test_iter_pdq_in_chunks(store):
    hashset = store.create_hashset("many", "pdqlist", "src")
    rng = np.random.default_rng(1)
    values = [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(250)]
    store.add_entries(hashset.id, (KnownEntry(pdq=v) for v in values))
    chunks = list(store.iter_pdq(hashset.id, chunk=100))
    assert [len(ids) for ids, _ in chunks] == [100, 100, 50]
    assert [bytes(h).hex() for _, hs in chunks for h in hs] == values


def test_migrations_are_recorded(store):
    from footprint.store import migrations

    with store.engine.connect() as conn:
        assert migrations.current(conn) == {migrations.head()}
