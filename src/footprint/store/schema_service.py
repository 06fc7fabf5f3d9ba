"""Tables of the online detection service: banks, API keys, query log, reports and actions (issue 8).

Declared on the store's one ``metadata``; created by their own numbered migration.

A bank is a hash set (``hashsets``/``entries``) served by the detection service: ``service_banks``
holds its service settings, keyed by the hash set's id, so the same lists and importers serve the
investigator's scans and the platform's uploads. ``service_allowed`` is the allow-list: entries a
curator found to give false matches, never matched by the service again (the scans are unaffected).
API keys are kept only as the SHA-256 of the token; the query log never holds content, only hashes.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, ForeignKey, Index, Integer, Table, Text, UniqueConstraint

from .columns import DOC, HEX, ID, NAME, UTCDateTime, id_column, metadata

service_banks = Table(
    "service_banks", metadata,
    Column("hashset_id", ID, ForeignKey("hashsets.id", ondelete="CASCADE"), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("pdq_threshold", Integer),  # NULL: the hash set's own threshold
    Column("created", UTCDateTime, nullable=False),
    Column("changed", UTCDateTime, nullable=False),
)

service_allowed = Table(
    "service_allowed", metadata,
    Column("entry_id", ID, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("hashset_id", ID, ForeignKey("hashsets.id", ondelete="CASCADE"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("allowed_by", Text),  # who allowed it, as the audit trail names them (migration 0010)
    Index("ix_service_allowed_hashset_id", "hashset_id"),
)

service_keys = Table(
    "service_keys", metadata, id_column(),
    Column("name", NAME, nullable=False),
    Column("token_sha256", HEX, nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated: query curate admin
    Column("rate", Float, nullable=False),  # requests a second, refilled continuously
    Column("burst", Integer, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("revoked", UTCDateTime),
    UniqueConstraint("name", name="uq_service_keys_name"),
    UniqueConstraint("token_sha256", name="uq_service_keys_token_sha256"),
    sqlite_autoincrement=True,
)

service_queries = Table(
    "service_queries", metadata, id_column(),
    Column("time", UTCDateTime, nullable=False),
    Column("key_name", NAME),
    Column("endpoint", Text, nullable=False),
    Column("hashes", DOC),
    Column("outcome", Text, nullable=False),  # match | no_match | an error code
    Column("match_count", Integer, nullable=False),
    Column("index_version", Integer),
    Column("details", DOC),  # warnings, skipped, refused/unverified/allow-listed hits (migration 0009)
    Index("ix_service_queries_time", "time"),
    sqlite_autoincrement=True,
)

service_reports = Table(
    "service_reports", metadata, id_column(),
    Column("created", UTCDateTime, nullable=False),
    Column("incident_time", UTCDateTime, nullable=False),
    Column("status", Text, nullable=False),  # new | reviewed | reported | closed
    Column("key_name", NAME),
    Column("reference", Text),
    Column("uploader", DOC),
    Column("file", DOC, nullable=False),
    Column("matches", DOC, nullable=False),
    Column("index_version", Integer, nullable=False),
    Column("notes", Text, nullable=False),
    Column("changed", UTCDateTime, nullable=False),
    Index("ix_service_reports_status", "status"),
    sqlite_autoincrement=True,
)

service_webhooks = Table(
    "service_webhooks", metadata, id_column(),
    Column("name", NAME, nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # the HMAC key: must be readable to sign
    Column("enabled", Boolean, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    UniqueConstraint("name", name="uq_service_webhooks_name"),
    sqlite_autoincrement=True,
)
