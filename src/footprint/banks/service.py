"""The detection service: what the HTTP API (and the CLI) call. Matches an upload or its hashes
against the current index version, logs every query (hashes and outcome, never the content), and on
a match files a report (in the query log's transaction: never a logged match without its report) and
queues the configured webhooks. A hit on an allow-listed entry is answered and logged as such
(``allow_listed``: the entry, why, by whom, since when), and neither reported nor sent to the webhooks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from footprint.errors import FootprintError
from footprint.matching.explain import explain
from footprint.model import Digests, Match, PerceptualDigest
from footprint.pipeline.analyse import pdq_quality_note
from footprint.store import codec
from footprint.store.base import Store

from .actions import WebhookWorker
from .bankstore import BankStore
from .config import ServiceConfig
from .fetch import fetch
from .index import IndexHolder, Snapshot
from .inputs import ContentDigests, HashQuery, digests_from_content, digests_from_hashes
from .keys import RateLimiter
from .records import Allowed, ApiKey
from .servicestore import ServiceStore
from .verdict import UNVERIFIED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """What the platform says about the upload, for the report: never checked, kept as given."""

    reference: str | None = None
    uploader: Mapping[str, object] | None = None
    incident_time: datetime | None = None


class DetectionService:
    def __init__(self, store: Store, config: ServiceConfig | None = None) -> None:
        engine = getattr(store, "engine", None)
        if engine is None:
            raise FootprintError("the detection service needs an SQL store (SQLite or PostgreSQL)")
        self.config = config or ServiceConfig()
        self.store = store  # the case store: the audit trail of the reports the API reads and moves on
        self.banks = BankStore(store, engine)
        self.records = ServiceStore(engine)
        self.index = IndexHolder(self.banks, self.config.index_poll)
        self.webhooks = WebhookWorker(self.config.webhook_attempts, self.config.webhook_first_delay)
        self.limiter = RateLimiter()
        self._started = False

    def start(self) -> None:
        """Idempotent: a framework may call its start-up handlers more than once."""
        if not self._started:
            self._started = True
            self.index.start()
            self.webhooks.start()

    def stop(self) -> None:
        if self._started:
            self._started = False
            self.index.stop()
            self.webhooks.stop()

    # -- access -----------------------------------------------------------------------------

    def authenticate(self, token: str) -> ApiKey | None:
        return self.records.key_for_token(token)

    def throttle(self, key: ApiKey) -> int:
        """0 when the key may make a request now, else the seconds to wait."""
        return self.limiter.take(key.name, key.rate, key.burst)

    def changed(self) -> int:
        """After a change to the banks: rebuild in the background; the version that will show it."""
        return self.index.request_rebuild()

    # -- matching ---------------------------------------------------------------------------

    def match_hashes(self, key: ApiKey | None, query: HashQuery, submission: Submission) -> dict[str, Any]:
        return self._answer(key, "hashes", lambda: ContentDigests(digests_from_hashes(query), {}, []), submission)

    def match_content(self, key: ApiKey | None, data: bytes, submission: Submission) -> dict[str, Any]:
        return self._answer(key, "content", lambda: self._content(data), submission)

    def match_url(self, key: ApiKey | None, url: str, submission: Submission) -> dict[str, Any]:
        def digests() -> ContentDigests:
            data = fetch(url, self.config.fetch_hosts, self.config.max_body, self.config.fetch_timeout)
            return self._content(data)

        return self._answer(key, "url", digests, submission)

    def _content(self, data: bytes) -> ContentDigests:
        return digests_from_content(data, self.config.max_pixels)

    def _answer(self, key: ApiKey | None, endpoint: str, make: Callable[[], ContentDigests],
                submission: Submission) -> dict[str, Any]:
        key_name = key.name if key else None
        snapshot = self.index.current
        try:
            found = make()
        except FootprintError as exc:
            self._log_failure(key_name, endpoint, None, f"refused: {type(exc).__name__}", snapshot.version)
            raise
        except Exception as exc:  # a bug: still logged, never an unlogged 500
            self._log_failure(key_name, endpoint, None, f"error: {type(exc).__name__}", snapshot.version)
            raise
        try:
            return self._matched(key_name, endpoint, found, submission, snapshot)
        except Exception as exc:
            self._log_failure(key_name, endpoint, hashes_json(found.digests), f"error: {type(exc).__name__}",
                              snapshot.version)
            raise

    def _log_failure(self, key_name: str | None, endpoint: str, hashes: dict[str, Any] | None, outcome: str,
                     version: int) -> None:
        """Log a refused or failed query; a store that cannot log it is said in the server's log instead
        (the caller raises the query's own error either way)."""
        try:
            self.records.log_query(key_name, endpoint, hashes, outcome, 0, version)
        except Exception:
            log.exception("query by %s on %s (%s) could not be logged", key_name, endpoint, outcome)

    def _matched(self, key_name: str | None, endpoint: str, found: ContentDigests, submission: Submission,
                 snapshot: Snapshot) -> dict[str, Any]:
        digests = found.digests
        verdict = snapshot.judge(digests)
        matches = [match_json(m) for m in verdict.matches]
        unverified = [{**match_json(m), "why": UNVERIFIED} for m in verdict.unverified]
        allow_listed = [allowed_json(m, snapshot.allowed.get(m.entry_id)) for m in verdict.allowed]
        hashes = hashes_json(digests)
        skipped = {**found.skipped, **quality_notes(digests)}
        warnings = [*found.warnings, *verdict.notes]
        filed = (_report_of(key_name, submission, digests, hashes, self._with_entry_hashes(matches), warnings,
                            snapshot.version) if matches else None)
        outcome = ("match" if matches else "unverified" if unverified else "allow_listed" if allow_listed
                   else "no_match")
        details = _log_details(skipped, warnings, unverified, allow_listed)
        report = self.records.log_query(key_name, endpoint, hashes, outcome, len(matches), snapshot.version,
                                        report=filed, details=details)
        if report is not None and not report.repeat:
            for webhook in self.records.list_webhooks(enabled_only=True):
                self.webhooks.submit(webhook, {"event": "match", "report": report.to_json()})
        return {"index_version": snapshot.version, "matched": bool(matches), "matches": matches,
                "hashes": hashes, "skipped": skipped, "report_id": report.id if report else None,
                "unverified": unverified, "warnings": warnings, "repeat": bool(report and report.repeat),
                "allow_listed": allow_listed}

    def _with_entry_hashes(self, matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The report's matches, each with its entry's hashes as they are now (``entry_hashes``): removing
        the entry later must not lose what the upload matched."""
        entries = self.store.get_entries([m["entry_id"] for m in matches])
        return [{**m, "entry_hashes": hit.entry.hashes() if (hit := entries.get(m["entry_id"])) else {}}
                for m in matches]

    def status(self) -> dict[str, Any]:
        return {"index": self.index.current.describe(), "index_error": self.index.last_error,
                "webhooks": {"delivered": self.webhooks.delivered, "failed": self.webhooks.failed,
                             "pending": self.webhooks.pending}}


def quality_notes(digests: Digests) -> dict[str, str]:
    """Why a PDQ hash was not (fully) used for near matching, as the scan says it (pipeline.analyse)."""
    pdq = digests.perceptual.get("pdq")
    why = pdq_quality_note(pdq.quality) if isinstance(pdq, PerceptualDigest) else None
    return {"pdq": why} if why is not None else {}


def _log_details(skipped: dict[str, str], warnings: list[str], unverified: list[dict[str, Any]],
                 allow_listed: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the query log keeps beside the outcome (never content): only what there is."""
    details: dict[str, Any] = {
        "skipped": skipped, "warnings": warnings,
        "unverified": [{k: m[k] for k in ("bank", "entry_id", "distance")} for m in unverified],
        "allow_listed": [{k: m[k] for k in ("bank", "entry_id", "kind", "algorithm", "distance", "reason",
                                            "allowed_by", "allowed_at")} for m in allow_listed]}
    return {k: v for k, v in details.items() if v} or None


def allowed_json(match: Match, allowed: Allowed | None) -> dict[str, Any]:
    """A hit on an allow-listed entry: the match, and the allow-listing the index version served it with."""
    return {**match_json(match), "reason": allowed.reason if allowed else None,
            "allowed_by": allowed.allowed_by if allowed else None,
            "allowed_at": allowed.created.isoformat() if allowed else None}


def _report_of(key_name: str | None, submission: Submission, digests: Digests, hashes: dict[str, Any],
               matches: list[dict[str, Any]], warnings: list[str], version: int) -> dict[str, Any]:
    """The report of a match, as ServiceStore.log_query files it with the query's log entry."""
    file: dict[str, Any] = {"hashes": hashes, "media_type": digests.media_type}
    if digests.media_type is not None:
        file["size"] = digests.size
    if warnings:
        file["warnings"] = warnings
    return {"incident_time": codec.utc(submission.incident_time) or codec.now(), "key_name": key_name,
            "reference": submission.reference, "uploader": submission.uploader, "file": file, "matches": matches,
            "index_version": version}


def match_json(match: Match) -> dict[str, Any]:
    """A match as the answer, the report and the webhook give it: ``how`` is the sentence the CLI's
    exports give (matching.explain), ``details`` the same figures as data."""
    return {"bank": match.hashset, "entry_id": match.entry_id, "label": match.label,
            "category": str(match.category) if match.category else None, "kind": match.kind.value,
            "algorithm": match.algorithm, "distance": match.distance, "details": codec.jsonable(dict(match.details),
                                                                                                "match details"),
            "how": explain(match)}


def hashes_json(digests: Digests) -> dict[str, Any]:
    """The hashes as logged and reported: crypto, the PDQ value and quality, the vPDQ frame count."""
    found: dict[str, Any] = dict(digests.crypto)
    for name, result in digests.perceptual.items():
        if isinstance(result, PerceptualDigest) and name == "vpdq":
            found["vpdq_frames"] = result.value.count("\n") + 1
            found["vpdq_quality"] = result.quality
        elif isinstance(result, PerceptualDigest):
            found[name], found[f"{name}_quality"] = result.value, result.quality
    return found
