"""Match items' digests against every hash set in the store: exact for cryptographic hashes, within
each set's distance threshold for PDQ (all eight rotations and flips of the item).

A false match accuses someone, so near matching refuses what cannot be trusted: item hashes below
the PDQ quality gate (those from LOW_QUALITY_FLOOR up still match, but only within LOW_QUALITY_DISTANCE),
degenerate hashes of flat or near-uniform pictures (on either side), and empty files for exact matching
(every empty file has the same hash). A near hit between smooth pictures (matching.regions.smooth_pair:
separable hashes, or an item whose hash barely moves under a 5% zoom) is no match either; it is said on
the item as a warning (``match_batch``'s ``notes``), never dropped without a word.

Entries that carry footprint's region signature (``extra["pdq-regions"]``, lists built by footprint)
are then matched by the region rule (footprint.matching.regions) against items hashed with it: crops,
bars, captions that move the full-frame PDQ too far, and (through the item's mirrored form, when it was
hashed in this run) their mirror images. Such a match names the path and region distances.

A list may name one hash several times (a CSV row repeated, a VICS file listing a picture in two cases).
One item then matches that list once for that hash and category, not once per row: the match keeps the
first entry (strongest algorithm, lowest id) and names the others in ``details["same_hash_entries"]``.
Rows of one hash with different categories stay separate matches: the list says two things, and the
report must see the more serious one. The set's entry count stays the number of rows imported.

A row may also name two files (its MD5 of one, its SHA-256 of another: a list holder's mistake). Where
the item has the row's other hashes, they are compared: when a stronger one disagrees, the weaker hash
is no exact match (refused, said on the item with the entry and list); when only weaker ones disagree,
the match stands on the strongest that agrees, with ``details["contradicted_by"]`` and the same warning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from footprint.hashers import regions as region_signature
from footprint.hashers.pdq import hex_to_bytes, is_degenerate
from footprint.hashsets.categories import category_note
from footprint.matching.base import HammingIndex
from footprint.matching.gates import low_quality, trustworthy
from footprint.matching.regions import LOW_QUALITY_DISTANCE, RegionBank, Regions, smooth_pair
from footprint.matching.registry import best_index
from footprint.model import Digests, Match, MatchKind, PerceptualDigest
from footprint.pipeline.knowngood import KnownGood
from footprint.pipeline.video import VideoMatcher
from footprint.store.base import EntryHit, HashSetRecord, Store

# Strongest first: when one entry matches on several algorithms, the match names the strongest.
EXACT_ALGORITHMS = ("sha256", "sha1", "md5")


@dataclass
class _PdqBank:
    hashset: HashSetRecord
    index: HammingIndex
    excluded: int  # degenerate entries left out of the index


class Matcher:
    """Built once per scan; loads the PDQ entries of every hash set into an index."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.hashsets = store.list_hashsets()
        # every lookup of a run stays within the sets it records at its start (pipeline.runs): an exact
        # lookup asks the store live, and would find a list imported since in the middle of the run
        self._ids = frozenset(hs.id for hs in self.hashsets)
        self._banks = [bank for hs in self.hashsets if (bank := _load_bank(store, hs)) is not None]
        self._regions = [(hs, found) for hs in self.hashsets if (found := _load_regions(store, hs)) is not None]
        self._videos = VideoMatcher(store, self.hashsets)
        self.known_good = KnownGood.for_store(store)  # marks items after they are saved (batch.py)

    def describe(self) -> list[dict[str, object]]:
        """What was matched against, for the report: each set, its size and threshold."""
        excluded = {b.hashset.id: b.excluded for b in self._banks}
        return [
            {"name": hs.name, "format": hs.format, "entries": hs.entry_count,
             "pdq_threshold": hs.pdq_threshold, "degenerate_pdq_excluded": excluded.get(hs.id, 0),
             "source": hs.source, "imported": hs.imported.isoformat(), **_file_facts(hs)}
            for hs in self.hashsets
        ]

    def match_batch(self, digests: Sequence[Digests | None],
                    notes: list[list[str]] | None = None) -> list[list[Match]]:
        """Matches for each digest set, in the same order (``None`` gets no matches). ``notes``, when given,
        receives for each digest set the near hits refused as evidence (see the module doc), as warnings."""
        said: list[list[str]] = [[] for _ in digests]
        if notes is not None:
            notes[:] = said
        exact = self._exact(digests, said)
        near = self._near(digests, exact, said)
        found = [exact[i] + near[i] for i in range(len(digests))]
        found = [found[i] + self._region_matches(d, found[i]) + self._video(d) for i, d in enumerate(digests)]
        for i, matches in enumerate(found):
            if (note := category_note(matches)) is not None:
                said[i].append(note)
        return found

    def _region_matches(self, digests: Digests | None, already: list[Match]) -> list[Match]:
        """Region-rule matches on entries not already matched exactly or by full-frame PDQ."""
        signature = digests.perceptual.get(region_signature.ALGORITHM) if digests is not None else None
        if not self._regions or not isinstance(signature, PerceptualDigest):
            return []
        item = region_signature.decode(signature.value)
        mirrored = region_signature.decode(signature.variants[1]) if len(signature.variants) > 1 else None
        found = []
        for hashset, bank in self._regions:
            for entry_id, how in bank.search(item, mirrored):
                if any(m.hashset == hashset.name and entry_id in entry_ids(m) for m in already):
                    continue
                entry = self._store.get_entries([entry_id])[entry_id].entry
                found.append(Match(
                    hashset=hashset.name, entry_id=entry_id, kind=MatchKind.NEAR, algorithm=region_signature.ALGORITHM,
                    distance=how.distance, label=entry.label, category=entry.category,
                    details={"signature": region_signature.ALGORITHM, **how.details(), "quality": signature.quality}))
        return found

    def _video(self, digests: Digests | None) -> list[Match]:
        vpdq = digests.perceptual.get("vpdq") if digests is not None else None
        return self._videos.match(vpdq) if isinstance(vpdq, PerceptualDigest) else []

    # -- exact ------------------------------------------------------------------------------

    def _exact(self, digests: Sequence[Digests | None], said: list[list[str]]) -> list[list[Match]]:
        found: list[dict[tuple[str, int], list[tuple[str, EntryHit]]]] = [{} for _ in digests]
        for algorithm in EXACT_ALGORITHMS:
            wanted = defaultdict(list)
            for i, d in enumerate(digests):
                if d is not None and d.size > 0 and (value := d.crypto.get(algorithm)):
                    wanted[value].append(i)
            if not wanted:
                continue
            for value, hits in self._store.lookup_exact(algorithm, list(wanted)).items():
                hits = [hit for hit in hits if hit.hashset.id in self._ids]
                for i in wanted.get(value, ()):
                    for hit in hits:
                        found[i].setdefault((hit.hashset.name, hit.entry_id), []).append((algorithm, hit))
        out = []
        for i, per_item in enumerate(found):
            digest = digests[i]
            crypto = digest.crypto if digest is not None else {}
            matches = [m for pairs in per_item.values() if (m := _exact_match(pairs, crypto, said[i])) is not None]
            out.append(_folded([((m.hashset, m.category), m) for m in matches]))
        return out

    # -- near -------------------------------------------------------------------------------

    def _near(self, digests: Sequence[Digests | None], exact: list[list[Match]],
              said: list[list[str]]) -> list[list[Match]]:
        """Trustworthy item hashes within each set's threshold; low-quality ones (LOW_QUALITY_FLOOR to 49,
        balanced) only within LOW_QUALITY_DISTANCE (matching/regions.py has the measurement)."""
        out: list[list[Match]] = [[] for _ in digests]
        good: list[tuple[int, PerceptualDigest]] = []
        weak: list[tuple[int, PerceptualDigest]] = []
        for i, d in enumerate(digests):
            pdq = d.perceptual.get("pdq") if d is not None else None
            if isinstance(pdq, PerceptualDigest) and trustworthy(pdq):
                good.append((i, pdq))
            elif isinstance(pdq, PerceptualDigest) and low_quality(pdq):
                weak.append((i, pdq))
        doubts = _Doubts(digests, said)
        for queries, low in ((good, False), (weak, True)):
            if queries and self._banks:
                self._search(out, queries, exact, low, doubts)
        doubts.close()
        return out

    def _search(self, out: list[list[Match]], queries: list[tuple[int, PerceptualDigest]],
                exact: list[list[Match]], low: bool, doubts: _Doubts) -> None:
        variants = [p.variants or (p.value,) for _, p in queries]
        matrix = np.stack([hex_to_bytes(v) for vs in variants for v in vs])
        owners = [k for k, vs in enumerate(variants) for _ in vs]
        variant_no = [n for vs in variants for n in range(len(vs))]
        for bank in self._banks:
            threshold = min(bank.hashset.pdq_threshold, LOW_QUALITY_DISTANCE) if low else bank.hashset.pdq_threshold
            best: dict[tuple[int, int], tuple[int, int]] = {}
            for row, hits in enumerate(bank.index.search(matrix, threshold)):
                for entry_id, distance in hits:
                    key = (owners[row], entry_id)
                    if key not in best or distance < best[key][0]:
                        best[key] = (distance, variant_no[row])
            self._add_near(out, queries, exact, bank.hashset, best, threshold if low else None, doubts)

    def _add_near(self, out: list[list[Match]], queries: list[tuple[int, PerceptualDigest]],
                  exact: list[list[Match]], hashset: HashSetRecord,
                  best: dict[tuple[int, int], tuple[int, int]], low_threshold: int | None, doubts: _Doubts) -> None:
        entries = self._store.get_entries([entry_id for _, entry_id in best])
        found: dict[int, list[tuple[object, Match]]] = defaultdict(list)  # by item: (fold key, match)
        for (k, entry_id), (distance, variant) in sorted(best.items()):
            i, pdq = queries[k]
            if any(m.hashset == hashset.name and entry_id in entry_ids(m) for m in exact[i]):
                continue  # already an exact match on this entry: say so once, the stronger way
            entry = entries[entry_id].entry
            if doubts.refused(i, pdq, variant, entry.pdq, distance, hashset.name, entry_id):
                continue
            found[i].append(((entry.pdq, entry.category), Match(
                hashset=hashset.name, entry_id=entry_id, kind=MatchKind.NEAR, algorithm="pdq",
                distance=distance, label=entry.label, category=entry.category,
                details={"variant": variant, "quality": pdq.quality,
                         "threshold": hashset.pdq_threshold if low_threshold is None else low_threshold,
                         **({"low_quality": True} if low_threshold is not None else {})})))
        for i, matches in found.items():
            out[i].extend(_folded(matches))


