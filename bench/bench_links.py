"""The case view's Links page on a store of several cases: computing every link (the first request
after a scan) against a request served from the kept links (intel/caseview.LinkCache).

    .venv/bin/python bench/bench_links.py [items] [--cases N]

Items are bench_review's synthetic pictures (random SHA-256 and PDQ, a tenth near copies 8 bits off),
dealt round the cases, so near copies link across cases; nothing is decoded. The baseline, measured in
the same run, is intel/links.links_for_case: every case read and every link found again per request.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_review import best_of, records

from footprint.intel.caseview import LinkCache, case_view
from footprint.intel.links import links_for_case
from footprint.model import CategoryScheme
from footprint.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("items", type=int, nargs="?", default=5000)
    parser.add_argument("--cases", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'case.db'}")
        found = records(args.items)
        for number in range(args.cases):
            case = store.create_case(f"case{number}", CategoryScheme.UK)
            exhibit = store.add_exhibit(case.id, f"ex{number}", f"/evidence/{number}", "folder", None, {})
            store.save_items(exhibit.id, found[number::args.cases])
        cases = store.list_cases()
        first, ids = cases[0], {c.name: c.id for c in cases}
        cache = LinkCache(store)
        started = time.perf_counter()
        cache.groups()
        cold = time.perf_counter() - started
        warm = best_of(lambda: case_view(cache.groups(), first, ids, set(ids.values())), 5)
        again = best_of(lambda: links_for_case(store, first.name), 3)
        shown = case_view(cache.groups(), first, ids, set(ids.values()))
        print(f"{args.items} items in {args.cases} cases, {len(shown.links)} links of {first.name}: "
              f"kept links {warm * 1000:.1f} ms a request against finding them again {again * 1000:.0f} ms "
              f"({warm / again:.3f}x); the first request after a change {cold * 1000:.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
