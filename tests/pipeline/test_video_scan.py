"""Videos through the whole scan: a reference vPDQ file imports like any list, a re-encoded copy is
found as a near match with both frame shares, and an unrelated video is not."""

from __future__ import annotations


def test_known_video_found_with_its_percentages(cli, tmp_path, reference_data, home):
    videos = reference_data("threatexchange", "tmk", "sample-videos")
    hashes = reference_data("threatexchange", "vpdq", "sample-hashes")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for name in ("chair-22-sd-grey-bar.mp4", "pattern-sd-grey-bar.mp4"):
        (evidence / name.replace(".mp4", ".bin")).write_bytes((videos / name).read_bytes())
    assert cli("case", "create", "v").code == 0
    imported = cli("hashset", "import", str(hashes / "chair-orig-22-sd-bar.txt"), "--name", "chairs")
    assert imported.code == 0, imported.stderr
    assert cli("hashset", "show", "chairs").json()["format"] == "vpdq"
    scanned = cli("scan", str(evidence), "--case", "v")
    assert scanned.code == 0, scanned.stderr
    items = {i["ref"]: i for i in cli("export", "v", "--format", "jsonl").jsonl()}
    chair = items["evidence/chair-22-sd-grey-bar.bin"]
    assert chair["media_type"].startswith("video/")
    (match,) = chair["matches"]
    assert match["kind"] == "near" and match["algorithm"] == "vpdq" and match["hashset"] == "chairs"
    assert match["details"]["query_percent"] >= 80
    assert 0 <= match["details"]["target_percent"] <= 100
    assert items["evidence/pattern-sd-grey-bar.bin"]["matches"] == []
    for item in (chair, items["evidence/pattern-sd-grey-bar.bin"]):  # a storyboard for each video
        sheet = home / "storyboards" / f"{item['sha256']}.jpg"
        assert sheet.read_bytes()[:2] == b"\xff\xd8"
    report = tmp_path / "report.html"
    assert cli("report", "v", "-o", str(report)).code == 0
    assert "vpdq" in report.read_text() and "% of frames" in report.read_text()


def test_a_list_built_from_a_folder_holding_a_video_finds_its_copies(cli, tmp_path, reference_data):
    """hashset build records a video's vPDQ frames, as a vPDQ list does: a re-encoded copy (grey) is found
    as a near match of the built list, an unrelated video is not."""
    videos = reference_data("threatexchange", "tmk", "sample-videos")
    known, evidence = tmp_path / "known", tmp_path / "evidence"
    known.mkdir(), evidence.mkdir()
    (known / "chair.mp4").write_bytes((videos / "chair-orig-22-sd-bar.mp4").read_bytes())
    for name in ("chair-22-sd-grey-bar.mp4", "pattern-sd-grey-bar.mp4"):
        (evidence / name).write_bytes((videos / name).read_bytes())
    built = cli("hashset", "build", str(known), "--name", "built")
    assert built.code == 0 and "1 videos with vPDQ frames" in " ".join(built.stderr.split())
    assert cli("case", "create", "v").code == 0
    assert cli("scan", str(evidence), "--case", "v", "-q").code == 0
    items = {i["ref"]: i for i in cli("export", "v", "--format", "jsonl").jsonl()}
    (match,) = items["evidence/chair-22-sd-grey-bar.mp4"]["matches"]
    assert (match["kind"], match["algorithm"], match["hashset"]) == ("near", "vpdq", "built")
    assert match["label"] == "chair.mp4"
    assert items["evidence/pattern-sd-grey-bar.mp4"]["matches"] == []
