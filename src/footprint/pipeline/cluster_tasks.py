"""The tasks of a cluster scan (pipeline.distributed), as they run on the workers.

``begin`` records the exhibit and verifies it (an E01's failing chunks, found by ewfverify); each ``part``
first checks that its worker sees the evidence the scan began with (its fingerprint), takes the failing
chunks from ``begin`` (libewf reads them as zeros: the files on them must fail their reads on every worker,
as they do locally), holds the exhibit with the other parts (pipeline.exclusive.part_hold) and stops
between items once the scan's client no longer holds it; ``finish`` closes the exhibit with what begin
found, and counts what the store holds for it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from footprint.errors import EvidenceError
from footprint.pipeline.evidence import Evidence, open_evidence
from footprint.pipeline.exclusive import PartHold, part_hold
from footprint.pipeline.knowngood import knowngood_store
from footprint.pipeline.match import Matcher
from footprint.pipeline.memory import keep_buffers
from footprint.pipeline.runs import recorded_runs
from footprint.pipeline.scan import Scanner, ScanSummary, Shard
from footprint.settings import Settings
from footprint.sources.integrity import failed_sectors, note_failed_sectors
from footprint.store import open_store
from footprint.store.base import ExhibitRecord, Store

STOP_CHECK_SECONDS = 1.0  # how often a part asks whether its client still holds the exhibit


@dataclass(frozen=True)
class ClusterRun:
    """What a part records of itself in its run (pipeline.runs): which scan, shard, worker and scheduler."""

    scan: str
    scheduler: str
    shard: int = 0
    of: int = 1
    user: str | None = None  # who started the scan: the case's audit trail names them as it finishes

    @staticmethod
    def new(scheduler: str, user: str | None = None) -> ClusterRun:
        return ClusterRun(uuid.uuid4().hex, scheduler, user=user)

    def facts(self, worker: str) -> dict[str, object]:
        return {"scan": self.scan, "scheduler": self.scheduler, "worker": worker, "shard": self.shard + 1,
                "of": self.of}


@dataclass
class Begun:
    exhibit: ExhibitRecord
    resumed: int  # items an earlier run saved
    details: dict[str, object] = field(default_factory=dict)  # Evidence.details(), when it is to be scanned
    failed: list[tuple[int, int]] = field(default_factory=list)  # an E01's failing sector ranges
    worker: str = ""  # address of the worker that began it: the one that fingerprints it again
    case: str = ""


@dataclass
class Finished:
    exhibit: ExhibitRecord
    held: int  # items the store holds for the exhibit
    reruns: list[int] = field(default_factory=list)  # shards (1-based) some attempt of which ran more than once


class PartStopped(BaseException):
    """Raised between items once the client no longer holds the exhibit; a BaseException, so that no
    source's handler takes it for a failure of its own (Scanner._walk)."""


