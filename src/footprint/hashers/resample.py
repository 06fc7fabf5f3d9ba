"""The region signature's working copy of a picture: what ``Image.thumbnail((side, side), BILINEAR)``
makes of it, byte for byte, in a fifth of Pillow's time where footprint's C is built.

Pillow resizes one pixel at a time. footprint's build (``_resample.c``) computes the same integer weights
in the same way and runs the same integer sums eight rows or a whole row at a time (in AVX2 vectors where
the CPU has them): the working copy of a 1008x756 picture in 0.80 ms against Pillow's 4.41, of an 816x612
one in 0.63 against 3.21 (`bench/bench_pdq.py`, 2026-11-29; Pillow's from an image copy as the region
signature made it before; before the vectors, 2.84 and 1.47 ms in the same half hour). Which of the two
passes Pillow runs first has changed between its versions (since 13 it runs down the columns first when
the height shrinks by more than twice the width), and the result depends on it: so the rule is not
assumed but found, on first use, by comparing both known rules with the installed Pillow on test
pictures that tell them apart. If neither gives Pillow's bytes, or the C part was not built, or Pillow
would box-reduce the picture first (a side shrunk 4 times or more), Pillow does the work: slower, never
different.
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from PIL import Image

from footprint.hashers.pdq_native import check_pattern

REDUCING_GAP = 2.0  # Image.thumbnail's default: beyond it Pillow box-reduces before resampling


def thumbnail(pixels: np.ndarray, side: int) -> np.ndarray:
    """A grey (rows x columns) or RGB (rows x columns x 3) uint8 picture as Image.thumbnail((side, side),
    BILINEAR) leaves it; ``pixels`` themselves are not changed."""
    height, width = pixels.shape[:2]
    size = thumbnail_size(width, height, side)
    if size is None:
        return pixels
    own = _own()
    if own is not None and _resampled_alone((width, height), size):
        return own(pixels, size)
    work = Image.fromarray(pixels)
    work.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(work)


def thumbnail_size(width: int, height: int, side: int) -> tuple[int, int] | None:
    """The size Image.thumbnail((side, side)) gives a width x height picture (the aspect ratio kept,
    each side rounded the way that keeps it best), or None when it fits already."""
    if side >= width and side >= height:
        return None
    aspect = width / height
    if aspect <= 1:  # the height is the longer side: the width follows
        return _rounded(side * aspect, lambda n: abs(aspect - n / side)), side
    return side, _rounded(side / aspect, lambda n: 0 if n == 0 else abs(aspect - side / n))


def _rounded(number: float, error: Callable[[int], float]) -> int:
    return max(min(math.floor(number), math.ceil(number), key=error), 1)


def _resampled_alone(size: tuple[int, int], to: tuple[int, int]) -> bool:
    """Whether Pillow resamples without box-reducing first (Image.resize with the thumbnail's gap)."""
    return all((int(a / b / REDUCING_GAP) or 1) == 1 for a, b in zip(size, to, strict=True))


Resize = Callable[[np.ndarray, tuple[int, int]], np.ndarray]


def _vertical_first_since_13(rows: int, cols: int, out_rows: int, out_cols: int) -> bool:
    return rows - out_rows > 0 and rows - out_rows > (cols - out_cols) * 2


def _horizontal_first(rows: int, cols: int, out_rows: int, out_cols: int) -> bool:
    return False


PASS_ORDERS = (_vertical_first_since_13, _horizontal_first)

# Test pictures (width, height, new width, new height), each grey and colour: tall ones shrunk more in
# height (where the two pass orders differ), wide, square, one side kept, the working copy's shrink
# (2.6 times) on a smaller picture. Small, because every scan worker checks once (8 ms, where the
# working copy's own sizes took 60): tests/hashers compares the full sizes and many others.
CHECKS = ((61, 203, 47, 71), (40, 300, 33, 101), (203, 61, 71, 47), (300, 200, 120, 80), (97, 89, 96, 30),
          (260, 195, 100, 75), (153, 204, 59, 78))


@cache
def _own() -> Resize | None:
    """footprint's resize with the pass order of the installed Pillow, or None (see the module doc)."""
    function = c_resize()
    if function is None:
        return None
    for order in PASS_ORDERS:
        resize = _resize(function, order)
        if all(_agrees(resize, check, grey) for check in CHECKS for grey in (True, False)):
            return resize
    return None


@cache
def c_resize() -> Any | None:
    """footprint_resample of _resample.c, or None where it was not built."""
    p, i = ctypes.c_void_p, ctypes.c_int
    return _c_function("footprint_resample", [p, i, i, ctypes.c_ssize_t, i, i, p, i, i, i])


@cache
def c_bar() -> Any | None:
    """footprint_bar of _resample.c (the bar test of regions.trim_box), or None where it was not built."""
    i, s = ctypes.c_int, ctypes.c_ssize_t
    return _c_function("footprint_bar", [ctypes.c_void_p, s, s, i, i, i, i])


def _c_function(name: str, argtypes: list[Any]) -> Any | None:
    spec = importlib.util.find_spec("footprint.hashers._pdqc")
    if spec is None or spec.origin is None:
        return None
    try:
        function = getattr(ctypes.CDLL(spec.origin), name)
    except (OSError, AttributeError):
        return None
    function.argtypes, function.restype = argtypes, ctypes.c_int
    return function


def _resize(function: Any, vertical_first: Callable[[int, int, int, int], bool]) -> Resize:
    def resize(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        rows, cols = pixels.shape[:2]
        channels = 1 if pixels.ndim == 2 else 3
        if not _readable(pixels, channels):
            pixels = np.ascontiguousarray(pixels)
        out_cols, out_rows = size
        out = np.empty((out_rows, out_cols) if channels == 1 else (out_rows, out_cols, 3), np.uint8)
        first_down = int(vertical_first(rows, cols, out_rows, out_cols))
        status = function(pixels.ctypes.data, rows, cols, pixels.strides[0], pixels.strides[1], channels,
                          out.ctypes.data, out_rows, out_cols, first_down)
        if status == -2:  # RGB in four bytes, read first by a pass down the columns: packed first
            pixels = np.ascontiguousarray(pixels)
            status = function(pixels.ctypes.data, rows, cols, pixels.strides[0], channels, channels,
                              out.ctypes.data, out_rows, out_cols, first_down)
        if status:
            raise MemoryError(f"no memory to resize a {cols}x{rows} picture")
        return out

    return resize


def _readable(pixels: np.ndarray, channels: int) -> bool:
    """Whether the C reads ``pixels`` as they lie: a pixel's samples adjacent, pixels ``channels`` bytes apart
    (or four, for RGB as Pillow holds it: hashers.lent), rows after one another."""
    pixel = pixels.strides[1]
    return (pixels.strides[-1] == 1 and pixel in (channels, 4 if channels == 3 else channels)
            and pixels.strides[0] >= pixels.shape[1] * pixel)


def _agrees(resize: Resize, check: tuple[int, int, int, int], grey: bool) -> bool:
    width, height, out_width, out_height = check
    pattern = check_pattern(height, width)
    pixels = np.ascontiguousarray(pattern[:, :, 0]) if grey else pattern
    expected = Image.fromarray(pixels).resize((out_width, out_height), Image.Resampling.BILINEAR,
                                              reducing_gap=REDUCING_GAP)
    views = [pixels] if grey else [pixels, np.dstack([pixels, pixels[:, :, :1]])[:, :, :3]]  # and in four bytes
    return all(np.array_equal(resize(view, (out_width, out_height)), np.asarray(expected)) for view in views)
