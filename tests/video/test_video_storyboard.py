"""Storyboards: key frames chosen from the vPDQ hash, laid out with timestamps; blurred greyscale view."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from footprint.hashers.vpdq import VideoFrame, VpdqHasher
from footprint.reports.storyboard import (
    blur_greyscale,
    choose_key_frames,
    format_timestamp,
    make_storyboard,
    storyboard_for_video,
)


def _frame(n: int, pdq: str) -> VideoFrame:
    return VideoFrame(n, 100, pdq, float(n))


def test_key_frames_prefer_cuts_then_spread() -> None:
    a, b = "0" * 64, "f" * 64  # 256 bits apart: a cut
    frames = [_frame(n, a if n < 7 else b) for n in range(20)]
    chosen = choose_key_frames(frames, count=4)
    numbers = [f.number for f in chosen]
    assert numbers[0] == 0 and 7 in numbers and len(numbers) == 4 and numbers == sorted(numbers)
    assert choose_key_frames(frames[:2], count=12) == frames[:2]
    assert choose_key_frames([], count=5) == []


def test_contact_sheet_layout() -> None:
    pictures = [(float(t), np.full((90, 120, 3), 40 * t, np.uint8)) for t in range(6)]
    sheet = Image.open(io.BytesIO(make_storyboard(pictures, columns=4, thumb=100)))
    assert sheet.format == "JPEG" and sheet.size == (400, 2 * (100 + 18))
    # the third thumbnail is drawn in its cell (centred, 100x75), its colour kept
    pixel = np.asarray(sheet.convert("RGB"))[50, 250]
    assert np.allclose(pixel, 80, atol=12)
    with pytest.raises(ValueError):
        make_storyboard([])


def test_timestamps_format() -> None:
    assert format_timestamp(0) == "0:00.0"
    assert format_timestamp(75.25) == "1:15.2" or format_timestamp(75.25) == "1:15.3"
    assert format_timestamp(3725) == "1:02:05.0"


def test_storyboard_of_a_video(synthetic) -> None:
    digest = VpdqHasher().hash_video(synthetic["whole"])
    data = storyboard_for_video(synthetic["whole"], digest, count=8, columns=4, thumb=80)
    assert data is not None
    sheet = Image.open(io.BytesIO(data))
    assert sheet.size == (4 * 80, 2 * (80 + 18))
    assert np.asarray(sheet.convert("L")).std() > 20  # real pictures, not an empty sheet


def test_blur_greyscale() -> None:
    rng = np.random.default_rng(1)
    noisy = Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    blurred = Image.open(io.BytesIO(blur_greyscale(out.getvalue(), radius=6)))
    assert blurred.mode == "L" and blurred.size == (64, 64)
    assert np.asarray(blurred).std() < np.asarray(noisy.convert("L")).std() / 3
