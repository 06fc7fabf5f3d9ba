"""Tables for the detection service banks, keys, query log and reports (store/schema_service.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NAME = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
DOC = sa.JSON(none_as_null=True)
TIME = sa.DateTime(timezone=True)
SQLITE = {"sqlite_autoincrement": True}


def _id() -> sa.Column:
    return sa.Column("id", ID, primary_key=True)


def _fk(name: str, target: str, **kw: Any) -> sa.Column:
    return sa.Column(name, ID, sa.ForeignKey(target, ondelete="CASCADE"), **kw)


def upgrade() -> None:
    op.create_table(
        "service_banks",
        _fk("hashset_id", "hashsets.id", primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("pdq_threshold", sa.Integer),
        sa.Column("created", TIME, nullable=False),
        sa.Column("changed", TIME, nullable=False),
    )
    op.create_table(
        "service_allowed",
        _fk("entry_id", "entries.id", primary_key=True),
        _fk("hashset_id", "hashsets.id", nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created", TIME, nullable=False),
    )
    op.create_index("ix_service_allowed_hashset_id", "service_allowed", ["hashset_id"])
    _keys_and_log()
    _reports_and_webhooks()


def _keys_and_log() -> None:
    op.create_table(
        "service_keys", _id(),
        sa.Column("name", NAME, nullable=False),
        sa.Column("token_sha256", NAME, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("rate", sa.Float, nullable=False),
        sa.Column("burst", sa.Integer, nullable=False),
        sa.Column("created", TIME, nullable=False),
        sa.Column("revoked", TIME),
        sa.UniqueConstraint("name", name="uq_service_keys_name"),
        sa.UniqueConstraint("token_sha256", name="uq_service_keys_token_sha256"),
        **SQLITE,
    )
    op.create_table(
        "service_queries", _id(),
        sa.Column("time", TIME, nullable=False),
        sa.Column("key_name", NAME),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("hashes", DOC),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("match_count", sa.Integer, nullable=False),
        sa.Column("index_version", sa.Integer),
        **SQLITE,
    )
    op.create_index("ix_service_queries_time", "service_queries", ["time"])


def _reports_and_webhooks() -> None:
    op.create_table(
        "service_reports", _id(),
        sa.Column("created", TIME, nullable=False),
        sa.Column("incident_time", TIME, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("key_name", NAME),
        sa.Column("reference", sa.Text),
        sa.Column("uploader", DOC),
        sa.Column("file", DOC, nullable=False),
        sa.Column("matches", DOC, nullable=False),
        sa.Column("index_version", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("changed", TIME, nullable=False),
        **SQLITE,
    )
    op.create_index("ix_service_reports_status", "service_reports", ["status"])
    op.create_table(
        "service_webhooks", _id(),
        sa.Column("name", NAME, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created", TIME, nullable=False),
        sa.UniqueConstraint("name", name="uq_service_webhooks_name"),
        **SQLITE,
    )


def downgrade() -> None:
    for table in ("service_webhooks", "service_reports", "service_queries", "service_keys",
                  "service_allowed", "service_banks"):
        op.drop_table(table)
