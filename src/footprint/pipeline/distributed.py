"""Scans on a Dask distributed cluster: the same scan, its phases run as tasks on the workers.

The scan of one exhibit has three phases (pipeline/scan.py): ``begin`` records the exhibit and its
fingerprint, ``scan_part`` reads, hashes, matches and saves items, ``finish`` fingerprints the evidence
again and closes the exhibit. Here each phase is a task: one ``begin`` an exhibit, then ``shards``
parts, each owning the top-level items whose ref hashes to it (with everything inside them), then one
``finish`` once every part is in. Every task opens the shared case store itself and saves there; the
client only schedules. Nothing is computed differently from a local scan, so the store ends up the same
(items are keyed by exhibit and ref, and read back in ref order) and an interrupted cluster run resumes
like a local one, on a cluster or not.

Every part checks, before it reads, that its worker sees the evidence the scan began with (pipeline.
cluster_tasks), and holds the exhibit with the other parts (pipeline.exclusive): when the client stops
(Ctrl-C, a failed part, a lost scheduler) it cancels the parts, and those already running stop at their
next item, as they see the client's hold gone; it waits for them (WAIT_SECONDS at most) and says how many
may still run. Until they have stopped, another scan or re-match of the exhibit is refused.

Workers must see the evidence at the same paths as the client (a shared or network file system), and the
store must be one they can all reach: PostgreSQL on a real cluster; SQLite only when every worker runs on
this machine (a LocalCluster). ``memory:`` cannot be shared and is refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from footprint.errors import FootprintError, Interrupted, UsageError
from footprint.pipeline import cluster_tasks as tasks
from footprint.pipeline.evidence import open_evidence
from footprint.pipeline.exclusive import parts_running, scanning
from footprint.pipeline.scan import ScanObserver, ScanSummary, Shard
from footprint.settings import Settings
from footprint.store import open_store

if TYPE_CHECKING:
    from distributed import Client, Future

WAIT_SECONDS = 30.0  # how long a stopped scan waits for its running parts to stop
QUIET = ("distributed", "tornado", "asyncio", "bokeh")  # loggers that would print tracebacks under our one line


def scan_on_cluster(client: Client, settings: Settings, case_name: str, paths: Iterable[Path],
                    shards: int | None = None, observer: ScanObserver | None = None,
                    user: str | None = None) -> ScanSummary:
    """Scan ``paths`` into the case on the cluster behind ``client``; ``shards`` parts an exhibit
    (default: one per worker thread). Raises what a task raised (EvidenceError for changed evidence),
    Interrupted for Ctrl-C or a lost scheduler, once the parts have stopped."""
    if settings.database_url.startswith("memory:"):
        raise UsageError("a cluster scan needs a case store every worker can reach, not memory:")
    worker = replace(settings, jobs=1)  # a worker's threads are the parallelism: no pool inside a task
    count = shards or max(1, sum(client.nthreads().values()))
    paths = [Path(p).resolve() for p in paths]
    names = [open_evidence(path, settings.limits).name for path in paths]
    run = _Run(client, worker, case_name, count, observer, user)
    with ExitStack() as held:  # one scan of an exhibit at a time (pipeline.exclusive), held here for the tasks
        for name in names:
            held.enter_context(scanning(settings.database_url, case_name, name))
        try:
            return run.scan(paths)
        except BaseException as exc:  # Ctrl-C, a part's error, the scheduler lost: stop every part
            run.cancel()
            failure = exc
    # the hold is released: the parts still running see it at their next item and stop
    running = run.wait_stopped(names)
    raise _said(failure, run, running, client) from failure


@dataclass
class _Run:
    client: Client
    settings: Settings
    case: str
    count: int
    observer: ScanObserver | None
    user: str | None = None  # who the case's audit trail names (pipeline.scanaudit)
    cluster: tasks.ClusterRun = field(init=False)
    futures: list[Future] = field(default_factory=list)
    parts: list[Future] = field(default_factory=list)
    begun: list[tasks.Begun] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cluster = replace(tasks.ClusterRun.new(str(self.client.scheduler.address), self.user), of=self.count)

    def scan(self, paths: list[Path]) -> ScanSummary:
        client, settings = self.client, self.settings
        begins = [client.submit(tasks.begin, settings, self.case, str(p), pure=False) for p in paths]
        self.futures.extend(begins)
        self.begun = client.gather(begins)
        summary = ScanSummary()
        finishes: list[tuple[tasks.Begun, Future | None]] = []
        all_parts = []
        for path, begun in zip(paths, self.begun, strict=True):
            if begun.exhibit.status != "scanning":  # finished in an earlier run: nothing to redo
                finishes.append((begun, None))
                continue
            summary.resumed += begun.resumed
            if self.observer is not None:
                self.observer.exhibit_started(begun.exhibit.name, begun.resumed)
            parts = [client.submit(tasks.part, settings, begun, str(path), Shard(k, self.count), self.cluster,
                                   pure=False) for k in range(self.count)]
            all_parts.extend(parts)
            self.parts.extend(parts)
            # fingerprinted again by the worker that fingerprinted it first: the same view of the evidence
            finish = client.submit(tasks.finish, settings, begun, str(path), parts, self.cluster, pure=False,
                                   workers=[begun.worker], allow_other_workers=True)
            self.futures.extend([*parts, finish])
            finishes.append((begun, finish))
        done = client.gather(all_parts)
        summary.matched = sum(part.matched for part in done)
        summary.warnings = sum(part.warnings for part in done)
        read = sum(part.items for part in done)
        for begun, pending in finishes:
            if pending is None:
                summary.exhibits.append(begun.exhibit)
            else:
                finished: tasks.Finished = pending.result()
                summary.exhibits.append(finished.exhibit)
                summary.items += finished.held - begun.resumed  # what the store holds: every attempt's items
                if finished.reruns:
                    summary.notes.append(_rerun_note(finished, self.count))
            if self.observer is not None:
                self.observer.exhibit_finished(summary.exhibits[-1])
        if summary.items != read:
            summary.notes.append(f"{summary.items - read} items were saved by attempts of parts that did not finish "
                                 f"(a lost worker): counted in items, not in matched or warnings (the case's "
                                 f"counts, case show, count every item)")
        return summary

    def cancel(self) -> None:
        """Cancel every task not yet finished (best effort: a lost scheduler hears nothing)."""
        with suppress(Exception):
            self.client.cancel([f for f in self.futures if not f.done()], force=True)

    def wait_stopped(self, names: list[str]) -> int:
        """Wait (WAIT_SECONDS at most) until no part holds any of the exhibits; how many may still run."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            busy = [name for name in names if parts_running(self.settings.database_url, self.case, name)]
            if not busy or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        if not busy:
            return 0
        return max(1, sum(1 for f in self.parts if f.status != "finished"))

    def saved(self) -> int:
        """Items the store holds for the exhibits this run began."""
        with suppress(Exception):
            store = open_store(self.settings.database_url)
            try:
                return sum(len(store.done_refs(b.exhibit.id)) for b in self.begun)
            finally:
                getattr(store, "close", lambda: None)()
        return -1


