"""Near-duplicate clusters kept in the case database (store/schema_review.py, migration 0007).

footprint.review.clusters computes a case's clusters once and keeps them here, with the item stamp
(number of items, newest item id) and distance they were computed from; a grid page then reads the
clusters of its own items only. Replacing a case's clusters is one write transaction that first locks
the case's row (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers), so two servers refreshing
at once write one after the other, never a mix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Engine, func, select

from . import codec
from .engine import transaction
from .schema import cases
from .schema_review import review_cluster_state, review_clusters

IN_LIMIT = 1000
INSERT_CHUNK = 5000
WHAT = "case store: review clusters"

Stamp = tuple[int, int, int]  # item count, newest item id, distance


class ClusterStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stamp(self, case_id: int) -> Stamp | None:
        """What the kept clusters were computed from; None when the case has none kept."""
        query = select(review_cluster_state.c.item_count, review_cluster_state.c.newest_item,
                       review_cluster_state.c.distance).where(review_cluster_state.c.case_id == case_id)
        with transaction(self.engine, False, WHAT) as conn:
            row = conn.execute(query).first()
        return (int(row[0]), int(row[1]), int(row[2])) if row is not None else None

    def replace(self, case_id: int, stamp: Stamp, of: Mapping[int, int]) -> None:
        """Keep ``of`` (item id → cluster id, clustered items only) as the case's clusters."""
        with transaction(self.engine, True, WHAT) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(cases.c.id).where(cases.c.id == case_id).with_for_update())
            conn.execute(review_clusters.delete().where(review_clusters.c.case_id == case_id))
            conn.execute(review_cluster_state.delete().where(review_cluster_state.c.case_id == case_id))
            rows = [{"item_id": item, "case_id": case_id, "cluster_id": cluster} for item, cluster in of.items()]
            for start in range(0, len(rows), INSERT_CHUNK):
                conn.execute(review_clusters.insert(), rows[start:start + INSERT_CHUNK])
            count, newest, distance = stamp
            conn.execute(review_cluster_state.insert().values(case_id=case_id, item_count=count, newest_item=newest,
                                                              distance=distance, built=codec.now()))

    def of_items(self, case_id: int, item_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """item id → (cluster id, cluster size) for those of ``item_ids`` in a cluster (a page's items)."""
        found: dict[int, int] = {}
        with transaction(self.engine, False, WHAT) as conn:
            for chunk in codec.batched(sorted(set(item_ids)), IN_LIMIT):
                query = select(review_clusters.c.item_id, review_clusters.c.cluster_id).where(
                    review_clusters.c.case_id == case_id, review_clusters.c.item_id.in_(chunk))
                found.update((int(i), int(c)) for i, c in conn.execute(query))
            sizes: dict[int, int] = {}
            for chunk in codec.batched(sorted(set(found.values())), IN_LIMIT):
                query = (select(review_clusters.c.cluster_id, func.count())
                         .where(review_clusters.c.case_id == case_id, review_clusters.c.cluster_id.in_(chunk))
                         .group_by(review_clusters.c.cluster_id))
                sizes.update((int(c), int(n)) for c, n in conn.execute(query))
        return {item: (cluster, sizes[cluster]) for item, cluster in found.items()}

    def members(self, case_id: int, cluster_id: int) -> list[int]:
        """The items of one cluster, sorted; empty for an id that is no cluster of the case."""
        query = (select(review_clusters.c.item_id).where(review_clusters.c.case_id == case_id,
                                                         review_clusters.c.cluster_id == cluster_id)
                 .order_by(review_clusters.c.item_id))
        with transaction(self.engine, False, WHAT) as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def all_of(self, case_id: int) -> dict[int, int]:
        """item id → cluster id for every clustered item of the case."""
        query = select(review_clusters.c.item_id, review_clusters.c.cluster_id).where(
            review_clusters.c.case_id == case_id)
        with transaction(self.engine, False, WHAT) as conn:
            return {int(i): int(c) for i, c in conn.execute(query)}
