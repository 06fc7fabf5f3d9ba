"""PDQ index at scale: footprint's multi-index against faiss brute force, in the same run.

    .venv/bin/python bench/bench_index.py                       # 1M and 10M entries (about 5 minutes)
    .venv/bin/python bench/bench_index.py --sizes 1000000       # 1M only

For each size: random 256-bit hashes, plus near-duplicates planted at every distance 0..31 from a set of
query hashes (29, 30 and 31 included). Measured, one thread each:

* queries/s one at a time, and as the scan issues them (a batch of pictures, eight dihedral variants each,
  one ``search`` call), for footprint's MultiIndex and for faiss ``IndexBinaryFlat`` range search;
* recall: every query's answer from the multi-index must equal faiss's exactly, planted neighbours
  included (the bench exits non-zero otherwise);
* build time, save and (memory-mapped) load time, size on disk, peak memory of the build (tracemalloc,
  which sees numpy's allocations) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import faiss
import numpy as np

from footprint.matching.multi import MultiIndex

RADIUS = 31
rng = np.random.default_rng(6)


def flip(hash_: np.ndarray, count: int) -> np.ndarray:
    bits = np.unpackbits(hash_)
    bits[rng.choice(256, size=count, replace=False)] ^= 1
    return np.packbits(bits)


def corpus(n: int, queries: int) -> tuple[np.ndarray, np.ndarray, dict[int, list[tuple[int, int]]]]:
    """n hashes whose last rows are planted neighbours of the query hashes: query i gets one at each of
    four distances, cycling through 0..31 so that every distance (29, 30, 31 too) is planted."""
    base = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    query_hashes = rng.integers(0, 256, size=(queries, 32), dtype=np.uint8)
    planted: dict[int, list[tuple[int, int]]] = {}
    row = n - 4 * queries
    for i, q in enumerate(query_hashes):
        for k in range(4):
            distance = (4 * i + k) % 32
            base[row] = flip(q, distance)
            planted.setdefault(i, []).append((row, distance))
            row += 1
    return base, query_hashes, planted


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def faiss_search(index: faiss.IndexBinaryFlat, queries: np.ndarray) -> list[list[tuple[int, int]]]:
    limits, distances, rows = index.range_search(queries, RADIUS + 1)  # faiss: strictly below
    return [sorted(zip(rows[limits[q]:limits[q + 1]].tolist(), distances[limits[q]:limits[q + 1]].tolist(),
                       strict=True), key=lambda h: (h[1], h[0])) for q in range(len(queries))]


def dihedral_batch(query_hashes: np.ndarray, pictures: int) -> np.ndarray:
    """What one scan batch sends: per picture, its hash then seven other variants (random here)."""
    rows = []
    for i in range(pictures):
        rows.append(query_hashes[i % len(query_hashes)])
        rows.extend(rng.integers(0, 256, size=(7, 32), dtype=np.uint8))
    return np.stack(rows)


def run(n: int, queries: int, faiss_queries: int) -> dict[str, float]:
    print(f"\n== {n:,} entries ==", flush=True)
    hashes, query_hashes, planted = corpus(n, queries)
    ids = np.arange(n, dtype=np.int64)

    tracemalloc.start()
    index, build_s = timed(MultiIndex, hashes, ids)
    _, build_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    resident = sum(a.nbytes for a in (index.hashes, index.ids, index.offsets, index.rows, index.partners))
    folder = Path(tempfile.mkdtemp(prefix="fp-index-"))
    try:
        _, save_s = timed(index.save, folder / "ix")
        disk = sum(f.stat().st_size for f in (folder / "ix").iterdir())
        loaded, load_s = timed(MultiIndex.load, folder / "ix")
        figures = measure(index, loaded, hashes, query_hashes, planted, faiss_queries)
    finally:
        shutil.rmtree(folder)
    figures |= {"build_s": build_s, "save_s": save_s, "load_s": load_s, "disk_mb": disk / 1e6,
                "resident_mb": resident / 1e6, "build_peak_mb": build_peak / 1e6,
                "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    for key, value in figures.items():
        print(f"  {key:28} {value:,.2f}", flush=True)
    return figures


def measure(index: MultiIndex, loaded: MultiIndex, hashes: np.ndarray, query_hashes: np.ndarray,
            planted: dict[int, list[tuple[int, int]]], faiss_queries: int) -> dict[str, float]:
    flat = faiss.IndexBinaryFlat(256)
    flat.add(hashes)
    few = query_hashes[:faiss_queries]
    expected, faiss_s = timed(faiss_search, flat, few)
    del flat
    ours = [index.search(q[None, :], RADIUS)[0] for q in few]  # warm-up and recall, one at a time
    single, single_s = timed(lambda: [index.search(q[None, :], RADIUS)[0] for q in query_hashes])
    batch = dihedral_batch(query_hashes, 256)
    batched, batch_s = timed(index.search, batch, RADIUS)
    from_disk, disk_s = timed(loaded.search, batch, RADIUS)
    missed = sum(1 for a, b in zip(ours, expected, strict=True) if a != b)
    missed += sum(1 for a, b in zip(single[:len(few)], expected, strict=True) if a != b)
    missed += sum(1 for a, b in zip(batched, from_disk, strict=True) if a != b)
    for i, hits in planted.items():
        found = dict(single[i])
        missed += sum(1 for row, distance in hits if found.get(row) != distance)
        missed += sum(1 for row, distance in hits if dict(batched[8 * i])[row] != distance) if 8 * i < len(batch) else 0
    planted_count = sum(len(h) for h in planted.values())
    print(f"  planted neighbours {planted_count} (distances 0..31), faiss cross-checked on {len(few)} queries, "
          f"mismatches: {missed}", flush=True)
    if missed:
        sys.exit(f"RECALL FAILURE: {missed} answers differ from brute force")
    faiss_qps = len(few) / faiss_s
    return {"faiss_brute_qps": faiss_qps, "multi_single_qps": len(query_hashes) / single_s,
            "multi_dihedral_qps": len(batch) / batch_s, "multi_dihedral_pictures_s": len(batch) / 8 / batch_s,
            "multi_loaded_dihedral_qps": len(batch) / disk_s,
            "speedup_single": len(query_hashes) / single_s / faiss_qps,
            "speedup_dihedral": len(batch) / batch_s / faiss_qps, "recall_pct": 100.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--queries", type=int, default=500, help="query hashes (4 planted neighbours each)")
    parser.add_argument("--faiss-queries", type=int, default=100, help="queries timed on faiss brute force")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    for n in (int(s) for s in args.sizes.split(",")):
        run(n, args.queries, args.faiss_queries)


if __name__ == "__main__":
    main()
