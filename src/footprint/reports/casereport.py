"""What a case report says, gathered once from the store and rendered twice: as HTML and as PDF.

The court needs the same figures whichever form it reads, and a report re-made from the same case
must be the same report: so the data is gathered in one place, every list is put in a stable order
here (never left to the database or a dict), and the generation time is passed in rather than read
from the clock, so a caller can pin it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from footprint import __version__
from footprint.hashsets.categories import disagreement
from footprint.model import Category
from footprint.reports.distinct import BASES, MEDIA_KINDS, STATES
from footprint.reports.export import item_to_dict
from footprint.reports.summary import BASIS_WORDS, COURT_BASIS, Counts, most_serious
from footprint.settings import Settings
from footprint.sources.integrity import ACQUISITION_FIELDS
from footprint.store.base import CaseRecord, ExhibitRecord, HashSetRecord, ItemRecord, Store

# The optional audit-trail hook: given the store and the case, the hash at the head of the case's
# audit trail (None when the case has none). The review layer supplies it once its trail exists.
AuditHead = Callable[[Store, CaseRecord], str | None]
# The optional reviewers'-decisions hook: item id → its current decision as a row ({"category",
# "decided_by", "decided_at"}), for every item of the case a reviewer categorised.
Decided = Callable[[Store, CaseRecord], Mapping[int, Mapping[str, object]]]


@dataclass(frozen=True)
class CaseReport:
    """Everything either rendering shows, in the order it shows it."""

    case: CaseRecord
    exhibits: list[dict[str, object]]
    hashsets: list[dict[str, object]]
    counts: Counts
    matched: list[dict[str, object]]  # items with at least one match (hence a category, when the list has one)
    warned: list[dict[str, object]]  # items with at least one warning
    version: str
    settings: dict[str, object]
    generated: datetime
    audit_head: str | None = None
    decided: list[dict[str, object]] = field(default_factory=list)  # categorised by a reviewer, unmatched
    known_good: list[dict[str, object]] = field(default_factory=list)  # known-good lists applied (settings)

    def context(self) -> dict[str, object]:
        """The names the templates use."""
        return {
            "case": self.case, "exhibits": self.exhibits, "hashsets": self.hashsets, "counts": self.counts,
            "states": STATES, "media_kinds": MEDIA_KINDS, "matched": self.matched, "warned": self.warned,
            "version": self.version, "settings": self.settings, "audit_head": self.audit_head,
            "decided": self.decided, "known_good": self.known_good,
            "bases": BASES, "basis_words": BASIS_WORDS, "court_basis": COURT_BASIS,
            "figures": self.counts.breakdown.as_dict(),
            "generated": self.generated.isoformat(timespec="seconds"),
        }


def gather_report(store: Store, case_name: str, settings: Settings, generated: datetime,
                  audit_head: AuditHead | None = None, decided_by: Decided | None = None) -> CaseReport:
    """One pass over the case's items (ordered by exhibit and ref by the store) feeds every figure.
    A reviewer's decision is shown beside an item's list matches, never merged into them; the figures
    for the court count it (summary.Counts), and each item says the category it counts under and why."""
    case = store.get_case(case_name)
    counts = Counts(case.scheme)
    matched: list[dict[str, object]] = []
    decided: list[dict[str, object]] = []
    warned: list[dict[str, object]] = []
    decisions = decided_by(store, case) if decided_by else {}
    counts.breakdown.expect(e.name for e in store.list_exhibits(case.id))
    for record in store.iter_items(case.id):
        decision = decisions.get(record.id) if record.id is not None else None
        category = str(decision["category"]) if decision else None
        counts.add(record, category, str(decision["decided_at"]) if decision else "")
        if record.matches or decision:
            row = _item_row(record)
            row["decision"] = _sorted_dict(decision) if decision else None
            row["court"] = court_category(record, category)
            (matched if record.matches else decided).append(row)
        if record.warnings:
            warned.append(_item_row(record))
    matched.sort(key=lambda row: (str(row["exhibit"]), str(row["ref"])))
    decided.sort(key=lambda row: (str(row["exhibit"]), str(row["ref"])))
    warned.sort(key=lambda row: (str(row["exhibit"]), str(row["ref"])))
    exhibits = [exhibit_row(e) for e in sorted(store.list_exhibits(case.id), key=lambda e: (e.name, e.id))]
    return CaseReport(
        case=case,
        exhibits=exhibits, known_good=known_good_applied(exhibits),
        hashsets=_hashsets_used(exhibits, store.list_hashsets()),
        counts=counts, matched=matched, warned=warned, version=__version__,
        settings=_sorted_dict(settings.describe()), generated=generated,
        audit_head=audit_head(store, case) if audit_head else None, decided=decided,
    )


def court_category(record: ItemRecord, decided: str | None) -> dict[str, object]:
    """The category an item counts under for the court, its basis (summary.BASES), and the lists' most
    serious category when a reviewer's differs from it."""
    listed = most_serious(record.matches) if record.matches else None
    if decided is None:
        return {"category": str(listed) if listed else "uncategorised", "basis": "list_only", "listed": None}
    differs = listed is not None and disagreement([Category.parse(decided), listed])
    return {"category": decided, "basis": "reviewer_verified" if record.matches else "reviewer_only",
            "listed": str(listed) if differs else None}


