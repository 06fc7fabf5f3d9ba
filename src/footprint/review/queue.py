"""The review queue of a case: what a reviewer looks at, in the order that protects children first.

First the new material (pictures and videos in no known list and not known-good: possibly a child at
risk now, intel/newmaterial.py), then the near copies of the case's matched items (in no list either,
so a reviewer categorises them, but probably known material: intel/newmaterial.py decides, the same
answer ``footprint new`` gives), then the matched items (known material, to confirm for court), then
the rest of the pictures and videos (known-good ones). Within each group the store's order (exhibit,
then ref), so the queue is the same on every call. Items that are neither a picture nor a video, and
not matched, are not in the queue.

Filters narrow it: ``show`` (new-first: everything in queue order; new; near-copy; unmatched: new, near
copies and known-good; matched; all: store order), ``category`` (the current decision's category, or
``none`` for undecided items), ``exhibit``, ``state`` (allocated, deleted, carved) and ``cluster`` (a
near-duplicate cluster id).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from footprint.errors import UsageError
from footprint.intel.newmaterial import NEAR_COPY, kept_near_copies, material_of
from footprint.review.clusters import kept_clusters
from footprint.review.decisions import Decision, current_of
from footprint.sources.detect import is_image, is_video
from footprint.store.base import CaseRecord, ItemRecord, Store
from footprint.store.nearstore import NearRow
from footprint.store.reviewstore import QUEUE_GROUPS, QueueQuery, review_store

SHOWS = ("new-first", "new", "near-copy", "unmatched", "matched", "all")
STATES = ("", "allocated", "deleted", "carved")
GROUPS = QUEUE_GROUPS  # queue order: new, near-copy, matched, other
MAX_PAGE = 1000


@dataclass(frozen=True)
class QueueFilters:
    show: str = "new-first"
    category: str = ""  # "" any, "none" undecided, or a category such as "uk:A"
    exhibit: str = ""
    state: str = ""
    cluster: int | None = None

    def check(self) -> None:
        if self.show not in SHOWS:
            raise UsageError(f"show is one of {', '.join(SHOWS)}, not {self.show!r}")
        if self.state not in STATES:
            raise UsageError(f"state is allocated, deleted or carved, not {self.state!r}")


@dataclass(frozen=True)
class QueueEntry:
    record: ItemRecord
    group: str  # new | near-copy | matched | other
    decision: Decision | None
    cluster: int | None
    cluster_size: int
    near: NearRow | None = None  # a near copy's matched item, distance and rule

    @property
    def category(self) -> str | None:
        return self.decision.category if self.decision else None


def group_of(record: ItemRecord, near: Mapping[int, NearRow] | None = None) -> str | None:
    """new, near-copy, matched or other; None for an item that is not in the queue at all. ``near``: the
    case's near copies (intel/newmaterial.near_copies); none given, no item is one."""
    if record.matches:
        return "matched"
    if (material := material_of(record, near or {})) is not None:
        return material
    media = record.digests.media_type if record.digests else None
    return "other" if is_image(media) or is_video(media) else None


def _query(filters: QueueFilters) -> QueueQuery:
    groups, first = {"new-first": ((), True), "new": (("new",), True), NEAR_COPY: ((NEAR_COPY,), True),
                     "matched": (("matched",), True), "unmatched": (("new", NEAR_COPY, "other"), True),
                     "all": ((), False)}[filters.show]
    return QueueQuery(groups=groups, groups_first=first, category=filters.category, exhibit=filters.exhibit,
                      state=filters.state, cluster=filters.cluster)


def review_queue(store: Store, case: CaseRecord, filters: QueueFilters | None = None, offset: int = 0,
                 limit: int = 60) -> tuple[list[QueueEntry], int]:
    """One page of the case's queue, and how many entries the filters leave in all. The database
    groups, filters, orders and pages (store/reviewstore.queue_page); only the page's items are read."""
    filters = filters or QueueFilters()
    filters.check()
    if offset < 0 or not 0 < limit <= MAX_PAGE:
        raise UsageError(f"a page is 1 to {MAX_PAGE} entries from offset 0 or more")
    reviews = review_store(store)
    kept = kept_clusters(store, case)  # computed again only if the case's items changed
    near = kept_near_copies(store, case)  # computed again only if its items or matches changed
    chosen, total = reviews.queue_page(case.id, _query(filters), offset, limit)
    ids = [item_id for item_id, _ in chosen]
    records, decided, clustered = reviews.records(case.id, ids), current_of(store, ids), kept.of_items(case.id, ids)
    nearby = near.of_items(case.id, [item_id for item_id, group in chosen if group == NEAR_COPY])
    page = []
    for item_id, group in chosen:
        cluster, size = clustered.get(item_id, (None, 1))
        page.append(QueueEntry(records[item_id], group, decided.get(item_id), cluster, size, nearby.get(item_id)))
    return page, total
