"""Bank management (scope curate), keys and webhooks (scope admin), reports (scope curate), status.
Every change names its key (``apikey:NAME``) to the audit trail (banks/trail.py)."""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from footprint.banks.records import ApiKey, Bank
from footprint.banks.service import DetectionService
from footprint.model import Category, KnownEntry
from footprint.review import reports

from .auth import require
from .errors import ApiError
from .models import (
    AllowIn,
    BankIn,
    BankOut,
    BankSettings,
    Change,
    EntriesIn,
    EntryIn,
    KeyIn,
    KeyOut,
    NewKey,
    RemoveIn,
    ReportStatusIn,
    WebhookIn,
    WebhookOut,
)

BankName = Annotated[str, Path(min_length=1, max_length=200)]
# A bank is a hash set, and a hash set's name may hold "/" (an imported list's own name): the bank routes
# take the name as a path ({name:path}), the routes under a bank declared before the bank's own, so that
# /banks/a/b/entries is bank "a/b"'s entries. The one name these cannot reach is a bank's own that ends
# in one of those routes (".../entries", ".../remove", ".../allowed", ".../allowed/7").
WAIT = Query(False, description="Answer only once the index version holding the change serves queries.")


def add_bank_routes(router: APIRouter, service: DetectionService) -> None:
    Curator = Annotated[ApiKey, Depends(require(service, "curate"))]

    def changed(wait: bool, count: int | None = None) -> Change:
        version = service.changed()
        if wait:
            service.index.wait_for(version)
        return Change(index_version=version, count=count)

    @router.get("/banks", response_model=list[BankOut], tags=["banks"])
    def list_banks(key: Curator) -> list[dict[str, Any]]:
        return [_bank(b) for b in service.banks.list_banks()]

    @router.post("/banks", response_model=BankOut, status_code=201, tags=["banks"])
    def create_bank(body: BankIn, key: Curator, wait: bool = WAIT) -> dict[str, Any]:
        """A new, empty bank (a hash set of format "bank")."""
        bank = service.banks.create_bank(body.name, body.pdq_threshold, source=f"api:{key.name}",
                                         actor=actor(key))
        changed(wait)
        return _bank(bank)

    @router.get("/banks/{name:path}/entries", tags=["banks"])
    def list_entries(name: BankName, key: Curator, after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        return [{"entry_id": hit.entry_id, **hit.entry.hashes(), "label": hit.entry.label,
                 "category": str(hit.entry.category) if hit.entry.category else None}
                for hit in service.banks.list_entries(name, after, limit)]

    @router.post("/banks/{name:path}/entries", response_model=Change, tags=["banks"])
    def add_entries(name: BankName, body: EntriesIn, key: Curator, wait: bool = WAIT) -> Change:
        """Bulk add: all or nothing."""
        count = service.banks.add_entries(name, [_entry(e) for e in body.entries], actor(key))
        return changed(wait, count)

    @router.post("/banks/{name:path}/remove", response_model=Change, tags=["banks"])
    def remove_entries(name: BankName, body: RemoveIn, key: Curator, wait: bool = WAIT) -> Change:
        """Bulk remove every entry whose hash (of the given algorithm) is listed."""
        return changed(wait, service.banks.remove_entries(name, body.algorithm, body.values, actor(key)))

    @router.get("/banks/{name:path}/allowed", tags=["banks"])
    def list_allowed(name: BankName, key: Curator) -> list[dict[str, object]]:
        return service.banks.allowed(name)

    @router.put("/banks/{name:path}/allowed/{entry_id}", response_model=Change, tags=["banks"])
    def allow(name: BankName, entry_id: Annotated[int, Path(ge=1, le=2**62)], body: AllowIn, key: Curator,
              wait: bool = WAIT) -> Change:
        """Put an entry on the allow-list: a false positive the service never matches again."""
        service.banks.allow(name, entry_id, body.reason, actor(key))
        return changed(wait)

    @router.delete("/banks/{name:path}/allowed/{entry_id}", response_model=Change, tags=["banks"])
    def disallow(name: BankName, entry_id: Annotated[int, Path(ge=1, le=2**62)], key: Curator,
                 wait: bool = WAIT) -> Change:
        service.banks.disallow(name, entry_id, actor(key))
        return changed(wait)

    @router.get("/banks/{name:path}", response_model=BankOut, tags=["banks"])
    def get_bank(name: BankName, key: Curator) -> dict[str, Any]:
        return _bank(service.banks.get_bank(name))

    @router.put("/banks/{name:path}", response_model=BankOut, tags=["banks"])
    def serve_bank(name: BankName, body: BankSettings, key: Curator, wait: bool = WAIT) -> dict[str, Any]:
        """Serve an existing hash set as a bank, or change a bank's switch and threshold."""
        bank = service.banks.serve(name, enabled=body.enabled, pdq_threshold=body.pdq_threshold, actor=actor(key))
        changed(wait)
        return _bank(bank)

    @router.delete("/banks/{name:path}", response_model=Change, tags=["banks"])
    def unserve_bank(name: BankName, key: Curator, wait: bool = WAIT) -> Change:
        """Stop serving the bank (its hash set stays in the store)."""
        service.banks.unserve(name, actor(key))
        return changed(wait)


def add_admin_routes(router: APIRouter, service: DetectionService) -> None:
    Admin = Annotated[ApiKey, Depends(require(service, "admin"))]

    @router.get("/keys", response_model=list[KeyOut], tags=["keys"])
    def list_keys(key: Admin) -> list[dict[str, Any]]:
        return [_key(k) for k in service.records.list_keys()]

    @router.post("/keys", response_model=NewKey, status_code=201, tags=["keys"])
    def add_key(body: KeyIn, key: Admin) -> dict[str, Any]:
        """A new key; its token is in this answer only."""
        rate = body.rate if body.rate is not None else service.config.key_rate
        burst = body.burst if body.burst is not None else service.config.key_burst
        made, token = service.records.add_key(body.name, body.scopes, rate, burst, actor(key))
        return {**_key(made), "token": token}

    @router.delete("/keys/{name}", response_model=KeyOut, tags=["keys"])
    def revoke_key(name: BankName, key: Admin) -> dict[str, Any]:
        return _key(service.records.revoke_key(name, actor(key)))

    @router.get("/webhooks", response_model=list[WebhookOut], tags=["webhooks"])
    def list_webhooks(key: Admin) -> list[dict[str, Any]]:
        return [{"name": w.name, "url": w.url, "enabled": w.enabled} for w in service.records.list_webhooks()]

    @router.post("/webhooks", response_model=WebhookOut, status_code=201, tags=["webhooks"])
    def add_webhook(body: WebhookIn, key: Admin) -> dict[str, Any]:
        """Called with every new report, signed with HMAC-SHA256 (the secret is in this answer only)."""
        hook = service.records.add_webhook(body.name, body.url, body.secret or secrets.token_urlsafe(32), actor(key))
        return {"name": hook.name, "url": hook.url, "enabled": hook.enabled, "secret": hook.secret}

    @router.delete("/webhooks/{name}", status_code=204, tags=["webhooks"])
    def remove_webhook(name: BankName, key: Admin) -> None:
        service.records.remove_webhook(name, actor(key))

    @router.get("/queries", tags=["keys"])
    def recent_queries(key: Admin, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, object]]:
        """The query log, newest first: time, key, hashes, outcome, match count (never content)."""
        return service.records.recent_queries(limit)


