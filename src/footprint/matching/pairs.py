"""Near pairs among a set of PDQ hashes: every two within ``radius`` bits, found with the same exact
Hamming indexes as matching (registry.best_index): a self-join, every hash searched against all
the others. The one search behind the links across cases (intel/links.py) and the review's
near-duplicate clusters (review/clusters.py), which ask the same question: are these two pictures
copies of one picture?
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from footprint.matching.registry import best_index, get_index
from footprint.store import codec

SEARCH_CHUNK = 4096  # queries per index search: bounds the answer held at once


def near_pairs(ids: Sequence[int], hexes: Sequence[str], radius: int,
               index: str | None = None) -> Iterator[tuple[int, int, int]]:
    """(smaller id, larger id, distance in bits) for every two hashes within ``radius``, each pair once.
    The caller leaves out degenerate hashes (hashers/pdq.is_degenerate): they all look alike.
    ``index``: a matching index by name (every one is exact, so the pairs are the same); default the
    best for the size."""
    if not ids:
        return
    id_array, hashes = codec.pdq_arrays(ids, hexes)
    built = (get_index(index) if index else best_index(len(ids)))(hashes, id_array)
    for start in range(0, len(ids), SEARCH_CHUNK):
        answers = built.search(np.ascontiguousarray(hashes[start:start + SEARCH_CHUNK]), radius)
        for offset, neighbours in enumerate(answers):
            mine = ids[start + offset]
            for other, distance in neighbours:
                if mine < int(other):
                    yield mine, int(other), int(distance)
