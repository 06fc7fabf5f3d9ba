"""The court report: one gathering of the case's data, rendered as HTML and as an A4 PDF that is the
same file byte for byte when re-made from the same case at the same generation time."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageFile, ImageStat

from footprint.reports import court
from footprint.reports.casereport import gather_report
from footprint.reports.html import render_html
from footprint.reports.pdf import render_pdf
from footprint.reports.summary import media_kind, most_serious
from footprint.settings import Settings
from footprint.store import open_store

T1 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
T2 = datetime(2024, 1, 2, 3, 4, 6, tzinfo=UTC)

needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"),
                                   reason="poppler-utils (pdftoppm, pdftotext) is not installed")


@pytest.fixture
def store(demo_scanned):
    return open_store(Settings.from_env().database_url)


def _report(store, generated=T1, audit_head=None):
    return gather_report(store, "demo", Settings.from_env(), generated, audit_head=audit_head)


def test_same_case_same_time_same_pdf_bytes(store):
    first = render_pdf(_report(store))
    second = render_pdf(_report(store))  # gathered again from the store, not the same object
    assert first.startswith(b"%PDF-") and first == second


def test_making_a_pdf_leaves_truncated_pictures_undecodable(store):
    """WeasyPrint switches PIL to decoding truncated images when imported; a scan in the same process
    must still report a truncated picture rather than hash it."""
    render_pdf(_report(store))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_reports_at_two_times_differ_only_in_the_time(store):
    """Uncompressed, object by object: only the document information (dates), the first page's
    content (the printed time) and the glyph-to-text maps' order (the time's digits are drawn
    first) differ; the text and the file identifier are the same."""
    one, two = render_pdf(_report(store, T1), compress=False), render_pdf(_report(store, T2), compress=False)
    assert one != two
    objects_one, objects_two = _objects(one), _objects(two)
    assert objects_one.keys() == objects_two.keys()
    differing = {n for n in objects_one if objects_one[n] != objects_two[n]}
    info = {n for n in differing if b"/CreationDate" in objects_one[n]}
    cmaps = {n for n in differing if b"begincmap" in objects_one[n]}
    for n in cmaps:  # the same glyph → character pairs, listed in another order
        assert sorted(objects_one[n].split(b"\n")) == sorted(objects_two[n].split(b"\n"))
    pages = differing - info - cmaps
    assert len(info) == 1 and len(pages) == 1, differing
    assert b"(D:20240102030405+00'00)" in objects_one[info.pop()]
    assert _ids(one)[0] == _ids(two)[0]  # the permanent identifier does not depend on the time


def test_a_changed_case_gets_another_identifier(store, cli, tmp_path):
    before = _ids(render_pdf(_report(store), compress=False))[0]
    assert cli("case", "create", "other").code == 0  # not this case: same identifier
    assert _ids(render_pdf(_report(store), compress=False))[0] == before
    assert cli("hashset", "import", str(_known(cli)), "--name", "later-list").code == 0  # met by no exhibit
    assert _ids(render_pdf(_report(store), compress=False))[0] == before
    assert "later-list" not in render_html(_report(store)).split('id="hashsets"')[1]
    (tmp_path / "another-device").mkdir()
    (tmp_path / "another-device" / "notes.txt").write_text("benign notes")
    assert cli("scan", str(tmp_path / "another-device"), "--case", "demo").code == 0  # an exhibit that met it
    assert _ids(render_pdf(_report(store), compress=False))[0] != before
    assert "later-list" in render_html(_report(store)).split('id="hashsets"')[1]


def test_counts_split_by_state_and_media_match_the_store(store):
    report = _report(store)
    records = list(store.iter_items(store.get_case("demo").id))
    matched = [r for r in records if r.matches]
    assert [row["ref"] for row in report.matched] == sorted(r.ref for r in matched)
    by_category: dict[str, int] = {}
    for r in matched:
        key = str(most_serious(r.matches))
        by_category[key] = by_category.get(key, 0) + 1
    assert {k: sum(v.values()) for k, v in report.counts.by_category.items()} == by_category
    assert {k: sum(v.values()) for k, v in report.counts.by_category_media.items()} == by_category
    assert sum(report.counts.by_category_media[k]["picture"] for k in by_category) == \
        sum(media_kind(r) == "picture" for r in matched) == 9
    assert report.counts.warnings == sum(len(r.warnings) for r in records) > 0


def test_html_and_pdf_come_from_one_gathering(store):
    report = _report(store, audit_head=lambda s, case: f"head-of-{case.name}")
    html = render_html(report)
    assert "head-of-demo" in html and "2024-01-02T03:04:05+00:00" in html
    assert "@page" not in html  # the print layout is the PDF's
    paged = render_html(report, paged=True)
    assert 'counter(pages)' in paged and "head-of-demo" in paged


@needs_poppler
def test_demo_pdf_renders_to_pages_with_its_figures(cli, store, tmp_path):
    pdf = tmp_path / "demo.pdf"
    result = cli("report", "demo", "--pdf", "-o", str(pdf))
    assert result.code == 0, result.stderr
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 1
    with Image.open(pages[0]) as first:
        grey = first.convert("L")
        assert first.size[0] < first.size[1]  # portrait A4
        assert ImageStat.Stat(grey).stddev[0] > 5 and grey.getextrema()[0] < 100  # ink on the page
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = "".join(text.split())
    exhibit = store.list_exhibits(store.get_case("demo").id)[0]
    assert exhibit.hashes_before["manifest-sha256"] in flat
    assert f"page 1 of {len(pages)}" in text and "case demo" in text
    counts = _report(store).counts
    assert re.search(rf"items\s+{counts.by_state['allocated']}\s+0\s+0\s+{counts.items}", text)
    assert re.search(r"matched items\s+9\s+0\s+0\s+9", text)
    for category, per_state in counts.by_category.items():
        assert re.search(rf"category {category}\s+{per_state['allocated']}\s+0\s+0", text)
    assert "evidence/Downloads.zip!more.tar.gz!deep/copy.jpg" in flat


@pytest.mark.skipif(importlib.util.find_spec("footprint.review.audit") is None,
                    reason="the review audit trail (footprint.review.audit) is not built yet")
def test_the_audit_trail_hook_is_wired_once_the_trail_exists(store):
    assert court.AUDIT_TRAIL_WIRED, "footprint.review.audit exists: make reports.court.audit_trail_head read its head"
    case = store.get_case("demo")
    assert _report(store, audit_head=court.audit_trail_head).audit_head == court.audit_trail_head(store, case)


def test_without_a_trail_the_report_says_so(store):
    report = _report(store, audit_head=court.audit_trail_head)
    if report.audit_head is None:
        assert "No audit trail is recorded for this case." in render_html(report)
    else:
        assert report.audit_head in render_html(report)


def _objects(pdf: bytes) -> dict[bytes, bytes]:
    return dict(re.findall(rb"\n(\d+) 0 obj\n(.*?)\nendobj", pdf, re.S))


def _ids(pdf: bytes) -> tuple[bytes, bytes]:
    found = re.search(rb"/ID \[\((\w+)\) \((\w+)\)\]", pdf)
    assert found
    return found.group(1), found.group(2)


def _known(cli) -> Path:
    shown = cli("hashset", "show", "known").json()
    return Path(shown["source"])


def test_a_matched_item_without_times_says_none_were_recorded(store):
    """Members of a zip hold no time footprint trusts (DOS local time): the row says so, not blank."""
    html = render_html(_report(store))
    block = html.split("evidence/Downloads.zip!holiday/1.jpg", 1)[1].split("</table>", 1)[0]
    assert re.search(r"times \(UTC\)</th><td[^>]*>none recorded where it was found</td>", block)
    dated = html.split("evidence/Pictures/holiday-001.jpg", 1)[1].split("</table>", 1)[0]
    assert "modified 20" in dated and "none recorded" not in dated


def test_software_of_the_runs_each_different_set_once():
    """Two runs with the same software state it once; a run with another pdqhash adds a second set, in
    run order; runs recorded before software was recorded add nothing."""
    from footprint.reports.casereport import exhibit_row
    from footprint.store.base import ExhibitRecord

    first = {"footprint": "0.1.0", "pdqhash": "0.2.8"}
    later = {"footprint": "0.1.0", "pdqhash": "0.2.9"}
    runs = [{"hash_sets": []}, {"software": first}, {"software": dict(first)}, {"software": later}]
    exhibit = ExhibitRecord(id=1, case_id=1, name="usb.dd", path="/evidence/usb.dd", kind="raw", size=1,
                            hashes_before={}, details={"runs": runs})
    row = exhibit_row(exhibit)
    assert row["software"] == [first, later] and row["runs"] == 4


def test_each_exhibit_shows_the_settings_its_scan_ran_with(store):
    """The limits a scan read with (archive depth, member sizes, what is decoded) bound what it found:
    recorded with the run, shown with the exhibit, not taken from the footprint that makes the report."""
    exhibit = store.list_exhibits(store.get_case("demo").id)[0]
    (run,) = exhibit.details["runs"]
    assert set(run["settings"]) >= {"limits", "keep_in_memory", "jobs"} and "database_url" not in run["settings"]
    html = render_html(_report(store))
    shown = html.split("Settings of the scan</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert "keep_in_memory <code>" in shown and "limits <code>" in shown


def test_a_known_good_list_some_runs_did_not_use_is_said_with_the_exhibit(store):
    """Runs that looked items up in different known-good lists (one imported between two runs of a
    resumed scan, or between a cluster's parts): the report names the list as used by only part of the
    runs, so no one reads a missing known-good mark as the list's."""
    exhibit = store.list_exhibits(store.get_case("demo").id)[0]
    partial = {"name": "nsrl-2026-12", "rows": 10, "runs_applied": 1, "runs": 2, "applied": "2026-11-30T02:00:00"}
    store.add_exhibit_details(exhibit.id, {"known_good_lists_partial": [partial]})
    text = " ".join(re.sub(r"<[^>]+>", " ", render_html(_report(store))).split())
    assert "Known-good lists applied to only part of the items nsrl-2026-12 : used by 1 of the 2 runs" in text
