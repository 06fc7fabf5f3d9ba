"""A decoded picture's pixels lent by Pillow (hashers.lent, through the Arrow C data interface) are the
copy's bytes, read-only, alive as long as the view; a picture Pillow cannot lend is copied; and every
perceptual hash is the same from a lent view as from a copy."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from footprint.hashers import decode, lent
from footprint.hashers.pdq import PdqHasher
from footprint.hashers.regions import RegionHasher


def encoded(image: Image.Image, format: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format)
    return out.getvalue()


def pattern(rows: int, cols: int) -> Image.Image:
    y, x = np.mgrid[0:rows, 0:cols]
    return Image.fromarray(np.stack([(x * 3 + y) % 256, (x * y) % 253, (y * 5) % 251], axis=2).astype(np.uint8))


@pytest.mark.parametrize("mode,format", [("RGB", "JPEG"), ("L", "PNG"), ("RGB", "PNG")])
def test_a_decoded_picture_is_lent_as_its_copys_bytes_and_read_only(mode: str, format: str) -> None:
    image = decode.decode_image(encoded(pattern(300, 417).convert(mode), format), grey=True)  # as a scan decodes
    pixels = decode.pixels_of(image)
    assert isinstance(pixels.base, lent._Lent), "Pillow did not lend the picture"
    assert np.array_equal(pixels, np.asarray(image)) and pixels.shape == np.asarray(image).shape
    assert pixels.strides[-1] == 1 and pixels.strides[1] == (4 if mode == "RGB" else 1)
    with pytest.raises(ValueError):
        pixels[0, 0] = 1


def test_the_view_keeps_the_memory_alive() -> None:
    image = pattern(200, 300)
    pixels = lent.lent_pixels(image)
    assert pixels is not None
    expected = pixels.copy()
    del image
    gc.collect()
    others = [Image.new("RGB", (300, 200), (7, 7, 7)) for _ in range(40)]  # would take freed memory
    assert np.array_equal(pixels, expected) and len(others) == 40


def test_a_picture_pillow_holds_in_several_blocks_is_copied() -> None:
    image = Image.new("RGB", (4000, 3000), (10, 20, 30))  # 48 MB: more than one of Pillow's 16 MB blocks
    assert lent.lent_pixels(image) is None
    pixels = decode.pixels_of(image)
    assert pixels.shape == (3000, 4000, 3) and pixels.flags.c_contiguous and tuple(pixels[5, 5]) == (10, 20, 30)


def test_hashes_from_a_lent_picture_equal_those_from_a_copy(threatexchange: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(p for p in threatexchange.rglob("*") if p.suffix.lower() in (".jpg", ".png"))[:12]
    assert len(paths) == 12
    hashers = (PdqHasher(), RegionHasher())
    images = [decode.decode_image(p.read_bytes()) for p in paths]
    assert all(isinstance(decode.pixels_of(i).base, lent._Lent) for i in images)
    found = [[h.hash_pixels(decode.pixels_of(i)) for h in hashers] for i in images]
    monkeypatch.setattr(decode, "lent_pixels", lambda image: None)
    assert [[h.hash_pixels(decode.pixels_of(i)) for h in hashers] for i in images] == found
