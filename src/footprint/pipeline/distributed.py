"""Scans on a Dask distributed cluster: the same scan, its phases run as tasks on the workers.

The scan of one exhibit has three phases (pipeline/scan.py): ``begin`` records the exhibit and its
fingerprint, ``scan_part`` reads, hashes, matches and saves items, ``finish`` fingerprints the evidence
again and closes the exhibit. Here each phase is a task: one ``begin`` an exhibit, then ``shards``
parts, each owning the top-level items whose ref hashes to it (with everything inside them), then one
``finish`` once every part is in. Every task opens the shared case store itself and saves there; the
client only schedules. Nothing is computed differently from a local scan, so the store ends up the same
(items are keyed by exhibit and ref, and read back in ref order) and an interrupted cluster run resumes
like a local one, on a cluster or not.

Workers must see the evidence at the same paths as the client (a shared or network file system), and the
store must be one they can all reach: PostgreSQL on a real cluster; SQLite only when every worker runs on
this machine (a LocalCluster). ``memory:`` cannot be shared and is refused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from footprint.errors import UsageError
from footprint.pipeline.evidence import open_evidence
from footprint.pipeline.exclusive import scanning
from footprint.pipeline.knowngood import knowngood_store
from footprint.pipeline.match import Matcher
from footprint.pipeline.memory import keep_buffers
from footprint.pipeline.scan import Scanner, ScanObserver, ScanSummary, Shard
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.base import ExhibitRecord, Store

if TYPE_CHECKING:
    from distributed import Client, Future


def scan_on_cluster(client: Client, settings: Settings, case_name: str, paths: Iterable[Path],
                    shards: int | None = None, observer: ScanObserver | None = None) -> ScanSummary:
    """Scan ``paths`` into the case on the cluster behind ``client``; ``shards`` parts an exhibit
    (default: one per worker thread). Raises what a task raised (EvidenceError for changed evidence)."""
    if settings.database_url.startswith("memory:"):
        raise UsageError("a cluster scan needs a case store every worker can reach, not memory:")
    worker = replace(settings, jobs=1)  # a worker's threads are the parallelism: no pool inside a task
    count = shards or max(1, sum(client.nthreads().values()))
    paths = [Path(p).resolve() for p in paths]
    with ExitStack() as held:  # one scan of an exhibit at a time (pipeline.exclusive), held here for the tasks
        for path in paths:
            held.enter_context(scanning(settings.database_url, case_name, open_evidence(path, settings.limits).name))
        return _run(client, worker, case_name, paths, count, observer)


def _run(client: Client, worker: Settings, case_name: str, paths: list[Path], count: int,
         observer: ScanObserver | None) -> ScanSummary:
    begun = client.gather([client.submit(_begin, worker, case_name, str(p), pure=False) for p in paths])
    summary = ScanSummary()
    exhibits: list[ExhibitRecord | Future] = []
    all_parts = []
    for path, (exhibit, resumed) in zip(paths, begun, strict=True):
        if exhibit.status != "scanning":  # finished in an earlier run: nothing to redo
            exhibits.append(exhibit)
            continue
        summary.resumed += resumed
        if observer is not None:
            observer.exhibit_started(exhibit.name, resumed)
        parts = [client.submit(_part, worker, exhibit, str(path), Shard(k, count), pure=False)
                 for k in range(count)]
        all_parts.extend(parts)
        exhibits.append(client.submit(_finish, worker, exhibit, str(path), parts, pure=False))
    for part in client.gather(all_parts):
        summary.items += part.items
        summary.matched += part.matched
        summary.warnings += part.warnings
    for exhibit in exhibits:
        done = exhibit if isinstance(exhibit, ExhibitRecord) else exhibit.result()
        summary.exhibits.append(done)
        if observer is not None:
            observer.exhibit_finished(done)
    return summary


@contextmanager
def cluster_client(address: str, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``address``; ``local`` starts a cluster of ``workers`` processes
    on this machine for the length of the run."""
    from distributed import Client, LocalCluster

    if address == "local":
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout="30s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        yield client


# -- the tasks (run on the workers) ---------------------------------------------------------


def _begin(settings: Settings, case_name: str, path: str) -> tuple[ExhibitRecord, int]:
    """The exhibit recorded (or found again), and how many of its items an earlier run saved."""
    with _store(settings) as store:
        exhibit = Scanner(store, settings).begin(store.get_case(case_name), Path(path))[1]
        return exhibit, len(store.done_refs(exhibit.id))


def _part(settings: Settings, exhibit: ExhibitRecord, path: str, shard: Shard) -> ScanSummary:
    keep_buffers()  # the worker hashes pictures as a scan's workers do (pipeline.memory)
    store, matcher = _matching(settings.database_url)
    evidence = open_evidence(Path(path), settings.limits)
    return Scanner(store, settings).scan_part(exhibit, evidence, matcher, shard)


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


def _finish(settings: Settings, exhibit: ExhibitRecord, path: str, parts: list[ScanSummary]) -> ExhibitRecord:
    """Runs once every part is in (``parts`` makes Dask wait for them)."""
    with _store(settings) as store:
        evidence = open_evidence(Path(path), settings.limits)
        return Scanner(store, settings).finish(exhibit, evidence, Matcher(store))


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
