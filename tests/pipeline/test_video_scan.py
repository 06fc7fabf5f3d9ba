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
