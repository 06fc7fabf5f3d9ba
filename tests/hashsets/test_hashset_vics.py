"""VICS JSON: 1.x and 2.0 layouts, Cases holding Media, lenient values, bad records, round trips."""

from __future__ import annotations

import io
import json

import pytest
from hashset_samples import sample_entries

from footprint.errors import FormatError, UsageError
from footprint.hashsets.problems import ReadReport
from footprint.hashsets.vics import CONTEXT_URLS, VicsFormat, write_vics
from footprint.model import Category, CategoryScheme, KnownEntry

MD5 = "0123456789abcdef0123456789abcdef"
SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "ab" * 32
PDQ = "f0" * 32
V1_CONTEXT = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml/US/$metadata#Cases"


def read(document: object | bytes, **options: object) -> list[KnownEntry]:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return list(VicsFormat(**options).read(io.BytesIO(data)))  # type: ignore[arg-type]


def media(**fields: object) -> dict[str, object]:
    return {"MediaID": 1, "MD5": MD5.upper(), **fields}


def test_vics_2_media_layout_with_alternative_hashes() -> None:
    record = media(SHA1=SHA1.upper(), Category=1, Series="S1", VictimIdentified="True",
                   AlternativeHashes=[{"HashName": "PDQ", "HashValue": PDQ.upper()},
                                      {"HashName": "SHA-256", "HashValue": SHA256},
                                      {"HashName": "PhotoDNA", "HashValue": "AbC=="}])
    [entry] = read({"@odata.context": CONTEXT_URLS["us"], "value": [record]})
    assert entry == KnownEntry(md5=MD5, sha1=SHA1, sha256=SHA256, pdq=PDQ,
                               category=Category(CategoryScheme.VICS, "1"), label="1", series="S1",
                               victim_identified=True, extra={"photodna": "AbC=="})


def test_vics_1_cases_holding_media() -> None:
    cases = [{"CaseID": 7, "Media": [media(Category="2", MediaID=i) for i in range(3)], "Name": "x"},
             {"CaseID": 8, "Media": [media(Category=0, VictimIdentified=False)]}]
    entries = read({"odata.metadata": V1_CONTEXT, "value": cases})
    assert [e.label for e in entries] == ["0", "1", "2", "1"]
    assert [e.category for e in entries] == [Category(CategoryScheme.VICS, c) for c in "2220"]
    assert entries[-1].victim_identified is False


def test_mixed_media_and_cases_lose_nothing() -> None:
    value = [media(MediaID=1), {"Media": [media(MediaID=2), media(MediaID=3)]}, media(MediaID=4)]
    assert [e.label for e in read({"@odata.context": "x", "value": value})] == ["1", "2", "3", "4"]
    value = [{"Media": [media(MediaID=1)]}, media(MediaID=2), {"Media": []}, media(MediaID=3)]
    assert [e.label for e in read({"@odata.context": "x", "value": value})] == ["1", "2", "3"]


def test_field_names_in_any_case_and_booleans_as_strings() -> None:
    value = [{"md5": MD5, "victimidentified": "false"}, {"Md5": MD5, "VICTIMIDENTIFIED": "TRUE"},
             {"MD5": MD5, "VictimIdentified": True}, {"MD5": MD5, "VictimIdentified": ""}]
    flags = [e.victim_identified for e in read({"@odata.context": "x", "value": value})]
    assert flags == [False, True, True, None]


def test_uk_profile_reads_numbers_as_uk_categories() -> None:
    value = [media(Category=1), media(Category=3), media(Category=4), media(Category=0)]
    doc = {"@odata.context": CONTEXT_URLS["uk"], "value": value}
    uk = [Category(CategoryScheme.UK, c) for c in "ACN"]
    assert [e.category for e in read(doc)] == [*uk, None]
    assert read(doc, categories="vics")[0].category == Category(CategoryScheme.VICS, "1")


def test_root_keys_in_any_order() -> None:
    data = json.dumps({"value": [media(Category=2)], "@odata.context": CONTEXT_URLS["uk"]}).encode()
    with pytest.raises(FormatError, match="profile"):
        read(data)
    assert read(data, categories="uk")[0].category == Category(CategoryScheme.UK, "B")
    assert read(json.dumps({"value": [media()], "odata.metadata": "x"}).encode())[0].md5 == MD5


def test_bad_record_raises_with_its_number_by_default() -> None:
    value = [media(), media(), media(SHA1="12345")]
    with pytest.raises(FormatError, match=r"record 3: sha1 value '12345' is not 40 hex digits"):
        read({"@odata.context": "x", "value": value})


