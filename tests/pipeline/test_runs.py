"""An exhibit read in several runs (an interrupted scan resumed, a cluster's parts) names as matched-against
only the lists every run used; a list imported between runs is recorded, reported and said as partial."""

from __future__ import annotations

import platform
from importlib import metadata

import pytest

import footprint
from footprint.demo import jpeg_bytes, picture
from footprint.pipeline.runs import applied_lists, run_record
from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.store import open_store

KNOWN = {"name": "known", "format": "csv", "entries": 10, "pdq_threshold": 31}
LATER = {"name": "later", "format": "vics", "entries": 3, "pdq_threshold": 31}
HASHERS = ("md5", "sha1", "sha256", "pdq", "pdq-regions")


def test_lists_of_every_run_and_the_others():
    runs = [run_record(lists, HASHERS) for lists in ([KNOWN], [KNOWN, LATER], [LATER, KNOWN])]
    every, partial = applied_lists(runs, [])
    assert every == [KNOWN]
    assert partial == [{**LATER, "runs_applied": 2, "runs": 3}]
    assert applied_lists([run_record([KNOWN, LATER], HASHERS)] * 2, []) == ([KNOWN, LATER], [])


def test_a_list_imported_again_with_other_entries_is_another_list():
    again = {**KNOWN, "entries": 11}
    every, partial = applied_lists([run_record([KNOWN], HASHERS), run_record([again], HASHERS)], [])
    assert every == [] and [(p["entries"], p["runs_applied"]) for p in partial] == [(10, 1), (11, 1)]


def test_no_recorded_run_falls_back_to_the_lists_at_the_end():
    assert applied_lists([], [KNOWN]) == ([KNOWN], [])


def test_list_imported_between_runs_is_partial_in_the_record_report_and_stderr(cli, demo_case, home, tmp_path,
                                                                              stop_after_items):
    assert cli("case", "create", "demo").code == 0
    assert cli("hashset", "import", str(demo_case.known_list), "--name", "known").code == 0
    settings = Settings.from_env(batch_size=4)
    store = open_store(settings.database_url)
    with pytest.raises(KeyboardInterrupt):
        Scanner(store, settings, stop_after_items(10)).scan("demo", [demo_case.evidence])
    store.close()
    later = tmp_path / "later"
    later.mkdir()
    (later / "one.jpg").write_bytes(jpeg_bytes(picture(77)))
    assert cli("hashset", "build", str(later), "--name", "later").code == 0
    resumed = cli("scan", str(demo_case.evidence), "--case", "demo", "--quiet")
    assert resumed.code == 0, resumed.stderr
    assert "later matched against only part of its items" in resumed.stderr
    details = _details(settings, "demo")
    assert [h["name"] for h in details["hash_sets"]] == ["known"]
    assert [(h["name"], h["runs_applied"], h["runs"]) for h in details["hash_sets_partial"]] == [("later", 1, 2)]
    report = tmp_path / "report.html"
    assert cli("report", "demo", "-o", str(report)).code == 0
    html = report.read_text()
    assert "Matched against only part of the items" in html and "used by 1 of the 2 runs" in html


def test_one_run_records_its_lists_as_every_items_its_hashes_and_its_software(cli, demo_case, tmp_path):
    assert cli("case", "create", "demo").code == 0
    assert cli("hashset", "import", str(demo_case.known_list), "--name", "known").code == 0
    result = cli("scan", str(demo_case.evidence), "--case", "demo", "--quiet")
    assert result.code == 0 and "only part" not in result.stderr
    details = _details(Settings.from_env(), "demo")
    assert [h["name"] for h in details["hash_sets"]] == ["known"] and "hash_sets_partial" not in details
    assert len(details["runs"]) == 1
    assert details["runs"][0]["hashers"] == list(HASHERS) and details["runs"][0]["skipped_hashers"] == []
    software = details["runs"][0]["software"]  # what read and hashed, for a court and a rerun
    assert software["footprint"] == footprint.__version__ and software["pdqhash"] == metadata.version("pdqhash")
    assert software["pillow"] == metadata.version("pillow") and software["python"] == platform.python_version()
    report = tmp_path / "report.html"
    assert cli("report", "demo", "-o", str(report)).code == 0
    assert f"pdqhash {metadata.version('pdqhash')}" in report.read_text()


def _details(settings: Settings, case: str) -> dict:
    store = open_store(settings.database_url)
    try:
        (exhibit,) = store.list_exhibits(store.get_case(case).id)
        return dict(exhibit.details)
    finally:
        store.close()
