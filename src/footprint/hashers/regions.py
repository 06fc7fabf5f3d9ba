"""Region signature: PDQ of a few fixed regions of a picture, besides the full frame.

Plain PDQ sees the whole frame, so a copy cropped to another aspect ratio, trimmed at the border, padded
with bars or covered by a caption hashes far from its original. Hashing fixed regions gives the matcher
(footprint.matching.regions) parts of the picture that survive those edits:

- ``trim``: the frame without uniform bars along its edges (a letterboxed or bordered copy's ``trim``
  is its original's frame);
- ``center``: the central square (two aspect-ratio crops of one picture share it);
- ``inset2``, ``inset5``, ``inset7``, ``inner``, ``inset12``, ``inset15``: the frame less 2.5%, 5%, 7.5%,
  10%, 12.5% or 15% at each edge (a copy trimmed at every border is close to one of them);
- ``aspect43``/``aspect32``/``aspect169``: the largest centred 4:3, 3:2 and 16:9 crop (in the frame's
  own orientation; a copy cropped to that aspect ratio hashes like it);
- ``tl``/``tr``/``bl``/``br``: 75% corner windows (a caption over one edge leaves two of them intact);
- ``tcenter``: the central square of ``trim``; ``center95``, ``center90``, ``center85``, ``center80``,
  ``center75``, ``center70``: centred squares 95% .. 70% as wide as the shorter side (the central square
  of inset2 .. inset15); ``middle``: the centred square half as wide as the longer side (a crop to a wider
  aspect ratio keeps it, as a crop to a narrower one keeps ``center``). They confirm a reframing: a copy
  that is the entry's inset5 has the entry's center90 as its own center (footprint.matching.regions).

How a region is hashed: PDQ blurs the whole picture once (the reference's blur, with the windows of
the whole picture), and each region is read from that blur at its own 64x64 points, then goes through the
reference's quality, DCT and bits (pdq_native.pdq_regions). The full frame's region is the picture's PDQ,
bit for bit, and the regions cost the picture's PDQ one blur less each: 0.5 ms for all 24 at 0.5 MP,
where blurring each region on its own took 2.5 ms. A region so read differs from the PDQ of the picture
cut to it only near its edges (blurred with the picture around it) and in its blur window (the whole
picture's, a little wider): on regions of quality >= 50 of 30 wallpapers at 1024 px, 4.8 bits on
average, 95% within 12, at most 24 (bench/README.md), which the thresholds absorb as any re-encoding.
Footprint 0.1.0 hashed each region on its own, on a copy of the picture 384 pixels long
(Image.thumbnail's, BILINEAR); 0.2.0 reads them from the blur (each scan run records the version).
Signatures made by 0.1.0 lie from today's as a copy at another size does (mean 16 bits a region, 95%
within 58, on bench_variants' originals), which the matcher takes as it takes any resized copy;
bench_variants with either made 0 false matches (bench/README.md, 2026-11-30).

Mirrored form: the signature a left-right mirror of the picture would have, from the reference's
dihedral hashes of each region (its "flipy"), with the corner names swapped (tl<->tr, bl<->br; the other
regions are symmetric). The matcher tries it after the item's own, so a mirrored copy finds its original
through every region path. It is not bit-identical to hashing the mirrored picture (PDQ's box filter
and 64x64 sampling are not symmetric: 10-42 bits on the full frames of bench_variants' photos), which
the thresholds absorb as they absorb any other edit. It travels as the digest's second variant, for
matching; lists keep the plain signature, the case store both (so that a re-match matches as a scan).

Text form (round-trips through JSON and, one region per entry, through VICS AlternativeHashes):
``name:<64 hex digits>.<quality 0-100>`` for each region, separated by ``;``. Readers accept any subset
of known names, so lists written by an older or newer footprint keep working with the regions both know.
"""

from __future__ import annotations

