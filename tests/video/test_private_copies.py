"""The colour copies a scan and the review keep under FOOTPRINT_HOME (video storyboards, the plain
thumbnail cache) and the case database are readable by their owner only: files 0600, folders 0700,
whatever the umask (here the common 022, which leaves a plain file 0644)."""

from __future__ import annotations

import os
import stat

import pytest
from video_synth import scene, write_video

from footprint.demo import jpeg_bytes, picture
from footprint.pipeline.thumbnails import picture_for
from footprint.settings import Settings
from footprint.store import open_store


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_storyboards_thumbnails_and_the_database_are_private(cli, home, tmp_path, umask_022):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    write_video(evidence / "clip.mp4", scene(seed=3, seconds=3))
    (evidence / "photo.jpg").write_bytes(jpeg_bytes(picture(5)))
    assert cli("case", "create", "c").code == 0
    assert cli("scan", str(evidence), "--case", "c").code == 0
    settings = Settings.from_env()
    store = open_store(settings.database_url)
    case = store.get_case("c")
    for record in store.iter_items(case.id):
        exhibit = store.find_exhibit(case.id, record.exhibit)
        for size in ("small", "large"):
            for blur in (None, 12):  # the plain (colour) copy and the blurred one
                assert picture_for(settings, exhibit, record, size, blur) is not None
    boards = list((home / "storyboards").glob("*.jpg"))
    thumbnails = list((home / "thumbnails").glob("*.jpg"))
    assert len(boards) == 1 and len(thumbnails) == 8
    for folder in (home, home / "storyboards", home / "thumbnails"):
        assert mode(folder) == 0o700, folder
    for file in [*boards, *thumbnails, home / "footprint.db"]:
        assert mode(file) == 0o600, file
    assert not list(home.rglob("*.part"))  # nothing half-written left behind
