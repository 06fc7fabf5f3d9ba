"""The readers' per-entry shortcuts (field names learnt once, hex checked by stripping digits, CSV
categories parsed once per value) accept and refuse exactly what the careful checks do."""

from __future__ import annotations

import io
import json

import pytest

from footprint.errors import FormatError
from footprint.hashsets.csvlist import CsvFormat
from footprint.hashsets.problems import ReadReport
from footprint.hashsets.vics import VicsFormat
from footprint.model import Category, CategoryScheme, KnownEntry

MD5 = "0123456789abcdef0123456789abcdef"
MD5_B = "fedcba9876543210fedcba9876543210"
SHA1 = "0123456789abcdef0123456789abcdef01234567"


def read_vics(value: list[object]) -> tuple[list[KnownEntry], ReadReport]:
    report = ReadReport()
    data = json.dumps({"@odata.context": "x", "value": value}).encode()
    return list(VicsFormat(on_problem=report).read(io.BytesIO(data))), report


def read_csv(text: str) -> tuple[list[KnownEntry], ReadReport]:
    report = ReadReport()
    return list(CsvFormat(on_problem=report).read(io.BytesIO(text.encode()))), report


def test_names_learnt_as_plain_do_not_hide_a_later_respelling() -> None:
    value = [{"MD5": MD5, "MediaSize": 1, "Flagged": True},  # MediaSize, Flagged now known as plain
             {"md5": MD5_B, "MediaSize": 2, "Flagged": False},  # the same plus one to respell
             {"MediaSize": 3, "Flagged": True, "sha1": SHA1.upper()},
             {"MediaSize": 4, "Flagged": True}]  # only plain names, and no hash: a problem, not skipped
    entries, report = read_vics(value)
    assert [(e.md5, e.sha1) for e in entries] == [(MD5, None), (MD5_B, None), (None, SHA1)]
    assert [number for number, _ in report.problems] == [4]
    assert "no MD5" in report.problems[0][1]


@pytest.mark.parametrize(("value", "expected"), [
    ("false", False), ("true", True), ("FALSE", False), (" yes ", True), ("0", False), (1, True), (0, False),
    (True, True), (False, False), (None, None), ("", None)])
def test_victim_identified_values(value: object, expected: bool | None) -> None:
    entries, report = read_vics([{"MD5": MD5, "VictimIdentified": value}])
    assert [e.victim_identified for e in entries] == [expected] and report.skipped == 0


@pytest.mark.parametrize("bad", [
    {"VictimIdentified": 1.0}, {"VictimIdentified": "maybe"}, {"VictimIdentified": [True]},
    {"MediaID": True}, {"MediaID": 1.5}, {"MediaID": {"id": 1}}, {"Category": True}, {"Category": 2.0},
    {"MD5": MD5[:-1] + "g"}, {"MD5": MD5[:15] + " " + MD5[16:]}, {"MD5": "٠" * 32}, {"MD5": MD5 + "0"},
    {"MD5": ["a"]}, {"SHA1": SHA1[:-1] + "\u0430"},
])
def test_bad_values_are_problems_not_entries(bad: dict[str, object]) -> None:
    entries, report = read_vics([{"MD5": MD5, "SHA1": SHA1, "Category": 1, **bad}, {"MD5": MD5}])
    assert [e.md5 for e in entries] == [MD5]
    assert [number for number, _ in report.problems] == [1]


def test_whole_number_media_ids_and_padded_hashes() -> None:
    entries, _ = read_vics([{"MD5": f"  {MD5.upper()} ", "MediaID": 12, "Series": 7},
                            {"MD5": MD5, "MediaID": " x ", "Series": ""}])
    assert [(e.md5, e.label, e.series) for e in entries] == [(MD5, "12", "7"), (MD5, "x", None)]


def test_csv_a_bad_category_is_reported_every_time_and_a_good_one_read_every_time() -> None:
    text = f"md5,category,label\n{MD5},Cat B,1\n{MD5},Cat Z,2\n{MD5},Cat B,3\n{MD5},Cat Z,4\n{MD5}, cat b ,5\n"
    entries, report = read_csv(text)
    assert [(e.label, e.category) for e in entries] == [(str(n), Category(CategoryScheme.UK, "B")) for n in (1, 3, 5)]
    assert [number for number, _ in report.problems] == [3, 5]


def test_csv_blank_and_whitespace_rows_are_skipped_but_a_row_without_hash_is_not() -> None:
    text = f"label,md5,sha1\n \t,  ,\n,,\nx\n{MD5}\n,{MD5}\n , ,{SHA1}\n"
    entries, report = read_csv(text)
    assert [(e.md5, e.sha1) for e in entries] == [(MD5, None), (None, SHA1)]
    assert [number for number, _ in report.problems] == [4, 5]


PDQ = "f0" * 32


@pytest.mark.parametrize(("alternatives", "expected"), [
    ([{"HashName": "PDQ", "HashValue": PDQ.upper()}], PDQ),
    ([{"HashName": "PDQ", "HashValue": f" {PDQ} "}], PDQ),
    ([{"HashName": "PDQ", "HashValue": ""}], None),
    ([{"HashName": "PDQ", "HashValue": None}], None),
    ([{"HashName": "PDQ", "HashValue": PDQ, "Quality": 90}], PDQ),
    ([{"HashName": "pdq", "HashValue": PDQ}], PDQ),
    ([{"hashname": "PDQ", "hashvalue": PDQ}], PDQ),
    ([{"HashName": "PDQ", "HashValue": PDQ}, {"HashName": "PDQ", "HashValue": PDQ}], PDQ),
])
def test_a_lone_pdq_alternative_hash(alternatives: list[object], expected: str | None) -> None:
    entries, report = read_vics([{"MD5": MD5, "AlternativeHashes": alternatives}])
    assert [(e.md5, e.pdq, dict(e.extra)) for e in entries] == [(MD5, expected, {})] and report.skipped == 0


@pytest.mark.parametrize("alternatives", [
    [{"HashName": "PDQ", "HashValue": "zz" * 32}], [{"HashName": "PDQ", "HashValue": PDQ[:-2]}],
    [{"HashName": "PDQ", "HashValue": 7}], [{"HashName": "PDQ", "HashValue": ["a"]}],
    [{"HashName": "PDQ", "HashValue": PDQ}, {"HashName": "PDQ", "HashValue": "0f" * 32}],
])
def test_a_bad_pdq_alternative_hash_is_a_problem(alternatives: list[object]) -> None:
    entries, report = read_vics([{"MD5": MD5, "AlternativeHashes": alternatives}, {"MD5": MD5}])
    assert len(entries) == 1 and [number for number, _ in report.problems] == [1]


def test_a_numeric_category_before_the_profile_is_known_stops_the_read() -> None:
    data = json.dumps({"value": [{"MD5": MD5, "Category": 2}], "@odata.context": "x"}).encode()
    with pytest.raises(FormatError, match="profile"):
        list(VicsFormat(on_problem=ReadReport()).read(io.BytesIO(data)))
