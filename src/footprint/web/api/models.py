"""Request and answer bodies of the API (they make its OpenAPI document)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from footprint.web.security import NUL_MESSAGE, has_nul

Short = Annotated[str, StringConstraints(max_length=500)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class Strict(BaseModel):
    """A request body: no unknown fields, and no NUL character in any text of it (PostgreSQL cannot
    store one), refused here, before anything is matched, logged or stored."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if has_nul(data):
            raise ValueError(NUL_MESSAGE)
        return data


class Uploader(Strict):
    """Who uploaded the file, as the platform knows them; kept in the report as given."""

    user_id: Short | None = None
    screen_name: Short | None = None
    name: Short | None = None
    email: Short | None = None
    phone: Short | None = None
    ip_address: Short | None = None
    ip_time: datetime | None = None
    profile_url: Short | None = None
    additional: dict[Short, Short] | None = Field(None, max_length=50)


class Context(Strict):
    reference: Short | None = Field(None, description="The platform's own id for the upload.")
    incident_time: datetime | None = Field(None, description="When the upload happened (default: now).")
    uploader: Uploader | None = None

    @field_validator("incident_time")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """A time that exists in UTC (0001-01-01T00:00:00+00:01 does not): the report keeps it in UTC."""
        try:
            return value.astimezone(UTC) if value is not None and value.tzinfo is not None else value
        except OverflowError as exc:
            raise ValueError("the time is out of range once converted to UTC") from exc


class HashesRequest(Context):
    md5: str | None = Field(None, max_length=32)
    sha1: str | None = Field(None, max_length=40)
    sha256: str | None = Field(None, max_length=64)
    pdq: str | None = Field(None, max_length=64)
    pdq_quality: int | None = Field(None, ge=0, le=100, description="Required with pdq.")
    vpdq: str | None = Field(None, max_length=10_000_000,
                             description="vPDQ text: a frame_number,quality,pdq_hex,timestamp line a frame.")


class UrlRequest(Context):
    url: str = Field(..., max_length=2000, description="On an allow-listed internal host.")


class MatchOut(BaseModel):
    bank: str
    entry_id: int
    label: str | None
    category: str | None
    kind: str
    algorithm: str
    distance: int
    details: dict[str, Any]
    how: str = Field(..., description="One sentence with the figures the match rested on, as the CLI's exports "
                                      "give it (added in API version 1: fields are only ever added).")


class UnverifiedOut(MatchOut):
    why: str


class AllowListedOut(MatchOut):
    reason: str | None = Field(..., description="Why the entry was allow-listed.")
    allowed_by: str | None = Field(..., description="Who allow-listed it: apikey:NAME or cli:USER (null when "
                                                    "allow-listed before footprint recorded who).")
    allowed_at: str | None = Field(..., description="When, ISO 8601 UTC.")


class MatchAnswer(BaseModel):
    """Fields are only ever added within API version 1 (docs/cli.md lists them, the added ones marked)."""

    index_version: int
    matched: bool
    matches: list[MatchOut]
    hashes: dict[str, Any]
    skipped: dict[str, str] = Field(..., description="Hasher → why its hash is missing or not fully used "
                                                     "(a picture too small, too flat, of low quality).")
    report_id: int | None
    unverified: list[UnverifiedOut] = Field(default_factory=list, description=(
        "PDQ near hits on hashes alone: not a match, not reported; send the picture to /match/content."))
    repeat: bool = Field(False, description=(
        "True when this client already reported the same reference with the same hashes: report_id is that "
        "first report, and no new report or webhook is made."))
    warnings: list[str] = Field(default_factory=list, description=(
        "What looked wrong on the upload (only its first frame hashed...) and near hits refused as evidence, "
        "with the entry and why."))
    allow_listed: list[AllowListedOut] = Field(default_factory=list, description=(
        "Hits on allow-listed entries, with why, by whom and when each was allowed: not a match, not reported "
        "(added in API version 1)."))


class BankIn(Strict):
    name: Name
    pdq_threshold: int | None = Field(None, ge=0, le=31)


class BankSettings(Strict):
    enabled: bool | None = None
    pdq_threshold: int | None = Field(None, ge=0, le=31)


class BankOut(BaseModel):
    name: str
    enabled: bool
    pdq_threshold: int
    entry_count: int
    allowed_count: int
    format: str
    source: str
    changed: datetime


class Change(BaseModel):
    """A change to the banks shows in answers from ``index_version`` on (rebuilt in the background)."""

    index_version: int
    count: int | None = None


class EntryIn(Strict):
    md5: str | None = Field(None, max_length=32)
    sha1: str | None = Field(None, max_length=40)
    sha256: str | None = Field(None, max_length=64)
    pdq: str | None = Field(None, max_length=64)
    category: str | None = Field(None, max_length=10, description="uk:A, uk:B, uk:C, uk:N or vics:0 to vics:4")
    label: Short | None = None
    series: Short | None = None


class EntriesIn(Strict):
    entries: list[EntryIn] = Field(..., min_length=1, max_length=10_000)


class RemoveIn(Strict):
    algorithm: str = Field(..., pattern="^(md5|sha1|sha256|pdq)$")
    values: list[Annotated[str, StringConstraints(max_length=64)]] = Field(..., min_length=1, max_length=10_000)


class AllowIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class KeyIn(Strict):
    name: Name
    scopes: list[str] = Field(..., min_length=1, max_length=3)
    rate: float | None = Field(None, gt=0, le=100_000)
    burst: int | None = Field(None, ge=1, le=1_000_000)


class KeyOut(BaseModel):
    name: str
    scopes: list[str]
    rate: float
    burst: int
    created: datetime
    revoked: datetime | None


class NewKey(KeyOut):
    token: str = Field(..., description="Shown this once: only its SHA-256 is kept.")


class WebhookIn(Strict):
    name: Name
    url: str = Field(..., max_length=2000)
    secret: str | None = Field(None, min_length=16, max_length=200, description="Default: a new random one.")


class WebhookOut(BaseModel):
    name: str
    url: str
    enabled: bool
    secret: str | None = Field(None, description="Only in the answer to its creation.")


class ReportStatusIn(Strict):
    status: str = Field(..., pattern="^(new|reviewed|reported|closed)$")
    notes: str | None = Field(None, max_length=10_000)
