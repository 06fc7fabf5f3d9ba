"""Region signature: computed from a decoded picture, and round trip through its text form."""

from __future__ import annotations

import numpy as np
import pytest
from hasher_pictures import picture
from PIL import Image, ImageOps

from footprint.hashers import regions
from footprint.hashers.pdq import PdqHasher, hamming
from footprint.hashers.regions import (
    ALGORITHM,
    REGION_NAMES,
    RegionHasher,
    decode,
    encode,
    region_boxes,
    region_signatures,
    trim_box,
)
from footprint.model import PerceptualDigest, Skipped


def test_signature_round_trips_through_text() -> None:
    digest = RegionHasher().hash_image(picture(640, 480, seed=3))
    assert isinstance(digest, PerceptualDigest) and digest.algorithm == ALGORITHM
    regions = decode(digest.value)
    assert list(regions) == list(REGION_NAMES)
    assert encode(regions) == digest.value
    assert decode(digest.value.upper()) == regions


def test_full_region_is_the_plain_pdq() -> None:
    image = picture(500, 400, seed=5)
    plain = PdqHasher().hash_image(image)
    regions = decode(RegionHasher().hash_image(image).value)
    assert isinstance(plain, PerceptualDigest)
    assert regions["full"] == (plain.value, plain.quality)  # read from the same blur at the same points
    assert regions["trim"] == regions["full"]  # no bars to trim
    distinct = {value for name, (value, _) in regions.items() if name != "trim"}
    assert len(distinct) >= len(REGION_NAMES) - 2  # a 5:4 frame's 4:3 crop is nearly the frame


def test_unknown_regions_are_ignored_and_full_is_required() -> None:
    regions = decode(RegionHasher().hash_image(picture(640, 480, seed=3)).value)
    text = encode(regions) + ";future:" + "ab" * 32 + ".90"
    assert decode(text) == regions
    only_full = "full:" + regions["full"][0] + "." + str(regions["full"][1])
    assert decode(only_full) == {"full": regions["full"]}
    with pytest.raises(ValueError):
        decode("center:" + regions["center"][0] + ".90")


