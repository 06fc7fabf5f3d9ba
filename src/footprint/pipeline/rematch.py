"""Re-match: match the hashes a finished scan stored against lists imported since, without reading the
evidence again.

The items' stored digests (MD5, SHA-1, SHA-256, PDQ with its eight rotations and flips, the region
signature with its mirrored form, vPDQ) go through the scan's own Matcher (pipeline.match), so a
re-match finds what a scan against the same lists would find, by the same rules: the PDQ quality gate,
degenerate and smooth pictures, the region rule, video rules; a perceptual hash the scan Skipped stays
Skipped and matches nothing. Only the lists the exhibit's record does not name as applied to every item
(pipeline.runs.lists_to_apply: imported since, or met by only some runs of an interrupted scan) are
applied; a match already recorded on an item is never added again, so a second re-match adds nothing.
The new matches keep the provenance a scan gives (exact or near, algorithm, distance, list, entry), and
what the Matcher says on an item (refused near hits, disagreeing categories) joins its warnings unless
already there. Known-good marks follow as in a scan: an item found in a known-good list that now matches
has its mark flagged as a conflict (the match stands), and lists imported since mark their items.

Matches already recorded stay, whatever became of their list since (removed, imported again): they were
true when made and name their list. A list removed since the scan is simply not applied.

Only finished exhibits (complete, or changed: the stored hashes are those of the items as read) are
re-matched; one whose scan was interrupted is refused: resume the scan first. Each exhibit is held as a
scan holds it (pipeline.exclusive), so a scan and a re-match of one exhibit never run together.

While it runs, the exhibit's record names the lists it applies as matched against part of the items
(``hash_sets_partial``, with ``"how": "rematch"`` and when it started): so they stay, with the report
saying so, if it is interrupted (matches added by then stay; run it again to finish: nothing is added
twice). Afterwards the exhibit's record names the lists applied (``hash_sets``, with ``"how": "rematch"`` and
when), and ``details["rematches"]`` keeps each re-match: when, the lists, items, new matches per list,
the software. The case's audit trail gets a ``rematch`` entry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace

from footprint.errors import EvidenceError, NotFound
from footprint.model import Match, PerceptualDigest
from footprint.pipeline.exclusive import scanning
from footprint.pipeline.match import Matcher, entry_ids
from footprint.pipeline.runs import after_rematch, during_rematch, lists_to_apply, recorded
from footprint.review import audit
from footprint.store.base import CaseRecord, ExhibitRecord, Findings, ItemRecord, Store
from footprint.store.codec import batched, now
from footprint.versions import software

FINISHED = ("complete", "changed")
BATCH = 500
ACTION = "rematch"


@dataclass
class ExhibitRematch:
    name: str
    lists: list[str]  # the lists applied to its items by this re-match (none: every list was applied)
    items: int = 0
    matched_items: int = 0  # items matched for the first time (they had no match before)
    also_matched: int = 0  # items matched before that gained a match (a list's newer edition, another list)
    new_matches: dict[str, int] = field(default_factory=dict)  # by list
    warnings: int = 0  # added to items
    upright_only: int = 0  # pictures stored without their rotated/mirrored hashes (before footprint kept them)
    known_good_marks: int = 0  # known-good marks added or flagged as conflicts

    def as_dict(self) -> dict[str, object]:
        return {"exhibit": self.name, "lists": self.lists, "items": self.items, "matched_items": self.matched_items,
                "also_matched": self.also_matched,
                "new_matches": dict(self.new_matches), "warnings": self.warnings,
                "upright_only": self.upright_only, "known_good_marks": self.known_good_marks}


@dataclass
class RematchSummary:
    case: str
    exhibits: list[ExhibitRematch] = field(default_factory=list)


def rematch(store: Store, database_url: str, case_name: str, exhibits: Sequence[str] = (),
            matcher: Matcher | None = None, user: str | None = None) -> RematchSummary:
    """Re-match the finished exhibits of case ``case_name`` (those named in ``exhibits``, else all) against
    the lists in the store they were not matched against. ``database_url`` is the store's, for the hold."""
    case = store.get_case(case_name)
    chosen = _chosen(store, case, exhibits)
    matcher = matcher or Matcher(store)
    summary = RematchSummary(case.name)
    with ExitStack() as holds:
        for exhibit in chosen:  # every hold first: nothing is changed when one exhibit is busy
            holds.enter_context(scanning(database_url, case.name, exhibit.name, doing="re-match"))
        current = {e.name: e for e in _chosen(store, case, [e.name for e in chosen])}  # as it is under the hold
        for exhibit in chosen:
            summary.exhibits.append(_rematch_exhibit(store, case, current[exhibit.name], matcher))
    done = [e for e in summary.exhibits if e.lists]
    if done and getattr(store, "engine", None) is not None:  # the in-memory test store keeps no trail
        audit.append(store, ACTION, user=user, case_id=case.id, details={"exhibits": [e.as_dict() for e in done]})
    return summary


