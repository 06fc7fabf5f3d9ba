"""Known-good marking on SQLite and PostgreSQL: an NSRL RDS v3 minimal database built in the test
(benign names, the hashes of some demo evidence files), imported, then items marked at scan time or
after the fact; a file that is also in the known list stays a match."""

from __future__ import annotations

import pytest
from nsrl_db import build_nsrl
from sqlalchemy import select

from footprint.errors import AlreadyExists, FormatError
from footprint.model import CategoryScheme
from footprint.pipeline.importing import import_hashset
from footprint.pipeline.knowngood import apply_known_good, import_nsrl, knowngood_store, remove_list
from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.schema_knowngood import knowngood_marks

GOOD = ["Camera/IMG_0000.jpg", "Camera/IMG_0001.jpg", "Camera/IMG_0002.jpg"]
CONFLICT = "Pictures/holiday-001.jpg"  # in the demo's known list too


@pytest.fixture
def setup(sql_url, tmp_path, demo_case):
    store = open_store(sql_url)
    settings = Settings(home=tmp_path / "home", database_url=sql_url, jobs=1)
    bad_rows = [("", "", "", "blank.txt", 0, 9), ("NOT-HEX" * 9 + "X", "AB" * 20, "CD" * 16, "odd.txt", 1, 9)]
    nsrl = build_nsrl(tmp_path / "RDS_minimal.db", [demo_case.evidence / p for p in [*GOOD, CONFLICT]],
                      filler=500, extra_rows=bad_rows)
    store.create_case("demo", CategoryScheme.UK)
    import_hashset(store, demo_case.known_list, "known")
    yield store, settings, nsrl, demo_case
    store.close()


def _by_ref(store):
    case = store.get_case("demo")
    return {r.ref.split("/", 1)[1]: r for r in store.iter_items(case.id)}


def test_import_registers_a_compact_list_not_rows(setup):
    store, settings, nsrl, _ = setup
    record = import_nsrl(store, settings.home, nsrl, "nsrl", ["sha256", "sha1", "md5"], chunk=7)
    assert record.rows == 4 * 2 + 500 + 2  # every file twice (two packages), filler, two bad rows
    assert record.counts == {"sha256": 4 + 500, "sha1": 4 + 500 + 1, "md5": 4 + 500 + 1}
    assert record.details["invalid"] == {"sha256": 2, "sha1": 1, "md5": 1}
    assert (settings.home / "knowngood" / "nsrl" / "sha256.prefix.npy").exists()
    assert [k.name for k in knowngood_store(store).list_lists()] == ["nsrl"]
    with pytest.raises(AlreadyExists):
        import_nsrl(store, settings.home, nsrl, "nsrl")


def test_a_scan_marks_known_good_and_a_match_stands(setup):
    store, settings, nsrl, demo = setup
    import_nsrl(store, settings.home, nsrl, "nsrl")
    Scanner(store, settings).scan("demo", [demo.evidence])
    items = _by_ref(store)
    for ref in GOOD:
        assert [(g.list_name, g.algorithm, g.conflict) for g in items[ref].known_good] == [("nsrl", "sha256", False)]
        assert not items[ref].matches
    conflict = items[CONFLICT]
    assert [m.hashset for m in conflict.matches] == ["known"]  # the match is still there
    assert [(g.list_name, g.conflict) for g in conflict.known_good] == [("nsrl", True)]
    assert any(w.startswith("knowngood: in known-good list nsrl") for w in conflict.warnings)
    marked = {ref for ref, r in items.items() if r.known_good}
    assert marked == {*GOOD, CONFLICT}
    summary = apply_known_good(store, "demo")  # nothing new after a scan that marked already
    assert (summary.new_marks, summary.known_good, summary.known_good_conflicts) == (0, 3, 1)


def test_apply_marks_a_case_scanned_before_the_list_existed(setup):
    store, settings, nsrl, demo = setup
    Scanner(store, settings).scan("demo", [demo.evidence])
    assert not any(r.known_good for r in _by_ref(store).values())
    import_nsrl(store, settings.home, nsrl, "nsrl", ["md5"])
    first = apply_known_good(store, "demo")
    assert (first.items, first.new_marks, first.known_good, first.known_good_conflicts) == (
        len(demo.expected), 4, 3, 1)
    again = apply_known_good(store, "demo")
    assert (again.new_marks, again.known_good) == (0, 3)
    items = _by_ref(store)
    assert [g.algorithm for g in items[GOOD[0]].known_good] == ["md5"]
    assert sum(w.startswith("knowngood:") for w in items[CONFLICT].warnings) == 1  # warned once


def test_removing_a_list_keeps_its_marks_by_name(setup):
    store, settings, nsrl, demo = setup
    import_nsrl(store, settings.home, nsrl, "nsrl")
    Scanner(store, settings).scan("demo", [demo.evidence])
    remove_list(store, "nsrl")
    assert not (settings.home / "knowngood" / "nsrl").exists()
    with store.engine.connect() as conn:
        rows = conn.execute(select(knowngood_marks.c.list_name, knowngood_marks.c.list_id)).all()
    assert len(rows) == 4 and {tuple(r) for r in rows} == {("nsrl", None)}
    assert {ref for ref, r in _by_ref(store).items() if r.known_good} == {*GOOD, CONFLICT}


def test_not_an_nsrl_database(setup, tmp_path):
    store, settings, _, demo = setup
    with pytest.raises(FormatError, match="not a SQLite database"):
        import_nsrl(store, settings.home, demo.known_list, "bad")
    other = tmp_path / "other.db"
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE PKG (id INTEGER)")
    with pytest.raises(FormatError, match="no table FILE"):
        import_nsrl(store, settings.home, other, "bad")
    assert knowngood_store(store).list_lists() == []
    assert not (settings.home / "knowngood" / "bad").exists()


@pytest.mark.parametrize("url", ["memory:", "sql"])
def test_marks_are_saved_with_their_items(url, sql_url):
    """A scan hands the marks to save_items: saved in the items' transaction, read back in order."""
    from footprint.model import Digests
    from footprint.store.base import ItemRecord, KnownGoodMark

    store = open_store(sql_url if url == "sql" else url)
    case = store.create_case("c", CategoryScheme.UK)
    exhibit = store.add_exhibit(case.id, "ex", "/ex", "folder", None, {})
    marks = (KnownGoodMark("zeta", "md5", False), KnownGoodMark("alpha", "sha256", True))
    digests = Digests(size=3, crypto={"md5": "0" * 32})
    store.save_items(exhibit.id, [ItemRecord("ex/a", 3, "ok", digests=digests, known_good=marks),
                                  ItemRecord("ex/b", 3, "ok", digests=digests)])
    store.save_items(exhibit.id, [ItemRecord("ex/a", 3, "ok", digests=digests, known_good=marks[:1])])  # again
    found = {r.ref: r.known_good for r in store.iter_items(case.id)}
    assert found == {"ex/a": (marks[1], marks[0]), "ex/b": ()}
    store.close()