def worker_name() -> str:
    """The worker running this task, by its name (``dask worker --name``) and address."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return "(not a worker)"
    name = str(worker.name)
    return name if name == worker.address else f"{name} ({worker.address})"


def _open(path: str, settings: Settings) -> Evidence:
    try:
        return open_evidence(Path(path), settings.limits)
    except EvidenceError as exc:
        raise EvidenceError(f"cluster worker {worker_name()} could not read the evidence: {exc} (every worker "
                            f"must see the evidence at the path the client gave)") from None


def begin(settings: Settings, case_name: str, path: str) -> Begun:
    """The exhibit recorded (or found again), and how many of its items an earlier run saved."""
    from distributed import get_worker

    _open(path, settings)
    with _store(settings) as store:
        evidence, exhibit = Scanner(store, settings).begin(store.get_case(case_name), Path(path))
        begun = Begun(exhibit, len(store.done_refs(exhibit.id)), worker=get_worker().address, case=case_name)
        if exhibit.status == "scanning":  # verified before any part reads it (an E01's failing chunks)
            begun.details = evidence.details()
            begun.failed = failed_sectors(Path(evidence.path))
        return begun


def part(settings: Settings, begun: Begun, path: str, shard: Shard, cluster: ClusterRun) -> ScanSummary:
    keep_buffers()  # the worker hashes pictures as a scan's workers do (pipeline.memory)
    exhibit = begun.exhibit
    evidence = _open(path, settings)
    _same_evidence(evidence, exhibit)
    note_failed_sectors(Path(evidence.path), begun.failed)
    with part_hold(settings.database_url, begun.case, exhibit.name) as hold:
        if hold.client_gone():
            return ScanSummary(notes=["stopped: the scan's client had gone before this part started"])
        store, matcher = _matching(settings.database_url)
        facts = {"cluster": ClusterRun(cluster.scan, cluster.scheduler, shard.number, shard.count)
                 .facts(worker_name())}
        scanner = Scanner(store, settings, _Watch(hold))
        try:
            return scanner.scan_part(exhibit, evidence, matcher, shard, run_facts=facts)
        except PartStopped:
            return ScanSummary(notes=["stopped: the scan's client no longer holds the exhibit"])


def finish(settings: Settings, begun: Begun, path: str, parts: list[ScanSummary], cluster: ClusterRun) -> Finished:
    """Runs once every part is in (``parts`` makes Dask wait for them)."""
    with _store(settings) as store:
        evidence = _open(path, settings)
        evidence.adopt_details(begun.details)  # as begin verified it: what the parts read by
        done = Scanner(store, settings, user=cluster.user).finish(begun.exhibit, evidence, Matcher(store))
        return Finished(done, len(store.done_refs(done.id)), _reruns(done.details, cluster.scan))


def _reruns(details: Mapping[str, object], scan: str) -> list[int]:
    """The shards of cluster scan ``scan`` that were started more than once (Dask runs a part again when
    its worker is lost)."""
    started: dict[int, int] = {}
    for run in recorded_runs(details):
        facts = run.get("cluster")
        if isinstance(facts, Mapping) and facts.get("scan") == scan and isinstance(facts.get("shard"), int):
            shard = int(facts["shard"])
            started[shard] = started.get(shard, 0) + 1
    return sorted(shard for shard, count in started.items() if count > 1)


def _same_evidence(evidence: Evidence, exhibit: ExhibitRecord) -> None:
    """Refuse, before reading, evidence this worker sees otherwise than the worker that began the scan."""
    if _fingerprint(evidence) != dict(exhibit.hashes_before):
        raise EvidenceError(f"cluster worker {worker_name()} sees other evidence at {evidence.path} than the scan "
                            f"began with (its fingerprint differs): every worker must see the same evidence at "
                            f"that path (a shared mount), and it must not change; that worker read none of it")


# A file's fingerprint, by its identity, kept per worker process: every part of a large image on one worker
# would otherwise read all of it again. Its finish reads it again regardless (Scanner.finish).
_FINGERPRINTS: dict[tuple[str, int, int], dict[str, str]] = {}


def _fingerprint(evidence: Evidence) -> dict[str, str]:
    if evidence.kind != "file":
        return evidence.fingerprint()
    info = Path(evidence.path).stat()
    key = (evidence.path, info.st_size, info.st_mtime_ns)
    if key not in _FINGERPRINTS:
        _FINGERPRINTS[key] = evidence.fingerprint()
    return _FINGERPRINTS[key]


class _Watch:
    """The part's observer: between items, asks (at most every STOP_CHECK_SECONDS) whether the client
    still holds the exhibit, and stops the part when it does not."""

    def __init__(self, hold: PartHold) -> None:
        self.hold = hold
        self.checked = time.monotonic()

    def exhibit_started(self, name: str, resumed: int) -> None:
        pass

    def item_done(self, ref: str, size: int) -> None:
        if time.monotonic() - self.checked >= STOP_CHECK_SECONDS:
            self.checked = time.monotonic()
            if self.hold.client_gone():
                raise PartStopped

    def exhibit_finished(self, exhibit: ExhibitRecord) -> None:
        pass


# A worker keeps one store and one Matcher per database between tasks: loading the PDQ index of a list
# of millions takes seconds, and every part of every exhibit needs it. It is rebuilt when the lists
# (hash sets or known-good lists) are no longer those it was built from.
_MATCHERS: dict[str, tuple[Store, Matcher, tuple]] = {}
_MATCHERS_LOCK = threading.Lock()


def _matching(url: str) -> tuple[Store, Matcher]:
    with _MATCHERS_LOCK:
        cached = _MATCHERS.get(url)
        if cached is not None:
            store, matcher, lists = cached
            if _lists(store) == lists:
                return store, matcher
            _close(store)
        store = open_store(url)
        _MATCHERS[url] = (store, Matcher(store), _lists(store))
        return _MATCHERS[url][:2]


def _lists(store: Store) -> tuple:
    """What a Matcher is built from: the hash sets and the known-good lists, as recorded."""
    known_good = tuple(knowngood_store(store).list_lists()) if getattr(store, "engine", None) else ()
    return tuple(store.list_hashsets()), known_good


@contextmanager
def _store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings.database_url)
    try:
        yield store
    finally:
        _close(store)


def _close(store: Store) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        close()
