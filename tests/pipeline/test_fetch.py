"""Items read back from their evidence by ref (folder, zip, tar in zip, disk image), their bytes
checked against the scan's SHA-256; review pictures made from them and cached."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from footprint.demo import jpeg_bytes, picture
from footprint.errors import EvidenceError, NotFound
from footprint.model import ItemRef
from footprint.pipeline.fetch import read_item
from footprint.pipeline.thumbnails import picture_for
from footprint.settings import Settings
from footprint.sources.base import Limits
from footprint.store import open_store
from sources.disk.images import fat_image

LIMITS = Limits()


def _exported(cli, case: str) -> dict[str, dict]:
    return {i["ref"]: i for i in cli("export", case, "--format", "jsonl").jsonl()}


def test_every_demo_item_reads_back_with_its_hash(cli, demo_scanned):
    items = _exported(cli, "demo")
    readable = [i for i in items.values() if i["sha256"]]
    assert {i["ref"].count("!") for i in readable} == {0, 1, 2}  # folder, zip member, tar in zip
    for item in readable:
        data = read_item(demo_scanned.evidence, ItemRef.parse(item["ref"]), LIMITS, sha256=item["sha256"])
        assert hashlib.sha256(data).hexdigest() == item["sha256"]


def test_nested_archive_member(demo_case):
    ref = ItemRef.parse("evidence/Downloads.zip!more.tar.gz!deep/copy.jpg")
    data = read_item(demo_case.evidence, ref, LIMITS)
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_unknown_ref_is_not_found(demo_case):
    for text in ("evidence/Pictures/absent.jpg", "evidence/Downloads.zip!holiday/absent.jpg",
                 "evidence/Pictures/holiday-001.jpg!inner", "other/Pictures/holiday-001.jpg",
                 "evidence/../evidence/Pictures/holiday-001.jpg"):
        with pytest.raises(NotFound):
            read_item(demo_case.evidence, ItemRef.parse(text), LIMITS)


def test_changed_bytes_are_refused(demo_case):
    ref = ItemRef.parse("evidence/Pictures/holiday-001.jpg")
    with pytest.raises(EvidenceError, match="changed"):
        read_item(demo_case.evidence, ref, LIMITS, sha256="0" * 64)


def test_too_large_is_refused(demo_case):
    with pytest.raises(EvidenceError, match="more than"):
        read_item(demo_case.evidence, ItemRef.parse("evidence/Downloads.zip!holiday/1.jpg"), LIMITS, max_size=100)


@pytest.fixture
def fat_exhibit(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    files = {"DCIM/LIVE.JPG": jpeg_bytes(picture(21)), "GONE.JPG": jpeg_bytes(picture(22))}
    return fat_image(tmp_path / "card.dd", files, delete=("GONE.JPG",)), files


def test_disk_image_live_and_deleted_items(cli, fat_exhibit):
    image, files = fat_exhibit
    assert cli("case", "create", "card").code == 0
    assert cli("scan", str(image), "--case", "card").code == 0
    by_sha = {i["sha256"]: i for i in _exported(cli, "card").values() if i["sha256"]}
    for blob in files.values():
        item = by_sha[hashlib.sha256(blob).hexdigest()]
        assert item["ref"].startswith("card.dd!")
        assert read_item(image, ItemRef.parse(item["ref"]), LIMITS, sha256=item["sha256"]) == blob
    assert {by_sha[hashlib.sha256(b).hexdigest()]["state"] for b in files.values()} == {"allocated", "deleted"}


def test_review_pictures_made_once_and_cached(cli, home, demo_scanned):
    settings = Settings.from_env()
    store = open_store(settings.database_url)
    case = store.get_case("demo")
    (exhibit,) = store.list_exhibits(case.id)
    records = {r.ref: r for r in store.iter_items(case.id)}
    record = records["evidence/Downloads.zip!holiday/2.png"]
    path = picture_for(settings, exhibit, record)
    assert path == home / "thumbnails" / f"{record.digests.crypto['sha256']}.jpg"
    with Image.open(path) as shown:
        assert max(shown.size) == 320 and shown.format == "JPEG"
    before = path.stat().st_mtime_ns
    assert picture_for(settings, exhibit, record) == path and path.stat().st_mtime_ns == before
    large = picture_for(settings, exhibit, record, "large")
    with Image.open(large) as shown:
        assert max(shown.size) == 400  # never enlarged beyond the picture itself
    assert picture_for(settings, exhibit, records["evidence/Downloads.zip"]) is None
    assert picture_for(settings, exhibit, records["evidence/Broken/random.jpg"]) is None


def test_a_video_is_shown_as_its_storyboard(cli, home, tmp_path):
    from video.video_synth import scene, write_video

    evidence = tmp_path / "clips"
    evidence.mkdir()
    write_video(evidence / "clip.mp4", scene(5, 6.0))
    assert cli("case", "create", "clips").code == 0
    assert cli("scan", str(evidence), "--case", "clips").code == 0
    settings = Settings.from_env()
    store = open_store(settings.database_url)
    case = store.get_case("clips")
    (exhibit,) = store.list_exhibits(case.id)
    (record,) = store.iter_items(case.id)
    sha256 = record.digests.crypto["sha256"]
    board = home / "storyboards" / f"{sha256}.jpg"
    assert record.digests.media_type.startswith("video/") and board.exists()
    made = picture_for(settings, exhibit, record, "large")
    with Image.open(made) as shown, Image.open(board) as original:
        assert shown.size == original.size or max(shown.size) == 1024  # the storyboard, reduced at most
    board.unlink()
    assert picture_for(settings, exhibit, record) is None  # no storyboard: nothing is played instead
