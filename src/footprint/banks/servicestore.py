"""The service's own records in the store: API keys, the query log, reports and webhooks. Making or
revoking a key, adding or removing a webhook writes its entry in the global audit trail (trail.py) in
the same transaction, naming ``actor`` (never the token or the secret)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError

from footprint.errors import AlreadyExists, NotFound, UsageError
from footprint.store import codec
from footprint.store.schema_service import service_keys, service_queries, service_reports, service_webhooks

from . import trail
from .bankstore import transaction
from .keys import check_scopes, new_token, token_digest
from .records import REPORT_STATUSES, ApiKey, Report, Webhook


class ServiceStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- keys -------------------------------------------------------------------------------

    def add_key(self, name: str, scopes: Iterable[str], rate: float = 20.0, burst: int = 40,
                actor: str | None = None) -> tuple[ApiKey, str]:
        """A new key and its token: the token is returned here once and never stored."""
        found = check_scopes(scopes)
        if rate <= 0 or burst < 1:
            raise UsageError("a key's rate must be above 0 and its burst at least 1")
        token = new_token()
        values = {"name": name, "token_sha256": token_digest(token), "scopes": " ".join(sorted(found)),
                  "rate": float(rate), "burst": int(burst), "created": codec.now(), "revoked": None}
        try:
            with transaction(self.engine, write=True) as conn:
                row = conn.execute(service_keys.insert().values(values).returning(*service_keys.c)).one()
                trail.record(conn, "apikey.add", actor, {"key": name, "key_id": row.id, "scopes": sorted(found),
                                                         "rate": float(rate), "burst": int(burst)})
        except IntegrityError as exc:
            raise AlreadyExists(f"API key {name!r} already exists") from exc
        return _key(row), token

    def key_for_token(self, token: str) -> ApiKey | None:
        """The live (not revoked) key with this token, or None."""
        with transaction(self.engine) as conn:
            row = conn.execute(select(service_keys).where(service_keys.c.token_sha256 == token_digest(token),
                                                          service_keys.c.revoked.is_(None))).first()
        return _key(row) if row is not None else None

    def list_keys(self) -> list[ApiKey]:
        with transaction(self.engine) as conn:
            return [_key(r) for r in conn.execute(select(service_keys).order_by(service_keys.c.name))]

    def revoke_key(self, name: str, actor: str | None = None) -> ApiKey:
        with transaction(self.engine, write=True) as conn:
            live = (service_keys.c.name == name, service_keys.c.revoked.is_(None))
            done = conn.execute(update(service_keys).where(*live).values(revoked=codec.now())).rowcount
            row = conn.execute(select(service_keys).where(service_keys.c.name == name)).first()
            if row is None:
                raise NotFound(f"API key {name!r} not found")
            if not done:
                raise UsageError(f"API key {name!r} is already revoked")
            key = _key(row)
            trail.record(conn, "apikey.revoke", actor, {"key": name, "key_id": key.id, "scopes": sorted(key.scopes)})
        return key

    # -- query log --------------------------------------------------------------------------

    def log_query(self, key_name: str | None, endpoint: str, hashes: Mapping[str, object] | None,
                  outcome: str, match_count: int, index_version: int | None,
                  report: Mapping[str, Any] | None = None, details: Mapping[str, Any] | None = None) -> Report | None:
        """Log a query; with ``report`` (add_report's arguments) file its report in the same transaction,
        so that a match is never logged without its report, nor a report filed for a query not logged.
        ``details``: what else the answer said (warnings, skipped hashes, unverified hits; no content)."""
        with transaction(self.engine, write=True) as conn:
            earlier = _same_report(conn, report) if report is not None else None
            said = {**(details or {}), **({"repeat_of": earlier.id} if earlier is not None else {})}
            values = {"time": codec.now(), "key_name": key_name, "endpoint": endpoint,
                      "hashes": dict(hashes) if hashes else None, "outcome": outcome,
                      "match_count": match_count, "index_version": index_version,
                      "details": codec.jsonable(said, "query details") if said else None}
            conn.execute(service_queries.insert().values(values))
            if earlier is not None:
                return replace(earlier, repeat=True)
            return _insert_report(conn, **report) if report is not None else None

    def recent_queries(self, limit: int = 100) -> list[dict[str, object]]:
        with transaction(self.engine) as conn:
            rows = conn.execute(select(service_queries).order_by(service_queries.c.id.desc()).limit(limit)).mappings()
            return [{**r, "time": r["time"].isoformat()} for r in rows]

    # -- reports ----------------------------------------------------------------------------

    def add_report(self, *, incident_time: datetime, key_name: str | None, reference: str | None,
                   uploader: Mapping[str, object] | None, file: Mapping[str, object],
                   matches: Sequence[Mapping[str, object]], index_version: int) -> Report:
        with transaction(self.engine, write=True) as conn:
            return _insert_report(conn, incident_time=incident_time, key_name=key_name, reference=reference,
                                  uploader=uploader, file=file, matches=matches, index_version=index_version)

    def get_report(self, report_id: int) -> Report:
        with transaction(self.engine) as conn:
            row = conn.execute(select(service_reports).where(service_reports.c.id == report_id)).first()
        if row is None:
            raise NotFound(f"report {report_id} not found")
        return _report(row)

    def list_reports(self, status: str | None = None, after: int = 0, limit: int = 1000) -> list[Report]:
        query = select(service_reports).where(service_reports.c.id > after)
        if status is not None:
            query = query.where(service_reports.c.status == _status(status))
        with transaction(self.engine) as conn:
            return [_report(r) for r in conn.execute(query.order_by(service_reports.c.id).limit(limit))]

    def report_counts(self) -> dict[str, int]:
        """How many reports are in each status (every status, zero included)."""
        query = select(service_reports.c.status, func.count()).group_by(service_reports.c.status)
        with transaction(self.engine) as conn:
            found = {str(status): int(n) for status, n in conn.execute(query)}
        return {status: found.get(status, 0) for status in REPORT_STATUSES}

    def set_report_status(self, report_id: int, status: str, notes: str | None = None) -> Report:
        with transaction(self.engine, write=True) as conn:
            return self.change_report_status(conn, report_id, status, notes)[1]

    def change_report_status(self, conn: Connection, report_id: int, status: str,
                             notes: str | None = None) -> tuple[Report, Report]:
        """(before, after) of a status change made in the caller's write transaction, so that whoever
        records the change (the review workspace's audit trail) commits with it."""
        values: dict[str, Any] = {"status": _status(status), "changed": codec.now()}
        if notes is not None:
            values["notes"] = notes
        where = service_reports.c.id == report_id
        row = conn.execute(select(service_reports).where(where)).first()
        if row is None:
            raise NotFound(f"report {report_id} not found")
        conn.execute(update(service_reports).where(where).values(values))
        return _report(row), _report(conn.execute(select(service_reports).where(where)).one())

    # -- webhooks ---------------------------------------------------------------------------

    def add_webhook(self, name: str, url: str, secret: str, actor: str | None = None) -> Webhook:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"webhook URL {url!r} is not http or https")
        values = {"name": name, "url": url, "secret": secret, "enabled": True, "created": codec.now()}
        try:
            with transaction(self.engine, write=True) as conn:
                hook = _webhook(conn.execute(service_webhooks.insert().values(values)
                                             .returning(*service_webhooks.c)).one())
                trail.record(conn, "webhook.add", actor, {"webhook": name, "url": url})
                return hook
        except IntegrityError as exc:
            raise AlreadyExists(f"webhook {name!r} already exists") from exc

    def list_webhooks(self, enabled_only: bool = False) -> list[Webhook]:
        query = select(service_webhooks).order_by(service_webhooks.c.name)
        if enabled_only:
            query = query.where(service_webhooks.c.enabled.is_(True))
        with transaction(self.engine) as conn:
            return [_webhook(r) for r in conn.execute(query)]

    def remove_webhook(self, name: str, actor: str | None = None) -> None:
        with transaction(self.engine, write=True) as conn:
            row = conn.execute(select(service_webhooks).where(service_webhooks.c.name == name)).first()
            if row is None:
                raise NotFound(f"webhook {name!r} not found")
            conn.execute(service_webhooks.delete().where(service_webhooks.c.name == name))
            trail.record(conn, "webhook.remove", actor, {"webhook": name, "url": row.url})


def _same_report(conn: Connection, report: Mapping[str, Any]) -> Report | None:
    """The first report filed for the same client's same ``reference``, uploader and file hashes that
    matched the same entries: a submission made twice (a retry) is reported once; another uploader is
    another incident, and so is a match the first report did not hold (the same upload checked again
    after a list was added). No reference, no check. Two submissions of one reference at once are
    taken one after the other (on PostgreSQL a transaction lock on the client and reference; SQLite's
    writers already wait for one another), so a retry racing its original is still one report."""
    if report.get("reference") is None:
        return None
    if conn.dialect.name == "postgresql":
        subject = f"footprint-report|{report.get('key_name')}|{report['reference']}"
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:subject, 0))"), {"subject": subject})
    key = service_reports.c.key_name
    owner = key.is_(None) if report.get("key_name") is None else key == report["key_name"]
    hashes = codec.jsonable(dict(report["file"]), "file").get("hashes")
    uploader = codec.jsonable(dict(report.get("uploader") or {}), "uploader") or None
    matched = _entries(report.get("matches") or [])
    rows = conn.execute(select(service_reports).where(owner, service_reports.c.reference == report["reference"])
                        .order_by(service_reports.c.id))
    return next((_report(r) for r in rows
                 if (r._mapping["file"] or {}).get("hashes") == hashes and r._mapping["uploader"] == uploader
                 and _entries(r._mapping["matches"] or []) == matched), None)


