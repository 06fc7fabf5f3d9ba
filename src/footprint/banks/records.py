"""The detection service's records, as plain frozen dataclasses shared by its store, core and API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

SCOPES = ("query", "curate", "admin")
REPORT_STATUSES = ("new", "reviewed", "reported", "closed")
MAX_PDQ_THRESHOLD = 31  # a wider radius finds more, and more wrongly: a false match accuses someone


@dataclass(frozen=True)
class Bank:
    """A hash set served by the service, with its service settings."""

    hashset_id: int
    name: str
    enabled: bool
    pdq_threshold: int  # the bank's own, else the hash set's
    entry_count: int
    allowed_count: int  # entries on the allow-list (never matched by the service)
    format: str
    source: str
    changed: datetime


@dataclass(frozen=True)
class Allowed:
    """An entry on a bank's allow-list: why, since when, and who put it there (None before migration 0010)."""

    entry_id: int
    reason: str
    created: datetime
    allowed_by: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"entry_id": self.entry_id, "reason": self.reason, "allowed_at": self.created.isoformat(),
                "allowed_by": self.allowed_by}


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    scopes: frozenset[str]
    rate: float  # requests a second
    burst: int
    created: datetime
    revoked: datetime | None = None


@dataclass(frozen=True)
class Report:
    """What a national reporting centre needs about one matched upload."""

    id: int
    created: datetime
    incident_time: datetime
    status: str
    key_name: str | None
    reference: str | None  # the platform's own id for the upload
    uploader: Mapping[str, object] | None  # as the platform supplied it
    file: Mapping[str, object]  # hashes, size, media type
    matches: Sequence[Mapping[str, object]]
    index_version: int
    notes: str = ""
    changed: datetime | None = None
    repeat: bool = False  # returned for a submission already reported (same client, reference and hashes)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "created": self.created.isoformat(), "incident_time": self.incident_time.isoformat(),
                "status": self.status, "client": self.key_name, "reference": self.reference,
                "uploader": dict(self.uploader or {}), "file": dict(self.file),
                "matches": [dict(m) for m in self.matches], "index_version": self.index_version,
                "notes": self.notes, "changed": self.changed.isoformat() if self.changed else None}


@dataclass(frozen=True)
class Webhook:
    id: int
    name: str
    url: str
    secret: str = field(repr=False)
    enabled: bool = True
