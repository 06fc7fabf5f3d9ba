"""The store as one index version sees it: only enabled banks, each with its own threshold, only the
entries that existed when the version was built, never an allow-listed entry; or, with ``allowed_only``,
nothing but the allow-listed entries (the second matcher of a snapshot, whose hits are answered as
``allow_listed``: never reported). The two views split the entries between them, so a hit is on one side
only, and folding same-hash rows (pipeline/match.py) never joins an allow-listed entry to a served one.

``Matcher`` (pipeline/match.py) is given this view instead of the store, so the service matches by
exactly the scan's rules (dihedral variants, PDQ quality gate, degenerate hashes on either side,
empty files, strongest exact algorithm first, vPDQ) without a second copy of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from footprint.model import KnownEntry
from footprint.store.base import EntryHit, HashSetRecord, Store

from .bankstore import BankSource, BankStore


class BankView:
    """Read-only, and the subset of the Store protocol that ``Matcher`` uses."""

    def __init__(self, banks: BankStore, sources: Sequence[BankSource], allowed_only: bool = False) -> None:
        self._store: Store = banks.store
        self._banks = banks
        self._only = allowed_only
        self._sources = {s.hashset.id: s for s in sources if s.allowed or not allowed_only}
        self._allowed = {entry_id for s in sources for entry_id in s.allowed}

    def list_hashsets(self) -> list[HashSetRecord]:
        return [s.hashset for s in self._sources.values()]

    def iter_pdq(self, hashset_id: int, chunk: int = 100_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        source = self._sources[hashset_id]
        if self._only:  # a few entries: read them by id, not the whole bank
            yield from self._banks.iter_pdq_of(sorted(i for i in source.allowed if i <= source.max_entry_id))
            return
        allowed = np.fromiter(source.allowed, dtype=np.int64, count=len(source.allowed))
        for ids, hashes in self._store.iter_pdq(hashset_id, chunk):
            keep = (ids <= source.max_entry_id) & ~np.isin(ids, allowed)
            yield ids[keep], hashes[keep]

    def lookup_exact(self, algorithm: str, values: Sequence[str]) -> dict[str, list[EntryHit]]:
        found: dict[str, list[EntryHit]] = {}
        for value, hits in self._store.lookup_exact(algorithm, values).items():
            kept = [EntryHit(self._sources[h.hashset.id].hashset, h.entry_id, h.entry)
                    for h in hits if self._serves(h.hashset.id, h.entry_id)]
            if kept:
                found[value] = kept
        return found

    def get_entries(self, entry_ids: Sequence[int]) -> dict[int, EntryHit]:
        """Entries removed since this version was built come back blank (``removed_entry``): the
        index still holds their hashes, and the service drops such matches (see ``is_removed``)."""
        found = self._store.get_entries(entry_ids)
        any_bank = next(iter(self._sources.values())).hashset
        return {i: found.get(i) or EntryHit(any_bank, i, REMOVED) for i in entry_ids}

    def iter_entries(self, hashset_id: int, chunk: int = 10_000) -> Iterator[EntryHit]:
        """Only the entries with vPDQ frames: the video matcher's one use of this method."""
        source = self._sources[hashset_id]
        for hit in self._banks.iter_video_entries(source.hashset, source.max_entry_id):
            if (hit.entry_id in source.allowed) == self._only:
                yield hit

    def _serves(self, hashset_id: int, entry_id: int) -> bool:
        source = self._sources.get(hashset_id)
        return source is not None and entry_id <= source.max_entry_id and (entry_id in self._allowed) == self._only


REMOVED = KnownEntry(label="\x00removed", extra={"removed": "1"})


def is_removed(label: str | None) -> bool:
    return label == REMOVED.label
