"""The service's index: an immutable, versioned snapshot of every enabled bank, rebuilt in a background
thread and swapped in with one assignment, so a query never waits for a rebuild and always answers
from one consistent version (which it names).

A rebuild is asked for by the service after each change it makes, and the builder also polls the
store's fingerprint, so changes made by the CLI in another process are picked up too.

A snapshot holds two matchers over one reading of the banks (``BankStore.sources``, one transaction):
the served entries, and only the allow-listed ones, with why, by whom and since when each was allowed.
A hit on the second is answered as allow-listed (said, logged, never reported): "clean" and "matched an
entry we allow-listed" differ. The allow-list is small, so its matcher costs little; it is built only
when there is one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from footprint.model import Digests, Match
from footprint.pipeline.match import Matcher
from footprint.store import codec

from .bankstore import BankStore
from .records import Allowed
from .verdict import Verdict, judge
from .view import BankView, is_removed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    version: int
    built: datetime
    matcher: Matcher | None  # None when no bank is enabled
    fingerprint: tuple[object, ...]
    seconds: float = 0.0
    banks: Sequence[dict[str, object]] = field(default_factory=tuple)
    allowed_matcher: Matcher | None = None  # only the allow-listed entries; None without any
    allowed: Mapping[int, Allowed] = field(default_factory=dict)  # entry id → why, by whom, when

    def match(self, digests: Digests, notes: list[str] | None = None) -> list[Match]:
        """The matches of ``digests``; ``notes``, when given, receives what the matcher said about them
        (near hits refused as evidence, with the entry and why; lists disagreeing on a category)."""
        return _hits(self.matcher, digests, notes)

    def allowed_hits(self, digests: Digests) -> list[Match]:
        """The hits of ``digests`` on allow-listed entries (by the same rules as a match): never filed."""
        return _hits(self.allowed_matcher, digests, None)

    def judge(self, digests: Digests) -> Verdict:
        """The matches, and what is only answered: unverified hash-only near hits (verdict.py), hits on
        allow-listed entries, notes."""
        notes: list[str] = []
        found = self.match(digests, notes)
        return judge(digests, found, notes, self.allowed_hits(digests))

    def describe(self) -> dict[str, object]:
        return {"version": self.version, "built": self.built.isoformat(), "build_seconds": round(self.seconds, 3),
                "banks": list(self.banks)}


def _hits(matcher: Matcher | None, digests: Digests, notes: list[str] | None) -> list[Match]:
    if matcher is None:
        return []
    said: list[list[str]] = []
    found = [m for m in matcher.match_batch([digests], said)[0] if not is_removed(m.label)]
    if notes is not None:
        notes.extend(said[0])
    return found


def build_snapshot(banks: BankStore, version: int) -> Snapshot:
    started = time.perf_counter()
    fingerprint = banks.fingerprint()
    sources = banks.sources()
    matcher = Matcher(BankView(banks, sources)) if sources else None  # type: ignore[arg-type]
    allowed = {entry_id: note for source in sources for entry_id, note in source.allowed.items()}
    allowed_matcher = Matcher(BankView(banks, sources, allowed_only=True)) if allowed else None  # type: ignore[arg-type]
    described = matcher.describe() if matcher else []
    for info, source in zip(described, sources, strict=True):
        info["allow_listed"] = len(source.allowed)
    return Snapshot(version, codec.now(), matcher, fingerprint, time.perf_counter() - started, tuple(described),
                    allowed_matcher, allowed)


class IndexHolder:
    """Holds the current snapshot; ``current`` is a plain attribute read, safe from any thread."""

    def __init__(self, banks: BankStore, poll_seconds: float = 30.0) -> None:
        self._banks = banks
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._built = threading.Condition()
        self._lock = threading.Lock()
        self._next = 1  # the version the next build to start will have
        self.current = Snapshot(0, codec.now(), None, ())
        self.last_error: str | None = None

    def start(self) -> None:
        """Build the first version now (the service is not ready without it), then keep it fresh."""
        self._swap(build_snapshot(self._banks, self._take_version()))
        self._thread = threading.Thread(target=self._run, name="footprint-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def request_rebuild(self) -> int:
        """Ask for a rebuild after a change; returns the first version sure to include the change
        (a build already running may have read the store before it)."""
        with self._lock:
            self._wake.set()
            return self._next

    def _take_version(self) -> int:
        with self._lock:
            self._next += 1
            return self._next - 1

    def wait_for(self, version: int, timeout: float = 60.0) -> bool:
        """Wait until a version at least ``version`` is current (used by the API's ``wait`` option)."""
        with self._built:
            return self._built.wait_for(lambda: self.current.version >= version, timeout=timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            forced = self._wake.wait(self._poll)
            with self._lock:
                self._wake.clear()
            if self._stop.is_set():
                return
            try:
                if forced or self._banks.fingerprint() != self.current.fingerprint:
                    self._swap(build_snapshot(self._banks, self._take_version()))
                self.last_error = None
            except Exception as exc:  # keep serving the last good version; say why in /status
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("index rebuild failed; still serving version %s", self.current.version)

    def _swap(self, snapshot: Snapshot) -> None:
        with self._built:
            if snapshot.version <= self.current.version:
                return  # never go back to an older version
            self.current = snapshot
            self._built.notify_all()
        log.info("index version %s built in %.2fs", snapshot.version, snapshot.seconds)
