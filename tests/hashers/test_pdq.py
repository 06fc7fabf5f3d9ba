"""PDQ hasher on generated pictures: digest shape, dihedral variants, flat and tiny images, and
the hex helpers the matcher relies on."""

from __future__ import annotations

import numpy as np
import pytest
from hasher_pictures import picture
from PIL import Image

from footprint.hashers.pdq import (
    DIHEDRAL_NAMES,
    MIN_QUALITY,
    MIN_SIDE,
    PdqHasher,
    bytes_to_hex,
    hamming,
    hex_to_bytes,
    is_degenerate,
)
from footprint.model import PerceptualDigest, Skipped

HASHER = PdqHasher()
MATCH_RADIUS = 31


def digest_of(image: Image.Image) -> PerceptualDigest:
    digest = HASHER.hash_image(image)
    assert isinstance(digest, PerceptualDigest), digest
    return digest


def test_digest_shape() -> None:
    digest = digest_of(picture(400, 300, seed=4))
    assert digest.algorithm == "pdq" and MIN_QUALITY <= digest.quality <= 100
    assert len(digest.value) == 64 and int(digest.value, 16) >= 0 and digest.value == digest.value.lower()
    assert len(digest.variants) == 8 and digest.variants[0] == digest.value
    assert len(set(digest.variants)) == 8
    assert not is_degenerate(digest.value, digest.quality)
    assert HASHER.distance(digest.value, digest.variants[2]) == hamming(digest.value, digest.variants[2])


def test_any_mode_is_accepted() -> None:
    scene = picture(400, 300, seed=4)
    colour = digest_of(scene).value
    for mode in ("L", "RGBA", "P", "CMYK", "1"):
        assert hamming(digest_of(scene.convert(mode)).value, colour) <= MATCH_RADIUS, mode


# Pillow's transpose → the reference's name for the same transform of the picture.
TRANSFORMS = {
    Image.Transpose.ROTATE_90: "rotate90",  # Pillow turns counter-clockwise
    Image.Transpose.ROTATE_180: "rotate180",
    Image.Transpose.ROTATE_270: "rotate270",
    Image.Transpose.FLIP_TOP_BOTTOM: "flipx",  # mirrored across the x axis
    Image.Transpose.FLIP_LEFT_RIGHT: "flipy",
    Image.Transpose.TRANSPOSE: "flipplus1",
    Image.Transpose.TRANSVERSE: "flipminus1",
}


@pytest.mark.parametrize("transform", list(TRANSFORMS), ids=[t.name for t in TRANSFORMS])
def test_each_variant_is_the_hash_of_that_transform(transform: Image.Transpose) -> None:
    scene = picture(480, 360, seed=5)
    variants = digest_of(scene).variants
    turned = digest_of(scene.transpose(transform)).value
    distances = sorted((hamming(turned, v), name) for v, name in zip(variants, DIHEDRAL_NAMES, strict=True))
    (best, name), (runner_up, _) = distances[0], distances[1]
    assert name == TRANSFORMS[transform] and best <= MATCH_RADIUS
    assert runner_up > 64


@pytest.mark.parametrize("pixels", [
    np.full((300, 400, 3), 128, np.uint8),
    np.zeros((300, 400, 3), np.uint8),
    np.full((300, 400, 3), 255, np.uint8),
    np.broadcast_to(np.linspace(100, 140, 400)[None, :, None], (300, 400, 3)).astype(np.uint8),
    np.clip(128 + np.random.default_rng(0).normal(0, 1, (300, 400, 3)), 0, 255).astype(np.uint8),
], ids=["grey", "black", "white", "gentle-gradient", "grey-with-faint-noise"])
def test_flat_images_are_low_quality_and_degenerate(pixels: np.ndarray) -> None:
    digest = digest_of(Image.fromarray(np.ascontiguousarray(pixels), "RGB"))
    assert digest.quality < MIN_QUALITY
    assert is_degenerate(digest.value, digest.quality)


@pytest.mark.parametrize("size", [(1, 1), (16, 16), (MIN_SIDE - 1, 400), (400, MIN_SIDE - 1)])
def test_tiny_images_are_skipped(size: tuple[int, int]) -> None:
    result = HASHER.hash_image(picture(*size))
    assert isinstance(result, Skipped) and "too small" in result.reason


def test_smallest_hashable_image() -> None:
    assert isinstance(HASHER.hash_image(picture(MIN_SIDE, MIN_SIDE, seed=6)), PerceptualDigest)


def test_hex_bytes_round_trip() -> None:
    value = digest_of(picture(200, 200, seed=7)).value
    raw = hex_to_bytes(value)
    assert raw.dtype == np.uint8 and raw.shape == (32,)
    assert raw[0] == int(value[:2], 16)  # the first byte holds the first two hex digits
    assert bytes_to_hex(raw) == value and bytes_to_hex(raw.tobytes()) == value
    assert hex_to_bytes(value.upper()).tobytes() == raw.tobytes()


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, "0" * 63, "0" * 65])
def test_hex_to_bytes_refuses_bad_hex(bad: str) -> None:
    with pytest.raises(ValueError):
        hex_to_bytes(bad)


def test_hamming() -> None:
    zero, ones = "0" * 64, "f" * 64
    assert hamming(zero, ones) == 256 and hamming(zero, zero) == 0
    assert hamming(zero, "8" + "0" * 63) == 1 and hamming(zero, "0" * 63 + "1") == 1
    with pytest.raises(ValueError):
        hamming(zero, "0" * 10)


def test_is_degenerate_without_quality_judges_bit_balance() -> None:
    balanced = "f" * 32 + "0" * 32
    assert not is_degenerate(balanced, None) and not is_degenerate(balanced, MIN_QUALITY)
    assert is_degenerate(balanced, MIN_QUALITY - 1)
    assert is_degenerate("0" * 64, None) and is_degenerate("f" * 64, None)
    assert is_degenerate("f" * 40 + "0" * 24, None)  # 160 bits set
