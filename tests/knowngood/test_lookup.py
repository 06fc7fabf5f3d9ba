"""The compact known-good lookup: exact (a shared 8-byte prefix is never enough), deduplicated,
the same whatever the chunking, and malformed values simply not found."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from footprint.errors import FormatError
from footprint.matching.knowngood import IndexBuilder, KnownGoodIndex, hex_to_digests, sort_unique


def _digests(n: int, size: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, size), dtype=np.uint8)


def _build(tmp_path, chunks, algorithm="sha1"):
    builder = IndexBuilder(tmp_path / "list", [algorithm])
    for chunk in chunks:
        builder.add(algorithm, chunk)
    builder.finish({"name": "test"})
    return KnownGoodIndex.open(tmp_path / "list")


def test_every_digest_added_is_found_and_no_other(tmp_path):
    known = _digests(5000, 20, 1)
    index = _build(tmp_path, [known[:1234], known[1234:], known[:100]])  # duplicates across chunks
    assert len(index.tables["sha1"]) == 5000
    assert index.header["counts"] == {"sha1": 5000}
    hexes = [bytes(row).hex() for row in known]
    assert index.lookup("sha1", hexes).all()
    assert index.lookup("sha1", [h.upper() for h in hexes[:10]]).all()  # NSRL writes upper case
    others = [bytes(row).hex() for row in _digests(5000, 20, 2)]
    assert not index.lookup("sha1", others).any()


def test_a_shared_prefix_is_not_a_hit(tmp_path):
    """Digests that agree on their first 8 bytes (the binary-search key) but differ after."""
    base = _digests(1, 20, 3)[0]
    family = np.repeat(base[None, :], 6, axis=0)
    family[:, 19] = [10, 20, 30, 40, 50, 60]
    index = _build(tmp_path, [family[[0, 2, 4]], _digests(300, 20, 4)])
    found = index.lookup("sha1", [bytes(row).hex() for row in family])
    assert found.tolist() == [True, False, True, False, True, False]


def test_sorted_arrays_are_ordered_and_unique(tmp_path):
    index = _build(tmp_path, [_digests(3000, 16, 5), _digests(3000, 16, 5)[:50]], algorithm="md5")
    table = index.tables["md5"]
    assert len(table) == 3000 and np.all(np.diff(table.prefix.astype(np.float64)) >= 0)
    rows = sort_unique(np.concatenate([_digests(10, 4, 6), _digests(10, 4, 6)]))
    assert len(rows) == 10 and [bytes(r) for r in rows] == sorted(bytes(r) for r in rows)


def test_malformed_values_are_not_found(tmp_path):
    good = hashlib.sha1(b"readme").hexdigest()
    index = _build(tmp_path, [hex_to_digests([good], "sha1")[0]])
    assert index.lookup("sha1", [good, "zz" * 20, good[:-2], "", good]).tolist() == [True, False, False, False, True]
    assert index.lookup("md5", [good]).tolist() == [False]  # an algorithm the list does not hold
    digests, valid = hex_to_digests([good, None, "xx", good.upper()], "sha1")  # type: ignore[list-item]
    assert valid.tolist() == [0, 3] and len(digests) == 2


def test_an_empty_list_and_a_broken_folder(tmp_path):
    index = _build(tmp_path, [])
    assert len(index.tables["sha1"]) == 0
    assert not index.lookup("sha1", [hashlib.sha1(b"x").hexdigest()]).any()
    (tmp_path / "list" / "knowngood.json").write_text("{}")
    with pytest.raises(FormatError):
        KnownGoodIndex.open(tmp_path / "list")
    with pytest.raises(FormatError):
        IndexBuilder(tmp_path / "other", ["crc32"])