def exhibit_row(exhibit: ExhibitRecord) -> dict[str, object]:
    """An exhibit with its integrity laid out: each hash before and after, and whether they agree."""
    algorithms = sorted(set(exhibit.hashes_before) | set(exhibit.hashes_after))
    integrity = [{"algorithm": a, "before": exhibit.hashes_before.get(a), "after": exhibit.hashes_after.get(a),
                  "agree": exhibit.hashes_before.get(a) == exhibit.hashes_after.get(a)} for a in algorithms]
    details = dict(exhibit.details)
    runs = _dicts(details.pop("runs", None))
    return {
        "name": exhibit.name, "path": exhibit.path, "kind": exhibit.kind, "size": exhibit.size,
        "status": exhibit.status, "started": _iso(exhibit.started), "finished": _iso(exhibit.finished),
        "hashes_before": dict(sorted(exhibit.hashes_before.items())),
        "hashes_after": dict(sorted(exhibit.hashes_after.items())),
        "integrity": integrity,
        "ewf_verification": _sorted_deep(details.pop("ewf_verification", None)),
        "ewf_acquisition": _acquisition(details.pop("ewf_acquisition", None)),
        "hash_sets": sorted(_dicts(details.pop("hash_sets", None)), key=lambda h: str(h.get("name"))),
        "hash_sets_partial": sorted(_dicts(details.pop("hash_sets_partial", None)), key=lambda h: str(h.get("name"))),
        "software": _each_once(runs, "software"),
        "hashers": _each_once(runs, "hashers"),
        "run_settings": _each_once(runs, "settings"),
        "skipped_hashers": sorted({str(n) for run in runs for n in _list(run.get("skipped_hashers"))}),
        "runs": len(runs),
        "known_good_lists": _known_good_lists(details.pop("known_good_lists", None)),
        "known_good_lists_partial": _known_good_lists(details.pop("known_good_lists_partial", None)),
        "details": _sorted_dict(details),
    }


def _each_once(runs: list[Mapping[str, object]], key: str) -> list[dict[str, str] | list[str]]:
    """What the runs recorded under ``key`` (their software, the hashes they computed), each different
    record once, in run order: one entry unless it changed between runs; none for runs that predate it."""
    found: list[dict[str, str] | list[str]] = []
    for run in runs:
        recorded = run.get(key)
        value: dict[str, str] | list[str]
        if isinstance(recorded, Mapping):
            value = {str(k): str(v) for k, v in recorded.items()}
        elif isinstance(recorded, list):
            value = [str(v) for v in recorded]
        else:
            continue
        if value not in found:
            found.append(value)
    return found


def _list(recorded: object) -> list[object]:
    return recorded if isinstance(recorded, list) else []


def _dicts(recorded: object) -> list[Mapping[str, object]]:
    """The mappings in a recorded list (anything else recorded there is left out)."""
    return [entry for entry in recorded if isinstance(entry, Mapping)] if isinstance(recorded, list) else []


