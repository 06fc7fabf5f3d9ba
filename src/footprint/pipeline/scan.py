"""The scan: walk each exhibit, analyse every item once, match in batches, save atomically.

Resuming is built in. Items are saved in transactions keyed by (exhibit, ref), and a container is
saved only after everything inside it: so a ref already in the store is finished, with all it
contains, and the same command run again skips it without reading it. Nothing is lost, nothing is
counted twice.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import select
import shlex
import signal
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from footprint.errors import EvidenceError, ItemError, NotFound
from footprint.hashers.base import CryptoHasher, ImageHasher
from footprint.hashers.registry import CRYPTO_HASHERS, IMAGE_HASHERS
from footprint.model import Item, ItemState, ItemWarning
from footprint.pipeline.analyse import Analysis, analyse
from footprint.pipeline.batch import Batch, PendingRecord
from footprint.pipeline.evidence import Evidence, open_evidence
from footprint.pipeline.exclusive import scanning
from footprint.pipeline.match import Matcher
from footprint.pipeline.memory import keep_buffers
from footprint.pipeline.runs import applied_known_good, applied_lists, recorded_runs, run_record, unapplied_lists
from footprint.pipeline.scanaudit import audit_scan
from footprint.pipeline.workers import Workers, ignore_ctrl_c
from footprint.settings import Settings
from footprint.sources.base import EvidenceSource
from footprint.sources.budget import Budget, Budgeted
from footprint.sources.carve import AppendedSource
from footprint.sources.registry import open_container
from footprint.store.base import CaseRecord, ExhibitRecord, Store


class ScanObserver(Protocol):
    """Progress reporting; the CLI draws it on stderr. Every method is optional to act on.

    An observer may also define ``exhibit_size(files, size)``: called after ``exhibit_started`` with
    the top-level files still to read and their bytes when a manifest tells them (a folder), else
    ``(None, None)`` (an archive or disk image: its items are known only as they are found). Those
    top-level files are the items whose ref has no ``!`` (model.ItemRef: ``!`` steps into a container)."""

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
    notes: list[str] = field(default_factory=list)  # for the user (stderr): exhibits finished earlier


class Scanner:
    def __init__(self, store: Store, settings: Settings, observer: ScanObserver | None = None,
                 crypto: Sequence[CryptoHasher] = CRYPTO_HASHERS,
                 images: Sequence[ImageHasher] = IMAGE_HASHERS, user: str | None = None) -> None:
        self.store = store
        self.user = user  # who the case's audit trail names for each exhibit this scan finishes
        self.settings = settings
        self.observer = observer or _Quiet()
        self.crypto = crypto
        self.images = tuple(h for h in images if h.name not in settings.skip_hashers)
        self._pool: Executor | None = None
        # pictures a worker is reading, held until it answers (their appended bytes are walked first)
        self._reading: deque[tuple[Item, Analysis, PendingRecord]] = deque()

    def scan(self, case_name: str, paths: Iterable[Path]) -> ScanSummary:
        case = self.store.get_case(case_name)
        matcher = Matcher(self.store)
        keep_buffers()  # pictures hash in this process too (pipeline.memory); the workers do the same
        summary = ScanSummary()
        with _pool(self.settings.jobs) as self._pool:
            for path in paths:
                summary.exhibits.append(self._scan_exhibit(case, Path(path), matcher, summary))
        return summary

    def _scan_exhibit(self, case: CaseRecord, path: Path, matcher: Matcher,
                      summary: ScanSummary) -> ExhibitRecord:
        evidence = open_evidence(path, self.settings.limits)
        with scanning(self.settings.database_url, case.name, evidence.name):  # one scan of it at a time
            exhibit = self._intake(case, evidence)
            if exhibit.status != "scanning":
                self.observer.exhibit_finished(exhibit)
                summary.notes.append(_finished_note(case, exhibit, matcher))
                return exhibit  # finished in an earlier run: nothing to redo
            part = self.scan_part(exhibit, evidence, matcher)
            summary.resumed += part.resumed
            summary.items += part.items
            summary.matched += part.matched
            summary.warnings += part.warnings
            finished = self.finish(exhibit, evidence, matcher)
        self.observer.exhibit_finished(finished)
        return finished

    # -- the phases, also run one by one on a cluster (pipeline/distributed.py) ---------------

    def begin(self, case: CaseRecord, path: Path) -> tuple[Evidence, ExhibitRecord]:
        """Open the evidence and record the exhibit with its fingerprint (or find it, to resume)."""
        evidence = open_evidence(path, self.settings.limits)
        return evidence, self._intake(case, evidence)

    def scan_part(self, exhibit: ExhibitRecord, evidence: Evidence, matcher: Matcher,
                  shard: Shard | None = None, run_facts: Mapping[str, object] | None = None) -> ScanSummary:
        """Analyse, match and save the exhibit's items not yet in the store; with ``shard``, only the
        top-level items (with everything inside them) that fall in that shard. Pictures go to the
        scan's worker pool when one is open (``scan``), else are hashed in this process. ``run_facts``
        join the run's record (a cluster part's shard and worker)."""
        done = self.store.done_refs(exhibit.id)
        self.observer.exhibit_started(exhibit.name, len(done))
        sized = getattr(self.observer, "exhibit_size", None)
        if sized is not None:
            files = evidence.files() if shard is None else None
            if files is None:
                sized(None, None)
            else:  # the resumed top-level files are skipped without a read: the estimate leaves them out
                sized(max(0, files[0] - sum(1 for ref in done if "!" not in ref)), files[1])
        hashers = [h.name for h in self.crypto] + [h.name for h in self.images]
        record = run_record(matcher.describe(), hashers, self.settings.skip_hashers, self.settings.describe())
        record["known_good_lists"] = matcher.known_good.describe() if matcher.known_good is not None else []
        record.update(run_facts or {})
        self.store.record_run(exhibit.id, record)  # before any item is saved
        if shard is None:  # an E01 verified before it is read: a file on a failing chunk fails its read
            evidence.details()
        batch = Batch(self.store, exhibit.id, matcher, self.settings.batch_size)
        self._walk(evidence.source, batch, done, shard)
        self._settle_reading(batch, done, keep=0)
        batch.close()
        return ScanSummary(items=batch.saved, resumed=len(done), matched=batch.matched, warnings=batch.warnings)

    def finish(self, exhibit: ExhibitRecord, evidence: Evidence, matcher: Matcher) -> ExhibitRecord:
        """Fingerprint the evidence again and close the exhibit (EvidenceError when it changed)."""
        return self._verify(exhibit, evidence, matcher)

    def _intake(self, case: CaseRecord, evidence: Evidence) -> ExhibitRecord:
        existing = self.store.find_exhibit(case.id, evidence.name)
        if existing is not None:
            if existing.path != evidence.path:
                raise EvidenceError(f"case {case.name} already has an exhibit named {evidence.name} "
                                    f"from {existing.path}")
            changed = existing.hashes_before != evidence.fingerprint()
            if changed and existing.status == "scanning":
                raise EvidenceError(f"evidence {evidence.path} changed since the interrupted scan began")
            if changed:
                raise EvidenceError(f"evidence {evidence.path} changed since exhibit {existing.name} of case "
                                    f"{case.name} was scanned ({existing.status}): its recorded items are those "
                                    f"of the evidence as it was then; nothing was scanned")
            return existing
        return self.store.add_exhibit(case.id, evidence.name, evidence.path, evidence.kind,
                                      evidence.size, evidence.fingerprint())

    def _verify(self, exhibit: ExhibitRecord, evidence: Evidence, matcher: Matcher) -> ExhibitRecord:
        after = evidence.fingerprint(again=True)
        changed = after != exhibit.hashes_before
        recorded = self.store.find_exhibit(exhibit.case_id, exhibit.name)
        runs = recorded_runs(recorded.details) if recorded is not None else []
        every, partial = applied_lists(runs, matcher.describe())
        details: dict[str, object] = {**evidence.details(), "hash_sets": every, "runs": runs}
        if partial:
            details["hash_sets_partial"] = partial
        current = matcher.known_good.describe() if matcher.known_good is not None else []
        known_good, known_good_partial = applied_known_good(runs, current)
        if known_good:  # which known-good lists marked its items (those every run used), and when
            details["known_good_lists"] = known_good
        if known_good_partial:
            details["known_good_lists_partial"] = known_good_partial
        record = self.store.finish_exhibit(exhibit.id, "changed" if changed else "complete", after, details)
        audit_scan(self.store, record, self.user)
        if changed:
            raise EvidenceError(f"evidence {evidence.path} CHANGED while it was scanned: "
                                f"its hashes before and after differ")
        return record

    # -- the walk ---------------------------------------------------------------------------

    def _walk(self, source: EvidenceSource, batch: Batch, done: set[str], shard: Shard | None = None,
              within: ItemState = ItemState.ALLOCATED) -> None:
        """Every item of ``source``; ``shard`` (top level only) keeps the refs that fall in it. ``within`` is
        the state of the item ``source`` is the content of: what is inside a deleted or carved file (a zip's
        members, a disk image's files) is no more within the suspect's reach than the file itself, so an
        item its own source calls allocated takes that state (a deleted file inside stays deleted). A source
        beneath a top-level archive comes ``Budgeted``: its items, and all within them, draw on that budget."""
        mine = shard.holds if shard is not None else _everything
        budget = source.budget if isinstance(source, Budgeted) else None
        try:
            for found in source.items():
                if not mine(str(found.ref)):
                    continue
                if isinstance(found, ItemWarning):
                    if str(found.ref) not in done:  # else saved, with its warnings, by an earlier run
                        state = found.state if within is ItemState.ALLOCATED else (found.state or within)
                        batch.warn(str(found.ref), f"{found.stage}: {found.message}", state)
                elif str(found.ref) not in done:
                    self._item(_within(found, within), batch, done, budget)
        except (KeyboardInterrupt, EvidenceError, NotFound):
            raise
        except Exception as exc:  # a source that breaks mid-way: the rest of the run goes on
            item = getattr(source, "item", None)  # a container's source knows its item; an exhibit's its ref
            ref = str(getattr(source, "ref", None) or getattr(item, "ref", None) or "?")
            if mine(ref):
                batch.warn(ref, f"source: stopped reading: {type(exc).__name__}: {exc}")

    def _item(self, item: Item, batch: Batch, done: set[str], budget: Budget | None = None) -> None:
        analysis = analyse(item, self.crypto, self.images, self.settings.keep_in_memory, pool=self._pool,
                           storyboards=self.settings.home / "storyboards")
        record = PendingRecord.from_analysis(item, analysis)
        self.observer.item_done(record.ref, analysis.digests.size if analysis.digests else item.size or 0)
        if analysis.reading is not None:  # a worker reads it: whether bytes follow the picture is not known yet
            batch.hold(record)
            self._reading.append((item, analysis, record))
            self._settle_reading(batch, done, keep=self.settings.batch_size)
            return
        inner = self._open_inner(item, analysis, record) or self._appended(item, analysis, record)
        analysis.data = None  # read by now: a batch of pending pictures need not hold their bytes
        if inner is None:
            batch.add(record)
            return
        batch.hold(record)  # saved after its content, so that a resumed scan can skip it whole
        self._walk(self._beneath(item, inner, budget), batch, done, within=item.facts.state)
        batch.release(record)

    def _beneath(self, item: Item, inner: EvidenceSource, budget: Budget | None) -> EvidenceSource:
        """``inner``, the content of ``item``, on the budget it lies beneath: the outermost archive starts one
        (sources/budget.py); what a disk image outside any archive holds draws on none."""
        if budget is None and inner.unpacks:
            budget = Budget.beneath(item, self.settings.limits)
        return inner if budget is None else Budgeted(inner, item.ref, budget)

    def _settle_reading(self, batch: Batch, done: set[str], keep: int) -> None:
        """Settle the oldest pictures workers are reading until ``keep`` are left; walk the bytes
        appended to any of them, then let it be saved (after them, as a container is)."""
        while len(self._reading) > keep:
            item, analysis, record = self._reading.popleft()
            record.settle()
            inner = self._appended(item, analysis, record)
            if inner is not None:
                self._walk(inner, batch, done, within=item.facts.state)
            batch.release(record)

    def _appended(self, item: Item, analysis: Analysis, record: PendingRecord) -> EvidenceSource | None:
        """The bytes appended after a picture (pipeline.analyse), as a source to walk; None without any."""
        if analysis.appended_at is None:
            return None
        if self._too_deep(item, record, "the bytes after the picture were not read"):
            return None
        opened = item if analysis.data is None else _in_memory(item, analysis.data)
        return AppendedSource(opened, analysis.appended_at, self.settings.limits)

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
        if inner is not None and self._too_deep(item, record, "its content was not read"):
            return None
        return inner

    def _too_deep(self, item: Item, record: PendingRecord, unread: str) -> bool:
        """Whether stepping into the item would pass the nesting limit; if so its record says so."""
        limit = self.settings.limits.max_depth
        if item.ref.depth < limit:
            return False
        record.warnings.append(f"container: nested {item.ref.depth + 1} deep, beyond the limit of {limit}: {unread}")
        return True


def _within(item: Item, state: ItemState) -> Item:
    """``item`` as found inside a file in ``state`` (see Scanner._walk)."""
    if state is ItemState.ALLOCATED or item.facts.state is not ItemState.ALLOCATED:
        return item
    return replace(item, facts=replace(item.facts, state=state))


@dataclass(frozen=True)
class Shard:
    """Part ``number`` of ``count`` of an exhibit's top-level refs, by a stable hash of the ref: every
    worker that walks the exhibit agrees on who owns what, whatever order the items come in."""

    number: int
    count: int

    def holds(self, ref: str) -> bool:
        return zlib.crc32(ref.encode("utf-8", "surrogateescape")) % self.count == self.number


def _finished_note(case: CaseRecord, exhibit: ExhibitRecord, matcher: Matcher) -> str:
    """What a scan of an exhibit finished in an earlier run says: nothing was read again, and which lists
    in the store its items were not matched against (imported since), with the command that applies them."""
    said = f"exhibit {exhibit.name} was scanned before ({exhibit.status}): nothing read again"
    unapplied = unapplied_lists(exhibit.details, matcher.describe())
    if not unapplied:
        return said + "; every list in the store was applied to it"
    return (said + f"; lists imported since were NOT applied to its items: {', '.join(unapplied)} (to match its "
            f"stored hashes against them without reading the evidence again: footprint case rematch "
            f"{shlex.quote(case.name)} --exhibit {shlex.quote(exhibit.name)})")


def _everything(ref: str) -> bool:
    return True


@contextmanager
def _pool(jobs: int) -> Iterator[Executor | None]:
    """Pictures decode and hash in ``jobs`` worker processes while the main one reads, hashes bytes
    and walks containers; with one job everything runs in this process."""
    if jobs <= 1:
        yield None
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_preload())  # imported once, then every worker forks warm

    def start() -> ProcessPoolExecutor:
        started = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                                      initargs=(os.getpid(),))
        for _ in range(jobs):  # start the workers now, while this process takes the evidence's fingerprint
            started.submit(_warm_up)
        return started

    pool: Workers | None = None
    try:  # a Ctrl-C held back while the workers start is raised as the hold ends: the pool is shut down
        with _interrupt_held():
            pool = Workers(start)  # started again if a worker dies (pipeline/workers.py)
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _interrupt_held() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) while the worker pool starts, and raise it once the pool is up.

    The terminal sends Ctrl-C to the whole process group. The fork server, caught while still importing
    its modules, and a worker, caught inside a picture, each printed a traceback of their own under the
    scan's one-line "interrupted"; and this process, interrupted while a worker was being started, left
    that worker half-made (it failed on a queue the scan had already removed, with a traceback). So the
    signal is blocked in this thread while it starts the fork server (a blocked signal stays blocked
    across exec and fork: the server and every worker forked from it never receive it, and only this
    process answers Ctrl-C), and a Ctrl-C that another thread takes meanwhile is kept, not acted on,
    until the workers have started. Outside the main thread (a scan run by the web service) nothing is
    changed: no Ctrl-C reaches such a scan."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous in (None, signal.SIG_IGN):
        yield  # a process that ignores Ctrl-C (started in the background) hands that on to its workers
        return
    pressed: list[int] = []
    if callable(previous):  # Python's KeyboardInterrupt, or a handler of the caller's: kept for after
        signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one still pending now reaches the handler below
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


# What a picture worker runs: numpy, Pillow and pdqhash load once in the fork server, not in every worker.
WORKER_MODULES = ("footprint.hashers.compute", "footprint.hashers.registry")


def _preload() -> list[str]:
    """The worker modules and every footprint module this process has loaded. A forkserver child runs
    the parent's main script again (Python 3.11 never preloads ``__main__`` in the server: its main_path
    is filtered out), and that script imports the whole CLI: with those modules already in the server,
    the re-run finds them loaded. Measured: 1.2 s of CPU a worker before its first picture, then none."""
    loaded = (name for name in list(sys.modules) if name.split(".")[0] == "footprint")
    return sorted({*WORKER_MODULES, *loaded})


PARENT_CHECK_SECONDS = 1.0


def _start_worker(scan_pid: int) -> None:
    """Initialiser of each worker: keep large buffers for reuse (pipeline.memory), and leave when the
    scan's process is gone.

    A scan killed outright (SIGKILL, the OOM killer) cannot shut its pool down, and the workers would
    never notice: each holds the write end of its own task pipe, so its read never ends, and the fork
    server lives as long as they do. Measured before this: both workers and the fork server idle for
    good after every killed scan. A daemon thread waits for the scan's process to end (_wait_for_end)."""

    def watch() -> None:
        with suppress(ProcessLookupError):
            _wait_for_end(scan_pid)
        os._exit(1)

    ignore_ctrl_c()
    keep_buffers()
    threading.Thread(target=watch, name="footprint-parent-watch", daemon=True).start()


def _wait_for_end(pid: int) -> None:
    """Return when process ``pid`` has ended. Through a pidfd where Linux has them: it is readable once the
    process has exited, reaped or not; a scan killed under a parent that never reaps it stays a zombie,
    which os.kill(pid, 0) still finds (the workers idled for good under such a zombie). Elsewhere, a look
    for the process once a second."""
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError) as exc:
        if isinstance(exc, ProcessLookupError):
            raise
        handle = None
    if handle is not None:
        select.select([handle], [], [])
        return
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            os.kill(pid, 0)
        except PermissionError:  # its number taken by another user's process
            return


def _warm_up() -> None:
    """First task of each worker: registers the decoders (HEIF) before the first picture arrives."""
    from footprint.hashers.decode import decode_image

    with suppress(ItemError):  # an empty picture is undecodable: only the set-up was wanted
        decode_image(b"")


def _in_memory(item: Item, data: bytes) -> Item:
    """The item read from the bytes already in memory: a container is not read from the evidence twice."""
    return replace(item, opener=lambda: io.BytesIO(data))
