"""Reviewers' categories reach every figure and every export (SQLite and PostgreSQL): the category for
the court is the reviewer's where decided (the newest decision), else the list's, marked as not yet
verified; disagreements with the lists are counted; the JSON Lines and CSV exports carry each decision;
the VICS list shared carries the reviewer's category, new material a reviewer categorised, and never an
unreviewed near match."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from reviewdata import PASSWORD, Seeded, pictures, seed

from footprint.hashsets.vics import VicsFormat
from footprint.model import Category, Match, MatchKind
from footprint.reports import court
from footprint.reports.casereport import gather_report
from footprint.reports.html import render_html
from footprint.reports.summary import case_summary
from footprint.review import accounts, decisions
from footprint.settings import Settings

A, B = Category.parse("uk:A"), Category.parse("uk:B")


@pytest.fixture
def examined(store) -> Seeded:
    """The examiner's case: a listed picture the reviewer calls C (the list says A), an unreviewed near
    copy, a near copy the reviewer confirmed, a deleted picture in no list decided A then changed to B,
    a listed picture the reviewer agreed with, and a picture in no list the reviewer called not indecent."""
    by_ref = {r.ref: r for r in pictures()}
    matched = {"ex/a.jpg": Match("known", 1, MatchKind.EXACT, "sha256", 0, "k1", A),
               "ex/a-small.jpg": Match("known", 1, MatchKind.NEAR, "pdq", 12, "k1", A),
               "ex/a-recompressed.jpg": Match("known", 1, MatchKind.NEAR, "pdq", 8, "k1", A),
               "ex/grey.png": Match("known", 2, MatchKind.EXACT, "sha256", 0, "k2", B)}
    for ref, match in matched.items():
        by_ref[ref] = replace(by_ref[ref], matches=[match])
    store.create_hashset("known", "csv", "test")
    found = seed(store, "op", list(by_ref.values()))
    rita = accounts.add_user(store, "rita", PASSWORD, "reviewer")
    accounts.grant(store, "rita", "op")
    for ref, category in (("ex/a.jpg", "C"), ("ex/a-recompressed.jpg", "A"), ("ex/b.jpg", "A"),
                          ("ex/b.jpg", "B"), ("ex/grey.png", "B"), ("ex/white.png", "N")):
        decisions.decide(store, rita, found.case, [found.ids[ref]], category)
    return found


def test_the_case_figures_count_the_reviewers_categories_with_their_basis(examined):
    counts = case_summary(examined.store, examined.case)["counts"]
    assert isinstance(counts, dict)
    figures = counts["court"]
    assert figures["by_category"] == {"uk:A": {"allocated": 2}, "uk:B": {"allocated": 1, "deleted": 1},
                                      "uk:C": {"allocated": 1}, "uk:N": {"allocated": 1}}
    assert figures["by_category_basis"] == {
        "uk:A": {"reviewer_verified": 1, "list_only": 1, "reviewer_only": 0},  # the near copy nobody reviewed
        "uk:B": {"reviewer_verified": 1, "list_only": 0, "reviewer_only": 1},  # the deleted one: B, its newest
        "uk:C": {"reviewer_verified": 1, "list_only": 0, "reviewer_only": 0},
        "uk:N": {"reviewer_verified": 0, "list_only": 0, "reviewer_only": 1}}
    assert figures["by_basis"] == {"reviewer_verified": 3, "list_only": 1, "reviewer_only": 2}
    assert figures["by_category_media"]["uk:B"] == {"picture": 2}
    assert counts["reviewer_disagreements"] == 1 and counts["category_disagreements"] == 0
    assert {k: sum(v.values()) for k, v in counts["by_category"].items()} == {"uk:A": 3, "uk:B": 1}  # the lists'


def _row(html: str, table: str, header: str) -> list[int]:
    section = html.split(f'id="{table}"')[1].split("</table>")[0]
    (row,) = re.findall(rf"<tr><th>{re.escape(header)}</th>(.*?)</tr>", section)
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]


def test_the_court_report_states_the_figures_and_their_basis(examined):
    report = gather_report(examined.store, "op", Settings.from_env(), datetime(2024, 1, 2, tzinfo=UTC),
                           decided_by=court.reviewers_decisions)
    for html in (render_html(report), render_html(report, paged=True)):  # the PDF is the paged page
        # live, deleted, carved, all; then reviewer verified, list only, reviewer only
        assert _row(html, "court-categories", "category uk:A") == [2, 0, 0, 2, 1, 1, 0]
        assert _row(html, "court-categories", "category uk:B") == [1, 1, 0, 2, 1, 0, 1]
        assert _row(html, "court-categories", "category uk:C") == [1, 0, 0, 1, 1, 0, 0]
        assert _row(html, "court-categories", "all categorised items") == [5, 1, 0, 6, 3, 1, 2]
        assert re.search(r"otherwise than the lists \(the reviewer's category counts\)</th><td class=\"num\">1<", html)
        matched = html.split('id="matches"')[1].split("</section>")[0]
        item_a = matched.split("ex/a.jpg")[1].split("</table>")[0]
        assert "category uk:C: the reviewer's, which disagrees with the lists' uk:A" in item_a
        item_small = matched.split("ex/a-small.jpg")[1].split("</table>")[0]
        assert "category uk:A: the list's, not yet verified by a reviewer" in item_small
        assert "category uk:B: the reviewer's (in no list)" in html.split('id="decided"')[1]


@pytest.fixture
def on_store(cli, monkeypatch, sql_url, examined):
    """The command line, on the examined case's store."""
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", sql_url)
    return cli


