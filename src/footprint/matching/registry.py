"""The built-in Hamming indexes, listed explicitly; every one answers exactly the same."""

from __future__ import annotations

from footprint.errors import UsageError
from footprint.matching.base import HammingIndex
from footprint.matching.brute import BruteForceIndex
from footprint.matching.faiss_index import FaissIndex
from footprint.matching.multi import MultiIndex

INDEXES: tuple[type[HammingIndex], ...] = (BruteForceIndex, FaissIndex, MultiIndex)
SMALL = 4096  # below this many hashes a plain scan is as fast as building tables


def index_names() -> tuple[str, ...]:
    names = tuple(i.name for i in INDEXES)
    if len(set(names)) != len(names):
        raise RuntimeError(f"index names are not unique: {names}")
    return names


def get_index(name: str) -> type[HammingIndex]:
    for index in INDEXES:
        if index.name == name:
            return index
    raise UsageError(f"unknown index {name!r} (known: {', '.join(index_names())})")


def best_index(n: int) -> type[HammingIndex]:
    return BruteForceIndex if n < SMALL else MultiIndex