import ctypes
import importlib.util
from functools import cache
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from footprint.hashers.base import PixelHasher, Shared
from footprint.hashers.decode import pixels_of
from footprint.hashers.pdq import DIHEDRAL_NAMES, HEX_DIGITS, MIN_SIDE, hamming
from footprint.hashers.pdq_native import pdq_regions
from footprint.model import PerceptualDigest, Skipped

ALGORITHM = "pdq-regions"

REGION_NAMES = ("full", "trim", "center", "inset2", "inset5", "inset7", "inner", "inset12", "inset15",
                "aspect43", "aspect32", "aspect169", "tl", "tr", "bl", "br",
                "tcenter", "center95", "center90", "center85", "center80", "center75", "center70", "middle")
_INSETS = {"inset2": 0.025, "inset5": 0.05, "inset7": 0.075, "inner": 0.10, "inset12": 0.125, "inset15": 0.15}
_ASPECTS = {"aspect43": 4 / 3, "aspect32": 3 / 2, "aspect169": 16 / 9}
_SQUARES = {"center95": 0.95, "center90": 0.90, "center85": 0.85, "center80": 0.80, "center75": 0.75,
            "center70": 0.70}  # side as a share of the shorter side: the central square of inset2 .. inset15
_CORNERS = {"tl": (0.0, 0.0, 0.75, 0.75), "tr": (0.25, 0.0, 1.0, 0.75),
            "bl": (0.0, 0.25, 0.75, 1.0), "br": (0.25, 0.25, 1.0, 1.0)}
MIRROR_NAMES = {"tl": "tr", "tr": "tl", "bl": "br", "br": "bl"}  # a region's name in the mirror image
_PLAIN_AND_FLIPPED = (0, DIHEDRAL_NAMES.index("flipy"))  # the plain hash and its left-right mirror's

# A region's shorter side is at least pdq.MIN_SIDE pixels and this share of the picture's longer side: a
# region of a very long picture carries too little of it (the whole picture is always hashed, as PDQ
# hashes it: a panorama 2000x120 has its full region and no other) (the rule of the copy 384 pixels long that
# regions were hashed on before footprint 0.x: 32 pixels there; see the module doc).
MIN_SHARE = 1 / 12

# A bar is a run of edge rows or columns whose greyscale spread (max - min) stays within BAR_SPREAD and
# whose mean stays within BAR_SPREAD of the outermost one; trimming stops at MAX_TRIM of each side.
BAR_SPREAD = 12
MAX_TRIM = 0.3

Box = tuple[int, int, int, int]


def region_boxes(width: int, height: int, trim: Box | None = None) -> dict[str, Box]:
    """Pixel boxes (left, top, right, bottom) of every region, in REGION_NAMES order."""
    boxes: dict[str, Box] = {"full": (0, 0, width, height), "trim": trim or (0, 0, width, height),
                             "center": _centred(width, height, 1.0)}
    for name, share in _INSETS.items():
        dx, dy = round(width * share), round(height * share)
        boxes[name] = (dx, dy, width - dx, height - dy)
    for name, ratio in _ASPECTS.items():
        boxes[name] = _centred(width, height, ratio if width >= height else 1 / ratio)
    for name, (x0, y0, x1, y1) in _CORNERS.items():
        boxes[name] = (round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height))
    left, top, right, bottom = boxes["trim"]
    x0, y0, x1, y1 = _centred(right - left, bottom - top, 1.0)
    boxes["tcenter"] = (left + x0, top + y0, left + x1, top + y1)
    for name, share in _SQUARES.items():
        boxes[name] = _square(width, height, round(min(width, height) * share))
    boxes["middle"] = _square(width, height, min(round(max(width, height) / 2), width, height))
    return {name: boxes[name] for name in REGION_NAMES}


def _square(width: int, height: int, side: int) -> Box:
    """The centred square of ``side`` pixels."""
    left, top = (width - side) // 2, (height - side) // 2
    return (left, top, left + side, top + side)


