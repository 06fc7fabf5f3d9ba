"""Bad evidence is data: broken, hostile or non-video files give ItemError or a warning, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np
import pytest
from video_synth import scene, write_audio_only, write_video

from footprint.errors import ItemError
from footprint.hashers.video_decode import VideoReader, scaled_size
from footprint.hashers.vpdq import VpdqHasher


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    audio = write_audio_only(tmp_path / "tone.mka")
    with pytest.raises(ItemError, match="no video stream"):
        VpdqHasher().hash_video(audio)


def test_random_bytes_named_mp4(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(5).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    with pytest.raises(ItemError):
        VpdqHasher().hash_video(junk)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(ItemError):
        VpdqHasher().hash_video(empty)


def test_truncated_mp4_without_its_index(tmp_path: Path) -> None:
    """MP4 written by a muxer keeps its index at the end: cut short, nothing can be located."""
    whole = write_video(tmp_path / "v.mp4", scene(3, 6))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ItemError):
        VpdqHasher().hash_video(cut)


def test_truncated_streamable_video_gives_what_decoded(tmp_path: Path) -> None:
    whole = write_video(tmp_path / "v.ts", scene(3, 8, fps=25), codec="mpeg2video", fps=25)
    full = VpdqHasher().hash_video(whole)
    cut = tmp_path / "cut.ts"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    partial = VpdqHasher().hash_video(cut)
    assert 0 < len(partial.frames) < len(full.frames)
    assert partial.frames == full.frames[: len(partial.frames)] or partial.frames[:-1] == \
        full.frames[: len(partial.frames) - 1]


def test_corrupt_middle_gives_frames_and_a_warning(tmp_path: Path) -> None:
    whole = write_video(tmp_path / "v.ts", scene(4, 8, fps=25), codec="mpeg2video", fps=25)
    data = bytearray(whole.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 20_000] = np.random.default_rng(9).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    broken = tmp_path / "broken.ts"
    broken.write_bytes(bytes(data))
    digest = VpdqHasher().hash_video(broken)
    assert len(digest.frames) >= 4
    assert digest.warnings and all(w.startswith("video:") for w in digest.warnings)


def test_absurd_dimensions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.mov"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = 17000, 2, "rgb24"
        frame = av.VideoFrame.from_ndarray(np.zeros((2, 17000, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    with pytest.raises(ItemError, match="absurd dimensions"):
        VpdqHasher().hash_video(path)


def test_unseekable_stream_is_an_item_error(tmp_path: Path) -> None:
    whole = write_video(tmp_path / "v.mp4", scene(3, 2))
    read_end, write_end = os.pipe()
    with open(read_end, "rb") as pipe, open(write_end, "wb") as writer:
        writer.write(whole.read_bytes()[:1000])
        writer.close()
        with pytest.raises(ItemError, match="not seekable"):
            VideoReader(pipe)


def test_scaled_size_shrinks_by_whole_factors() -> None:
    assert scaled_size(1920, 1080, 720) == (640, 360)
    assert scaled_size(1280, 720, 1280) == (1280, 720)
    assert scaled_size(1280, 720, 720) == (640, 360)
    assert scaled_size(1080, 1080, 720) == (540, 540)
    assert scaled_size(640, 480, None) == (640, 480)