def add_report_routes(router: APIRouter, service: DetectionService) -> None:
    Curator = Annotated[ApiKey, Depends(require(service, "curate"))]
    Querier = Annotated[ApiKey, Depends(require(service, "query"))]

    @router.get("/reports", tags=["reports"])
    def export_reports(key: Curator, status: Annotated[str | None, Query(pattern="^(new|reviewed|reported|closed)$")]
                       = None, after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                       limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> list[dict[str, object]]:
        """Reports as JSON, oldest first (page on with ``after`` = the last id); each page handed out is in
        the audit trail, naming its reports (review.reports.export_reports)."""
        return [r.to_json() for r in reports.export_reports(service.store, actor(key), status, after,
                                                            limit)]

    @router.get("/reports/{report_id}", tags=["reports"])
    def get_report(report_id: Annotated[int, Path(ge=1, le=2**62)], key: Curator) -> dict[str, object]:
        """One report (it carries uploader details): its reading is in the audit trail, as the workspace's."""
        return reports.view_report(service.store, actor(key), report_id).to_json()

    @router.patch("/reports/{report_id}", tags=["reports"])
    def set_status(report_id: Annotated[int, Path(ge=1, le=2**62)], body: ReportStatusIn,
                   key: Curator) -> dict[str, object]:
        """Move a report on: new, reviewed, reported, closed (and notes); audited, as the workspace's."""
        return reports.change_status(service.store, actor(key), report_id, body.status,
                                     body.notes).to_json()

    @router.get("/status", tags=["status"])
    def status(key: Querier) -> dict[str, Any]:
        """The index version served now, its banks, and the webhook worker's counts."""
        return service.status()


def actor(key: ApiKey) -> str:
    """Who the audit trail names for a change or a reading made with ``key``."""
    return f"apikey:{key.name}"


def _bank(bank: Bank) -> dict[str, Any]:
    return {"name": bank.name, "enabled": bank.enabled, "pdq_threshold": bank.pdq_threshold,
            "entry_count": bank.entry_count, "allowed_count": bank.allowed_count, "format": bank.format,
            "source": bank.source, "changed": bank.changed}


def _key(key: ApiKey) -> dict[str, Any]:
    return {"name": key.name, "scopes": sorted(key.scopes), "rate": key.rate, "burst": key.burst,
            "created": key.created, "revoked": key.revoked}


def _entry(entry: EntryIn) -> KnownEntry:
    try:
        category = Category.parse(entry.category) if entry.category else None
    except ValueError as exc:
        raise ApiError(422, f"category: {exc}") from exc
    for name, size in (("md5", 32), ("sha1", 40), ("sha256", 64), ("pdq", 64)):
        value = getattr(entry, name)
        if value is not None and (len(value) != size or any(c not in "0123456789abcdefABCDEF" for c in value)):
            raise ApiError(422, f"{name} must be {size} hex digits")
    if not (entry.md5 or entry.sha1 or entry.sha256 or entry.pdq):
        raise ApiError(422, "an entry needs at least one hash")
    return KnownEntry(md5=entry.md5, sha1=entry.sha1, sha256=entry.sha256, pdq=entry.pdq, category=category,
                      label=entry.label, series=entry.series)
