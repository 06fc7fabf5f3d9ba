"""The region signature's working copy (hashers.resample) is Image.thumbnail's, byte for byte: footprint's
C resize is built and in use, and gives Pillow's bytes on grey and colour pictures of every shape class
(wide, tall enough that Pillow runs its passes the other way round, tiny, one side kept, a picture that
fits already, one that Pillow box-reduces first), colour ones also with their pixels four bytes apart, its
pass along the rows both in AVX2 lanes and in scalar code; the size is Pillow's; without the C part, the
same."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from footprint.hashers import resample

SIDE = 384


def pillows(pixels: np.ndarray, side: int = SIDE) -> np.ndarray:
    work = Image.fromarray(pixels)
    work.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(work)


def shapes() -> list[tuple[int, int]]:
    """(width, height): the scan's usual working sizes, then random ones of every class."""
    rng = np.random.default_rng(384)
    fixed = [(1000, 750), (750, 1000), (816, 612), (500, 375), (385, 100), (100, 385), (1535, 40), (40, 1535),
             (384, 384), (385, 385), (383, 2000), (1600, 1200), (3000, 200), (7, 900)]
    return fixed + [(int(w), int(h)) for w, h in rng.integers(5, 1600, (60, 2))]


def test_footprints_resize_is_built_and_in_use() -> None:
    assert resample._own() is not None, "hashers/_resample.c was not built, or disagreed with Pillow"


@pytest.mark.parametrize("grey", [True, False], ids=["grey", "rgb"])
def test_thumbnail_is_pillows_byte_for_byte(grey: bool, lanes: str) -> None:
    rng = np.random.default_rng(7 if grey else 8)
    for width, height in shapes():
        pixels = rng.integers(0, 256, (height, width) if grey else (height, width, 3), dtype=np.uint8)
        ours = resample.thumbnail(pixels, SIDE)
        assert ours.dtype == np.uint8 and np.array_equal(ours, pillows(pixels)), (width, height)
        if not grey:  # RGB in four bytes a pixel, as Pillow lends it (hashers.lent)
            spaced = np.dstack([pixels, pixels[:, :, :1]])[:, :, :3]
            assert np.array_equal(resample.thumbnail(spaced, SIDE), pillows(pixels)), (width, height)


def test_smooth_pictures_and_flat_ones_too(lanes: str) -> None:
    """Real pictures are smooth, with flat bars: the clamping at 0 and 255 and the rounding show there."""
    y, x = np.mgrid[0:700, 0:1000]
    smooth = np.stack([x * 255 // 999, y * 255 // 699, (x + y) % 256], axis=2).astype(np.uint8)
    flat = np.full((800, 450, 3), 255, np.uint8)
    flat[:, :100] = 0
    for pixels in (smooth, flat, np.ascontiguousarray(smooth[:, :, 0])):
        assert np.array_equal(resample.thumbnail(pixels, SIDE), pillows(pixels))


def test_thumbnail_size_is_pillows() -> None:
    rng = np.random.default_rng(11)
    sizes = [(w, h) for w, h in rng.integers(1, 3000, (300, 2))] + [(385, 1), (1, 385), (384, 385), (3000, 2999)]
    for width, height in sizes:
        for side in (SIDE, 64):
            work = Image.new("L", (int(width), int(height)))
            work.thumbnail((side, side))
            expected = None if work.size == (width, height) else work.size
            assert resample.thumbnail_size(int(width), int(height), side) == expected, (width, height, side)


def test_the_picture_itself_is_left_alone() -> None:
    pixels = np.random.default_rng(3).integers(0, 256, (600, 800, 3), dtype=np.uint8)
    before = pixels.copy()
    assert resample.thumbnail(pixels, SIDE).shape == (288, 384, 3)
    assert np.array_equal(pixels, before)


def test_without_the_c_part_pillow_does_it(monkeypatch: pytest.MonkeyPatch) -> None:
    pixels = np.random.default_rng(5).integers(0, 256, (900, 500, 3), dtype=np.uint8)
    monkeypatch.setattr(resample, "_own", lambda: None)
    assert np.array_equal(resample.thumbnail(pixels, SIDE), pillows(pixels))


def test_a_pass_order_that_is_not_pillows_is_refused() -> None:
    """The self-check tells the two pass orders apart: the one the installed Pillow does not use fails it."""
    function = resample.c_resize()
    assert function is not None
    results = [all(resample._agrees(resample._resize(function, order), check, grey)
                    for check in resample.CHECKS for grey in (True, False)) for order in resample.PASS_ORDERS]
    assert results.count(True) == 1
