"""Region signature: PDQ of a few fixed regions of a picture, besides the full frame.

Plain PDQ sees the whole frame, so a copy cropped to another aspect ratio, trimmed at the border or
covered by a caption bar hashes far from its original. Hashing fixed regions gives the matcher
(footprint.matching.regions) parts of the picture that survive those edits: the central square
survives an aspect crop, the central 80% survives a border trim or a letterbox, and each 75% corner
window misses one corner's caption or watermark.

Text form (round-trips through VICS AlternativeHashes and JSON): regions in ``REGION_NAMES`` order,
separated by ``;``, each ``<64 hex digits>.<quality 0-100>``, e.g. ``"ab12...ef.87;...;...``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pdqhash
from PIL import Image

from footprint.errors import ItemError
from footprint.hashers.base import ImageHasher
from footprint.hashers.decode import to_rgb
from footprint.hashers.pdq import HEX_DIGITS, MIN_SIDE, hamming
from footprint.model import PerceptualDigest, Skipped

ALGORITHM = "pdq-regions"

# (name, left, top, right, bottom) as fractions of the frame; "center" is computed as a square.
REGION_NAMES = ("full", "center", "inner", "tl", "tr", "bl", "br")
_WINDOWS = {
    "inner": (0.1, 0.1, 0.9, 0.9),
    "tl": (0.0, 0.0, 0.75, 0.75),
    "tr": (0.25, 0.0, 1.0, 0.75),
    "bl": (0.0, 0.25, 0.75, 1.0),
    "br": (0.25, 0.25, 1.0, 1.0),
}


def region_boxes(width: int, height: int) -> dict[str, tuple[int, int, int, int]]:
    """Pixel boxes of every region, in REGION_NAMES order."""
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    boxes = {"full": (0, 0, width, height), "center": (left, top, left + side, top + side)}
    for name, (x0, y0, x1, y1) in _WINDOWS.items():
        boxes[name] = (round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height))
    return {name: boxes[name] for name in REGION_NAMES}


def region_hashes(image: Image.Image) -> dict[str, tuple[str, int]]:
    """PDQ hex and quality of each region of an already-decoded image."""
    pixels = np.asarray(to_rgb(image), dtype=np.uint8)
    found: dict[str, tuple[str, int]] = {}
    for name, (x0, y0, x1, y1) in region_boxes(image.width, image.height).items():
        part = np.ascontiguousarray(pixels[y0:y1, x0:x1])
        bits, quality = pdqhash.compute(part)
        found[name] = (np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality))
    return found


def encode(regions: dict[str, tuple[str, int]]) -> str:
    """Region hashes to the text form (fixed order)."""
    return ";".join(f"{regions[name][0]}.{regions[name][1]}" for name in REGION_NAMES)


def decode(text: str) -> dict[str, tuple[str, int]]:
    """The text form back to {region: (hex, quality)}; ValueError when malformed."""
    parts = text.strip().lower().split(";")
    if len(parts) != len(REGION_NAMES):
        raise ValueError(f"a {ALGORITHM} value has {len(REGION_NAMES)} regions, got {len(parts)}")
    found: dict[str, tuple[str, int]] = {}
    for name, part in zip(REGION_NAMES, parts, strict=True):
        value, _, quality = part.partition(".")
        if len(value) != HEX_DIGITS or not quality.isdigit():
            raise ValueError(f"malformed {ALGORITHM} region {name!r}: {part!r}")
        bytes.fromhex(value)
        found[name] = (value, int(quality))
    return found


class RegionHasher(ImageHasher):
    """The region signature of one decoded image; quality is the full frame's PDQ quality."""

    name: ClassVar[str] = ALGORITHM
    min_quality: ClassVar[int] = 0
    hash_bits: ClassVar[int] = 256 * len(REGION_NAMES)

    def hash_image(self, image: Image.Image) -> PerceptualDigest | Skipped:
        width, height = image.size
        if min(width, height) < 2 * MIN_SIDE:
            return Skipped(f"image too small for {ALGORITHM} ({width}x{height}, needs {2 * MIN_SIDE}px)")
        try:
            regions = region_hashes(image)
        except (ItemError, ValueError, OSError) as exc:
            return Skipped(f"undecodable image content for {ALGORITHM}: {exc}")
        return PerceptualDigest(algorithm=ALGORITHM, value=encode(regions), quality=regions["full"][1])

    @staticmethod
    def distance(a: str, b: str) -> int:
        """Full-frame distance only; the region rule is footprint.matching.regions.match_regions."""
        return hamming(decode(a)["full"][0], decode(b)["full"][0])
