"""Near copies among a case's items (matching/nearcopy.py): the matched item stands where a list entry
stands, so the matcher's gates hold on both sides (hashes built here, no pictures)."""

from __future__ import annotations

import numpy as np

from footprint.matching.nearcopy import Anchor, AnchorIndex
from footprint.model import Digests, PerceptualDigest


def _balanced(seed: int) -> str:
    bits = np.zeros(256, dtype=np.uint8)
    bits[np.random.default_rng(seed).choice(256, 128, replace=False)] = 1
    return np.packbits(bits).tobytes().hex()


def _flip(value: str, count: int) -> str:
    number = int(value, 16)
    for bit in range(count):
        number ^= 1 << (bit * 7)
    return f"{number:064x}"


def _digests(value: str, quality: int) -> Digests:
    pdq = PerceptualDigest("pdq", value, quality, (value,))
    return Digests(size=1, crypto={}, perceptual={"pdq": pdq}, media_type="image/jpeg")


def _found(anchor_quality: int, item_quality: int, bits: int, threshold: int = 31) -> list[tuple[int, int, int]]:
    known = _balanced(3)
    index = AnchorIndex([Anchor(1, _digests(known, anchor_quality), threshold)])
    item = _digests(_flip(known, bits), item_quality)
    return [(n.item_id, n.near_item, n.distance) for n in index.search([(2, item)])]


def test_a_close_hash_of_good_quality_is_a_near_copy_within_its_lists_threshold():
    assert _found(90, 90, 6) == [(2, 1, 6)]
    assert _found(90, 90, 6, threshold=5) == []


def test_low_quality_items_only_very_close_and_low_quality_anchors_never():
    assert _found(90, 35, 18) == [(2, 1, 18)] and _found(90, 35, 24) == []  # LOW_QUALITY_DISTANCE 20
    assert _found(40, 90, 2) == []  # a matched item under the gate anchors nothing (false-accusation guard)
    assert _found(90, 10, 0) == []  # nor is an item under the floor ever a near copy