def _known_good_lists(recorded: object) -> list[dict[str, object]]:
    """The known-good lists applied to an exhibit (pipeline/knowngood.list_facts), in the order applied."""
    if not isinstance(recorded, list):
        return []
    found = [_sorted_dict(entry) for entry in recorded if isinstance(entry, Mapping)]
    return sorted(found, key=lambda k: (str(k.get("applied")), str(k.get("name"))))


def known_good_applied(exhibits: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each known-good list applied to the case's exhibits once (by name and source file), with every
    time it was applied (and how: during the scan or by ``footprint knowngood apply``) and where."""
    facts: dict[tuple[str, str], dict[str, object]] = {}
    applied: dict[tuple[str, str], set[str]] = defaultdict(set)
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for exhibit in exhibits:
        entries = exhibit["known_good_lists"]
        assert isinstance(entries, list)
        for entry in entries:
            key = (str(entry.get("name")), str(entry.get("source_sha256")))
            facts.setdefault(key, {k: v for k, v in entry.items() if k not in ("applied", "how")})
            applied[key].add(f"{entry.get('applied')} ({entry.get('how')})")
            where[key].add(str(exhibit["name"]))
    return [{**facts[key], "applied": sorted(applied[key]), "exhibits": sorted(where[key])} for key in sorted(facts)]


def _item_row(record: ItemRecord) -> dict[str, object]:
    row = item_to_dict(record)
    matches = row["matches"]
    assert isinstance(matches, list)
    row["matches"] = sorted((_sorted_dict(m) for m in matches),
                            key=lambda m: (str(m["hashset"]), int(str(m["entry"])), str(m["algorithm"])))
    return row


def _hashsets_used(exhibits: list[dict[str, object]], stored: list[HashSetRecord]) -> list[dict[str, object]]:
    """The lists the case's exhibits were matched against, as each scan recorded them (pipeline.runs):
    not the store's lists now, which may hold one imported since (against which nothing was checked)
    or have lost one removed since (whose matches still name it). A run recorded before it noted a
    list's source and file hash takes them from the store's list of the same name and size, if any."""
    now: dict[tuple[object, ...], HashSetRecord] = {(h.name, h.format, h.entry_count, h.pdq_threshold): h
                                                    for h in stored}
    rows: dict[tuple[object, ...], dict[str, object]] = {}
    for exhibit in exhibits:
        for facts in [*_dicts(exhibit.get("hash_sets")), *_dicts(exhibit.get("hash_sets_partial"))]:
            key = tuple(facts.get(name) for name in ("name", "format", "entries", "pdq_threshold"))
            if key not in rows:
                rows[key] = _hashset_row(facts, now.get(key))
    return sorted(rows.values(), key=lambda row: (str(row["name"]), str(row["imported"])))


def _hashset_row(facts: Mapping[str, object], stored: HashSetRecord | None) -> dict[str, object]:
    return {"name": facts.get("name"), "format": facts.get("format"), "pdq_threshold": facts.get("pdq_threshold"),
            "entry_count": facts.get("entries"),
            "source": facts.get("source", stored.source if stored else ""),
            "imported": facts.get("imported", _iso(stored.imported) if stored else ""),
            "file_sha256": facts.get("file_sha256", stored.details.get("file_sha256", "") if stored else ""),
            "skipped_rows": facts.get("skipped_rows", stored.details.get("skipped_rows", 0) if stored else 0)}


def _acquisition(facts: object) -> dict[str, str]:
    """An E01's header facts in the order ACQUISITION_FIELDS gives (a PostgreSQL store keeps no key order)."""
    if not isinstance(facts, dict):
        return {}
    rank = {name: i for i, name in enumerate(ACQUISITION_FIELDS)}
    return {str(k): str(facts[k]) for k in sorted(facts, key=lambda k: (rank.get(k, len(rank)), k))}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _sorted_dict(mapping: Mapping[str, object]) -> dict[str, object]:
    return {str(k): _sorted_deep(v) for k, v in sorted(mapping.items(), key=lambda kv: str(kv[0]))}


def _sorted_deep(value: object) -> object:
    """Mappings with their keys sorted, all the way down: a report never depends on insertion order."""
    if isinstance(value, Mapping):
        return {str(k): _sorted_deep(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_sorted_deep(v) for v in value]
    return value
