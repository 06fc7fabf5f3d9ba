"""An exact Hamming-radius index built on the pigeonhole principle, twice.

Split each 256-bit hash into eight 32-bit blocks. Two hashes at most r bits apart differ in at most
floor(r / 8) bits in some block: for r <= 31, some block is within 3 bits. Split that block into its two
16-bit halves: their differences add up to at most 3, so one half is equal or one bit away, and then the
block as a whole is within 3 bits. So the index keeps, for each of the sixteen 16-bit chunks, the rows
sorted by that chunk's value (a CSR table: 65,537 offsets and the row numbers) and, beside each row, the
value of its partner chunk (the other half of the block). A query takes, in each chunk, the buckets of
its own value and of its 16 one-bit neighbours, streams the partner values stored with them (contiguous,
2 bytes a row) and keeps only the rows whose whole block is within the budget; those few candidates
are verified exactly on all 256 bits. No neighbour within the radius is missed (tests/matching check
every distance against brute force); a query reads about 272/65,536 of the list's partner values and
verifies a handful of hashes. Queries are answered in vectorised batches. Radii of 32 and over fall back
to a full scan.

Measured in bench/bench_index.py (10 million hashes, radius 31): see bench/README.md.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import ClassVar

import numpy as np

from footprint.matching.base import HammingIndex
from footprint.matching.brute import as_hash_matrix, load_arrays, save_arrays

CHUNK_BITS = 16
BUCKETS = 1 << CHUNK_BITS
BLOCKS = 8  # 32-bit blocks, each two chunks: chunk c's partner is c ^ 1
_NEIGHBOURS = np.array([0] + [1 << b for b in range(CHUNK_BITS)], dtype=np.int64)  # the key, then 1 bit off
_POP16 = np.bitwise_count(np.arange(BUCKETS, dtype=np.uint16))
_WITHIN = [np.less_equal(_POP16, budget) for budget in range(4)]  # partner chunk differences allowed, by budget left
WORK_PER_BATCH = 1 << 22  # partner values examined per vectorised step: bounds the temporary arrays


class MultiIndex(HammingIndex):
    name: ClassVar[str] = "multi"

    def __init__(self, hashes: np.ndarray, ids: np.ndarray, *, _tables: tuple | None = None) -> None:
        self.hashes = as_hash_matrix(hashes)
        self.ids = np.asarray(ids, dtype=np.int64)
        if len(self.ids) != len(self.hashes):
            raise ValueError("one id per hash")
        if self.hashes.shape[1] * 8 != BLOCKS * 2 * CHUNK_BITS and len(self.hashes):
            raise ValueError(f"the multi-index holds {BLOCKS * 2 * CHUNK_BITS}-bit hashes")
        self.chunks = 2 * BLOCKS
        self.offsets, self.rows, self.partners = _tables if _tables is not None else self._build()
        self._words = self.hashes.view(np.uint64) if len(self.hashes) else np.empty((0, 4), np.uint64)

    def _build(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keys = _chunk_values(self.hashes)  # (n, 16) uint16
        n = len(self.hashes)
        offsets = np.zeros((self.chunks, BUCKETS + 1), dtype=np.int64)
        rows = np.empty((self.chunks, n), dtype=np.int32 if n < 2**31 else np.int64)
        partners = np.empty((self.chunks, n), dtype=np.uint16)
        for c in range(self.chunks):
            order = np.argsort(keys[:, c], kind="stable")  # radix sort on uint16
            rows[c] = order
            partners[c] = keys[order, c ^ 1]
            np.cumsum(np.bincount(keys[:, c], minlength=BUCKETS), out=offsets[c, 1:])
        return offsets, rows, partners

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
        queries = as_hash_matrix(queries)
        if not len(self.ids) or not len(queries):
            return [[] for _ in range(len(queries))]
        if radius < 0:
            return [[] for _ in range(len(queries))]
        if radius // BLOCKS > 3:  # no chunk is then sure to be within one bit: read everything
            return [self._full_scan(q, radius) for q in queries]
        per_query = max(1, self.chunks * len(_NEIGHBOURS) * len(self.ids) // BUCKETS)  # rows read
        step = max(1, WORK_PER_BATCH // per_query)
        found: list[list[tuple[int, int]]] = []
        for start in range(0, len(queries), step):
            found.extend(self._search_batch(queries[start:start + step], radius))
        return found

    def _search_batch(self, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
        block_budget = radius // BLOCKS  # some block of a true neighbour is within this many bits
        values = _chunk_values(queries)  # (q, 16)
        partner_values = values[:, np.arange(self.chunks) ^ 1]
        chunk = np.arange(self.chunks, dtype=np.int64)[None, :]
        owners, rows = [], []
        # The bucket of the query's own chunk value (the half equal: the block may differ by the whole
        # budget), then, when the budget allows two bits, the 16 buckets one bit away (budget - 1 left).
        steps = [(np.zeros(1, np.int64), block_budget)]
        if block_budget >= 2:
            steps.append((_NEIGHBOURS[1:], block_budget - 1))
        for flips, budget in steps:
            keys = values.astype(np.int64)[:, :, None] ^ flips[None, None, :]  # (q, 16, k)
            owner, row = self._expand(keys, chunk[:, :, None], partner_values, _WITHIN[budget])
            owners.append(owner)
            rows.append(row)
        pairs = np.unique(np.concatenate(owners) * len(self.ids) + np.concatenate(rows))  # found twice: once
        owner, row = np.divmod(pairs, len(self.ids))
        return self._verified(queries, owner, row, radius)

    def _expand(self, keys: np.ndarray, chunk: np.ndarray, partner_values: np.ndarray,
                within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every row in the buckets ``keys`` (per query, chunk and flip) whose partner chunk passes
        ``within`` (a table: popcount of the partner's difference within the budget): (query, row)."""
        starts = self.offsets[chunk, keys]
        lengths = (self.offsets[chunk, keys + 1] - starts).ravel()
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if len(ends) else 0
        if not total:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        # position in the flat (chunk-major) tables = running count + (bucket start - its running start)
        shift = (starts + chunk * len(self.ids)).ravel() - (ends - lengths)
        index_type = np.int32 if self.partners.size + total < 2**31 else np.int64
        pos = np.repeat(shift.astype(index_type), lengths)
        pos += np.arange(total, dtype=index_type)
        mine = np.repeat(np.broadcast_to(partner_values[:, :, None], keys.shape).ravel(), lengths)
        mine ^= self.partners.reshape(-1)[pos]
        hits = np.flatnonzero(within[mine])
        segment = np.searchsorted(ends, hits, side="right")
        per_query = keys.shape[1] * keys.shape[2]
        return segment // per_query, self.rows.reshape(-1)[pos[hits]].astype(np.int64)

    def _verified(self, queries: np.ndarray, owner: np.ndarray, rows: np.ndarray,
                  radius: int) -> list[list[tuple[int, int]]]:
        words = np.ascontiguousarray(queries).view(np.uint64)
        distances = np.bitwise_count(self._words[rows] ^ words[owner]).sum(axis=1, dtype=np.int64)
        keep = distances <= radius
        owner, ids, distances = owner[keep], self.ids[rows[keep]], distances[keep]
        order = np.lexsort((ids, distances, owner))
        owner, ids, distances = owner[order], ids[order], distances[order]
        bounds = np.searchsorted(owner, np.arange(len(queries) + 1))
        ids_list, distances_list = ids.tolist(), distances.tolist()
        return [list(zip(ids_list[lo:hi], distances_list[lo:hi], strict=True))
                for lo, hi in pairwise(bounds.tolist())]

    def _full_scan(self, query: np.ndarray, radius: int) -> list[tuple[int, int]]:
        word = np.ascontiguousarray(query).view(np.uint64)
        hits: list[tuple[int, int]] = []
        for start in range(0, len(self.ids), 1 << 20):
            block = self._words[start:start + (1 << 20)]
            distances = np.bitwise_count(block ^ word).sum(axis=1, dtype=np.int64)
            rows = np.flatnonzero(distances <= radius)
            hits.extend(zip(self.ids[start + rows].tolist(), distances[rows].tolist(), strict=True))
        return sorted(hits, key=lambda h: (h[1], h[0]))

    def save(self, directory: Path) -> None:
        arrays = {"hashes": self.hashes, "ids": self.ids, "offsets": self.offsets, "rows": self.rows,
                  "partners": self.partners}
        save_arrays(directory, self.name, arrays, {"chunk_bits": CHUNK_BITS, "blocks": BLOCKS})

    @classmethod
    def load(cls, directory: Path) -> MultiIndex:
        """Memory-mapped: loading takes no time, pages come in as queries touch them."""
        names = ("hashes", "ids", "offsets", "rows", "partners")
        arrays, _ = load_arrays(directory, cls.name, names)
        return cls(arrays["hashes"], arrays["ids"], _tables=(arrays["offsets"], arrays["rows"], arrays["partners"]))


def _chunk_values(hashes: np.ndarray) -> np.ndarray:
    """The sixteen 16-bit chunks of each hash, big-endian: (n, 16) uint16."""
    return np.ascontiguousarray(hashes).view(">u2").astype(np.uint16)
