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
their group are in no cluster. The neighbour search is matching/pairs.near_pairs (shared with the links
across cases): a self-join through matching's best exact Hamming index for the size; faiss's
exhaustive scan, the other choice, grows with the square of the items (bench/bench_review.py).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from footprint.hashers.pdq import is_degenerate
from footprint.matching.pairs import near_pairs
from footprint.store.base import CaseRecord, Store
from footprint.store.clusterstore import ClusterStore
from footprint.store.reviewstore import review_store

CLUSTER_DISTANCE = 16  # bits of 256: a resized or re-saved copy is 2-12 bits off, unrelated pictures ~128


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
    for one, other, _ in near_pairs(ids, hexes, distance, index):
        found.union(one, other)
    groups: dict[int, list[int]] = defaultdict(list)
    for item_id in list(found.parent):
        groups[found.find(item_id)].append(item_id)
    members = {root: sorted(group) for root, group in groups.items() if len(group) > 1}
    return Clusters(of={i: root for root, group in members.items() for i in group}, members=members)


# -- per case, kept in the database ---------------------------------------------------------------

_refreshing = threading.Lock()  # one computation at a time in this process (others find it done)


def kept_clusters(store: Store, case: CaseRecord) -> ClusterStore:
    """The case's clusters as kept in the database, computed again first when the case's items changed
    since (a scan adds items, which changes their count and newest id; items are never edited): the
    whole case is read once per change, and every page after that reads its own items' clusters only."""
    reviews = review_store(store)
    kept = ClusterStore(reviews.engine)
    count, newest = reviews.item_stamp(case.id)
    if kept.stamp(case.id) == (count, newest, CLUSTER_DISTANCE):
        return kept
    with _refreshing:
        count, newest = reviews.item_stamp(case.id)
        if kept.stamp(case.id) != (count, newest, CLUSTER_DISTANCE):
            rows = reviews.item_hashes(case.id)
            found = build_clusters((r.id, r.sha256, r.pdq, r.pdq_quality) for r in rows)
            kept.replace(case.id, (count, newest, CLUSTER_DISTANCE), found.of)
    return kept


def case_clusters(store: Store, case: CaseRecord, distance: int = CLUSTER_DISTANCE) -> Clusters:
    """Every cluster of the case (the kept ones; computed afresh for another distance)."""
    if distance != CLUSTER_DISTANCE:
        rows = review_store(store).item_hashes(case.id)
        return build_clusters(((r.id, r.sha256, r.pdq, r.pdq_quality) for r in rows), distance)
    of = kept_clusters(store, case).all_of(case.id)
    members: dict[int, list[int]] = defaultdict(list)
    for item_id, cluster in sorted(of.items()):
        members[cluster].append(item_id)
    return Clusters(of=of, members=dict(members))


def page_clusters(store: Store, case: CaseRecord, item_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """item id → (cluster id, size) for those of a page's items that are in a cluster."""
    return kept_clusters(store, case).of_items(case.id, item_ids)


def cluster_of(store: Store, case: CaseRecord, item_id: int) -> tuple[int | None, int]:
    """(cluster id, number of items in it) for one item; (None, 1) when it is in no cluster."""
    found = page_clusters(store, case, [item_id]).get(item_id)
    return found if found is not None else (None, 1)


def cluster_items(store: Store, case: CaseRecord, cluster_id: int) -> list[int]:
    """The items of one cluster (sorted ids); empty for an unknown cluster id."""
    return kept_clusters(store, case).members(case.id, cluster_id)
