"""The registry (built-ins, unique names, entry-point plugins) and decode-once image hashing."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from hasher_pictures import encode, picture
from hasher_plugins import Failing, MeanGrey, OtherMeanGrey

from footprint.errors import AlreadyExists, FootprintError
from footprint.hashers.compute import hash_image_bytes
from footprint.hashers.pdq import PdqHasher
from footprint.hashers.registry import (
    CRYPTO_HASHERS,
    ENTRY_POINT_GROUP,
    IMAGE_HASHERS,
    all_hashers,
    check_names,
)
from footprint.model import PerceptualDigest, Skipped


def point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_builtins_have_unique_permanent_names() -> None:
    names = [h.name for h in CRYPTO_HASHERS] + [h.name for h in IMAGE_HASHERS]
    assert names == ["md5", "sha1", "sha256", "pdq", "pdq-regions"]
    assert len(set(names)) == len(names)
    assert all_hashers(plugins=False).names == tuple(names)


def test_installed_plugins_load_through_the_same_door() -> None:
    """Whatever is installed in this environment must load and keep names unique."""
    found = all_hashers()
    assert found.names[:4] == ("md5", "sha1", "sha256", "pdq")


def test_plugins_are_added_by_kind() -> None:
    found = all_hashers(points=[point("meangrey", "hasher_plugins:MeanGrey"),
                                point("blake2b", "hasher_plugins:Blake2b")])
    assert [h.name for h in found.crypto] == ["md5", "sha1", "sha256", "blake2b"]
    assert [h.name for h in found.image] == ["pdq", "pdq-regions", "meangrey"]


def test_a_plugin_reusing_a_name_is_refused() -> None:
    with pytest.raises(AlreadyExists, match="md5"):
        all_hashers(points=[point("md5-again", "footprint.hashers.crypto:Md5")])


@pytest.mark.parametrize("value", ["hasher_plugins:NOT_A_HASHER", "no_such_module_here:Thing",
                                   "hasher_plugins:Missing"])
def test_broken_plugins_are_named_in_the_error(value: str) -> None:
    with pytest.raises(FootprintError, match="hasher plugin 'broken'"):
        all_hashers(points=[point("broken", value)])


@pytest.mark.parametrize("names", [["md5", "md5"], ["MD5"], [""], ["has space"], ["x" * 40]])
def test_check_names_refuses(names: list[str]) -> None:
    with pytest.raises(FootprintError):
        check_names(names)


def test_image_is_decoded_once_for_every_hasher() -> None:
    first, second = MeanGrey(), OtherMeanGrey()
    results = hash_image_bytes(encode(picture(400, 300), "JPEG"), [first, PdqHasher(), second])
    assert set(results) == {"meangrey", "pdq", "meangrey2"}
    assert all(isinstance(r, PerceptualDigest) for r in results.values())
    assert len(first.seen) == 1 and first.seen[0] is second.seen[0]


def test_undecodable_image_skips_every_hasher_with_one_reason() -> None:
    results = hash_image_bytes(b"definitely not an image", [MeanGrey(), PdqHasher()])
    reasons = {r.reason for r in results.values() if isinstance(r, Skipped)}
    assert len(results) == 2 and len(reasons) == 1 and reasons.pop().startswith("undecodable image")


def test_a_failing_hasher_does_not_take_the_others_down() -> None:
    results = hash_image_bytes(encode(picture(400, 300), "PNG"), [Failing(), PdqHasher()])
    assert isinstance(results["failing"], Skipped) and "cannot hash this one" in results["failing"].reason
    assert isinstance(results["pdq"], PerceptualDigest)


def test_no_image_hashers_means_no_decode() -> None:
    assert hash_image_bytes(b"not even an image", []) == {}


def test_hashers_that_read_the_array_share_one_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDQ and the region signature read the picture as one array, copied out of Pillow once a picture,
    and hash it as each would hash the image alone."""
    from PIL import Image

    from footprint.hashers import compute
    from footprint.hashers.decode import decode_image
    from footprint.hashers.regions import RegionHasher

    copies: list[int] = []

    def counted(image: Image.Image) -> object:
        copies.append(1)
        return real(image)

    real = compute.pixels_of
    monkeypatch.setattr(compute, "pixels_of", counted)
    data = encode(picture(400, 300), "JPEG")
    hashers = [PdqHasher(), MeanGrey(), RegionHasher()]
    results = hash_image_bytes(data, hashers)
    assert len(copies) == 1
    image = decode_image(data, grey=True)
    assert results["pdq"] == PdqHasher().hash_image(image)
    assert results["pdq-regions"] == RegionHasher().hash_image(image)


def test_a_picture_that_cannot_be_read_as_pixels_is_skipped_with_one_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the decoded picture cannot be read as an array, each hasher that reads it says so as it would
    alone (``undecodable image content for NAME``), whether a scan shares the array or not."""
    from footprint.hashers import base, compute
    from footprint.hashers.decode import decode_image
    from footprint.hashers.regions import RegionHasher
    from footprint.model import Skipped

    def broken(image: object) -> object:
        raise ValueError("no pixels")

    monkeypatch.setattr(compute, "pixels_of", broken)
    monkeypatch.setattr(base, "pixels_of", broken)
    data = encode(picture(400, 300), "JPEG")
    results = hash_image_bytes(data, [PdqHasher(), RegionHasher()])
    image = decode_image(data, grey=True)
    for hasher in (PdqHasher(), RegionHasher()):
        assert results[hasher.name] == hasher.hash_image(image)
        assert results[hasher.name] == Skipped(f"undecodable image content for {hasher.name}: no pixels")