def _chosen(store: Store, case: CaseRecord, names: Sequence[str]) -> list[ExhibitRecord]:
    """The exhibits to re-match; NotFound for a name the case has not, EvidenceError for one not finished."""
    every = {e.name: e for e in store.list_exhibits(case.id)}
    missing = [name for name in names if name not in every]
    if missing:
        raise NotFound(f"case {case.name} has no exhibit named {missing[0]}")
    chosen = [every[name] for name in dict.fromkeys(names)] if names else list(every.values())
    unfinished = [e.name for e in chosen if e.status not in FINISHED]
    if unfinished:
        raise EvidenceError(f"exhibit {unfinished[0]} of case {case.name} was not scanned to the end "
                            f"({every[unfinished[0]].status}): run its scan again to finish it, then re-match; "
                            f"nothing was re-matched")
    return chosen


def _rematch_exhibit(store: Store, case: CaseRecord, exhibit: ExhibitRecord, matcher: Matcher) -> ExhibitRematch:
    lists = lists_to_apply(exhibit.details, matcher.describe())
    result = ExhibitRematch(exhibit.name, [str(h["name"]) for h in lists])
    if not lists:
        return result
    started = now().isoformat()
    store.add_exhibit_details(exhibit.id, during_rematch(exhibit.details, lists, started))  # until it ends
    names = set(result.lists)
    new_matches: Counter[str] = Counter()
    for chunk in batched(_items_of(store, case, exhibit), BATCH):
        found = _findings(matcher, chunk, names)
        store.add_findings(exhibit.id, [f for f in found if f.matches or f.warnings])
        result.items += len(chunk)
        result.upright_only += sum(_upright_only(r) for r in chunk)
        result.warnings += sum(len(f.warnings) for f in found)
        result.matched_items += sum(1 for r, f in zip(chunk, found, strict=True) if f.matches and not r.matches)
        result.also_matched += sum(1 for r, f in zip(chunk, found, strict=True) if f.matches and r.matches)
        new_matches.update(m.hashset for f in found for m in f.matches)
        if matcher.known_good is not None:
            result.known_good_marks += matcher.known_good.remark(
                [_with(record, f.matches) for record, f in zip(chunk, found, strict=True)])
    result.new_matches = {name: new_matches[name] for name in result.lists}
    done = {"started": started, "finished": now().isoformat(), "hash_sets": lists, **result.as_dict(),
            "software": software()}
    details = {**after_rematch(exhibit.details, lists, started),
               "rematches": [*recorded(exhibit.details, "rematches"), done]}
    if matcher.known_good is not None:
        applied = matcher.known_good.describe(ACTION)
        details["known_good_lists"] = [*recorded(exhibit.details, "known_good_lists"), *applied]
    store.add_exhibit_details(exhibit.id, details)
    return result


def _items_of(store: Store, case: CaseRecord, exhibit: ExhibitRecord) -> Iterator[ItemRecord]:
    """The exhibit's items, as stored (read alone: not every exhibit before it)."""
    return store.iter_items(case.id, exhibit.id)


def _findings(matcher: Matcher, records: Sequence[ItemRecord], names: set[str]) -> list[Findings]:
    """For each record: the matches on ``names`` it has not recorded, and what the matcher says that it has not."""
    notes: list[list[str]] = []
    matched = matcher.match_batch([r.digests for r in records], notes)
    out = []
    for record, matches, said in zip(records, matched, notes, strict=True):
        known = {(m.hashset, entry) for m in record.matches for entry in entry_ids(m)}
        new = tuple(m for m in matches if m.hashset in names and (m.hashset, m.entry_id) not in known)
        assert record.id is not None  # read back from the store
        out.append(Findings(record.id, new, tuple(dict.fromkeys(w for w in said if w not in record.warnings))))
    return out


def _upright_only(record: ItemRecord) -> bool:
    """A picture hashed before the store kept its hashes' rotated and mirrored forms: it is matched upright."""
    perceptual = record.digests.perceptual if record.digests is not None else {}
    found = [perceptual.get(name) for name in ("pdq", "pdq-regions")]
    return any(isinstance(digest, PerceptualDigest) and not digest.variants for digest in found)


def _with(record: ItemRecord, matches: Sequence[Match]) -> ItemRecord:
    return replace(record, matches=(*record.matches, *matches))
