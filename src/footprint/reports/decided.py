"""Reviewers' current decisions as the reports and exports read them.

A decision is never changed, only followed by a newer one (review/decisions.py): the newest is the one
that counts, in every figure and every export. A store without the review tables (the in-memory test
store) has none.
"""

from __future__ import annotations

from collections.abc import Mapping

from footprint.review import decisions
from footprint.review.decisions import Decision
from footprint.store.base import CaseRecord, Store

Decisions = Mapping[int, Decision]  # item id → its current decision


def current_decisions(store: Store, case: CaseRecord) -> dict[int, Decision]:
    """item id → its current (newest) decision, for every item of the case a reviewer categorised."""
    if getattr(store, "engine", None) is None:
        return {}
    return decisions.current_all(store, case)


def decision_row(decision: Decision | None) -> dict[str, object] | None:
    """A decision as the exports and the report write it: category, who and when (UTC, ISO 8601)."""
    if decision is None:
        return None
    row = decision.as_dict()
    return {"category": row["category"], "decided_by": row["decided_by"], "decided_at": row["decided_at"]}


def categories(found: Decisions) -> dict[int, str]:
    """item id → the category of its current decision (what the figures count)."""
    return {item_id: d.category for item_id, d in found.items()}
