"""Share a case back: its matched items as a VICS 2.0 hash set that another footprint, or any VICS
reader, imports. One Media record per distinct file (by SHA-256), with its MD5, SHA-1, SHA-256, when
trustworthy its PDQ, and footprint's region signature when it was hashed; the category is the most
serious one the item matched. Item addresses are never written: a shared list must not carry a
suspect's paths. Each record's MediaID is its number in the list (1, 2, ...): VICS wants one integer per
record, and two files that matched one known entry would otherwise share that entry's label as theirs.
Byte-identical copies (one SHA-256) in several items or exhibits are one record, whose category is the most
serious over every copy's matches: a copy matched as C before a new list called it A is shared as A.
Matched items are gathered first (one record per file), so memory grows with the matched files only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TextIO

from footprint.hashers.regions import ALGORITHM as REGIONS
from footprint.hashsets.categories import INDECENT, most_serious_of
from footprint.hashsets.vics import write_vics
from footprint.model import Category, CategoryScheme, Digests, KnownEntry, Match, PerceptualDigest
from footprint.reports.summary import most_serious
from footprint.store.base import ItemRecord, Store

PROFILE_SCHEME = {"uk": CategoryScheme.UK, "us": CategoryScheme.VICS}


def vics_entries(records: Iterable[ItemRecord], profile: str, store: Store | None = None,
                 other_scheme: Counter[str] | None = None) -> Iterator[tuple[KnownEntry, Mapping[str, object]]]:
    """With ``store``, each record also carries the series and victim-identified flag of the known
    entries it matched, so that the list shared keeps them. A file whose matches carry categories of the
    other scheme only is written without a category (the profile numbers one scheme's): ``other_scheme``
    counts those files by the most serious such category, for the caller to say so."""
    copies: dict[str, tuple[Digests, list[Match]]] = {}  # by SHA-256: the first copy's digests, every copy's matches
    for record in records:
        if record.matches and record.digests is not None and record.digests.crypto.get("sha256"):
            copies.setdefault(record.digests.crypto["sha256"], (record.digests, []))[1].extend(record.matches)
    for number, (digests, matches) in enumerate(copies.values(), start=1):
        category, unwritten = _shared_category(matches, PROFILE_SCHEME[profile])
        if unwritten is not None and other_scheme is not None:
            other_scheme[str(unwritten)] += 1
        pdq = digests.perceptual.get("pdq")
        usable_pdq = pdq.value if isinstance(pdq, PerceptualDigest) and pdq.quality >= 50 else None
        label = next((m.label for m in matches if m.label), None)
        series, identified = _series(store, matches) if store is not None else (None, None)
        regions = digests.perceptual.get(REGIONS)  # footprint's region signature, as AlternativeHashes
        extra = {REGIONS: regions.value} if isinstance(regions, PerceptualDigest) else {}
        yield KnownEntry(md5=digests.crypto.get("md5"), sha1=digests.crypto.get("sha1"),
                         sha256=digests.crypto["sha256"], pdq=usable_pdq, category=category, label=label,
                         series=series, victim_identified=identified, extra=extra), {"MediaID": number}


def _shared_category(matches: Sequence[Match], scheme: CategoryScheme) -> tuple[Category | None, Category | None]:
    """(the category to write, the most serious one left unwritten). The most serious of the profile's
    scheme is written, unless the matches carry none, or the other scheme's is indecent and it is not
    (uk:A beside vics:4: sharing "ignorable" would mislead); then nothing is written and the most serious
    category overall is returned for the caller to count."""
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
                    other_scheme: Counter[str] | None = None) -> int:
    return write_vics(vics_entries(records, profile, store, other_scheme), out, profile=profile)
