"""Every index answers exactly as brute force does (contract tests)."""

from __future__ import annotations

import numpy as np
import pytest

from footprint.errors import FormatError
from footprint.matching.brute import BruteForceIndex
from footprint.matching.registry import INDEXES, best_index, index_names

RNG = np.random.default_rng(20261128)


def random_hashes(n: int) -> np.ndarray:
    return RNG.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flip_bits(hash_: np.ndarray, count: int) -> np.ndarray:
    bits = np.unpackbits(hash_.copy())
    positions = RNG.choice(256, size=count, replace=False)
    bits[positions] ^= 1
    return np.packbits(bits)


@pytest.fixture(params=INDEXES, ids=lambda cls: cls.name)
def index_class(request):
    return request.param


def test_names_are_unique():
    assert len(set(index_names())) == len(INDEXES)


def test_empty_index_finds_nothing(index_class):
    index = index_class(np.empty((0, 32), np.uint8), np.empty(0, np.int64))
    assert len(index) == 0
    assert index.search(random_hashes(2), 31) == [[], []]


def test_planted_neighbours_at_every_distance(index_class):
    base = random_hashes(5000)
    ids = np.arange(100, 5100, dtype=np.int64)
    query = base[17]
    planted = np.stack([flip_bits(query, d) for d in range(0, 40)])
    hashes = np.concatenate([base, planted])
    all_ids = np.concatenate([ids, np.arange(10_000, 10_040)])
    found = dict(index_class(hashes, all_ids).search(query[None, :], 31)[0])
    for d in range(40):
        if d <= 31:
            assert found.get(10_000 + d) == d, f"missed the neighbour at distance {d}"
        else:
            assert 10_000 + d not in found, f"returned a hash {d} bits away at radius 31"
    assert found[117] == 0


@pytest.mark.parametrize("radius", [0, 8, 31, 40, 100])
def test_agrees_with_brute_force_on_random_data(index_class, radius):
    hashes = random_hashes(3000)
    near = np.stack([flip_bits(hashes[i], int(RNG.integers(0, 45))) for i in range(0, 3000, 50)])
    queries = np.concatenate([near, random_hashes(5)])
    ids = RNG.permutation(3000).astype(np.int64) * 7
    expected = BruteForceIndex(hashes, ids).search(queries, radius)
    assert index_class(hashes, ids).search(queries, radius) == expected


def test_save_and_load_round_trip(index_class, tmp_path):
    hashes, ids = random_hashes(6000), np.arange(6000, dtype=np.int64) * 3
    queries = np.stack([flip_bits(hashes[i], 20) for i in (1, 99, 5999)])
    index = index_class(hashes, ids)
    index.save(tmp_path / "ix")
    assert not list((tmp_path / "ix").glob("*.pkl"))
    loaded = index_class.load(tmp_path / "ix")
    assert loaded.search(queries, 31) == index.search(queries, 31)


def test_a_pickled_array_is_refused(index_class, tmp_path):
    index_class(random_hashes(10), np.arange(10)).save(tmp_path / "ix")
    np.save(tmp_path / "ix" / "ids.npy", np.array([object()] * 10, dtype=object), allow_pickle=True)
    with pytest.raises(FormatError):
        index_class.load(tmp_path / "ix")


def test_a_header_for_another_index_is_refused(tmp_path):
    INDEXES[1](random_hashes(10), np.arange(10)).save(tmp_path / "ix")
    with pytest.raises(FormatError):
        INDEXES[2].load(tmp_path / "ix")


def test_best_index_is_exact_for_large_sets():
    assert best_index(10).name == "brute" and best_index(1_000_000).name == "multi"
