"""faiss's exhaustive binary index (IndexBinaryFlat): the same answers as brute force, in C++."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import faiss
import numpy as np

from footprint.matching.base import HammingIndex
from footprint.matching.brute import as_hash_matrix, load_arrays, save_arrays


class FaissIndex(HammingIndex):
    name: ClassVar[str] = "faiss"

    def __init__(self, hashes: np.ndarray, ids: np.ndarray) -> None:
        self.hashes = as_hash_matrix(hashes)
        self.ids = np.asarray(ids, dtype=np.int64)
        if len(self.ids) != len(self.hashes):
            raise ValueError("one id per hash")
        self._index = faiss.IndexBinaryFlat(self.hashes.shape[1] * 8)
        if len(self.hashes):
            self._index.add(self.hashes)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
        queries = as_hash_matrix(queries)
        if not len(self.ids) or not len(queries):
            return [[] for _ in range(len(queries))]
        # faiss returns distances strictly below the radius it is given: ours is inclusive.
        limits, distances, rows = self._index.range_search(queries, radius + 1)
        found = []
        for q in range(len(queries)):
            lo, hi = limits[q], limits[q + 1]
            hits = [(int(self.ids[r]), int(d)) for r, d in zip(rows[lo:hi], distances[lo:hi], strict=True)]
            found.append(sorted(hits, key=lambda h: (h[1], h[0])))
        return found

    def save(self, directory: Path) -> None:
        save_arrays(directory, self.name, {"hashes": self.hashes, "ids": self.ids}, {})

    @classmethod
    def load(cls, directory: Path) -> FaissIndex:
        arrays, _ = load_arrays(directory, cls.name, ("hashes", "ids"))
        return cls(np.asarray(arrays["hashes"]), np.asarray(arrays["ids"]))
