"""The review queue of a case: what a reviewer looks at, in the order that protects children first.

First the new material (pictures and videos in no known list and not known-good: possibly a child at
risk now, intel/newmaterial.py), then the matched items (known material, to confirm for court), then
the rest of the pictures and videos (known-good ones). Within each group the store's order (exhibit,
then ref), so the queue is the same on every call. Items that are neither a picture nor a video, and
not matched, are not in the queue.

Filters narrow it: ``show`` (new-first: everything in queue order; new; unmatched; matched; all: store
order), ``category`` (the current decision's category, or ``none`` for undecided items), ``exhibit``,
``state`` (allocated, deleted, carved) and ``cluster`` (a near-duplicate cluster id).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from footprint.errors import UsageError
from footprint.intel.newmaterial import is_new_material
from footprint.review.clusters import case_clusters
from footprint.review.decisions import Decision, current_all
from footprint.sources.detect import is_image, is_video
from footprint.store.base import CaseRecord, ItemRecord, Store
from footprint.store.reviewstore import QueueRow, review_store

SHOWS = ("new-first", "new", "unmatched", "matched", "all")
STATES = ("", "allocated", "deleted", "carved")
GROUPS = ("new", "matched", "other")  # queue order
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
    group: str  # new | matched | other
    decision: Decision | None
    cluster: int | None
    cluster_size: int

    @property
    def category(self) -> str | None:
        return self.decision.category if self.decision else None


def group_of(record: ItemRecord) -> str | None:
    """new, matched or other; None for an item that is not in the queue at all."""
    if record.matches:
        return "matched"
    if is_new_material(record):
        return "new"
    media = record.digests.media_type if record.digests else None
    return "other" if is_image(media) or is_video(media) else None


@lru_cache(maxsize=512)
def _is_media(media_type: str | None) -> bool:
    """A picture or a video (a case holds a handful of distinct types, asked once per item)."""
    return is_image(media_type) or is_video(media_type)


def _group(row: QueueRow) -> str | None:
    """``group_of`` from the light row: matched; a picture or video with no known-good mark is new."""
    if row.matched:
        return "matched"
    if not _is_media(row.media_type):
        return None
    return "other" if row.known_good else "new"


def review_queue(store: Store, case: CaseRecord, filters: QueueFilters | None = None, offset: int = 0,
                 limit: int = 60) -> tuple[list[QueueEntry], int]:
    """One page of the case's queue, and how many entries the filters leave in all. The order and the
    filters work on a light row per item; only the page's items are read whole."""
    filters = filters or QueueFilters()
    filters.check()
    if offset < 0 or not 0 < limit <= MAX_PAGE:
        raise UsageError(f"a page is 1 to {MAX_PAGE} entries from offset 0 or more")
    reviews = review_store(store)
    decided = current_all(store, case)
    clusters = case_clusters(store, case)
    picked: list[tuple[QueueRow, str]] = []
    for row in reviews.queue_rows(case.id):
        group = _group(row)
        if group is not None and _keep(row, group, decided.get(row.id), clusters.of.get(row.id), filters):
            picked.append((row, group))
    if filters.show in ("new-first", "unmatched"):
        picked.sort(key=lambda pair: GROUPS.index(pair[1]))  # stable: store order within a group
    chosen = picked[offset:offset + limit]
    records = reviews.records(case.id, [row.id for row, _ in chosen])
    page = [QueueEntry(records[row.id], group, decided.get(row.id), *clusters.cluster_of(row.id))
            for row, group in chosen]
    return page, len(picked)


def _keep(row: QueueRow, group: str, decision: Decision | None, cluster: int | None, filters: QueueFilters) -> bool:
    show = filters.show
    if (show == "new" and group != "new") or (show == "matched" and group != "matched"):
        return False
    if show == "unmatched" and group == "matched":
        return False
    if filters.category and (decision.category if decision else "none") != filters.category:
        return False
    if filters.exhibit and row.exhibit != filters.exhibit:
        return False
    if filters.state and row.state != filters.state:
        return False
    return filters.cluster is None or cluster == filters.cluster