def test_case_show_gives_the_figures_for_the_court(on_store):
    shown = on_store("case", "show", "op")
    assert shown.code == 0, shown.stderr
    counts = shown.json()["counts"]
    assert counts["court"]["by_basis"] == {"reviewer_verified": 3, "list_only": 1, "reviewer_only": 2}
    assert counts["reviewer_disagreements"] == 1


def test_jsonl_and_csv_exports_carry_each_items_current_decision(on_store):
    rows = {r["ref"]: r for r in on_store("export", "op", "--format", "jsonl").jsonl()}
    first = rows["ex/a.jpg"]
    assert [m["category"] for m in first["matches"]] == ["uk:A"]  # the list's, beside the reviewer's
    assert first["decision"]["category"] == "uk:C" and first["decision"]["decided_by"] == "rita"
    assert datetime.fromisoformat(first["decision"]["decided_at"]).tzinfo is not None
    assert rows["ex/b.jpg"]["decision"]["category"] == "uk:B"  # changed from A: the newest counts
    assert rows["ex/a-small.jpg"]["decision"] is None
    table = list(csv.DictReader(io.StringIO(on_store("export", "op", "--format", "csv").stdout)))
    by_ref = {r["ref"]: r for r in table}
    assert list(table[0])[-3:] == ["decision_category", "decision_decided_by", "decision_decided_at"]
    assert (by_ref["ex/a.jpg"]["match_category"], by_ref["ex/a.jpg"]["decision_category"]) == ("uk:A", "uk:C")
    assert by_ref["ex/b.jpg"]["decision_decided_by"] == "rita"
    assert by_ref["ex/a-small.jpg"]["decision_category"] == ""


def test_the_vics_list_shared_carries_verified_categories_and_no_unreviewed_near_match(on_store, examined):
    result = on_store("export", "op", "--format", "vics")
    assert result.code == 0, result.stderr
    shared = {e.sha256: e.category for e in VicsFormat().read(io.BytesIO(result.stdout.encode()))}
    sha = {r.ref: r.digests.crypto["sha256"] for r in examined.store.iter_items(examined.case.id)}
    assert shared == {sha["ex/a.jpg"]: Category.parse("uk:C"),  # the reviewer's C, not the list's A
                      sha["ex/a-recompressed.jpg"]: A,  # a near copy a reviewer confirmed
                      sha["ex/b.jpg"]: B,  # new material a reviewer categorised (its newest decision)
                      sha["ex/grey.png"]: B}
    assert [m["MediaID"] for m in json.loads(result.stdout)["value"]] == [1, 2, 3, 4]
    said = " ".join(result.stderr.split())
    assert "1 near match no reviewer confirmed" in said
    assert "1 in no list exactly, and a reviewer found it not pertinent" in said
