"""Bytes appended to an MP4 (a picture, another video) are said on the item and read as an item of their
own, as bytes appended to a picture are; a video cut short, or padded, is no video with bytes appended."""

from __future__ import annotations

import hashlib
from pathlib import Path

from video_synth import scene, write_video

from footprint.demo import jpeg_bytes, picture
from footprint.model import ItemRef
from footprint.pipeline.fetch import read_item
from footprint.sources.base import Limits


def test_bytes_after_a_video_are_said_and_read(cli, tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", scene(seed=3, seconds=2)).read_bytes()
    avi = write_video(tmp_path / "v.avi", scene(seed=4, seconds=2), codec="mpeg4").read_bytes()
    hidden = jpeg_bytes(picture(91))
    evidence = tmp_path / "ev"
    evidence.mkdir()
    (evidence / "holiday.mp4").write_bytes(video + hidden)
    (evidence / "old.avi").write_bytes(avi + hidden)
    (evidence / "cut.avi").write_bytes(avi[: len(avi) // 2])
    (evidence / "cut.mp4").write_bytes(video[: len(video) * 2 // 3])
    (evidence / "padded.mp4").write_bytes(video + b"\0" * 4096)
    (tmp_path / "known.csv").write_text(f"sha256,label,category\n{hashlib.sha256(hidden).hexdigest()},p91,A\n")
    cli("case", "create", "v")
    assert cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known").code == 0
    assert cli("scan", str(evidence), "--case", "v").code == 0
    items = {i["ref"]: i for i in cli("export", "v", "--format", "jsonl").jsonl()}
    tail = f"ev/holiday.mp4!content@0x{len(video):x}"
    assert items[tail]["matches"][0]["label"] == "p91" and items[tail]["state"] == "carved"
    assert any(w.startswith(f"{len(hidden)} bytes follow the end of the video/mp4 video (from byte {len(video)}): "
                            f"image/jpeg, at content@0x{len(video):x}") for w in items["ev/holiday.mp4"]["warnings"])
    assert items[f"ev/old.avi!content@0x{len(avi):x}"]["matches"][0]["label"] == "p91"
    assert not [ref for ref in items if ref.startswith(("ev/cut.mp4!", "ev/padded.mp4!", "ev/cut.avi!"))]
    assert not [w for ref in ("ev/cut.mp4", "ev/padded.mp4", "ev/cut.avi") for w in items[ref]["warnings"]
                if "bytes follow" in w]
    assert read_item(evidence, ItemRef.parse(tail), Limits()) == hidden  # as the review pages fetch it


def test_bytes_after_a_matroska_webm_flv_or_asf_video_are_said_and_read(cli, tmp_path: Path) -> None:
    """The other containers a seized device holds: Matroska and WebM (EBML: the Segment's declared size),
    FLV (tags, each followed by the previous tag's size) and ASF/WMV (header, data and index objects)."""
    hidden = jpeg_bytes(picture(92))
    evidence = tmp_path / "ev"
    evidence.mkdir()
    videos = {}
    for name, codec in (("a.mkv", "libx264"), ("b.webm", "libvpx"), ("c.flv", "flv"), ("d.wmv", "wmv2")):
        videos[name] = write_video(tmp_path / name, scene(seed=5, seconds=2), codec=codec).read_bytes()
        (evidence / name).write_bytes(videos[name] + hidden)
        (evidence / f"cut-{name}").write_bytes(videos[name][: len(videos[name]) * 2 // 3])
        (evidence / f"padded-{name}").write_bytes(videos[name] + b"\0" * 2048)
    (evidence / "two.mkv").write_bytes(videos["a.mkv"] + videos["a.mkv"])  # a second file behind the first
    cli("case", "create", "w")
    assert cli("scan", str(evidence), "--case", "w").code == 0
    items = {i["ref"]: i for i in cli("export", "w", "--format", "jsonl").jsonl()}
    for name, video in videos.items():
        tail = f"ev/{name}!content@0x{len(video):x}"
        assert items[tail]["sha256"] == hashlib.sha256(hidden).hexdigest() and items[tail]["state"] == "carved"
        assert any("bytes follow the end of the" in w and f"(from byte {len(video)})" in w
                   for w in items[f"ev/{name}"]["warnings"]), name
        assert read_item(evidence, ItemRef.parse(tail), Limits()) == hidden
    assert items[f"ev/two.mkv!content@0x{len(videos['a.mkv']):x}"]["sha256"] == hashlib.sha256(
        videos["a.mkv"]).hexdigest()
    assert not [ref for ref in items if ref.startswith(("ev/cut-", "ev/padded-")) and "!" in ref]
