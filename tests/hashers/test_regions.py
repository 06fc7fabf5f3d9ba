"""Region signature: computed from a decoded picture, and round trip through its text form."""

from __future__ import annotations

import pytest
from hasher_pictures import picture
from PIL import Image

from footprint.hashers.pdq import PdqHasher
from footprint.hashers.regions import ALGORITHM, REGION_NAMES, RegionHasher, decode, encode, region_boxes
from footprint.model import PerceptualDigest, Skipped


def test_signature_round_trips_through_text() -> None:
    digest = RegionHasher().hash_image(picture(640, 480, seed=3))
    assert isinstance(digest, PerceptualDigest) and digest.algorithm == ALGORITHM
    regions = decode(digest.value)
    assert list(regions) == list(REGION_NAMES)
    assert encode(regions) == digest.value
    assert decode(digest.value.upper()) == regions


def test_full_region_is_plain_pdq() -> None:
    image = picture(500, 400, seed=5)
    plain = PdqHasher().hash_image(image)
    regions = decode(RegionHasher().hash_image(image).value)
    assert isinstance(plain, PerceptualDigest)
    assert regions["full"] == (plain.value, plain.quality)
    assert len({value for value, _ in regions.values()}) == len(REGION_NAMES)  # distinct regions


def test_central_square_of_a_landscape() -> None:
    boxes = region_boxes(400, 300)
    assert boxes["center"] == (50, 0, 350, 300)
    assert boxes["full"] == (0, 0, 400, 300)


@pytest.mark.parametrize("text", ["", "ab.1", ";".join(["zz" * 32 + ".50"] * len(REGION_NAMES)),
                                  ";".join(["ab" * 32] * len(REGION_NAMES))])
def test_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        decode(text)


def test_small_pictures_are_skipped() -> None:
    assert isinstance(RegionHasher().hash_image(Image.new("RGB", (50, 200))), Skipped)
