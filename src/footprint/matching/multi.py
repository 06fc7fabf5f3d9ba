"""An exact Hamming-radius index built on the pigeonhole principle.

Split each 256-bit hash into 16 chunks of 16 bits. If two hashes differ in at most r bits, then some
chunk differs in at most floor(r / 16) bits: for r <= 31, some chunk is equal or one bit away. So the
index keeps, per chunk, the rows sorted by that chunk's value (a CSR table: 65,537 offsets and the row
numbers); a query gathers, in each chunk, the rows whose chunk equals its own or one of the 16
one-bit neighbours, and verifies those candidates exactly. No neighbour within the radius is missed;
only a small share of the list is examined. Radii of 32 and over fall back to a full scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from footprint.matching.base import HammingIndex
from footprint.matching.brute import as_hash_matrix, load_arrays, popcount_rows, save_arrays

CHUNK_BITS = 16
BUCKETS = 1 << CHUNK_BITS
_ONE_BIT = np.array([0] + [1 << b for b in range(CHUNK_BITS)], dtype=np.int64)


class MultiIndex(HammingIndex):
    name: ClassVar[str] = "multi"

    def __init__(self, hashes: np.ndarray, ids: np.ndarray, *, _tables: tuple | None = None) -> None:
        self.hashes = as_hash_matrix(hashes)
        self.ids = np.asarray(ids, dtype=np.int64)
        if len(self.ids) != len(self.hashes):
            raise ValueError("one id per hash")
        self.chunks = self.hashes.shape[1] * 8 // CHUNK_BITS
        self.offsets, self.rows = _tables if _tables is not None else self._build()

    def _build(self) -> tuple[np.ndarray, np.ndarray]:
        keys = self._chunk_values(self.hashes)  # (n, chunks)
        offsets = np.empty((self.chunks, BUCKETS + 1), dtype=np.int64)
        row_type = np.int32 if len(self.hashes) < 2**31 else np.int64
        rows = np.empty((self.chunks, len(self.hashes)), dtype=row_type)
        for j in range(self.chunks):
            order = np.argsort(keys[:, j], kind="stable")
            rows[j] = order
            counts = np.bincount(keys[:, j], minlength=BUCKETS)
            offsets[j, 0] = 0
            np.cumsum(counts, out=offsets[j, 1:])
        return offsets, rows

    @staticmethod
    def _chunk_values(hashes: np.ndarray) -> np.ndarray:
        pairs = hashes.reshape(len(hashes), hashes.shape[1] // 2, 2).astype(np.int64)
        return (pairs[:, :, 0] << 8) | pairs[:, :, 1]

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
        queries = as_hash_matrix(queries)
        if radius // self.chunks > 1 or not len(self.ids):
            return [self._verify(q, np.arange(len(self.ids)), radius) for q in queries]
        values = self._chunk_values(queries)
        return [self._verify(q, self._candidates(v), radius) for q, v in zip(queries, values, strict=True)]

    def _candidates(self, chunk_values: np.ndarray) -> np.ndarray:
        parts: list[np.ndarray] = []
        for j, value in enumerate(chunk_values):
            keys = value ^ _ONE_BIT
            starts, ends = self.offsets[j, keys], self.offsets[j, keys + 1]
            parts.extend(self.rows[j, s:e] for s, e in zip(starts, ends, strict=True) if e > s)
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def _verify(self, query: np.ndarray, candidates: np.ndarray, radius: int) -> list[tuple[int, int]]:
        if not len(candidates):
            return []
        distances = popcount_rows(np.bitwise_xor(self.hashes[candidates], query))
        keep = distances <= radius
        hits = zip(self.ids[candidates[keep]].tolist(), distances[keep].tolist(), strict=True)
        return sorted(hits, key=lambda h: (h[1], h[0]))

    def save(self, directory: Path) -> None:
        arrays = {"hashes": self.hashes, "ids": self.ids, "offsets": self.offsets, "rows": self.rows}
        save_arrays(directory, self.name, arrays, {"chunk_bits": CHUNK_BITS})

    @classmethod
    def load(cls, directory: Path) -> MultiIndex:
        arrays, _ = load_arrays(directory, cls.name, ("hashes", "ids", "offsets", "rows"))
        return cls(arrays["hashes"], arrays["ids"], _tables=(arrays["offsets"], arrays["rows"]))
