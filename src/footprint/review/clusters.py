"""Near-duplicate clusters of a case's items, so that each picture is judged once.

Two items are in one cluster when they have the same SHA-256, or when their PDQ hashes are within
CLUSTER_DISTANCE bits of each other; clusters are the connected groups of that relation (union-find).
The distance is deliberately tight, far below the 31 bits a list match allows: a cluster can be
categorised in one keystroke, so it must only hold copies of one picture (resized, recompressed,
lightly edited), never two different pictures that happen to look alike. A missed grouping costs a
reviewer one more look; a wrong one could put a category on a picture nobody looked at.

Degenerate or low-quality PDQ hashes (flat, blank or nearly uniform pictures: quality under 50 or far
from half the bits set, hashers/pdq.py) never cluster by PDQ: such pictures all hash alike.

A cluster's id is its smallest item id, so ids are stable as long as the items are. Items alone in
their group are in no cluster. The neighbour search is a self-join (every hash against all the others)
through matching's best exact Hamming index for the size (matching/registry.best_index); faiss's
exhaustive scan, the other choice, grows with the square of the items (bench/bench_review.py).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from footprint.hashers.pdq import is_degenerate
from footprint.matching.registry import best_index, get_index
from footprint.store import codec
from footprint.store.base import CaseRecord, Store
from footprint.store.reviewstore import review_store

CLUSTER_DISTANCE = 16  # bits of 256: a resized or re-saved copy is 2-12 bits off, unrelated pictures ~128
SEARCH_CHUNK = 4096  # queries per index search: bounds the answer held at once


@dataclass(frozen=True)
class Clusters:
    """The clusters of one case: item id → cluster id, and each cluster's members (sorted ids)."""

    of: dict[int, int] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)

    def cluster_of(self, item_id: int) -> tuple[int | None, int]:
        """(cluster id, size); (None, 1) for an item in no cluster."""
        cluster = self.of.get(item_id)
        return (cluster, len(self.members[cluster])) if cluster is not None else (None, 1)

    def items(self, cluster_id: int) -> list[int]:
        return list(self.members.get(cluster_id, []))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the root is the smallest id: the cluster id


def build_clusters(rows: Iterable[tuple[int, str | None, str | None, int | None]],
                   distance: int = CLUSTER_DISTANCE, index: str | None = None) -> Clusters:
    """Clusters from (item id, sha256, pdq hex, pdq quality) rows. ``index``: a matching index by name
    (every one is exact, so the clusters are the same); default the best for the size."""
    found = _UnionFind()
    by_sha: dict[str, int] = {}
    ids: list[int] = []
    hexes: list[str] = []
    for item_id, sha256, pdq, quality in rows:
        if sha256:
            found.union(by_sha.setdefault(sha256, item_id), item_id)
        if pdq and not is_degenerate(pdq, quality):
            ids.append(item_id)
            hexes.append(pdq)
    if ids:
        _link_near(found, ids, hexes, distance, index)
    groups: dict[int, list[int]] = defaultdict(list)
    for item_id in list(found.parent):
        groups[found.find(item_id)].append(item_id)
    members = {root: sorted(group) for root, group in groups.items() if len(group) > 1}
    return Clusters(of={i: root for root, group in members.items() for i in group}, members=members)


def _link_near(found: _UnionFind, ids: list[int], hexes: list[str], distance: int, index: str | None) -> None:
    id_array, hashes = codec.pdq_arrays(ids, hexes)
    built = (get_index(index) if index else best_index(len(ids)))(hashes, id_array)
    for start in range(0, len(ids), SEARCH_CHUNK):
        answers = built.search(np.ascontiguousarray(hashes[start:start + SEARCH_CHUNK]), distance)
        for offset, neighbours in enumerate(answers):
            for other, _ in neighbours:
                found.union(ids[start + offset], int(other))


# -- per case, cached ---------------------------------------------------------------------------

_cache: dict[tuple[str, int], tuple[tuple[int, int], Clusters]] = {}
_lock = threading.Lock()


def case_clusters(store: Store, case: CaseRecord, distance: int = CLUSTER_DISTANCE) -> Clusters:
    """The case's clusters; kept in memory until the case's items change (a scan adds items, which
    changes their count and newest id; items are never edited)."""
    reviews = review_store(store)
    key = (reviews.engine.url.render_as_string(), case.id) if distance == CLUSTER_DISTANCE else None
    stamp = reviews.item_stamp(case.id)
    with _lock:
        cached = _cache.get(key) if key else None
    if cached and cached[0] == stamp:
        return cached[1]
    rows = reviews.item_hashes(case.id)
    clusters = build_clusters(((r.id, r.sha256, r.pdq, r.pdq_quality) for r in rows), distance)
    if key:
        with _lock:
            _cache[key] = (stamp, clusters)
    return clusters


def cluster_of(store: Store, case: CaseRecord, item_id: int) -> tuple[int | None, int]:
    """(cluster id, number of items in it) for one item; (None, 1) when it is in no cluster."""
    return case_clusters(store, case).cluster_of(item_id)


def cluster_items(store: Store, case: CaseRecord, cluster_id: int) -> list[int]:
    """The items of one cluster (sorted ids); empty for an unknown cluster id."""
    return case_clusters(store, case).items(cluster_id)
