"""The figures a case is judged by, computed in one pass over its items.

Live (allocated), deleted and carved items are counted apart everywhere: in UK law a deleted image
the suspect can no longer retrieve is not "possessed", so a figure that mixes them misleads a court.
An item counts once, under its most serious matched category (``most_serious``) across both schemes
(hashsets.categories.SEVERITY), whatever the case's scheme; items whose lists disagree on the category
(hashsets.categories.disagreement) are counted too (``category_disagreements``), for the report to say.

The figures put before a court are those a trained reviewer confirmed, so the ``court`` figures count
every item under its category for the court: a reviewer's (current) decision where there is one, else
the lists' most serious category, not yet verified by a reviewer. Each figure says its basis (BASES):
a list match a reviewer verified (or changed), a list match nobody has yet verified, or material in no
list that a reviewer categorised. Where the reviewer's category and the lists' disagree (as lists may
between themselves), the reviewer's counts and the item is counted in ``reviewer_disagreements``.
The list-only figures (``by_category``, ``by_category_media``) stay as they were: what the lists said.
The same figures for the court are also given per exhibit, and as distinct images (identical content
counted once) beside files (``breakdown``, reports/distinct.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from footprint.hashsets.categories import disagreement, most_serious_of
from footprint.model import Category, CategoryScheme, Match
from footprint.reports.decided import categories, current_decisions
from footprint.reports.distinct import BASES, Breakdown, Counted
from footprint.sources.detect import is_image, is_video
from footprint.store.base import CaseRecord, ItemRecord, Store

BASIS_WORDS = {
    "reviewer_verified": "in a list, categorised by a reviewer (the reviewer's category)",
    "list_only": "in a list, not yet verified by a reviewer (the list's category)",
    "reviewer_only": "in no list (new material), categorised by a reviewer",
}
COURT_BASIS = ("a reviewer's current decision where there is one, else the most serious category the lists "
               "gave (not yet verified by a reviewer)")


@dataclass
class Counts:
    scheme: CategoryScheme | None = None  # the case's, for the reader: counting does not depend on it
    items: int = 0
    bytes: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_state: Counter[str] = field(default_factory=Counter)
    matched_by_state: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)  # exact / near, per item's best match
    by_category: dict[str, Counter[str]] = field(default_factory=dict)  # category → state → items
    by_category_media: dict[str, Counter[str]] = field(default_factory=dict)  # category → media → items
    warnings: int = 0
    known_good_by_state: Counter[str] = field(default_factory=Counter)  # marked known-good, not matched
    known_good_conflicts: int = 0  # marked known-good and matched: the match stands
    category_disagreements: int = 0  # matched items whose lists disagree on the category
    # the category for the court: the reviewer's where decided, else the lists' (module doc)
    court_by_category: dict[str, Counter[str]] = field(default_factory=dict)  # category → state → items
    court_by_basis: dict[str, Counter[str]] = field(default_factory=dict)  # category → basis → items
    court_by_category_media: dict[str, Counter[str]] = field(default_factory=dict)  # category → media → items
    reviewer_disagreements: int = 0  # matched items a reviewer categorised otherwise than the lists
    # the same files per exhibit, and as distinct images (identical content once): reports/distinct.py
    breakdown: Breakdown = field(default_factory=Breakdown)

    def add(self, record: ItemRecord, decided: str | None = None, decided_at: str = "") -> None:
        """Count one item; ``decided`` is the category of its current reviewer's decision, if any, made at
        ``decided_at`` (ISO 8601, UTC)."""
        self.items += 1
        self.bytes += record.size or 0
        state = record.facts.state.value
        self.by_status[record.status] += 1
        self.by_state[state] += 1
        self.warnings += len(record.warnings)
        if record.known_good:
            if record.matches:
                self.known_good_conflicts += 1
            else:
                self.known_good_by_state[state] += 1
        if record.matches:
            self.matched_by_state[state] += 1
            self.by_kind[best_kind(record.matches)] += 1
            category = most_serious(record.matches)
            self.category_disagreements += disagreement(m.category for m in record.matches)
            key = str(category) if category else "uncategorised"
            self.by_category.setdefault(key, Counter())[state] += 1
            self.by_category_media.setdefault(key, Counter())[media_kind(record)] += 1
        self._add_court(record, decided, decided_at)

    def _add_court(self, record: ItemRecord, decided: str | None, decided_at: str) -> None:
        if not record.matches and not decided:
            return
        listed = most_serious(record.matches) if record.matches else None
        if decided:
            basis = "reviewer_verified" if record.matches else "reviewer_only"
            if record.matches and disagreement([Category.parse(decided), listed]):
                self.reviewer_disagreements += 1
            key = decided
        else:
            basis, key = "list_only", str(listed) if listed else "uncategorised"
        self.court_by_category.setdefault(key, Counter())[record.facts.state.value] += 1
        self.court_by_basis.setdefault(key, Counter())[basis] += 1
        self.court_by_category_media.setdefault(key, Counter())[media_kind(record)] += 1
        sha256 = record.digests.crypto.get("sha256") if record.digests else None
        self.breakdown.add(Counted(record.exhibit or "", sha256, record.id, key, record.facts.state.value,
                                   media_kind(record), basis, decided_at if decided else ""))

    def court_basis_totals(self) -> dict[str, int]:
        """Items counted for the court, by basis (every basis, zero or not)."""
        return {b: sum(per[b] for per in self.court_by_basis.values()) for b in BASES}

    def as_dict(self) -> dict[str, object]:
        # not dataclasses.asdict: it rebuilds a Counter from (key, count) pairs, counting the pairs
        return {
            "items": self.items, "bytes": self.bytes, "warnings": self.warnings,
            "by_status": dict(self.by_status), "by_state": dict(self.by_state),
            "matched_by_state": dict(self.matched_by_state), "by_kind": dict(self.by_kind),
            "by_category": {k: dict(v) for k, v in sorted(self.by_category.items())},
            "by_category_media": {k: dict(v) for k, v in sorted(self.by_category_media.items())},
            "known_good_by_state": dict(self.known_good_by_state), "known_good_conflicts": self.known_good_conflicts,
            "category_disagreements": self.category_disagreements,
            "reviewer_disagreements": self.reviewer_disagreements,
            "court": {
                "basis": COURT_BASIS,
                "by_category": _plain(self.court_by_category),
                "by_category_basis": {k: {b: v[b] for b in BASES} for k, v in sorted(self.court_by_basis.items())},
                "by_category_media": _plain(self.court_by_category_media),
                "by_basis": self.court_basis_totals(),
                **self.breakdown.as_dict(),
            },
        }


def _plain(table: Mapping[str, Counter[str]]) -> dict[str, dict[str, int]]:
    return {k: dict(v) for k, v in sorted(table.items())}


def media_kind(record: ItemRecord) -> str:
    """picture, video or other, from the type detected in the content (never from the name)."""
    media_type = record.digests.media_type if record.digests else None
    if is_image(media_type):
        return "picture"
    return "video" if is_video(media_type) else "other"


def best_kind(matches: Iterable[Match]) -> str:
    kinds = {m.kind.value for m in matches}
    return "exact" if "exact" in kinds else "near"


def most_serious(matches: Iterable[Match]) -> Category | None:
    """The most serious category the matches carry, across both schemes (hashsets.categories.SEVERITY):
    a picture listed uk:A by one list and vics:4 by another counts under uk:A in a case of either scheme."""
    return most_serious_of(m.category for m in matches)


def count_items(records: Iterable[ItemRecord], scheme: CategoryScheme | None = None,
                decided: Mapping[int, str] | None = None, exhibits: Iterable[str] = (),
                decided_at: Mapping[int, str] | None = None) -> Counts:
    """``decided``: item id → the category of its current reviewer's decision, ``decided_at`` → when it was
    made (ISO 8601, UTC); ``exhibits``: the case's exhibit names, so that one where nothing counts still
    has its (zero) figures."""
    counts = Counts(scheme)
    counts.breakdown.expect(exhibits)
    decided, decided_at = decided or {}, decided_at or {}
    for record in records:
        if record.id is None:
            counts.add(record)
        else:
            counts.add(record, decided.get(record.id), decided_at.get(record.id, ""))
    return counts


def case_counts(store: Store, case: CaseRecord) -> Counts:
    """The case's figures, its reviewers' current decisions included (as the report counts them)."""
    found = current_decisions(store, case)
    return count_items(store.iter_items(case.id), case.scheme, categories(found),
                       [e.name for e in store.list_exhibits(case.id)],
                       {item_id: str(d.as_dict()["decided_at"]) for item_id, d in found.items()})


def case_summary(store: Store, case: CaseRecord) -> dict[str, object]:
    exhibits = [asdict(e) for e in store.list_exhibits(case.id)]
    return {"exhibits": exhibits, "counts": case_counts(store, case).as_dict()}
