"""Items on their way to the store: gathered in batches, matched together, saved in one transaction.

Warnings from a source name a ref. One that names an item still in the batch, or a container still
open, joins that item; one that names nothing seen becomes an item of its own with status ``error``
(a zip-bomb member, a symlink not followed), so that it is counted and reported like any item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from footprint.model import CameraFacts, Digests, Item, ItemFacts, ItemState, Match
from footprint.pipeline.analyse import Analysis
from footprint.pipeline.match import Matcher
from footprint.store.base import ItemRecord, Store


@dataclass
class PendingRecord:
    ref: str
    size: int | None
    status: str
    facts: ItemFacts
    digests: Digests | None
    reason: str | None
    warnings: list[str] = field(default_factory=list)
    analysis: Analysis | None = None  # until settled: a picture may still be hashing in a worker
    camera: CameraFacts | None = None  # a picture's EXIF facts, once settled

    @classmethod
    def from_analysis(cls, item: Item, analysis: Analysis) -> PendingRecord:
        size = analysis.digests.size if analysis.digests else item.size
        # the record shares the analysis's warning list: what either adds, both see
        return cls(str(item.ref), size, analysis.status, item.facts, analysis.digests, analysis.reason,
                   analysis.warnings, analysis)

    def settle(self) -> None:
        if self.analysis is not None:
            self.analysis.settle()
            self.digests, self.status, self.reason = (self.analysis.digests, self.analysis.status,
                                                      self.analysis.reason)
            if self.digests is not None:  # a worker's read (pipeline.analyse) is the item's size
                self.size = self.digests.size
            self.camera = self.analysis.camera
            self.analysis = None

    @classmethod
    def orphan(cls, ref: str, messages: list[str], state: ItemState | None = None) -> PendingRecord:
        facts = ItemFacts(state=state) if state is not None else ItemFacts()
        return cls(ref, None, "error", facts, None, messages[0], list(messages))

    def finish(self, matches: list[Match]) -> ItemRecord:
        return ItemRecord(ref=self.ref, size=self.size, status=self.status, facts=self.facts,
                          digests=self.digests, reason=self.reason, matches=tuple(matches),
                          warnings=tuple(self.warnings), camera=self.camera)


class Batch:
    def __init__(self, store: Store, exhibit_id: int, matcher: Matcher, size: int) -> None:
        self._store = store
        self._exhibit_id = exhibit_id
        self._matcher = matcher
        self._size = size
        self._pending: dict[str, PendingRecord] = {}
        self._held: dict[str, PendingRecord] = {}
        self._orphans: dict[str, list[str]] = {}
        self._orphan_states: dict[str, ItemState] = {}
        self.saved = self.matched = self.warnings = 0

    def add(self, record: PendingRecord) -> None:
        record.warnings.extend(self._orphans.pop(record.ref, []))
        self._adopt_orphans()
        if len(self._pending) >= self._size:
            self.flush()
        self._pending[record.ref] = record

    def hold(self, record: PendingRecord) -> None:
        record.warnings.extend(self._orphans.pop(record.ref, []))
        self._held[record.ref] = record

    def release(self, record: PendingRecord) -> None:
        del self._held[record.ref]
        self.add(record)

    def warn(self, ref: str, message: str, state: ItemState | None = None) -> None:
        """``message`` on the item ``ref``; with no such item, on a record of its own (an error), in
        ``state`` if given (ItemWarning.state)."""
        target = self._pending.get(ref) or self._held.get(ref)
        if target is not None:
            target.warnings.append(message)
        else:
            self._orphans.setdefault(ref, []).append(message)
            if state is not None:
                self._orphan_states[ref] = state

    def close(self) -> None:
        self._adopt_orphans()
        self.flush()

    def _adopt_orphans(self) -> None:
        orphans, self._orphans = self._orphans, {}
        states, self._orphan_states = self._orphan_states, {}
        for ref, messages in orphans.items():
            if len(self._pending) >= self._size:
                self.flush()
            self._pending[ref] = PendingRecord.orphan(ref, messages, states.get(ref))

    def flush(self) -> None:
        if not self._pending:
            return
        records = list(self._pending.values())
        for record in records:
            record.settle()
        notes: list[list[str]] = []  # near hits refused as evidence: said on the item
        matches = self._matcher.match_batch([r.digests for r in records], notes)
        for record, said in zip(records, notes, strict=True):
            record.warnings.extend(said)
        finished = [r.finish(m) for r, m in zip(records, matches, strict=True)]
        if self._matcher.known_good is not None:  # NSRL marks, saved with the items; a match always stands
            finished = self._matcher.known_good.annotate(finished)
        self._store.save_items(self._exhibit_id, finished)
        self._pending.clear()
        self.saved += len(finished)
        self.matched += sum(1 for f in finished if f.matches)
        self.warnings += sum(len(f.warnings) for f in finished)
