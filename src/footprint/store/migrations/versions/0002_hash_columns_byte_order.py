"""Hash columns compare bytewise on PostgreSQL (collation "C"): hex digits need no locale, and
locale-aware comparison slows every index insert and lookup on them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = {"entries": ("md5", "sha1", "sha256", "pdq"), "items": ("md5", "sha1", "sha256", "pdq")}


def _retype(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares text bytewise already
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Text(collation=collation), existing_nullable=True)


def upgrade() -> None:
    _retype("C")


def downgrade() -> None:
    _retype(None)
