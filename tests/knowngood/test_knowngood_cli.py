"""The known-good commands end to end: import an NSRL minimal database built in the test, scan, see
the marks in the exports, the report and the new-material list; errors are one line with their code."""

from __future__ import annotations

import csv
import io
import json

import pytest
from nsrl_db import build_nsrl

GOOD = ["Camera/IMG_0000.jpg", "Camera/IMG_0001.jpg"]
CONFLICT = "Pictures/holiday-001.jpg"


@pytest.fixture
def nsrl(tmp_path, demo_case):
    return build_nsrl(tmp_path / "RDS_2024.12.1_modern_minimal.db",
                      [demo_case.evidence / p for p in [*GOOD, CONFLICT]], filler=200)


@pytest.fixture
def scanned(cli, demo_case, nsrl):
    assert cli("case", "create", "demo").code == 0
    assert cli("hashset", "import", str(demo_case.known_list), "--name", "known").code == 0
    result = cli("knowngood", "import", str(nsrl), "--name", "nsrl", "--algorithms", "sha256,sha1")
    assert result.code == 0, result.stderr
    assert "imported 206 rows into known-good list nsrl" in result.stderr
    assert cli("scan", str(demo_case.evidence), "--case", "demo", "--jobs", "1").code == 0
    return demo_case


def _items(cli):
    return {i["ref"].split("/", 1)[1]: i for i in cli("export", "demo").jsonl()}


def test_list_shows_the_import(cli, scanned, nsrl, home):
    rows = cli("knowngood", "list").stdout.splitlines()
    assert rows[0].split("\t") == ["name", "rows", "distinct", "imported", "source", "path"]
    name, count, distinct, _, source, path = rows[1].split("\t")
    assert (name, count, json.loads(distinct)) == ("nsrl", "206", {"sha1": 203, "sha256": 203})
    assert source == str(nsrl) and path == str(home / "knowngood" / "nsrl")


def test_exports_carry_the_marks_and_a_match_stands(cli, scanned):
    items = _items(cli)
    for ref in GOOD:
        assert items[ref]["known_good"] == [{"list": "nsrl", "algorithm": "sha256", "conflict": False}]
    assert items[CONFLICT]["known_good"] == [{"list": "nsrl", "algorithm": "sha256", "conflict": True}]
    assert [m["hashset"] for m in items[CONFLICT]["matches"]] == ["known"]
    assert sum(1 for i in items.values() if i["known_good"]) == 3
    assert items["Camera/IMG_0002.jpg"]["known_good"] == []
    rows = list(csv.DictReader(io.StringIO(cli("export", "demo", "--format", "csv").stdout)))
    by_ref = {r["ref"].split("/", 1)[1]: r for r in rows}
    assert by_ref[GOOD[0]]["known_good"] == "nsrl:sha256"
    assert by_ref[CONFLICT]["known_good"] == "nsrl:sha256:conflict"


def test_new_material_leaves_out_known_and_known_good(cli, scanned):
    result = cli("new", "demo")
    assert result.code == 0
    new = {i["ref"].split("/", 1)[1] for i in result.jsonl()}
    items = _items(cli)
    pictures = {ref for ref, i in items.items() if (i["media_type"] or "").startswith(("image/", "video/"))}
    matched = {ref for ref, i in items.items() if i["matches"]}
    assert new == pictures - matched - set(GOOD)
    assert "Camera/IMG_0002.jpg" in new and not new & {*GOOD, CONFLICT}
    assert f"{len(new)} items of new material" in result.stderr


def test_report_and_case_show_count_known_good(cli, scanned, tmp_path):
    counts = cli("case", "show", "demo").json()["counts"]
    assert counts["known_good_by_state"] == {"allocated": 2} and counts["known_good_conflicts"] == 1
    report = tmp_path / "report.html"
    assert cli("report", "demo", "-o", str(report)).code == 0
    html = report.read_text()
    assert "known-good items (NSRL, not matched)" in html and "known-good but matched (the match stands)" in html


def test_apply_after_a_scan_and_again(cli, demo_case, nsrl):
    assert cli("case", "create", "late").code == 0
    assert cli("scan", str(demo_case.evidence), "--case", "late", "--jobs", "1").code == 0
    assert cli("knowngood", "import", str(nsrl), "--name", "nsrl").code == 0
    first = cli("knowngood", "apply", "late").json()
    assert (first["new_marks"], first["known_good"], first["known_good_conflicts"]) == (3, 3, 0)  # no known list
    assert cli("knowngood", "apply", "late").json()["new_marks"] == 0
    assert cli("knowngood", "remove", "nsrl").code == 0
    assert cli("knowngood", "list").stdout.splitlines()[1:] == []
    # a known-good list takes items out of review: who imported, applied and removed it, in the trails
    changes = [e for e in cli("audit", "show", "--global").jsonl() if e["action"].startswith("knowngood.")]
    assert [e["action"] for e in changes] == ["knowngood.import", "knowngood.remove"]
    assert all(e["user"].startswith("cli") and e["details"]["list"] == "nsrl" and e["details"]["source_sha256"]
               for e in changes)
    applied = [e for e in cli("audit", "show", "late").jsonl() if e["action"] == "knowngood.apply"]
    assert [(e["details"]["lists"], e["details"]["new_marks"]) for e in applied] == [(["nsrl"], 3), (["nsrl"], 0)]
    assert cli("audit", "verify", "--all").code == 0


def test_errors_are_one_line_with_their_code(cli, scanned, nsrl, demo_case):
    again = cli("knowngood", "import", str(nsrl), "--name", "nsrl")
    assert again.code == 4 and again.stderr.count("\n") == 1 and again.stderr.startswith("footprint: error:")
    bad = cli("knowngood", "import", str(demo_case.known_list), "--name", "json")
    assert bad.code == 5 and "not a SQLite database" in bad.stderr
    assert cli("knowngood", "apply", "nope").code == 3
    assert cli("new", "nope").code == 3
    assert cli("knowngood", "import", str(nsrl), "--name", "x", "--algorithms", "crc32").code == 5
    assert cli("knowngood", "import", str(nsrl), "--name", "../outside").code == 2
    assert cli("knowngood", "list").stdout.count("\n") == 2  # header and nsrl only
