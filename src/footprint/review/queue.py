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

from footprint.errors import UsageError
from footprint.intel.newmaterial import is_new_material
from footprint.review.clusters import case_clusters
from footprint.review.decisions import Decision, current_all
from footprint.sources.detect import is_image, is_video
from footprint.store.base import CaseRecord, ItemRecord, Store

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


def review_queue(store: Store, case: CaseRecord, filters: QueueFilters | None = None, offset: int = 0,
                 limit: int = 60) -> tuple[list[QueueEntry], int]:
    """One page of the case's queue, and how many entries the filters leave in all."""
    filters = filters or QueueFilters()
    filters.check()
    if offset < 0 or not 0 < limit <= MAX_PAGE:
        raise UsageError(f"a page is 1 to {MAX_PAGE} entries from offset 0 or more")
    decided = current_all(store, case)
    clusters = case_clusters(store, case)
    picked: list[QueueEntry] = []
    for record in store.iter_items(case.id):
        group = group_of(record)
        if group is None or record.id is None:
            continue
        cluster, size = clusters.cluster_of(record.id)
        entry = QueueEntry(record, group, decided.get(record.id), cluster, size)
        if _keep(entry, filters):
            picked.append(entry)
    if filters.show in ("new-first", "unmatched"):
        picked.sort(key=lambda e: GROUPS.index(e.group))  # stable: store order within a group
    return picked[offset:offset + limit], len(picked)


def _keep(entry: QueueEntry, filters: QueueFilters) -> bool:
    record = entry.record
    show = filters.show
    if (show == "new" and entry.group != "new") or (show == "matched" and entry.group != "matched"):
        return False
    if show == "unmatched" and entry.group == "matched":
        return False
    if filters.category and (entry.category or "none") != filters.category:
        return False
    if filters.exhibit and record.exhibit != filters.exhibit:
        return False
    if filters.state and record.facts.state.value != filters.state:
        return False
    return filters.cluster is None or entry.cluster == filters.cluster