class _Doubts:
    """The smooth-picture check of a batch's plain PDQ near hits (matching.regions.smooth_pair): a hit it
    refuses is no match, and is said on the item instead (``said``, by digest index): the first SAID_EACH
    of an item's, then how many more (a smooth picture may come near thousands of a large list's)."""

    SAID_EACH = 3

    def __init__(self, digests: Sequence[Digests | None], said: list[list[str]]) -> None:
        self.digests, self.said = digests, said
        self.signatures: dict[int, Regions | None] = {}
        self.more: dict[int, int] = defaultdict(int)  # refused hits not said one by one, by digest index

    def refused(self, i: int, pdq: PerceptualDigest, variant: int, entry_pdq: str | None, distance: int,
                hashset: str, entry_id: int) -> bool:
        if entry_pdq is None:
            return False
        value = pdq.variants[variant] if pdq.variants else pdq.value
        why = smooth_pair(value, entry_pdq, self._signature(i))
        if why is not None and len(self.said[i]) < self.SAID_EACH:
            self.said[i].append(f"not a match: PDQ {distance} bits from entry {entry_id} of {hashset!r}, but {why}")
        elif why is not None:
            self.more[i] += 1
        return why is not None

    def close(self) -> None:
        """Say how many refused hits of each item were not said one by one."""
        for i, count in self.more.items():
            self.said[i].append(f"not a match: {count} more PDQ near hits of list entries, refused as the ones "
                                f"above (smooth pictures)")
        self.more.clear()

    def _signature(self, i: int) -> Regions | None:
        if i not in self.signatures:
            digests = self.digests[i]
            found = digests.perceptual.get(region_signature.ALGORITHM) if digests is not None else None
            self.signatures[i] = region_signature.decode(found.value) if isinstance(found, PerceptualDigest) else None
        return self.signatures[i]


