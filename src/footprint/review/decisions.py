"""Reviewers' decisions: the category a person gave an item, in the case's scheme (UK A/B/C/N or VICS 0-4).

Decisions are never changed, only added: an item's current decision is its newest, and its history
is all of them, with who decided and when. Each call (one item or many, such as a whole near-duplicate
cluster) is one write transaction holding the decision rows and their audit entry (stamped with the same
moment), so a decision is never saved unaudited, and ``audit.verify`` finds any decision row changed
behind footprint's back; two reviewers deciding at once both keep their decisions (the later is the
current one; both stay in the history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from footprint.errors import NotFound, UsageError
from footprint.model import Category
from footprint.review import audit
from footprint.review.accounts import User, can_access, require
from footprint.review.clusters import cluster_items, cluster_of
from footprint.store import codec
from footprint.store.base import CaseRecord, Store
from footprint.store.reviewstore import DecisionRow, review_store

MAX_ITEMS = 100_000  # one call; a cluster is far smaller


@dataclass(frozen=True)
class Decision:
    item_id: int
    category: str  # "uk:A", "vics:3"
    decided_by: str
    decided_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item_id, "category": self.category, "decided_by": self.decided_by,
                "decided_at": self.decided_at.astimezone(UTC).isoformat(timespec="seconds")}


def _decision(row: DecisionRow) -> Decision:
    return Decision(item_id=row.item_id, category=row.category, decided_by=row.decided_by, decided_at=row.decided_at)


def parse_category(case: CaseRecord, text: str) -> Category:
    """The category, if it is in the case's scheme; accepts ``uk:A`` or just the code ``A``."""
    full = text if ":" in text else f"{case.scheme.value}:{text}"
    try:
        category = Category.parse(full)
    except ValueError as exc:
        raise UsageError(f"category {text!r} is not in case {case.name!r}'s {case.scheme.value} scheme") from exc
    if category.scheme is not case.scheme:
        raise UsageError(f"category {text!r} is not in case {case.name!r}'s {case.scheme.value} scheme")
    return category


def decide(store: Store, user: User, case: CaseRecord, item_ids: Sequence[int], category: str) -> list[Decision]:
    """Give every item the category (one item, or many at once). Items not of the case are NotFound,
    and then nothing is decided."""
    return _decide(store, user, case, item_ids, category, {})


def decide_cluster(store: Store, user: User, case: CaseRecord, item_id: int, category: str, *,
                   seen_size: int | None = None) -> list[Decision]:
    """Give the category to the item's whole near-duplicate cluster (the item alone when it is in none).
    ``seen_size`` is the cluster's size as the reviewer was shown it: if a scan has since added items to
    the cluster (or joined two), nothing is decided (UsageError), so no category lands on a picture
    nobody looked at."""
    require(user, "decide")
    if not can_access(store, user, case):
        raise NotFound(f"case {case.id} not found")
    cluster, size = cluster_of(store, case, item_id)
    if seen_size is not None and seen_size != size:
        raise UsageError(f"the near-duplicate cluster of item {item_id} now holds {size} items, not the "
                         f"{seen_size} shown: look at it again before deciding")
    ids = cluster_items(store, case, cluster) if cluster is not None else [item_id]
    return _decide(store, user, case, ids, category, {"cluster": cluster} if cluster is not None else {})


def _decide(store: Store, user: User, case: CaseRecord, item_ids: Sequence[int], category: str,
            extra: dict[str, Any]) -> list[Decision]:
    require(user, "decide")
    if not can_access(store, user, case):
        raise NotFound(f"case {case.id} not found")
    chosen = parse_category(case, category)
    wanted = sorted(set(item_ids))
    if not wanted:
        raise UsageError("no items to decide")
    if len(wanted) > MAX_ITEMS:
        raise UsageError(f"at most {MAX_ITEMS} items in one decision, not {len(wanted)}")
    reviews = review_store(store)
    at = codec.now()
    with reviews.tx(write=True) as conn:
        missing = set(wanted) - reviews.case_item_ids(conn, case.id, wanted)
        if missing:
            raise NotFound(f"item {min(missing)} not found in case {case.name!r}")
        reviews.insert_decisions(conn, wanted, chosen.scheme.value, str(chosen), user.name, at)
        audit.append_in(reviews, conn, audit.DECIDE, user=user.name, case_id=case.id,
                        item_id=wanted[0] if len(wanted) == 1 else None,
                        details={**extra, **audit.decision_details(str(chosen), wanted)}, at=at)
    return [Decision(item_id=i, category=str(chosen), decided_by=user.name, decided_at=at) for i in wanted]


def history(store: Store, item_id: int) -> list[Decision]:
    """Every decision on the item, oldest first."""
    return [_decision(row) for row in review_store(store).history(item_id)]


def current(store: Store, item_id: int) -> Decision | None:
    found = history(store, item_id)
    return found[-1] if found else None


def current_of(store: Store, item_ids: Sequence[int]) -> dict[int, Decision]:
    """item id → current decision, for those of the items that have one (a page of the queue)."""
    return {item_id: _decision(row) for item_id, row in review_store(store).current_of(item_ids).items()}


def current_all(store: Store, case: CaseRecord) -> dict[int, Decision]:
    """item id → current decision, for every decided item of the case."""
    return {item_id: _decision(row) for item_id, row in review_store(store).current_decisions(case.id).items()}
