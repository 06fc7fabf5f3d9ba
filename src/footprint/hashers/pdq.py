"""PDQ: Meta's 256-bit perceptual image hash, the reference C++ inside the ``pdqhash`` package (called
through footprint.hashers.pdq_native).

One call gives the hash of the image and of its seven rotations/flips (the dihedral variants), which
the matcher queries so that a rotated or mirrored copy still finds its known original.

Hex form: 64 lower-case hex digits, most significant bit first, exactly as the reference
pdq-photo-hasher and ThreatExchange print it (checked against the reference vectors by the
conformance test in tests/hashers/).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from footprint.hashers.base import PixelHasher, Shared
from footprint.hashers.pdq_native import pdq_dihedral
from footprint.model import PerceptualDigest, Skipped

HASH_BITS = 256
HEX_DIGITS = HASH_BITS // 4

# Below this quality (0-100, the reference's own gradient measure) a hash is kept for review but never
# near-matched: the reference's recommended threshold.
MIN_QUALITY = 50

# Both sides must have at least this many pixels. PDQ keeps 16x16 DCT frequencies of a 64x64
# downsample; the highest is 8 cycles across the image, which needs 16 samples (Nyquist), so below 16
# pixels part of the hash is interpolation, not picture. 32 doubles that margin: favicons, spacer GIFs
# and 1x1 trackers carry too little picture to accuse anyone by. (The reference set's smallest image,
# wee.jpg, is 34x42.)
MIN_SIDE = 32

# A PDQ bit says "this DCT coefficient is above the median", so a real picture's hash has 128 bits set
# (ties are the only way to lose any). Far from 128 means many equal coefficients: a flat or almost
# flat image, whose hash resembles every other flat image's.
BALANCE_TOLERANCE = 16

# Order of the dihedral variants (the reference's order). Position 0 is the plain hash.
DIHEDRAL_NAMES = ("original", "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flipplus1",
                  "flipminus1")


class PdqHasher(PixelHasher):
    """PDQ hash of one decoded image, with its eight dihedral variants (value first)."""

    name: ClassVar[str] = "pdq"
    min_quality: ClassVar[int] = MIN_QUALITY
    hash_bits: ClassVar[int] = HASH_BITS

    def hash_pixels(self, pixels: np.ndarray, shared: Shared | None = None) -> PerceptualDigest | Skipped:
        height, width = pixels.shape[:2]
        if min(width, height) < MIN_SIDE:
            return Skipped(f"image too small for pdq ({width}x{height}, needs {MIN_SIDE}px a side)")
        variants, quality = pdq_dihedral(pixels, shared)
        return PerceptualDigest(algorithm=self.name, value=variants[0], quality=quality, variants=variants)

    @staticmethod
    def distance(a: str, b: str) -> int:
        return hamming(a, b)


def hex_to_bytes(value: str) -> np.ndarray:
    """A 64-digit PDQ hex to uint8[32] (big-endian: the first byte holds the first two hex digits)."""
    text = value.strip()
    if len(text) != HEX_DIGITS:
        raise ValueError(f"a pdq hash has {HEX_DIGITS} hex digits, got {len(text)}: {value!r}")
    try:
        raw = bytes.fromhex(text)
    except ValueError as exc:
        raise ValueError(f"not a hex pdq hash: {value!r}") from exc
    return np.frombuffer(raw, dtype=np.uint8).copy()


def bytes_to_hex(value: np.ndarray | bytes) -> str:
    """uint8[32] (or 32 bytes) back to the lower-case 64-digit hex."""
    raw = bytes(value) if isinstance(value, bytes | bytearray) else np.asarray(value, np.uint8).tobytes()
    if len(raw) != HASH_BITS // 8:
        raise ValueError(f"a pdq hash has {HASH_BITS // 8} bytes, got {len(raw)}")
    return raw.hex()


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two PDQ hexes."""
    return (_as_int(a) ^ _as_int(b)).bit_count()


def _as_int(value: str) -> int:
    return int.from_bytes(hex_to_bytes(value).tobytes(), "big")


def is_degenerate(value: str, quality: int | None) -> bool:
    """True for hashes that must never near-match: low quality, or far from 128 bits set.

    ``quality`` None means unknown (a hash set entry without one): only the bit balance is judged.
    """
    if quality is not None and quality < MIN_QUALITY:
        return True
    ones = int(np.unpackbits(hex_to_bytes(value)).sum())
    return abs(ones - HASH_BITS // 2) > BALANCE_TOLERANCE