def _centred(width: int, height: int, ratio: float) -> Box:
    """The largest centred box of width/height ``ratio`` inside the frame."""
    if width / height > ratio:
        side = round(height * ratio)
        return ((width - side) // 2, 0, (width - side) // 2 + side, height)
    side = round(width / ratio)
    return (0, (height - side) // 2, width, (height - side) // 2 + side)


def trim_box(pixels: np.ndarray) -> Box:
    """The frame without uniform bars (letterbox, pillarbox, an added border) along its edges.

    ``pixels``: greyscale (rows x columns) or RGB (rows x columns x 3, a pixel's bytes adjacent); an RGB
    line is made grey ((r + g + b) // 3) only when the bar test reaches it. The test runs in footprint's C
    where it is built (_bars.c footprint_bar: a uniform edge of a screenshot or a sky, 90 lines, in
    0.05 ms instead of 1.8), else here; both give the same boxes (tests/hashers/test_regions.py)."""
    bar = c_bar()
    if bar is not None and pixels.dtype == np.uint8 and pixels.strides[-1] == 1 and pixels.ndim in (2, 3):
        return _c_trim_box(bar, pixels)
    return _trim_box(pixels)


@cache
def c_bar() -> Any | None:
    """footprint_bar of _bars.c, or None where footprint's C was not built."""
    spec = importlib.util.find_spec("footprint.hashers._pdqc")
    if spec is None or spec.origin is None:
        return None
    try:
        function = ctypes.CDLL(spec.origin).footprint_bar
    except (OSError, AttributeError):
        return None
    i, s = ctypes.c_int, ctypes.c_ssize_t
    function.argtypes, function.restype = [ctypes.c_void_p, s, s, i, i, i, i], ctypes.c_int
    return function


def _c_trim_box(bar: Any, pixels: np.ndarray) -> Box:
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else 3
    row, pixel = pixels.strides[0], pixels.strides[1]
    start = pixels.ctypes.data
    rows_limit, columns_limit = int(height * MAX_TRIM), int(width * MAX_TRIM)
    top = bar(start, row, pixel, width, rows_limit, channels, BAR_SPREAD)
    bottom = height - bar(start + (height - 1) * row, -row, pixel, width, rows_limit, channels, BAR_SPREAD)
    left = bar(start, pixel, row, height, columns_limit, channels, BAR_SPREAD)
    right = width - bar(start + (width - 1) * pixel, -pixel, row, height, columns_limit, channels, BAR_SPREAD)
    return (left, top, right, bottom)


def _trim_box(pixels: np.ndarray) -> Box:
    """trim_box in numpy: where the C is not built, and the reference the tests hold it to."""
    height, width = pixels.shape[:2]
    columns = pixels.swapaxes(0, 1)
    top = _bar(pixels, height)
    bottom = height - _bar(pixels[::-1], height)
    left = _bar(columns, width)
    right = width - _bar(columns[::-1], width)
    return (left, top, right, bottom)


def _grey(lines: np.ndarray) -> np.ndarray:
    """Lines (each a row of ``lines``) as grey levels: an RGB pixel as (r + g + b) // 3."""
    return lines.astype(np.int16).sum(axis=2) // 3 if lines.ndim == 3 else lines


def _bar(lines: np.ndarray, length: int) -> int:
    """How many leading lines (rows of ``lines``) form one uniform bar; 0 when none. The lines are tested
    a few at a time, twice as many each round: a photograph's edge fails on its first lines, a letterbox
    or a sky runs for dozens."""
    limit = int(length * MAX_TRIM)
    first = None
    count, step = 0, 2
    while count < limit:
        grey = _grey(lines[count:min(limit, count + step)])
        means = grey.mean(axis=1)
        if first is None:
            first = float(means[0])
        uniform = (grey.max(axis=1) - grey.min(axis=1) <= BAR_SPREAD) & (np.abs(means - first) <= BAR_SPREAD)
        if not uniform.all():
            count += int(np.argmin(uniform))  # the first line that is not
            break
        count += len(grey)
        step *= 2
    return count if count >= 2 else 0


Signatures = tuple[dict[str, tuple[str, int]], dict[str, tuple[str, int]]]


def region_hashes(image: Image.Image) -> dict[str, tuple[str, int]]:
    """PDQ hex and quality of each region of an already-decoded image."""
    return region_signatures(image)[0]


def region_signatures(image: Image.Image) -> Signatures:
    """The region signature of an already-decoded image and its mirrored form (see the module doc)."""
    return signatures_of(pixels_of(image))


def signatures_of(picture: np.ndarray, shared: Shared | None = None) -> Signatures:
    """region_signatures of the picture given as decode.pixels_of gives it; ``shared``: the picture's
    work shared with its PDQ (pdq_native.pdq_regions)."""
    height, width = picture.shape[:2]
    least = max(MIN_SIDE, max(width, height) * MIN_SHARE)
    boxes = {name: (x0, y0, x1, y1) for name, (x0, y0, x1, y1)
             in region_boxes(width, height, _usable_trim(trim_box(picture), least)).items()
             if name == "full" or min(x1 - x0, y1 - y0) >= least}  # the whole picture always: PDQ hashes it
    distinct = list(dict.fromkeys(boxes.values()))  # trim and tcenter are full and center without bars
    hashed = dict(zip(distinct, pdq_regions(picture, distinct, _PLAIN_AND_FLIPPED, shared), strict=True))
    found: dict[str, tuple[str, int]] = {}
    mirrored: dict[str, tuple[str, int]] = {}
    for name, box in boxes.items():
        (plain, flipped), quality = hashed[box]
        found[name] = (plain, quality)
        mirrored[MIRROR_NAMES.get(name, name)] = (flipped, quality)
    return found, mirrored


def _usable_trim(box: Box, least: float) -> Box | None:
    """A trimmed frame too small to hash (a side under ``least``) is no trim at all."""
    left, top, right, bottom = box
    return box if right - left >= least and bottom - top >= least else None


def encode(regions: dict[str, tuple[str, int]]) -> str:
    """Region hashes to the text form (REGION_NAMES order, unknown names dropped)."""
    return ";".join(f"{name}:{regions[name][0]}.{regions[name][1]}" for name in REGION_NAMES if name in regions)


def decode(text: str) -> dict[str, tuple[str, int]]:
    """The text form back to {region: (hex, quality)}; ValueError when malformed or without ``full``.

    Unknown region names are ignored (a newer footprint may hash more regions)."""
    found: dict[str, tuple[str, int]] = {}
    for part in text.strip().lower().split(";"):
        name, _, rest = part.partition(":")
        value, _, quality = rest.partition(".")
        if len(value) != HEX_DIGITS or not quality.isdigit() or int(quality) > 100:
            raise ValueError(f"malformed {ALGORITHM} region: {part!r}")
        bytes.fromhex(value)
        if name in REGION_NAMES:
            found[name] = (value, int(quality))
    if "full" not in found:
        raise ValueError(f"a {ALGORITHM} value needs a 'full' region: {text[:80]!r}")
    return found


class RegionHasher(PixelHasher):
    """The region signature of one decoded image; quality is the full frame's PDQ quality; variants are
    the signature and its mirrored form (for the matcher, not stored)."""

    name: ClassVar[str] = ALGORITHM
    min_quality: ClassVar[int] = 0
    hash_bits: ClassVar[int] = 256 * len(REGION_NAMES)

    def hash_pixels(self, pixels: np.ndarray, shared: Shared | None = None) -> PerceptualDigest | Skipped:
        height, width = pixels.shape[:2]
        if min(width, height) < MIN_SIDE:
            return Skipped(f"image too small for {ALGORITHM} ({width}x{height}, needs {MIN_SIDE}px a side)")
        regions, mirrored = signatures_of(pixels, shared)
        value = encode(regions)
        return PerceptualDigest(algorithm=ALGORITHM, value=value, quality=regions["full"][1],
                                variants=(value, encode(mirrored)))

    @staticmethod
    def distance(a: str, b: str) -> int:
        """Full-frame distance only; the region rule is footprint.matching.regions.match_regions."""
        return hamming(decode(a)["full"][0], decode(b)["full"][0])
