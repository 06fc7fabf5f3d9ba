"""Which known-good lists were applied, and when, is recorded on the exhibits (by a scan or by
``apply``) and stated in the court report's settings: the list's name, its NSRL version, its size,
the file it was built from and when it was applied, even after the list is removed."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

import pytest
from nsrl_db import build_nsrl
from test_marking import CONFLICT, GOOD

from footprint.model import CategoryScheme
from footprint.pipeline.knowngood import apply_known_good, import_nsrl, remove_list
from footprint.pipeline.scan import Scanner
from footprint.reports.casereport import gather_report
from footprint.reports.html import render_html
from footprint.settings import Settings
from footprint.store import open_store

VERSION = ("2024.03.1", "RDS v3 minimal", "2024-03-01", "2024-03-15", "benign test build")


@pytest.fixture
def setup(sql_url, tmp_path, demo_case):
    store = open_store(sql_url)
    settings = Settings(home=tmp_path / "home", database_url=sql_url, jobs=1)
    nsrl = build_nsrl(tmp_path / "RDS_minimal.db", [demo_case.evidence / p for p in [*GOOD, CONFLICT]], filler=50)
    with sqlite3.connect(nsrl) as conn:  # the VERSION table of a released RDS v3 set
        conn.execute("CREATE TABLE VERSION (version VARCHAR, build_set VARCHAR, build_date TIMESTAMP, "
                     "release_date TIMESTAMP, description VARCHAR)")
        conn.execute("INSERT INTO VERSION VALUES (?, ?, ?, ?, ?)", VERSION)
    conn.close()
    store.create_case("demo", CategoryScheme.UK)
    yield store, settings, nsrl, demo_case
    store.close()


def report(store):
    return gather_report(store, "demo", Settings.from_env(), datetime(2024, 1, 2, tzinfo=UTC))


def test_a_scan_records_the_lists_it_applied_and_the_report_states_them(setup):
    store, settings, nsrl, demo = setup
    listed = import_nsrl(store, settings.home, nsrl, "nsrl")
    before = datetime.now(UTC).replace(microsecond=0)
    Scanner(store, settings).scan("demo", [demo.evidence])
    (exhibit,) = store.list_exhibits(store.get_case("demo").id)
    (applied,) = exhibit.details["known_good_lists"]
    assert applied["name"] == "nsrl" and applied["how"] == "scan"
    assert applied["version"]["version"] == "2024.03.1" and applied["version"]["build_set"] == "RDS v3 minimal"
    assert (applied["rows"], applied["counts"], applied["source_sha256"]) == (
        listed.rows, {"sha256": 4 + 50}, listed.source_sha256)
    assert datetime.fromisoformat(applied["applied"]) >= before
    made = report(store)
    (stated,) = made.known_good
    assert stated["name"] == "nsrl" and stated["exhibits"] == [exhibit.name]
    assert stated["applied"] == [f"{applied['applied']} (scan)"]
    page = render_html(made)
    table = re.search(r'<table id="known-good-lists">.*?</table>', page, re.S).group(0)
    for text in ("nsrl", "version: 2024.03.1", "release_date: 2024-03-15", str(listed.rows), listed.source_sha256,
                 f"{applied['applied']} (scan)"):
        assert text in table
    assert "known_good_lists" not in page  # stated in its own rows, not as raw exhibit details


def test_an_apply_after_the_scan_is_recorded_each_time_and_outlives_the_list(setup):
    store, settings, nsrl, demo = setup
    assert "No known-good list was applied" in render_html(report(store))
    Scanner(store, settings).scan("demo", [demo.evidence])
    (exhibit,) = store.list_exhibits(store.get_case("demo").id)
    assert "known_good_lists" not in exhibit.details  # no list when it was scanned
    import_nsrl(store, settings.home, nsrl, "old-md5", ["md5"])
    apply_known_good(store, "demo")
    apply_known_good(store, "demo")
    (exhibit,) = store.list_exhibits(store.get_case("demo").id)
    assert [(a["name"], a["how"]) for a in exhibit.details["known_good_lists"]] == [("old-md5", "apply")] * 2
    remove_list(store, "old-md5")
    (stated,) = report(store).known_good
    assert stated["name"] == "old-md5" and stated["counts"] == {"md5": 4 + 50}
    assert all(when.endswith(" (apply)") for when in stated["applied"]) and 1 <= len(stated["applied"]) <= 2
