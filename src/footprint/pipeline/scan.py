"""The scan: walk each exhibit, analyse every item once, match in batches, save atomically.

Resuming is built in. Items are saved in transactions keyed by (exhibit, ref), and a container is
saved only after everything inside it: so a ref already in the store is finished, with all it
contains, and the same command run again skips it without reading it. Nothing is lost, nothing is
counted twice.
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from footprint.errors import EvidenceError, NotFound
from footprint.hashers.base import CryptoHasher, ImageHasher
from footprint.hashers.registry import CRYPTO_HASHERS, IMAGE_HASHERS
from footprint.model import Item, ItemWarning
from footprint.pipeline.analyse import Analysis, analyse
from footprint.pipeline.batch import Batch, PendingRecord
from footprint.pipeline.evidence import Evidence, open_evidence
from footprint.pipeline.match import Matcher
from footprint.settings import Settings
from footprint.sources.base import EvidenceSource
from footprint.sources.registry import open_container
from footprint.store.base import CaseRecord, ExhibitRecord, Store


class ScanObserver(Protocol):
    """Progress reporting; the CLI draws it on stderr. Every method is optional to act on."""

    def exhibit_started(self, name: str, resumed: int) -> None: ...
    def item_done(self, ref: str, size: int) -> None: ...
    def exhibit_finished(self, exhibit: ExhibitRecord) -> None: ...


class _Quiet:
    def exhibit_started(self, name: str, resumed: int) -> None:
        pass

    def item_done(self, ref: str, size: int) -> None:
        pass

    def exhibit_finished(self, exhibit: ExhibitRecord) -> None:
        pass


@dataclass
class ScanSummary:
    exhibits: list[ExhibitRecord] = field(default_factory=list)
    items: int = 0  # analysed in this run
    resumed: int = 0  # already in the store from an earlier, interrupted run
    matched: int = 0
    warnings: int = 0


class Scanner:
    def __init__(self, store: Store, settings: Settings, observer: ScanObserver | None = None,
                 crypto: Sequence[CryptoHasher] = CRYPTO_HASHERS,
                 images: Sequence[ImageHasher] = IMAGE_HASHERS) -> None:
        self.store = store
        self.settings = settings
        self.observer = observer or _Quiet()
        self.crypto = crypto
        self.images = images
        self._pool: Executor | None = None

    def scan(self, case_name: str, paths: Iterable[Path]) -> ScanSummary:
        case = self.store.get_case(case_name)
        matcher = Matcher(self.store)
        summary = ScanSummary()
        with _pool(self.settings.jobs) as self._pool:
            for path in paths:
                summary.exhibits.append(self._scan_exhibit(case, Path(path), matcher, summary))
        return summary

    def _scan_exhibit(self, case: CaseRecord, path: Path, matcher: Matcher,
                      summary: ScanSummary) -> ExhibitRecord:
        evidence = open_evidence(path, self.settings.limits)
        exhibit = self._intake(case, evidence)
        if exhibit.status != "scanning":
            self.observer.exhibit_finished(exhibit)
            return exhibit  # finished in an earlier run: nothing to redo
        done = self.store.done_refs(exhibit.id)
        summary.resumed += len(done)
        self.observer.exhibit_started(exhibit.name, len(done))
        batch = Batch(self.store, exhibit.id, matcher, self.settings.batch_size)
        self._walk(evidence.source, batch, done)
        batch.close()
        summary.items += batch.saved
        summary.matched += batch.matched
        summary.warnings += batch.warnings
        finished = self._verify(exhibit, evidence, matcher)
        self.observer.exhibit_finished(finished)
        return finished

    def _intake(self, case: CaseRecord, evidence: Evidence) -> ExhibitRecord:
        existing = self.store.find_exhibit(case.id, evidence.name)
        if existing is not None:
            if existing.path != evidence.path:
                raise EvidenceError(f"case {case.name} already has an exhibit named {evidence.name} "
                                    f"from {existing.path}")
            if existing.hashes_before != evidence.fingerprint():
                raise EvidenceError(f"evidence {evidence.path} changed since the interrupted scan began")
            return existing
        return self.store.add_exhibit(case.id, evidence.name, evidence.path, evidence.kind,
                                      evidence.size, evidence.fingerprint())

    def _verify(self, exhibit: ExhibitRecord, evidence: Evidence, matcher: Matcher) -> ExhibitRecord:
        after = evidence.fingerprint(again=True)
        changed = after != exhibit.hashes_before
        details = {**evidence.details(), "hash_sets": matcher.describe()}
        record = self.store.finish_exhibit(exhibit.id, "changed" if changed else "complete", after, details)
        if changed:
            raise EvidenceError(f"evidence {evidence.path} CHANGED while it was scanned: "
                                f"its hashes before and after differ")
        return record

    # -- the walk ---------------------------------------------------------------------------

    def _walk(self, source: EvidenceSource, batch: Batch, done: set[str]) -> None:
        try:
            for found in source.items():
                if isinstance(found, ItemWarning):
                    batch.warn(str(found.ref), f"{found.stage}: {found.message}")
                elif str(found.ref) not in done:
                    self._item(found, batch, done)
        except (KeyboardInterrupt, EvidenceError, NotFound):
            raise
        except Exception as exc:  # a source that breaks mid-way: the rest of the run goes on
            ref = getattr(source, "ref", None)
            batch.warn(str(ref) if ref else "?", f"source: stopped reading: {type(exc).__name__}: {exc}")

    def _item(self, item: Item, batch: Batch, done: set[str]) -> None:
        analysis = analyse(item, self.crypto, self.images, self.settings.keep_in_memory, pool=self._pool,
                           storyboards=self.settings.home / "storyboards")
        record = PendingRecord.from_analysis(item, analysis)
        self.observer.item_done(record.ref, analysis.digests.size if analysis.digests else 0)
        inner = self._open_inner(item, analysis, record)
        if inner is None:
            batch.add(record)
            return
        batch.hold(record)  # saved after its content, so that a resumed scan can skip it whole
        self._walk(inner, batch, done)
        batch.release(record)

    def _open_inner(self, item: Item, analysis: Analysis, record: PendingRecord) -> EvidenceSource | None:
        if analysis.digests is None or not analysis.head:
            return None
        limits = self.settings.limits
        data = analysis.data
        opened = item if data is None else _in_memory(item, data)
        try:
            inner = open_container(opened, analysis.head, limits)
        except Exception as exc:
            record.warnings.append(f"container: cannot open: {type(exc).__name__}: {exc}")
            return None
        if inner is not None and item.ref.depth >= limits.max_depth:
            record.warnings.append(f"container: nested {item.ref.depth + 1} deep, beyond the limit of "
                                   f"{limits.max_depth}: its content was not read")
            return None
        return inner


@contextmanager
def _pool(jobs: int) -> Iterator[Executor | None]:
    """Pictures decode and hash in ``jobs`` worker processes while the main one reads, hashes bytes
    and walks containers; with one job everything runs in this process."""
    if jobs <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("forkserver"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _in_memory(item: Item, data: bytes) -> Item:
    """The item read from the bytes already in memory: a container is not read from the evidence twice."""
    return replace(item, opener=lambda: io.BytesIO(data))
