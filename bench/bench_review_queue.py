"""A grid page of the review queue at 10,000 and 100,000 items, against the old whole-case approach
measured in the same run.

    .venv/bin/python bench/bench_review_queue.py [--sizes 10000 100000] [--postgres URL]

The items are synthetic pictures saved straight through the store (random SHA-256, balanced random PDQ,
every tenth a near copy of the one before; one in a hundred categorised); nothing is decoded.

* page: ``review_queue`` as the grid calls it (the 2nd page of 60, new material first), with the
  clusters already kept in the database (the usual case: they are computed once per change of the
  case's items), best of 5; also the first page filtered by category and by one cluster.
* first page after a change: the same page right after items were added, clusters computed again.
* whole case (the old approach, re-created here): read every item whole, every current decision, and
  compute the clusters from every item's hashes, then group, filter, order and slice in Python, for
  every page; best of 2.

PostgreSQL runs in a scratch schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_review import best_of, records, scratch_postgres  # the review bench's generated items and scratch store

from footprint.model import CategoryScheme
from footprint.review import accounts, decisions
from footprint.review.clusters import build_clusters, kept_clusters
from footprint.review.queue import GROUPS, QueueFilters, group_of, review_queue
from footprint.store import open_store
from footprint.store.base import CaseRecord, Store
from footprint.store.reviewstore import review_store

PAGE = 60


def whole_case_page(store: Store, case: CaseRecord, filters: QueueFilters, offset: int, limit: int) -> list[int]:
    """The queue page as it was made before: the whole case read and sorted in Python for every page."""
    decided = decisions.current_all(store, case)
    rows = review_store(store).item_hashes(case.id)
    found = build_clusters((r.id, r.sha256, r.pdq, r.pdq_quality) for r in rows)
    picked = []
    for record in store.iter_items(case.id):
        group = group_of(record)
        if group is None:
            continue
        category = decided[record.id].category if record.id in decided else "none"
        if filters.category and category != filters.category:
            continue
        if filters.cluster is not None and found.of.get(record.id or 0) != filters.cluster:
            continue
        picked.append((record, group))
    picked.sort(key=lambda pair: GROUPS.index(pair[1]))
    return [r.id or 0 for r, _ in picked[offset:offset + limit]]


def measure(label: str, store: Store, count: int) -> None:
    case = store.create_case(f"bench{count}", CategoryScheme.UK)
    exhibit = store.add_exhibit(case.id, "ex", "/evidence/ex", "folder", None, {})
    store.save_items(exhibit.id, records(count))
    boss = accounts.add_user(store, f"boss{count}", "correct horse battery", "admin")
    ids = sorted(r.id for r in review_store(store).item_hashes(case.id))
    decisions.decide(store, boss, case, ids[::100], "uk:B")
    first = QueueFilters()
    kept_clusters(store, case)  # kept from here on
    page = best_of(lambda: review_queue(store, case, first, PAGE, PAGE), 5)
    by_category = best_of(lambda: review_queue(store, case, QueueFilters(category="uk:B"), 0, PAGE), 5)
    cluster = next(e.cluster for e in review_queue(store, case, QueueFilters(show="all"), 0, 60)[0] if e.cluster)
    by_cluster = best_of(lambda: review_queue(store, case, QueueFilters(cluster=cluster), 0, PAGE), 5)
    store.save_items(exhibit.id, records(10, start=count))  # the case changes: clusters computed again
    changed = best_of(lambda: review_queue(store, case, first, PAGE, PAGE), 1)
    old = best_of(lambda: whole_case_page(store, case, first, PAGE, PAGE), 2)
    new_ids = [e.record.id for e in review_queue(store, case, first, PAGE, PAGE)[0]]
    assert new_ids == whole_case_page(store, case, first, PAGE, PAGE), "the two approaches disagree"
    print(f"| {label} | {count:,} | {page * 1000:.0f} ms | {by_category * 1000:.0f} ms | {by_cluster * 1000:.0f} ms | "
          f"{changed:.2f} s | {old:.2f} s | {page / old:.4f}x |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgres", help="also measure on this PostgreSQL database")
    args = parser.parse_args()
    print("| store | items | page | page, by category | page, one cluster | first page after a change "
          "| whole case (old) | page / old |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'case.db'}")
        for size in args.sizes:
            measure("SQLite", store, size)
        store.close()
    if args.postgres:
        with scratch_postgres(args.postgres) as store:
            for size in args.sizes:
                measure("PostgreSQL", store, size)


if __name__ == "__main__":
    main()
