"""The Matcher and low-quality item hashes: under the quality gate an item still matches a trustworthy
list entry, but only very close (LOW_QUALITY_DISTANCE, not the set's 31); too little picture, a flat or
unbalanced hash, never. Same outcome on every store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image

from footprint.hashers.pdq import PdqHasher, is_degenerate
from footprint.matching.regions import LOW_QUALITY_DISTANCE, LOW_QUALITY_FLOOR
from footprint.model import Digests, KnownEntry, MatchKind, PerceptualDigest
from footprint.pipeline.match import Matcher
from footprint.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hashers"))
from hasher_pictures import flip_balanced, picture


def _item(value: str, quality: int) -> Digests:
    return Digests(size=100, crypto={"sha256": "ab" * 32},
                   perceptual={"pdq": PerceptualDigest("pdq", value, quality, (value,))})


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = {"memory": "memory:", "sqlite": f"sqlite:///{tmp_path / 'case.db'}"}.get(request.param)
    opened = open_store(url or request.getfixturevalue("postgres_url"))
    yield opened
    opened.close()


def _known(store) -> str:
    digest = PdqHasher().hash_image(picture(640, 480, seed=12))
    assert isinstance(digest, PerceptualDigest) and not is_degenerate(digest.value, digest.quality)
    record = store.create_hashset("known", "test", "test")
    store.add_entries(record.id, [KnownEntry(pdq=digest.value, label="photo-12")])
    return digest.value


def test_low_quality_item_matches_only_very_close(store) -> None:
    known = _known(store)
    near, far = flip_balanced(known, LOW_QUALITY_DISTANCE), flip_balanced(known, LOW_QUALITY_DISTANCE + 4)
    found = Matcher(store).match_batch([_item(near, 35), _item(far, 35), _item(far, 80)])
    assert [len(m) for m in found] == [1, 0, 1]  # the same distance matches a good-quality item
    match = found[0][0]
    assert (match.kind, match.algorithm, match.distance, match.label) == (MatchKind.NEAR, "pdq",
                                                                          LOW_QUALITY_DISTANCE, "photo-12")
    assert match.details["low_quality"] is True and match.details["threshold"] == LOW_QUALITY_DISTANCE
    assert "low_quality" not in found[2][0].details and found[2][0].details["threshold"] == 31


def test_too_little_picture_or_a_flat_hash_never_matches(store) -> None:
    known = _known(store)
    flat = PdqHasher().hash_image(Image.new("RGB", (640, 480), (90, 90, 90)))
    assert isinstance(flat, PerceptualDigest)
    unbalanced = "f" * 40 + "0" * 24
    found = Matcher(store).match_batch([_item(known, LOW_QUALITY_FLOOR - 1), _item(flat.value, flat.quality),
                                        _item(unbalanced, 40)])
    assert found == [[], [], []]


def test_degenerate_entries_never_match_a_low_quality_item(store) -> None:
    record = store.create_hashset("flat", "test", "test")
    flat = PdqHasher().hash_image(Image.new("RGB", (640, 480), (200, 40, 40)))
    assert isinstance(flat, PerceptualDigest)
    store.add_entries(record.id, [KnownEntry(pdq=flat.value, label="flat")])
    assert Matcher(store).match_batch([_item(flat.value, 30), _item(flat.value, 90)]) == [[], []]