def test_letterbox_bars_are_trimmed() -> None:
    inner = np.asarray(picture(400, 300, seed=8))
    boxed = np.zeros((420, 400, 3), dtype=np.uint8)
    boxed[60:360] = inner
    grey = boxed.astype(np.int16).sum(axis=2) // 3
    assert trim_box(grey) == (0, 60, 400, 360)
    assert trim_box(inner.astype(np.int16).sum(axis=2) // 3) == (0, 0, 400, 300)


def test_the_bar_test_in_c_gives_numpys_boxes() -> None:
    """footprint_bar (_bars.c) against the numpy bar test, on pictures with bars of every width, level
    and noise on each side, grey and RGB, as views read backwards, one channel of RGB, and RGB in four bytes."""
    assert regions.c_bar() is not None, "hashers/_bars.c was not built"
    rng = np.random.default_rng(17)
    compared = 0
    for n in range(600):
        rows, cols = (int(v) for v in rng.integers(1, 90, 2))
        base = int(rng.integers(0, 256))
        pixels = np.full((rows, cols, 3), base, np.int16)
        for side in range(4):
            k = int(rng.integers(0, max(1, min(rows, cols) // 2)))
            edge = [slice(None), slice(None)]
            edge[side % 2] = slice(0, k) if side < 2 else slice(rows - k if side % 2 == 0 else cols - k, None)
            pixels[tuple(edge)] = base + int(rng.integers(-20, 21))
        noise = rng.integers(-int(rng.integers(0, 15)), 15, pixels.shape) * (rng.random(pixels.shape) < rng.random())
        pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
        pixels[rows // 3: rows - rows // 3, cols // 3: cols - cols // 3] = rng.integers(0, 256, (1, 1, 3))
        spaced = np.dstack([pixels, pixels[:, :, :1]])[:, :, :3]
        for view in (pixels, pixels[::-1, ::-1], pixels[:, :, 1], np.ascontiguousarray(pixels[:, :, 2]), spaced):
            assert trim_box(view) == regions._trim_box(view), (n, view.shape, view.strides)
            compared += 1
    assert compared == 3000


def test_central_square_of_a_landscape() -> None:
    boxes = region_boxes(400, 300)
    assert boxes["center"] == (50, 0, 350, 300)
    assert boxes["full"] == (0, 0, 400, 300)


@pytest.mark.parametrize("text", ["", "ab.1", "full:" + "zz" * 32 + ".50", "full:" + "ab" * 32,
                                  "full:" + "ab" * 32 + ".101", "full:" + "ab" * 31 + ".50"])
def test_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        decode(text)


def test_a_region_short_against_the_whole_picture_is_left_out() -> None:
    """A region's shorter side is at least 32 pixels and 1/12 of the picture's longer side (108.3 px of a
    1300 px banner: its inset2, 114 px tall, is hashed; its inset5, 108 px, and its corners, 90, are not)."""
    banner = decode(RegionHasher().hash_image(picture(1300, 120, seed=4)).value)
    assert {"full", "center", "inset2", "aspect169", "center95"} <= set(banner)
    assert not {"inset5", "tl", "center90"} & set(banner)
    assert list(decode(RegionHasher().hash_image(picture(640, 480, seed=4)).value)) == list(REGION_NAMES)
    strip = RegionHasher().hash_image(picture(2000, 120, seed=4))  # a panorama: the whole, and no other region
    assert isinstance(strip, PerceptualDigest) and list(decode(strip.value)) == ["full"]
    plain = PdqHasher().hash_image(picture(2000, 120, seed=4))
    assert isinstance(plain, PerceptualDigest) and decode(strip.value)["full"] == (plain.value, plain.quality)


def test_small_pictures_are_skipped() -> None:
    assert isinstance(RegionHasher().hash_image(Image.new("RGB", (30, 200))), Skipped)
    small = RegionHasher().hash_image(picture(40, 60, seed=1))
    assert isinstance(small, PerceptualDigest) and "tl" not in decode(small.value)


def test_bars_are_found_in_rgb_as_in_grey() -> None:
    inner = np.asarray(picture(400, 300, seed=8))
    boxed = np.full((300, 460, 3), 250, dtype=np.uint8)
    boxed[:, 30:430] = inner  # pillarbox: light bars left and right
    assert trim_box(boxed) == trim_box(boxed.astype(np.int16).sum(axis=2) // 3) == (30, 0, 430, 300)


_FIRST_SIXTEEN = REGION_NAMES[:16]


def test_confirming_squares_are_the_central_squares_of_the_reframings() -> None:
    boxes = region_boxes(384, 288)
    assert boxes["tcenter"] == boxes["center"] == (48, 0, 336, 288)  # no bars: the trim is the frame
    for name, share in (("center95", 0.95), ("center90", 0.90), ("center80", 0.80), ("center70", 0.70)):
        left, top, right, bottom = boxes[name]
        assert right - left == bottom - top == round(288 * share)  # a square share of the shorter side
        assert abs((left + right) / 2 - 192) <= 0.5 and abs((top + bottom) / 2 - 144) <= 0.5  # centred
    # the central square of inset5 (the frame less 5% at each edge) is center90
    inset_height = boxes["inset5"][3] - boxes["inset5"][1]
    assert abs(inset_height - (boxes["center90"][3] - boxes["center90"][1])) <= 1
    assert boxes["middle"] == (96, 48, 288, 240)  # half the longer side
    boxed = region_boxes(400, 420, (0, 60, 400, 360))  # letterboxed: bars above and below
    assert boxed["tcenter"] == (50, 60, 350, 360) and boxed["center"] == (0, 10, 400, 410)


def test_mirrored_form_is_the_mirror_images_signature() -> None:
    image = picture(640, 480, seed=3)
    plain, mirrored = region_signatures(image)
    of_mirror, _ = region_signatures(ImageOps.mirror(image))
    assert set(mirrored) == set(plain)
    for name in REGION_NAMES:  # the reference's dihedral hash is close to, not always equal to, the mirror's
        # (its box filter and 64x64 sampling are not symmetric: the confirming squares move most, up to 24
        # bits here, which their own threshold, matching.regions.CONFIRM_DISTANCE 40, absorbs)
        assert hamming(mirrored[name][0], of_mirror[name][0]) <= (16 if name in _FIRST_SIXTEEN else 24), name
    assert hamming(mirrored["tl"][0], of_mirror["tl"][0]) < hamming(mirrored["tl"][0], of_mirror["tr"][0])
    assert mirrored["tl"][1] == plain["tr"][1]  # tl of the mirror image is the mirrored tr


def test_hasher_carries_the_mirrored_form_as_second_variant() -> None:
    image = picture(500, 400, seed=5)
    digest = RegionHasher().hash_image(image)
    assert isinstance(digest, PerceptualDigest)
    plain, mirrored = region_signatures(image)
    assert digest.variants == (digest.value, encode(mirrored)) and digest.value == encode(plain)
