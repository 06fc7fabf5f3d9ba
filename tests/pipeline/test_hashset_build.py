"""footprint hashset build: a list built from a folder of benign pictures, shared as VICS, imported by
another installation, finds a captioned, a cropped and a mirrored captioned copy by the region
signature; flat and unrelated pictures match nothing; a list with only a full-frame PDQ still works; a
scan told to skip the region signature (`--skip pdq-regions`) records and reports it, and finds none of
the edited copies."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hashers"))
from hasher_pictures import picture

from footprint.matching.regions import AGREE_DISTANCE
from footprint.settings import Settings
from footprint.store import open_store


def _caption(image: Image.Image) -> Image.Image:
    out = image.copy()
    ImageDraw.Draw(out).rectangle((0, 0, out.width, int(out.height * 0.3)), fill="white")  # PDQ 44 bits off
    return out


def _known_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "known"
    (folder / "sub").mkdir(parents=True)
    picture(800, 600, seed=21).save(folder / "a.png")
    picture(900, 500, seed=22).save(folder / "sub" / "b.png")
    Image.new("RGB", (640, 480), (120, 120, 120)).save(folder / "flat.png")
    (folder / "notes.txt").write_text("not a picture")
    return folder


def _evidence(tmp_path: Path) -> Path:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    _caption(picture(800, 600, seed=21)).save(evidence / "captioned.png")
    ImageOps.mirror(_caption(picture(800, 600, seed=21))).save(evidence / "mirrored.png")
    picture(900, 500, seed=22).crop((200, 0, 700, 500)).save(evidence / "square.png")  # 16:9 to 1:1
    picture(800, 600, seed=40).save(evidence / "unrelated.png")
    ramp = np.linspace(0, 255, 640)[None, :].repeat(480, 0)
    Image.fromarray(np.stack([ramp] * 3, -1).astype(np.uint8)).save(evidence / "gradient.png")
    Image.new("RGB", (640, 480), (118, 121, 119)).save(evidence / "flat.png")  # not the same file
    return evidence


def test_build_share_import_and_match_edited_copies(cli, tmp_path, monkeypatch):
    shared = tmp_path / "shared.json"
    built = cli("hashset", "build", str(_known_folder(tmp_path)), "--name", "mine", "--category", "a",
                "--vics", str(shared))
    assert built.code == 0, built.stderr
    assert "4 files, 3 with a picture signature" in built.stderr
    records = {r["MediaID"]: r for r in json.loads(shared.read_text())["value"]}
    assert set(records) == {"a.png", "sub/b.png", "flat.png", "notes.txt"}
    names = {h["HashName"] for h in records["a.png"]["AlternativeHashes"]}
    assert {"PDQ", "footprint-pdq-region-full", "footprint-pdq-region-center", "footprint-pdq-region-tl"} <= names
    assert "PDQ" not in {h["HashName"] for h in records["flat.png"]["AlternativeHashes"]}  # degenerate: no PDQ
    assert records["a.png"]["Category"] == 1  # UK A as VICS uk-numeric

    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path / "elsewhere"))  # another installation
    assert cli("hashset", "import", str(shared), "--name", "theirs").code == 0
    assert cli("case", "create", "c").code == 0
    scanned = cli("scan", str(_evidence(tmp_path)), "--case", "c")
    assert scanned.code == 0, scanned.stderr
    items = {Path(i["ref"]).name: i for i in cli("export", "c", "--format", "jsonl").jsonl()}
    for name in ("captioned.png", "square.png", "mirrored.png"):
        (match,) = items[name]["matches"]
        assert match["hashset"] == "theirs" and match["algorithm"] == "pdq-regions", match
        assert match["details"]["path"] in {"reframed", "corners", "regions"}
        assert match["details"]["regions"] and match["distance"] <= AGREE_DISTANCE
        assert match["label"] == ("sub/b.png" if name == "square.png" else "a.png")
        assert match["details"].get("mirrored", False) == (name == "mirrored.png")  # found by its mirrored form
    for name in ("unrelated.png", "gradient.png", "flat.png"):
        assert items[name]["matches"] == [], name


def test_list_with_only_full_pdq_still_matches(cli, tmp_path):
    image = picture(800, 600, seed=23)
    known = tmp_path / "known"
    known.mkdir()
    image.save(known / "k.png")
    assert cli("hashset", "build", str(known), "--name", "mine", "--vics", str(tmp_path / "l.json")).code == 0
    document = json.loads((tmp_path / "l.json").read_text())
    for record in document["value"]:
        record["AlternativeHashes"] = [h for h in record["AlternativeHashes"] if h["HashName"] == "PDQ"]
        record.pop("SHA1"), record.pop("MD5")
    (tmp_path / "plain.json").write_text(json.dumps(document))
    assert cli("hashset", "import", str(tmp_path / "plain.json"), "--name", "plain").code == 0
    assert cli("hashset", "remove", "mine").code == 0
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image.resize((400, 300)).save(evidence / "small.jpg", quality=80)
    assert cli("case", "create", "c").code == 0
    assert cli("scan", str(evidence), "--case", "c").code == 0
    (item,) = cli("export", "c", "--format", "jsonl").jsonl()
    (match,) = item["matches"]
    assert match["algorithm"] == "pdq" and match["hashset"] == "plain"


def test_a_scan_told_to_skip_the_region_signature_records_it_and_finds_no_edited_copy(cli, tmp_path, monkeypatch):
    """`footprint scan --skip pdq-regions`: the pictures keep MD5, SHA-1, SHA-256 and PDQ but get no region
    signature, so the edited copies that only the region signature finds (the test above) are not found;
    the run, the stderr and the case report say what was left out."""
    assert cli("hashset", "build", str(_known_folder(tmp_path)), "--name", "mine", "--vics",
               str(tmp_path / "shared.json")).code == 0
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path / "elsewhere"))
    assert cli("hashset", "import", str(tmp_path / "shared.json"), "--name", "theirs").code == 0
    assert cli("case", "create", "c").code == 0
    scanned = cli("scan", str(_evidence(tmp_path)), "--case", "c", "--skip", "pdq-regions", "--quiet")
    assert scanned.code == 0, scanned.stderr
    assert "not computed in this scan: pdq-regions" in scanned.stderr
    items = {Path(i["ref"]).name: i for i in cli("export", "c", "--format", "jsonl").jsonl()}
    for name in ("captioned.png", "square.png", "mirrored.png", "unrelated.png"):
        assert items[name]["matches"] == [] and items[name]["pdq"], name
    store = open_store(Settings.from_env().database_url)
    try:
        case = store.get_case("c")
        pictures = [r for r in store.iter_items(case.id) if r.digests and "pdq" in r.digests.perceptual]
        assert len(pictures) >= 6 and not any("pdq-regions" in r.digests.perceptual for r in pictures)
        (exhibit,) = store.list_exhibits(case.id)
        (run,) = exhibit.details["runs"]
        assert run["hashers"] == ["md5", "sha1", "sha256", "pdq"] and run["skipped_hashers"] == ["pdq-regions"]
    finally:
        store.close()
    report = tmp_path / "report.html"
    assert cli("report", "c", "-o", str(report)).code == 0
    html = report.read_text()
    assert "md5, sha1, sha256, pdq" in html and "not computed (footprint scan --skip): pdq-regions" in html


@pytest.mark.parametrize("skip", [["nope"], ["pdq", "pdq-regions"]])
def test_skip_takes_only_a_perceptual_hash_and_keeps_one(cli, tmp_path, skip):
    assert cli("case", "create", "c").code == 0
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    picture(320, 240, seed=3).save(evidence / "p.png")
    result = cli("scan", str(evidence), "--case", "c", *[f"--skip={name}" for name in skip])
    assert result.code == 2 and result.stderr.count("\n") == 1 and "pdq, pdq-regions" in result.stderr
    assert "md5" not in result.stderr  # only perceptual hashes can be left out
