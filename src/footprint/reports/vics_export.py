"""Share a case back: its known and reviewer-categorised files as a VICS 2.0 hash set that another
footprint, or any VICS reader, imports. One Media record per distinct file (by SHA-256), with its MD5,
SHA-1, SHA-256, when trustworthy its PDQ, and footprint's region signature when it was hashed. Item
addresses are never written: a shared list must not carry a suspect's paths. Each record's MediaID is
its number in the list (1, 2, ...): VICS wants one integer per record, and two files that matched one
known entry would otherwise share that entry's label as theirs.

What is shared, and under which category (a false known-A hash shared with other forces accuses the
next person it matches, so a list carries what was verified):

- A file a list holds exactly (an exact match): always, under its reviewer's category where one was
  decided (a reviewer who disagrees with the list is the one used), else the list's most serious.
- A file only near a list entry (a PDQ near copy): only once a reviewer categorised it, under the
  reviewer's category. An unreviewed near match is left out and counted (``left_out``).
- A file in no list (new material) that a reviewer categorised: shared under the reviewer's category.
- A file in no list exactly that a reviewer called not pertinent (uk:N, vics:0, vics:4) is left out: it
  is most likely the suspect's own unremarkable picture, and a national list is no place for it.

Byte-identical copies (one SHA-256) in several items or exhibits are one record: held exactly by a list
when any copy matched exactly, its list category the most serious over every copy's matches (a copy
matched as C before a new list called it A is shared as A), its reviewer's category the newest decision
on any copy. The label is an exact match's (a near entry's label names another file). Matched and
categorised items are gathered first (one record per file), so memory grows with those files only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from footprint.hashers.regions import ALGORITHM as REGIONS
from footprint.hashsets.categories import INDECENT, most_serious_of
from footprint.hashsets.vics import write_vics
from footprint.model import Category, CategoryScheme, Digests, KnownEntry, Match, MatchKind, PerceptualDigest
from footprint.reports.decided import Decisions
from footprint.reports.summary import most_serious
from footprint.review.decisions import Decision
from footprint.store.base import ItemRecord, Store

PROFILE_SCHEME = {"uk": CategoryScheme.UK, "us": CategoryScheme.VICS}
NOT_PERTINENT = frozenset(Category.parse(c) for c in ("uk:N", "vics:0", "vics:4"))
# Why a matched or categorised file was left out of the list (the keys of ``left_out``).
UNREVIEWED_NEAR = "near match no reviewer confirmed"
NOT_SHARED = "in no list exactly, and a reviewer found it not pertinent"


@dataclass
class _File:
    digests: Digests  # the first copy's
    matches: list[Match] = field(default_factory=list)  # every copy's
    decisions: list[Decision] = field(default_factory=list)  # every copy's current decision

    def decision(self) -> Decision | None:
        return max(self.decisions, key=lambda d: (d.decided_at, d.item_id), default=None)

    def exact(self) -> bool:
        return any(m.kind is MatchKind.EXACT for m in self.matches)


def _files(records: Iterable[ItemRecord], decisions: Decisions) -> dict[str, _File]:
    """By SHA-256: every file a list matched or a reviewer categorised."""
    files: dict[str, _File] = {}
    for record in records:
        decision = decisions.get(record.id) if record.id is not None else None
        sha256 = record.digests.crypto.get("sha256") if record.digests is not None else None
        if record.digests is None or not sha256 or not (record.matches or decision):
            continue
        found = files.setdefault(sha256, _File(record.digests))
        found.matches.extend(record.matches)
        if decision is not None:
            found.decisions.append(decision)
    return files


def _left_out(file: _File) -> str | None:
    """Why the file is not shared, or None when it is."""
    if file.exact():
        return None
    decision = file.decision()
    if decision is None:
        return UNREVIEWED_NEAR
    return NOT_SHARED if Category.parse(decision.category) in NOT_PERTINENT else None


def vics_entries(records: Iterable[ItemRecord], profile: str, store: Store | None = None,
                 other_scheme: Counter[str] | None = None, decisions: Decisions | None = None,
                 left_out: Counter[str] | None = None) -> Iterator[tuple[KnownEntry, Mapping[str, object]]]:
    """With ``store``, each record also carries the series and victim-identified flag of the known
    entries it matched, so that the list shared keeps them. ``decisions``: item id → its current
    reviewer's decision. A file whose category for the list is of the other scheme only is written
    without a category (the profile numbers one scheme's): ``other_scheme`` counts those files by the
    most serious such category, and ``left_out`` the files not shared by why (module doc), for the
    caller to say so."""
    shared = _shared_files(_files(records, decisions or {}), left_out)
    for number, (digests, matches, decision) in enumerate(shared, start=1):
        category, unwritten = _shared_category(matches, PROFILE_SCHEME[profile], decision)
        if unwritten is not None and other_scheme is not None:
            other_scheme[str(unwritten)] += 1
        pdq = digests.perceptual.get("pdq")
        usable_pdq = pdq.value if isinstance(pdq, PerceptualDigest) and pdq.quality >= 50 else None
        label = next((m.label for m in matches if m.label and m.kind is MatchKind.EXACT), None)
        series, identified = _series(store, matches) if store is not None and matches else (None, None)
        regions = digests.perceptual.get(REGIONS)  # footprint's region signature, as AlternativeHashes
        extra = {REGIONS: regions.value} if isinstance(regions, PerceptualDigest) else {}
        yield KnownEntry(md5=digests.crypto.get("md5"), sha1=digests.crypto.get("sha1"),
                         sha256=digests.crypto["sha256"], pdq=usable_pdq, category=category, label=label,
                         series=series, victim_identified=identified, extra=extra), {"MediaID": number}


def _shared_files(files: Mapping[str, _File], left_out: Counter[str] | None,
                  ) -> Iterator[tuple[Digests, list[Match], Decision | None]]:
    for file in files.values():
        why = _left_out(file)
        if why is None:
            yield file.digests, file.matches, file.decision()
        elif left_out is not None:
            left_out[why] += 1


def _shared_category(matches: Sequence[Match], scheme: CategoryScheme,
                     decision: Decision | None = None) -> tuple[Category | None, Category | None]:
    """(the category to write, the one left unwritten). A reviewer's category is written when there is
    one, if the profile numbers its scheme. Else the most serious of the profile's scheme the lists
    gave is written, unless the matches carry none, or the other scheme's is indecent and it is not
    (uk:A beside vics:4: sharing "ignorable" would mislead); then nothing is written and the most
    serious category overall is returned for the caller to count."""
    if decision is not None:
        decided = Category.parse(decision.category)
        return (decided, None) if decided.scheme is scheme else (None, decided)
    overall = most_serious(matches)
    own = most_serious_of(m.category for m in matches if m.category and m.category.scheme is scheme)
    if own is None or (overall in INDECENT and own not in INDECENT):
        return None, overall
    return own, None


def _series(store: Store, matches: Sequence[Match]) -> tuple[str | None, bool | None]:
    """The first series named by the matched entries (in match order); identified if any says so."""
    hits = store.get_entries([m.entry_id for m in matches])
    known = [hits[m.entry_id].entry for m in matches if m.entry_id in hits]
    series = next((e.series for e in known if e.series), None)
    flags = [e.victim_identified for e in known if e.victim_identified is not None]
    return series, (any(flags) if flags else None)


def write_case_vics(records: Iterable[ItemRecord], out: TextIO, profile: str = "uk", store: Store | None = None,
                    other_scheme: Counter[str] | None = None, decisions: Decisions | None = None,
                    left_out: Counter[str] | None = None) -> int:
    return write_vics(vics_entries(records, profile, store, other_scheme, decisions, left_out), out, profile=profile)