def _file_facts(hashset: HashSetRecord) -> dict[str, object]:
    """What identifies the list file a set was imported from, as the set recorded it."""
    return {key: hashset.details[key] for key in ("file_sha256", "skipped_rows") if key in hashset.details}


def _exact_match(pairs: list[tuple[str, EntryHit]], crypto: Mapping[str, str], said: list[str]) -> Match | None:
    """The exact match of one entry, named by its strongest agreeing algorithm; None when a stronger hash
    of the same entry disagrees with the item (the row holds hashes of two files). Any disagreement of
    the entry's hashes with the item is said on the item (``said``)."""
    algorithm, hit = pairs[0]  # EXACT_ALGORITHMS order: strongest first
    known = hit.entry.hashes()
    against = [a for a in EXACT_ALGORITHMS if a in known and crypto.get(a) and crypto[a] != known[a]]
    if against:
        refused = EXACT_ALGORITHMS.index(against[0]) < EXACT_ALGORITHMS.index(algorithm)
        said.append(f"{'not a match' if refused else 'match kept on ' + algorithm.upper()}: entry {hit.entry_id} "
                    f"of {hit.hashset.name!r} gives this item's {', '.join(a.upper() for a, _ in pairs)} but a "
                    f"different {', '.join(a.upper() for a in against)}: the list's row names two different files")
        if refused:
            return None
    return Match(
        hashset=hit.hashset.name, entry_id=hit.entry_id, kind=MatchKind.EXACT, algorithm=algorithm,
        distance=0, label=hit.entry.label, category=hit.entry.category,
        details={"algorithms": [a for a, _ in pairs], **({"contradicted_by": against} if against else {})})


