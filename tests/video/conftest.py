"""Fixtures of the video tests: the reference sample videos hashed once per session, and small
benign synthetic videos generated with PyAV."""

from __future__ import annotations

from pathlib import Path

import pytest
from video_synth import cut, scene, write_video

from footprint.hashers.vpdq import VideoDigest, VideoFrame, VpdqHasher, frames_from_text

THREATEXCHANGE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "threatexchange"
SAMPLE_VIDEOS = THREATEXCHANGE / "tmk" / "sample-videos"
SAMPLE_HASHES = THREATEXCHANGE / "vpdq" / "sample-hashes"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (see ../shared/data/README.md)")
    return path


@pytest.fixture(scope="session")
def sample_digests() -> dict[str, VideoDigest]:
    """Every sample video hashed with the defaults (1 fps, shrunk to 720 px, pruning off so frame
    numbers line up with the reference's every-frame files)."""
    hasher = VpdqHasher(prune_distance=None)
    return {p.stem: hasher.hash_video(p) for p in sorted(_need(SAMPLE_VIDEOS).glob("*.mp4"))}


@pytest.fixture(scope="session")
def reference_hashes() -> dict[str, tuple[VideoFrame, ...]]:
    """The reference's full-size every-frame hashes, by video name."""
    return {p.stem: frames_from_text(p.read_text()) for p in sorted(_need(SAMPLE_HASHES).glob("*.txt"))
            if not p.stem.endswith("-128x128")}


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 20 s benign video, a 5 s clip cut out of its middle and re-encoded with another codec and
    container, and an unrelated video of the same kind."""
    folder = tmp_path_factory.mktemp("videos")
    whole = write_video(folder / "whole.mp4", scene(seed=1, seconds=20))
    return {
        "whole": whole,
        "clip": cut(whole, folder / "clip.avi", start=7.5, end=12.5, codec="mpeg4"),
        "other": write_video(folder / "other.flv", scene(seed=2, seconds=20), codec="flv"),
    }
