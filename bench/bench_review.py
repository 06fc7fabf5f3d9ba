"""Review core speed on a large case: one page of the review queue, and the near-duplicate clusters.

    .venv/bin/python bench/bench_review.py [items] [--postgres URL]

Items are synthetic (random SHA-256 and balanced random PDQ hashes, a tenth of them near copies 8 bits
off), saved as pictures of one exhibit; nothing is decoded. Baselines, measured in the same run:
reading every item of the case whole (store.iter_items: the floor of a queue that looks at whole
items), and the same clustering through faiss's exhaustive scan (IndexBinaryFlat) instead of
matching's best index for the size.
PostgreSQL runs in a scratch schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from footprint.hashers.pdq import is_degenerate
from footprint.model import CategoryScheme, Digests, ItemFacts, PerceptualDigest
from footprint.review import clusters
from footprint.review.queue import QueueFilters, review_queue
from footprint.store import open_store
from footprint.store.base import ItemRecord, Store


def records(count: int, start: int = 0) -> list[ItemRecord]:
    """``count`` generated picture items numbered from ``start``: random PDQs, every tenth a near copy
    (8 bits) of the one before."""
    rng = random.Random(start + 1)
    pdqs: list[str] = []
    while len(pdqs) < count:
        if len(pdqs) % 10 == 9:  # a near copy of the one before
            number = int(pdqs[-1], 16)
            for bit in rng.sample(range(256), 8):
                number ^= 1 << bit
            value = f"{number:064x}"
        else:
            value = f"{rng.getrandbits(256):064x}"
        if not is_degenerate(value, 100):
            pdqs.append(value)
    return [ItemRecord(ref=f"ex/{start + i:07d}.jpg", size=1000, status="ok", facts=ItemFacts(),
                       digests=Digests(size=1000, crypto={"sha256": rng.randbytes(32).hex()},
                                       perceptual={"pdq": PerceptualDigest("pdq", value, 100)},
                                       media_type="image/jpeg"))
            for i, value in enumerate(pdqs)]


def best_of(work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(label: str, store: Store, count: int) -> None:
    case = store.create_case("bench", CategoryScheme.UK)
    exhibit = store.add_exhibit(case.id, "ex", "/evidence/ex", "folder", None, {})
    store.save_items(exhibit.id, records(count))
    whole = best_of(lambda: sum(1 for _ in store.iter_items(case.id)))
    clusters.case_clusters(store, case)  # cached from here on, as in the web app
    page = best_of(lambda: review_queue(store, case, QueueFilters(), 60, 60))
    rows = [(r.id, r.sha256, r.pdq, r.pdq_quality) for r in clusters.review_store(store).item_hashes(case.id)]
    best = best_of(lambda: clusters.build_clusters(rows), 1)
    flat = best_of(lambda: clusters.build_clusters(rows, index="faiss"), 1)
    found = len(clusters.build_clusters(rows).members)
    print(f"{label}, {count} items: queue page {page * 1000:.0f} ms against reading every item whole "
          f"{whole * 1000:.0f} ms ({page / whole:.2f}x); clusters ({found}) {best:.2f} s against faiss's "
          f"exhaustive scan {flat:.2f} s ({best / flat:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("items", type=int, nargs="?", default=20000)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'case.db'}")
        measure("SQLite", store, args.items)
        store.close()
    if args.postgres:
        with scratch_postgres(args.postgres) as store:
            measure("PostgreSQL", store, args.items)


@contextmanager
def scratch_postgres(url: str) -> Iterator[Store]:
    """A case store on PostgreSQL in a scratch schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        store = open_store(f"{url}?options=-csearch_path%3D{schema}")
        try:
            yield store
        finally:
            store.close()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