@pytest.mark.parametrize("bad", [
    {"MD5": "zz" * 16}, {"MD5": MD5[:-1]}, {"SHA1": 12}, {"MediaID": 5}, {"MD5": MD5, "Category": 9},
    {"MD5": MD5, "VictimIdentified": "maybe"}, {"MD5": MD5, "AlternativeHashes": {"HashName": "PDQ"}},
    {"MD5": MD5, "AlternativeHashes": [{"HashName": "pdq", "HashValue": "ab" * 31}]},
    {"MD5": MD5, "SHA256": SHA256, "AlternativeHashes": [{"HashName": "SHA256", "HashValue": "cd" * 32}]},
    {"MD5": MD5, "Series": ["a"]}, "not an object", 42,
])
def test_bad_records_are_skipped_and_counted_when_asked(bad: object) -> None:
    report = ReadReport()
    value = [media(MediaID=1), bad, {"Media": [media(MediaID=3), bad]}, media(MediaID=5)]
    entries = read({"@odata.context": "x", "value": value}, on_problem=report)
    assert [e.label for e in entries] == ["1", "3", "5"]
    assert report.skipped == 2
    assert [number for number, _ in report.problems] == [2, 4]


def test_cases_first_path_skips_bad_records_too() -> None:
    report = ReadReport()
    value = [{"Media": [media(MediaID=1), {"MD5": "x"}]}, {"MD5": "y"}, media(MediaID=4)]
    entries = read({"@odata.context": "x", "value": value}, on_problem=report)
    assert [e.label for e in entries] == ["1", "4"]
    assert [number for number, _ in report.problems] == [2, 3]


@pytest.mark.parametrize("data", [
    b'{"@odata.context": "x", "value": [{"MD5": "' + MD5.encode() + b'"}, {"MD5": "',
    b'{"@odata.context": "x", "value": [{"Media": [{"MD5": "' + MD5.encode() + b'"}, {"MD5"',
    b'{"@odata.context": "x", "value": [{"MD5": "\xff\xfe"}]}',
    b'{"@odata.context": "x", "value": [}',
])
def test_broken_json_is_a_format_error(data: bytes) -> None:
    with pytest.raises(FormatError, match="not valid JSON"):
        read(data)


@pytest.mark.parametrize("document", [[], {"@odata.context": "x"}, {"value": 3}, "text"])
def test_documents_without_a_value_array_are_refused(document: object) -> None:
    with pytest.raises(FormatError, match="not a VICS document"):
        read(document)


def test_byte_order_mark_and_empty_value() -> None:
    assert read(b"\xef\xbb\xbf" + json.dumps({"@odata.context": "x", "value": [media()]}).encode())
    assert read({"@odata.context": "x", "value": []}) == []


def test_sniff() -> None:
    fmt = VicsFormat()
    assert fmt.sniff(b'\xef\xbb\xbf  {"@odata.context": "x", "value": []}')
    assert fmt.sniff(b'{"odata.metadata": "x"')
    assert fmt.sniff(b'{"value": [{"MediaID": 1, "MD5": "' + MD5.encode())
    assert not fmt.sniff(b'{"value": [1, 2]}')
    assert not fmt.sniff(b"md5,category\n")
    assert not fmt.sniff(MD5.encode() + b"\n")


def test_media_and_cases_layouts_give_the_same_entries() -> None:
    entries = sample_entries(400)
    document = json.loads(_written(entries, "us"))
    cases = {"odata.metadata": V1_CONTEXT,
             "value": [{"CaseID": n, "Media": document["value"][n * 100:(n + 1) * 100]} for n in range(4)]}
    assert read(document) == entries
    assert read(cases) == entries


@pytest.mark.parametrize(("profile", "scheme"), [("us", CategoryScheme.VICS), ("uk", CategoryScheme.UK)])
def test_round_trip(profile: str, scheme: CategoryScheme) -> None:
    entries = sample_entries(300, scheme=scheme)
    text = _written(entries, profile)
    document = json.loads(text)
    assert document["@odata.context"] == CONTEXT_URLS[profile]
    assert read(text.encode()) == entries
    assert read(text.encode(), backend="python") == entries


def test_writer_copies_extra_fields_and_refuses_clashes() -> None:
    entry = KnownEntry(md5=MD5, label="0042")
    out = io.StringIO()
    write_vics([(entry, {"MediaSize": 10, "MediaID": 9})], out)
    [record] = json.loads(out.getvalue())["value"]
    assert record == {"MediaSize": 10, "MediaID": 9, "MD5": MD5.upper()}
    out = io.StringIO()
    write_vics([(entry, {})], out)
    assert json.loads(out.getvalue())["value"][0]["MediaID"] == "0042"
    with pytest.raises(UsageError, match="Category"):
        write_vics([(entry, {"Category": 1})], io.StringIO())


def test_writer_refuses_categories_of_the_other_scheme() -> None:
    uk_entry = KnownEntry(md5=MD5, category=Category(CategoryScheme.UK, "A"))
    with pytest.raises(UsageError, match="record 1"):
        write_vics([(uk_entry, {})], io.StringIO(), profile="us")
    with pytest.raises(UsageError):
        write_vics([(uk_entry, {})], io.StringIO(), profile="uk", version="1.3")


def _written(entries: list[KnownEntry], profile: str) -> str:
    out = io.StringIO()
    assert write_vics(((e, {}) for e in entries), out, profile=profile) == len(entries)
    return out.getvalue()
