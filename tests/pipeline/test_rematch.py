"""A re-match of a finished exhibit's stored hashes against a list imported after its scan gives exactly
the matches (and known-good marks) a fresh scan against both lists gives, adds nothing the second time,
records the list as applied by the re-match, keeps matches of a list removed since, refuses an interrupted
exhibit and one held by a scan. Benign generated pictures only."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from footprint.demo import jpeg_bytes, picture, png_bytes
from footprint.errors import EvidenceError
from footprint.model import CategoryScheme, Digests, MatchKind, PerceptualDigest
from footprint.pipeline import rematch as rematch_module
from footprint.pipeline.building import build_hashset
from footprint.pipeline.exclusive import scanning
from footprint.pipeline.importing import import_hashset
from footprint.pipeline.knowngood import import_nsrl
from footprint.pipeline.match import Matcher
from footprint.pipeline.rematch import rematch
from footprint.pipeline.runs import unapplied_lists
from footprint.pipeline.scan import Scanner
from footprint.reports.casereport import gather_report
from footprint.reports.html import render_html
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.base import ItemRecord

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "knowngood"))
from nsrl_db import build_nsrl

BENIGN = b"a benign text file\n"


@pytest.fixture
def setup(sql_url, tmp_path):
    """Evidence folder usb; list 'known' (one MD5); the pictures of list 'later' (built only later);
    a known-good list holding one picture that 'later' also holds."""
    usb, later = tmp_path / "usb", tmp_path / "later"
    usb.mkdir()
    later.mkdir()
    originals = {seed: jpeg_bytes(picture(seed)) for seed in (201, 202, 203, 204, 205)}
    for seed, data in originals.items():
        (later / f"{seed}.jpg").write_bytes(data)
    (usb / "a.txt").write_bytes(BENIGN)
    (usb / "exact.jpg").write_bytes(originals[201])
    (usb / "smaller.jpg").write_bytes(jpeg_bytes(picture(202).resize((320, 240)), quality=70))
    (usb / "turned.jpg").write_bytes(jpeg_bytes(picture(203).transpose(Image.Transpose.ROTATE_90)))
    (usb / "cropped.jpg").write_bytes(jpeg_bytes(picture(204).crop((40, 30, 600, 450))))
    (usb / "good.jpg").write_bytes(originals[205])
    (usb / "flat.png").write_bytes(png_bytes(Image.new("RGB", (200, 200), (128, 128, 128))))
    (usb / "other.jpg").write_bytes(jpeg_bytes(picture(299)))
    (later / "flat.png").write_bytes(png_bytes(Image.new("RGB", (200, 200), (131, 131, 131))))
    known = tmp_path / "known.csv"
    known.write_text(f"MD5,Category\n{hashlib.md5(BENIGN).hexdigest()},A\n")
    store = open_store(sql_url)
    settings = Settings(home=tmp_path / "home", database_url=sql_url, jobs=1)
    import_hashset(store, known, "known")
    import_nsrl(store, settings.home, build_nsrl(tmp_path / "nsrl.db", [usb / "good.jpg"], filler=20), "nsrl")
    for case in ("first", "fresh"):
        store.create_case(case, CategoryScheme.UK)
    yield store, settings, usb, later
    store.close()


def _matches(store, case: str) -> dict[str, list[tuple]]:
    found = {}
    for record in store.iter_items(store.get_case(case).id):
        found[record.ref] = sorted((m.hashset, m.entry_id, m.kind.value, m.algorithm, m.distance, m.label,
                                    str(m.category), json.dumps(dict(m.details), sort_keys=True))
                                   for m in record.matches)
    return found


def _marks(store, case: str) -> dict[str, list[tuple]]:
    return {r.ref: [(k.list_name, k.algorithm, k.conflict) for k in r.known_good]
            for r in store.iter_items(store.get_case(case).id)}


def _exhibit(store, case: str):
    (exhibit,) = store.list_exhibits(store.get_case(case).id)
    return exhibit


def test_rematch_gives_the_matches_of_a_fresh_scan_once_and_records_the_list(setup):
    store, settings, usb, later = setup
    Scanner(store, settings).scan("first", [usb])
    before = _matches(store, "first")
    assert {m[0] for ms in before.values() for m in ms} == {"known"}
    digests = {r.ref: r.digests for r in store.iter_items(store.get_case("first").id)}
    build_hashset(store, later, "later")  # imported after the scan
    assert unapplied_lists(_exhibit(store, "first").details, _describe(store)) == ["later"]

    summary = rematch(store, settings.database_url, "first", user="tester")
    Scanner(store, settings).scan("fresh", [usb])  # the same evidence, both lists there from the start

    rematched, fresh = _matches(store, "first"), _matches(store, "fresh")
    assert rematched == fresh
    found = [m for ms in fresh.values() for m in ms if m[0] == "later"]
    assert {m[2] for m in found} == {MatchKind.EXACT.value, MatchKind.NEAR.value}
    assert any(json.loads(m[7]).get("variant") not in (None, 0) for m in found)  # the rotated copy, by its variant
    assert fresh["usb/flat.png"] == [] and fresh["usb/other.jpg"] == []
    assert {ref for ref, ms in fresh.items() if any(m[0] == "later" for m in ms)} == {
        "usb/exact.jpg", "usb/smaller.jpg", "usb/turned.jpg", "usb/cropped.jpg", "usb/good.jpg"}
    assert _marks(store, "first") == _marks(store, "fresh")
    assert {r.ref: r.digests for r in store.iter_items(store.get_case("first").id)} == digests  # Skipped stays
    assert _marks(store, "first")["usb/good.jpg"] == [("nsrl", "sha256", True)]  # matched now: a conflict

    (done,) = summary.exhibits
    assert (done.name, done.lists, done.items, done.matched_items) == ("usb", ["later"], 8, 5)
    assert done.new_matches == {"later": len(found)} and done.upright_only == 0
    details = _exhibit(store, "first").details
    assert [(h["name"], h.get("how")) for h in details["hash_sets"]] == [("known", None), ("later", "rematch")]
    assert details["hash_sets"][1]["applied"] == details["rematches"][0]["started"]
    assert details["rematches"][0]["new_matches"] == {"later": len(found)}
    assert [k["how"] for k in details["known_good_lists"]] == ["scan", "rematch"]
    assert unapplied_lists(details, _describe(store)) == []

    again = rematch(store, settings.database_url, "first")
    assert [(e.lists, e.items, e.new_matches) for e in again.exhibits] == [([], 0, {})]
    assert _matches(store, "first") == rematched and len(_exhibit(store, "first").details["rematches"]) == 1
    assert sum(1 for _ in store.iter_items(store.get_case("first").id)) == 8


def test_matches_of_a_list_removed_since_stay_and_nothing_is_added_from_it(setup):
    store, settings, usb, later = setup
    Scanner(store, settings).scan("first", [usb])
    build_hashset(store, later, "later")
    rematch(store, settings.database_url, "first")
    kept = _matches(store, "first")
    store.remove_hashset("later")
    assert [e.lists for e in rematch(store, settings.database_url, "first").exhibits] == [[]]
    assert _matches(store, "first") == kept and any(m[0] == "later" for ms in kept.values() for m in ms)


def test_an_interrupted_exhibit_is_refused_and_a_held_one_waits(setup, stop_after_items, tmp_path):
    store, settings, usb, later = setup
    Scanner(store, settings).scan("first", [usb])
    build_hashset(store, later, "later")
    with scanning(settings.database_url, "first", "usb"), pytest.raises(EvidenceError, match="re-matched by another"):
        rematch(store, settings.database_url, "first")
    other = tmp_path / "other"
    other.mkdir()
    for n in range(4):
        (other / f"{n}.txt").write_bytes(b"benign %d\n" % n)
    with pytest.raises(KeyboardInterrupt):
        Scanner(store, settings, stop_after_items(1)).scan("first", [other])
    with pytest.raises(EvidenceError, match="exhibit other of case first was not scanned to the end"):
        rematch(store, settings.database_url, "first")
    assert not any(m[0] == "later" for ms in _matches(store, "first").values() for m in ms)  # nothing changed
    assert [e.name for e in rematch(store, settings.database_url, "first", ["usb"]).exhibits] == ["usb"]


def test_pictures_stored_without_their_rotated_forms_are_counted_as_matched_upright_only():
    store = open_store("memory:")
    case = store.create_case("old", CategoryScheme.UK)
    exhibit = store.add_exhibit(case.id, "usb", "/e/usb", "folder", None, {})
    pdq = PerceptualDigest("pdq", bytes(range(32)).hex(), 90)  # as a scan before variants were kept stored it
    store.save_items(exhibit.id, [ItemRecord("usb/a.jpg", 3, "ok", digests=Digests(3, {"md5": "a" * 32}, {"pdq": pdq})),
                                  ItemRecord("usb/b.txt", 3, "ok", digests=Digests(3, {"md5": "b" * 32}))])
    store.finish_exhibit(exhibit.id, "complete", {}, {"hash_sets": []})
    store.create_hashset("later", "csv", "test")
    (done,) = rematch(store, "memory:", "old").exhibits
    assert (done.lists, done.items, done.upright_only) == (["later"], 2, 1)


def _describe(store):
    return Matcher(store).describe()


def test_next_months_edition_of_a_list_is_applied_though_it_has_as_many_entries(sql_url, tmp_path):
    """A list removed and imported again under its name is another list, even with as many entries: the
    re-match applies it, and the scan's note names it (name, size and threshold alone had called it
    applied, and its new entries never matched)."""
    evidence = tmp_path / "ev"
    evidence.mkdir()
    (evidence / "x.txt").write_bytes(b"benign file x\n" * 100)
    (evidence / "y.txt").write_bytes(b"benign file y\n" * 100)
    store = open_store(sql_url)
    store.create_case("c", CategoryScheme.UK)
    for month, names in (("v1", ["x.txt"]), ("v2", ["y.txt", "x.txt"])):  # the next edition holds both
        edition = tmp_path / f"{month}.csv"
        edition.write_text("MD5,Category\n" + "".join(
            f"{hashlib.md5((evidence / name).read_bytes()).hexdigest()},A\n" for name in names))
        if month == "v2":
            store.remove_hashset("national")
        import_hashset(store, edition, "national")
        if month == "v1":
            Scanner(store, Settings(home=tmp_path / "home", database_url=sql_url, jobs=1)).scan("c", [evidence])
    exhibit = store.list_exhibits(store.get_case("c").id)[0]
    assert unapplied_lists(exhibit.details, Matcher(store).describe()) == ["national"]
    summary = rematch(store, sql_url, "c")
    (done,) = summary.exhibits
    assert done.lists == ["national"] and done.new_matches == {"national": 2}
    assert (done.matched_items, done.also_matched) == (1, 1)  # y found; x, matched by the first edition, again
    items = store.iter_items(store.get_case("c").id)
    matched = {r.ref.rsplit("/", 1)[-1]: [m.hashset for m in r.matches] for r in items}
    assert matched == {"x.txt": ["national", "national"], "y.txt": ["national"]}  # x: once by each edition


def test_an_interrupted_rematch_leaves_its_lists_as_applied_to_part_of_the_items(sql_url, tmp_path, monkeypatch):
    """Matches of the batches done before an interruption stay; the record names the list as matched
    against part of the items (a re-match started, not finished), as the report says, not as unapplied
    beside matches from it; running it again finishes and moves the list among those applied."""
    evidence = tmp_path / "ev"
    evidence.mkdir()
    files = [f"benign file {i}\n".encode() * 50 for i in range(6)]
    for i, data in enumerate(files):
        (evidence / f"{i}.txt").write_bytes(data)
    store = open_store(sql_url)
    store.create_case("c", CategoryScheme.UK)
    settings = Settings(home=tmp_path / "home", database_url=sql_url, jobs=1)
    Scanner(store, settings).scan("c", [evidence])
    later = tmp_path / "later.csv"
    later.write_text("MD5,Category\n" + "".join(f"{hashlib.md5(d).hexdigest()},A\n" for d in files))
    import_hashset(store, later, "later")
    monkeypatch.setattr(rematch_module, "BATCH", 2)
    add_findings, calls = store.add_findings, []

    def interrupted(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return add_findings(*args)

    monkeypatch.setattr(store, "add_findings", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rematch(store, sql_url, "c")
    monkeypatch.setattr(store, "add_findings", add_findings)
    details = _exhibit(store, "c").details
    assert sum(1 for r in store.iter_items(store.get_case("c").id) if r.matches) == 2  # the first batch's
    assert [h["name"] for h in details["hash_sets_partial"]] == ["later"]
    assert details["hash_sets_partial"][0]["how"] == "rematch" and "later" not in str(details.get("hash_sets"))
    report = render_html(gather_report(store, "c", settings, datetime.now(UTC)))
    assert "a re-match of the stored hashes against it started" in " ".join(report.split())
    assert rematch(store, sql_url, "c").exhibits[0].new_matches == {"later": 4}  # the rest, nothing twice
    details = _exhibit(store, "c").details
    assert details["hash_sets_partial"] == [] and [h["name"] for h in details["hash_sets"]] == ["later"]