def _folded(keyed: list[tuple[object, Match]]) -> list[Match]:
    """One match per key, the first; the entry ids of the others go in its ``same_hash_entries``.
    Exact matches are keyed by list and category (every exact hit is on the item's own bytes), near
    ones by the entry's PDQ and category (the caller keeps one list's matches per call)."""
    position: dict[object, int] = {}
    folded: list[Match] = []
    for key, match in keyed:
        if key not in position:
            position[key] = len(folded)
            folded.append(match)
            continue
        first = folded[position[key]]
        ids = [*entry_ids(first)[1:], match.entry_id]
        folded[position[key]] = replace(first, details={**first.details, "same_hash_entries": ids})
    return folded


def entry_ids(match: Match) -> list[int]:
    """The entry a match names and the other rows of its list folded into it."""
    others = match.details.get("same_hash_entries")
    return [match.entry_id, *(others if isinstance(others, list) else ())]


def _load_bank(store: Store, hashset: HashSetRecord) -> _PdqBank | None:
    ids_parts, hash_parts, excluded = [], [], 0
    for ids, hashes in store.iter_pdq(hashset.id):
        keep = np.array([not is_degenerate(_hex(h), None) for h in hashes], dtype=bool)
        excluded += int((~keep).sum())
        ids_parts.append(ids[keep])
        hash_parts.append(hashes[keep])
    if not ids_parts or sum(len(p) for p in ids_parts) == 0:
        return None
    ids = np.concatenate(ids_parts).astype(np.int64)
    hashes = np.ascontiguousarray(np.concatenate(hash_parts), dtype=np.uint8)
    return _PdqBank(hashset, best_index(len(ids))(hashes, ids), excluded)


def _load_regions(store: Store, hashset: HashSetRecord) -> RegionBank | None:
    """The set's entries that carry a region signature; malformed ones are left out."""
    signatures = {}
    for hit in store.iter_entries(hashset.id):
        text = hit.entry.extra.get(region_signature.ALGORITHM)
        if text:
            try:
                signatures[hit.entry_id] = region_signature.decode(text)
            except ValueError:
                continue
    return RegionBank(signatures) if signatures else None


def _hex(row: np.ndarray) -> str:
    return bytes(row).hex()