def _rerun_note(finished: tasks.Finished, count: int) -> str:
    shards = ", ".join(str(s) for s in finished.reruns)
    return (f"exhibit {finished.exhibit.name}: part {shards} of {count} was run again (its worker was lost): "
            f"the items its first attempt saved are kept and were not read twice")


def _said(failure: BaseException, run: _Run, running: int, client: Client) -> BaseException:
    """The one-line error the stopped scan ends with."""
    still = (f"; {running} of its parts may still be running on the workers: a scan of the exhibit is refused "
             f"until they stop" if running else "")
    saved = run.saved()
    kept = f"{saved} items are saved" if saved >= 0 else "finished items are saved"
    if isinstance(failure, FootprintError):
        if running:
            return type(failure)(f"{failure}{still}")
        return failure
    if isinstance(failure, KeyboardInterrupt):
        return Interrupted(f"interrupted; {kept}{still}: run the same command again to resume")
    if isinstance(failure, (CancelledError, OSError, TimeoutError)) or client.status != "running":
        return Interrupted(f"lost the Dask scheduler at {run.cluster.scheduler} ({type(failure).__name__}); "
                           f"{kept}{still}: run the same command again to resume")
    return failure


@contextmanager
def cluster_client(address: str, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``address``; ``local`` starts a cluster of ``workers`` processes
    on this machine for the length of the run. The distributed library's own logging is quietened: a
    failure is said once, in footprint's line."""
    from distributed import Client, LocalCluster

    quiet_logs()
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


def quiet_logs() -> None:
    """The distributed library sets levels on its own loggers (distributed.client…): each is quietened."""
    names = [name for name in list(logging.root.manager.loggerDict) if name.split(".")[0] in QUIET]
    for name in {*QUIET, *names}:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
