"""One battery for every store: the in-memory fake, SQLite and a real PostgreSQL server.

PostgreSQL runs each test in a schema of its own (dropped afterwards) so that parallel or concurrent
runs never see each other. The server URL comes from FOOTPRINT_TEST_POSTGRES_URL; without a server
the PostgreSQL cases are skipped, saying why.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import text

from footprint.errors import AlreadyExists, FormatError, NotFound, StoreError, UsageError
from footprint.model import (
    CameraFacts,
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
from footprint.store import migrations, open_store, sql
from footprint.store.base import Findings, ItemRecord

PDQ = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
UK_A = Category(CategoryScheme.UK, "A")
VICS_1 = Category(CategoryScheme.VICS, "1")


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "memory":
        return "memory:"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'case.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(url):
    opened = open_store(url)
    yield opened
    opened.close()


# -- builders -----------------------------------------------------------------------------------


def record(ref: str, **overrides) -> ItemRecord:
    digests = Digests(size=3, crypto={"md5": "a" * 32, "sha1": "b" * 40, "sha256": "c" * 64},
                      perceptual={"pdq": PerceptualDigest("pdq", PDQ, 90)}, media_type="image/jpeg")
    facts = ItemFacts(state=ItemState.DELETED, inode="42", modified=datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    values = {"ref": ref, "size": 3, "status": "ok", "facts": facts, "digests": digests}
    values.update(overrides)
    return ItemRecord(**values)


def as_read(saved: ItemRecord, exhibit: str, item_id: int) -> ItemRecord:
    """What a store gives back: ids filled in, timestamps in UTC (naive ones taken as UTC). Perceptual
    variants (PDQ's eight rotations and flips, the region signature's mirrored form) are kept: a re-match
    of stored hashes (pipeline.rematch) queries with them as a scan does."""
    times = {k: getattr(saved.facts, k) for k in ("created", "modified", "accessed", "changed")}
    facts = replace(saved.facts, **{k: t if t is None or t.tzinfo else t.replace(tzinfo=UTC)
                                    for k, t in times.items()})
    return replace(saved, facts=facts, exhibit=exhibit, id=item_id, matches=tuple(saved.matches),
                   warnings=tuple(saved.warnings))


def case_and_exhibit(store, name: str = "usb"):
    case = store.create_case("op", CategoryScheme.UK)
    return case, store.add_exhibit(case.id, name, f"/e/{name}", "folder", None, {})


def random_pdqs(count: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    return [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(count)]


# -- the contract -------------------------------------------------------------------------------


class TestStoreContract:
    # cases

    def test_cases(self, store):
        created = store.create_case("op", CategoryScheme.UK, "desc")
        assert created.created.tzinfo is not None and created.created.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - created.created) < timedelta(minutes=5)
        assert store.get_case("op") == created == store.get_case_by_id(created.id)
        with pytest.raises(AlreadyExists, match="'op'"):
            store.create_case("op", CategoryScheme.VICS)
        with pytest.raises(NotFound, match="'nope'"):
            store.get_case("nope")
        with pytest.raises(NotFound):
            store.get_case_by_id(created.id + 1000)
        names = ["beta", "Alpha", "alpha", "Ωmega", "zeta", "é"]
        for name in names:
            store.create_case(name, CategoryScheme.VICS)
        assert [c.name for c in store.list_cases()] == sorted([*names, "op"])  # code-point order
        assert store.get_case("alpha").scheme is CategoryScheme.VICS

    # exhibits

    def test_exhibits(self, store):
        case = store.create_case("op", CategoryScheme.UK)
        other = store.create_case("other", CategoryScheme.UK)
        exhibit = store.add_exhibit(case.id, "usb", "/e/usb", "folder", 1234, {"manifest-sha256": "x"})
        assert (exhibit.status, exhibit.size, exhibit.hashes_before) == ("scanning", 1234, {"manifest-sha256": "x"})
        assert exhibit.started is not None and exhibit.started.tzinfo is not None and exhibit.finished is None
        assert store.find_exhibit(case.id, "usb") == exhibit
        assert store.find_exhibit(case.id, "other") is None and store.find_exhibit(other.id, "usb") is None
        store.add_exhibit(other.id, "usb", "/e/usb2", "zip", None, {})  # same name, another case: fine
        with pytest.raises(AlreadyExists, match="'usb'"):
            store.add_exhibit(case.id, "usb", "/e/usb", "folder", None, {})
        with pytest.raises(NotFound):
            store.add_exhibit(case.id + other.id + 1000, "x", "/x", "folder", None, {})
        done = store.finish_exhibit(exhibit.id, "complete", {"manifest-sha256": "x"}, {"k": (1, "a")})
        assert done.status == "complete" and done.details == {"k": [1, "a"]}  # JSON types, as read back
        assert done.finished is not None and done.finished.utcoffset() == timedelta(0)
        again = store.finish_exhibit(exhibit.id, "changed", {"manifest-sha256": "y"})
        assert again.details == {"k": [1, "a"]} and again.hashes_after == {"manifest-sha256": "y"}
        store.add_exhibit(case.id, "Disk", "/e/disk.E01", "e01", 10, {"md5": "m"})
        assert [e.name for e in store.list_exhibits(case.id)] == ["Disk", "usb"]
        assert store.list_exhibits(case.id)[1] == again
        with pytest.raises(NotFound):
            store.finish_exhibit(exhibit.id + 1000, "complete", {})
        with pytest.raises(NotFound):
            store.list_exhibits(case.id + other.id + 1000)

    # items

    def test_items_round_trip(self, store):
        case, exhibit = case_and_exhibit(store)
        store.create_hashset("known", "vics", "test")
        paris = timezone(timedelta(hours=2))
        facts = ItemFacts(state=ItemState.CARVED, inode="7-128-1", offset=0x3F2A00,
                          created=datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=paris),
                          modified=datetime(2024, 5, 1, 12, 0),  # naive: taken as UTC
                          accessed=datetime(1980, 1, 1, tzinfo=UTC), changed=None)
        exact = Match("known", 7, MatchKind.EXACT, "sha256", 0, "lbl", UK_A, {"algorithms": ["sha256", "md5"]})
        near = Match("gone", 9, MatchKind.NEAR, "pdq", 12, None, None, {"variant": 4})
        full = record("usb/a.jpg!unallocated@0x3f2a00", facts=facts, matches=(exact, near),
                      warnings=("decode: odd", "read 2 bytes where the source declared 3", "a: b: c"),
                      digests=Digests(size=2, crypto={"md5": "a" * 32, "sha512": "e" * 128},
                                      perceptual={"pdq": PerceptualDigest("pdq", PDQ, 90, (PDQ,) * 8),
                                                  "vpdq": PerceptualDigest("vpdq", "frames", 70),
                                                  "pdq-regions": PerceptualDigest("pdq-regions", "r", 80, ("r", "m"))},
                                      media_type="image/png"))
        skipped = record("usb/b.jpg", status="skipped", reason="pdq: undecodable",
                         digests=Digests(size=3, crypto={"md5": "d" * 32},
                                         perceptual={"pdq": Skipped("undecodable"), "vpdq": Skipped("not a video")}))
        unread = record("usb/c", size=None, status="error", reason="unreadable: I/O", digests=None,
                        warnings=("unreadable: I/O",))
        store.save_items(exhibit.id, [full, skipped, unread])
        got = list(store.iter_items(case.id))
        assert [g.ref for g in got] == [full.ref, skipped.ref, unread.ref]
        assert len({g.id for g in got}) == 3 and all(isinstance(g.id, int) for g in got)
        assert got == [as_read(r, "usb", g.id) for r, g in zip([full, skipped, unread], got, strict=True)]
        read_facts = got[0].facts
        assert read_facts.created == datetime(2001, 2, 3, 2, 5, 6, 789, tzinfo=UTC)
        assert read_facts.created.tzinfo is not None and read_facts.created.utcoffset() == timedelta(0)
        assert read_facts.modified == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        assert got[1].digests.perceptual == {"pdq": Skipped("undecodable"), "vpdq": Skipped("not a video")}
        assert got[2].digests is None

    def test_camera_facts_round_trip(self, store):
        case, exhibit = case_and_exhibit(store)
        paris = timezone(timedelta(hours=2))
        camera = CameraFacts(make="Canon", model="EOS 5D Mark IV", serial="0123456789", lens_serial="L-9",
                             taken_text="2024-05-01T12:30:00+02:00",
                             taken_utc=datetime(2024, 5, 1, 12, 30, tzinfo=paris),
                             latitude=51.5043056, longitude=-0.1275, altitude=-12.25, software="fw 1.0.2",
                             owner="Ω Jo")
        zoneless = CameraFacts(model="Pixel 8", taken_text="2023-01-02T03:04:05")
        store.save_items(exhibit.id, [record("usb/a.jpg", camera=camera), record("usb/b.jpg", camera=zoneless),
                                      record("usb/c.txt")])
        store.save_items(exhibit.id, [record("usb/a.jpg", camera=zoneless)])  # first save wins, its facts too
        got = {g.ref: g for g in store.iter_items(case.id)}
        assert got["usb/a.jpg"].camera == camera
        assert got["usb/a.jpg"].camera.taken_utc.utcoffset() == timedelta(0)
        assert got["usb/a.jpg"].camera.taken_utc == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
        assert got["usb/b.jpg"].camera == zoneless and got["usb/b.jpg"].camera.taken_utc is None
        assert got["usb/c.txt"].camera is None
        if hasattr(store, "get_item"):
            assert store.get_item(case.id, got["usb/a.jpg"].id).camera == camera

    def test_save_items_is_idempotent_first_save_wins(self, store):
        case, exhibit = case_and_exhibit(store)
        first = record("usb/a.jpg", warnings=("decode: odd",))
        store.save_items(exhibit.id, [first, record("usb/a.jpg", status="error", warnings=("twice",))])
        store.save_items(exhibit.id, [record("usb/a.jpg", size=99, warnings=("again",)), record("usb/b")])
        store.save_items(exhibit.id, [])
        assert store.done_refs(exhibit.id) == {"usb/a.jpg", "usb/b"}
        got = list(store.iter_items(case.id))
        assert [g.ref for g in got] == ["usb/a.jpg", "usb/b"]
        assert got[0] == as_read(first, "usb", got[0].id)  # skipped, not replaced; its warnings too

    def test_save_items_is_one_transaction(self, store):
        case, exhibit = case_and_exhibit(store)
        bad = record("usb/z", matches=(Match("k", 1, MatchKind.EXACT, "md5", 0, details={"x": object()}),))
        with pytest.raises(StoreError):
            store.save_items(exhibit.id, [record("usb/a"), bad])
        assert store.done_refs(exhibit.id) == set() and list(store.iter_items(case.id)) == []
        with pytest.raises(NotFound):
            store.save_items(exhibit.id + 1000, [record("usb/a")])
        with pytest.raises(NotFound):
            store.done_refs(exhibit.id + 1000)

    def test_findings_added_to_saved_items_read_back_after_theirs(self, store):
        """A re-match adds matches and warnings to items already saved, in one transaction."""
        case, exhibit = case_and_exhibit(store)
        store.create_hashset("later", "csv", "test")
        old = Match("known", 3, MatchKind.EXACT, "md5", 0, "old", UK_A, {"algorithms": ["md5"]})
        store.save_items(exhibit.id, [record("usb/a", matches=(old,), warnings=("decode: odd",)), record("usb/b")])
        a, b = list(store.iter_items(case.id))
        new = Match("later", 8, MatchKind.NEAR, "pdq", 12, "new", VICS_1, {"variant": 2, "quality": 90})
        store.add_findings(exhibit.id, [Findings(a.id, (new,), ("match: said",)), Findings(b.id, (), ())])
        again_a, again_b = list(store.iter_items(case.id))
        assert again_a == replace(a, matches=(old, new), warnings=("decode: odd", "match: said"))
        assert again_b == b
        bad = Match("later", 9, MatchKind.EXACT, "md5", 0, details={"x": object()})
        with pytest.raises(StoreError):  # nothing of the call is kept
            store.add_findings(exhibit.id, [Findings(b.id, (new,)), Findings(a.id, (bad,))])
        with pytest.raises(NotFound):  # an item of another exhibit, or none
            store.add_findings(exhibit.id, [Findings(b.id, (new,)), Findings(b.id + a.id + 1000, (new,))])
        other = store.add_exhibit(case.id, "disk", "/e/disk", "raw", 1, {})
        with pytest.raises(NotFound):
            store.add_findings(other.id, [Findings(a.id, (new,))])
        assert list(store.iter_items(case.id)) == [again_a, again_b]

    def test_exhibit_details_added_keep_the_rest(self, store):
        case, exhibit = case_and_exhibit(store)
        done = store.finish_exhibit(exhibit.id, "complete", {"md5": "m"}, {"runs": [1], "hash_sets": ["a"]})
        store.add_exhibit_details(exhibit.id, {"hash_sets": ["a", "b"], "rematches": [{"n": (1,)}]})
        found = store.find_exhibit(case.id, "usb")
        assert found == replace(done, details={"runs": [1], "hash_sets": ["a", "b"], "rematches": [{"n": [1]}]})
        with pytest.raises(NotFound):
            store.add_exhibit_details(exhibit.id + 1000, {})

    def test_iter_items_orders_by_exhibit_then_ref_across_pages(self, store, monkeypatch):
        monkeypatch.setattr(sql, "ITEM_PAGE", 7)  # many pages from few items (SQL stores)
        case = store.create_case("op", CategoryScheme.UK)
        refs = {name: [f"{name}/{p}" for p in ("B", "a", "b", "É", "z!x", "a/1", "a!1", "_")] +
                [f"{name}/f{i:03d}" for i in range(20)] for name in ("usb", "Disk")}
        for name, wanted in refs.items():
            exhibit = store.add_exhibit(case.id, name, f"/e/{name}", "folder", None, {})
            store.save_items(exhibit.id, [record(r, warnings=(f"w: {r}",)) for r in reversed(wanted)])
        items = store.iter_items(case.id)
        assert iter(items) is items  # a stream, not a list
        got = [(i.exhibit, i.ref, i.warnings) for i in items]
        assert got == [(n, r, (f"w: {r}",)) for n in ("Disk", "usb") for r in sorted(refs[n])]
        assert store.count_items(case.id) == len(got)
        with pytest.raises(NotFound):
            store.iter_items(case.id + 1000)
        usb = next(e for e in store.list_exhibits(case.id) if e.name == "usb")
        assert [i.ref for i in store.iter_items(case.id, usb.id)] == sorted(refs["usb"])  # one exhibit alone
        other = store.create_case("other", CategoryScheme.UK)
        with pytest.raises(NotFound):
            store.iter_items(other.id, usb.id)  # an exhibit of another case

    def test_concurrent_writers_on_one_exhibit(self, store, url):
        """Two writers (own connections) save different items of one exhibit, plus some of the same
        items: every item exactly once, no error, nothing lost."""
        case, exhibit = case_and_exhibit(store)
        other = store if url == "memory:" else open_store(url)
        start, errors = threading.Barrier(2), []

        def write(target, prefix: str) -> None:
            try:
                start.wait()
                for batch in range(10):
                    own = [record(f"usb/{prefix}/{batch}/{i}") for i in range(20)]
                    shared = [record(f"usb/shared/{batch}/{i}", warnings=(f"by {prefix}",)) for i in range(5)]
                    target.save_items(exhibit.id, own + shared)
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((store, "a"), (other, "b"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if other is not store:
            other.close()
        assert errors == []
        items = list(store.iter_items(case.id))
        assert len(items) == 2 * 200 + 50 == len({i.ref for i in items})
        shared = [i for i in items if "/shared/" in i.ref]
        assert all(len(i.warnings) == 1 for i in shared)

    def test_runs_recorded_by_concurrent_writers_are_all_kept(self, store, url):
        """A cluster's parts each record their run on the exhibit at once: none overwrites another's."""
        case, exhibit = case_and_exhibit(store)
        stores = [store] + ([] if url == "memory:" else [open_store(url) for _ in range(2)])
        start, errors = threading.Barrier(3), []

        def record_runs(target, writer: int) -> None:
            try:
                start.wait()
                for run in range(6):
                    target.record_run(exhibit.id, {"writer": writer, "run": run, "hash_sets": [{"name": "a"}]})
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=record_runs, args=(stores[w % len(stores)], w)) for w in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for other in stores[1:]:
            other.close()
        assert errors == []
        runs = store.find_exhibit(case.id, "usb").details["runs"]
        assert sorted((r["writer"], r["run"]) for r in runs) == [(w, r) for w in range(3) for r in range(6)]
        store.finish_exhibit(exhibit.id, "complete", {}, {"runs": runs, "hash_sets": []})
        assert store.find_exhibit(case.id, "usb").details["runs"] == runs
        with pytest.raises(NotFound):
            store.record_run(exhibit.id + 1000, {})

    # hash sets

    def test_hash_sets(self, store):
        hashset = store.create_hashset("known", "csv", "src", 24, {"file_sha256": "f", "n": (1,)})
        assert hashset.imported.utcoffset() == timedelta(0) and hashset.entry_count == 0
        with pytest.raises(AlreadyExists, match="'known'"):
            store.create_hashset("known", "csv", "src")
        entries = [KnownEntry(md5="A" * 32, label="one", category=VICS_1, series="s1", victim_identified=False),
                   KnownEntry(sha256="c" * 64, pdq=PDQ.upper(), victim_identified=True, extra={"MediaID": "9"})]
        assert store.add_entries(hashset.id, entries) == 2
        assert store.add_entries(hashset.id, iter([KnownEntry(sha1="b" * 40)])) == 1
        got = store.get_hashset("known")
        assert (got.entry_count, got.pdq_threshold, got.format, got.source) == (3, 24, "csv", "src")
        assert got.details == {"file_sha256": "f", "n": [1]}
        store.add_hashset_details(hashset.id, {"skipped_rows": 2, "n": (2,)})  # merged in, later keys win
        assert store.get_hashset("known").details == {"file_sha256": "f", "n": [2], "skipped_rows": 2}
        with pytest.raises(NotFound):
            store.add_hashset_details(hashset.id + 1000, {})
        store.create_hashset("Another", "vics", "x")
        assert [h.name for h in store.list_hashsets()] == ["Another", "known"]
        with pytest.raises(NotFound, match="'nope'"):
            store.get_hashset("nope")
        with pytest.raises(NotFound):
            store.add_entries(hashset.id + 1000, entries)
        listed = [h.entry for h in store.iter_entries(hashset.id)]
        assert listed == [replace(entries[0], md5="a" * 32), replace(entries[1], pdq=PDQ), KnownEntry(sha1="b" * 40)]

    def test_add_entries_is_all_or_nothing(self, store):
        hashset = store.create_hashset("known", "csv", "src")

        def entries_then_bad_line():
            yield from (KnownEntry(md5=f"{i:032x}") for i in range(25_000))
            raise FormatError("line 25001: not a hash")

        with pytest.raises(FormatError, match="25001"):
            store.add_entries(hashset.id, entries_then_bad_line())
        with pytest.raises(FormatError, match="64 hex"):
            store.add_entries(hashset.id, [KnownEntry(md5="a" * 32), KnownEntry(pdq="abc")])
        assert store.get_hashset("known").entry_count == 0
        assert store.lookup_exact("md5", [f"{0:032x}", "a" * 32]) == {}

    def test_lookup_exact(self, store):
        one = store.create_hashset("one", "csv", "src")
        two = store.create_hashset("two", "csv", "src")
        store.add_entries(one.id, [KnownEntry(md5=f"{i:032x}", sha1=f"{i:040x}", label=f"e{i}") for i in range(2500)])
        store.add_entries(two.id, [KnownEntry(md5=f"{5:032x}", sha256="c" * 64, category=UK_A)])
        wanted = [f"{i:032x}" for i in range(0, 5000, 2)] + ["F" * 32]
        hits = store.lookup_exact("md5", wanted)
        assert set(hits) == {f"{i:032x}" for i in range(0, 2500, 2)}  # IN lists past 1000 values
        assert [h.entry.label for h in hits[f"{4:032x}"]] == ["e4"]
        five = store.lookup_exact("md5", [f"{5:032X}"])[f"{5:032X}"]  # keyed by the value as given
        assert [(h.hashset.name, h.entry.label, h.entry.category) for h in five] == [("one", "e5", None),
                                                                                    ("two", None, UK_A)]
        assert five[0].hashset == store.get_hashset("one")
        assert list(store.lookup_exact("sha1", [f"{9:040x}"])) == [f"{9:040x}"]
        assert list(store.lookup_exact("sha256", ["c" * 64])) == ["c" * 64]
        assert store.lookup_exact("sha256", []) == {}
        with pytest.raises(UsageError):
            store.lookup_exact("pdq", [PDQ])

    def test_get_entries(self, store):
        hashset = store.create_hashset("one", "csv", "src")
        store.add_entries(hashset.id, [KnownEntry(md5=f"{i:032x}", label=f"e{i}") for i in range(1500)])
        ids = [h.entry_id for h in store.iter_entries(hashset.id)]
        got = store.get_entries([*ids, max(ids) + 10_000])
        assert sorted(got) == sorted(ids) and got[ids[42]].entry.label == "e42"
        assert got[ids[42]].hashset.name == "one" and got[ids[42]].entry_id == ids[42]
        assert store.get_entries([]) == {}

    def test_iter_pdq_in_chunks(self, store):
        hashset = store.create_hashset("many", "pdqlist", "src")
        other = store.create_hashset("other", "pdqlist", "src")
        values = random_pdqs(250)
        store.add_entries(other.id, [KnownEntry(pdq=v) for v in random_pdqs(3, seed=2)])
        store.add_entries(hashset.id, (KnownEntry(pdq=v, md5=None if i % 50 else "a" * 32)
                                       for i, v in enumerate(values)))
        store.add_entries(hashset.id, [KnownEntry(md5="b" * 32)])  # no PDQ: not yielded
        chunks = list(store.iter_pdq(hashset.id, chunk=100))
        assert [len(ids) for ids, _ in chunks] == [100, 100, 50]
        assert all(ids.dtype == np.int64 and hs.dtype == np.uint8 and hs.shape == (len(ids), 32)
                   for ids, hs in chunks)
        assert [bytes(h).hex() for _, hs in chunks for h in hs] == values
        ids = np.concatenate([i for i, _ in chunks])
        assert list(ids) == sorted(ids)
        assert [store.get_entries([int(i)])[int(i)].entry.pdq for i in ids[:3]] == values[:3]
        assert len(list(store.iter_pdq(hashset.id, chunk=250))) == 1
        with pytest.raises(NotFound):
            store.iter_pdq(hashset.id + other.id + 1000)

    def test_remove_hashset_cascades_and_keeps_findings(self, store):
        case, exhibit = case_and_exhibit(store)
        known = store.create_hashset("known", "vics", "src")
        kept = store.create_hashset("kept", "vics", "src")
        store.add_entries(known.id, [KnownEntry(md5="a" * 32, pdq=PDQ, label="x", category=UK_A)])
        store.add_entries(kept.id, [KnownEntry(md5="a" * 32, label="y")])
        entry_id = next(iter(store.iter_entries(known.id))).entry_id
        match = Match("known", entry_id, MatchKind.EXACT, "md5", 0, "x", UK_A)
        store.save_items(exhibit.id, [record("usb/a", matches=(match,))])
        store.remove_hashset("known")
        assert [h.hashset.name for h in store.lookup_exact("md5", ["a" * 32])["a" * 32]] == ["kept"]
        assert store.get_entries([entry_id]) == {}
        with pytest.raises(NotFound):
            store.iter_pdq(known.id)
        with pytest.raises(NotFound, match="'known'"):
            store.remove_hashset("known")
        assert next(iter(store.iter_items(case.id))).matches == (match,)  # findings outlive the list
        again = store.create_hashset("known", "vics", "src")
        store.add_entries(again.id, [KnownEntry(md5="a" * 32)])
        new_id = next(iter(store.iter_entries(again.id))).entry_id
        assert again.id != known.id and new_id > entry_id  # ids never reused

    # schema

    def test_migrations_are_recorded(self, store):
        if not hasattr(store, "engine"):
            pytest.skip("the in-memory store has no schema")
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [migrations.head()] == [store.revision]