def _entries(matches: Sequence[Mapping[str, Any]]) -> set[tuple[object, object]]:
    """The (bank, entry) pairs a report's matches name."""
    return {(m.get("bank"), m.get("entry_id")) for m in matches}


def _insert_report(conn: Connection, *, incident_time: datetime, key_name: str | None, reference: str | None,
                   uploader: Mapping[str, object] | None, file: Mapping[str, object],
                   matches: Sequence[Mapping[str, object]], index_version: int) -> Report:
    now = codec.now()
    values = {"created": now, "incident_time": incident_time, "status": "new", "key_name": key_name,
              "reference": reference, "uploader": codec.jsonable(dict(uploader or {}), "uploader") or None,
              "file": codec.jsonable(dict(file), "file"), "matches": codec.jsonable([dict(m) for m in matches],
                                                                                   "matches"),
              "index_version": index_version, "notes": "", "changed": now}
    return _report(conn.execute(service_reports.insert().values(values).returning(*service_reports.c)).one())


def _status(status: str) -> str:
    if status not in REPORT_STATUSES:
        raise UsageError(f"report status must be one of {', '.join(REPORT_STATUSES)}")
    return status


def _key(row: Any) -> ApiKey:
    r = row._mapping
    return ApiKey(id=r["id"], name=r["name"], scopes=frozenset(r["scopes"].split()), rate=r["rate"],
                  burst=r["burst"], created=r["created"], revoked=r["revoked"])


def _report(row: Any) -> Report:
    r = row._mapping
    return Report(id=r["id"], created=r["created"], incident_time=r["incident_time"], status=r["status"],
                  key_name=r["key_name"], reference=r["reference"], uploader=r["uploader"], file=r["file"],
                  matches=r["matches"], index_version=r["index_version"], notes=r["notes"], changed=r["changed"])


def _webhook(row: Any) -> Webhook:
    r = row._mapping
    return Webhook(id=r["id"], name=r["name"], url=r["url"], secret=r["secret"], enabled=bool(r["enabled"]))
