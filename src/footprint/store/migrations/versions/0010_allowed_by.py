"""The allow-list says who put an entry on it (store/schema_service.py: service_allowed.allowed_by): the
actor the audit trail names, ``apikey:NAME`` or ``cli:USER``, so that an answer's allow-listed hit can
say who allowed the entry. Rows made before this are left empty (their trail entry, if any, says it).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_allowed") as batch:
        batch.add_column(sa.Column("allowed_by", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("service_allowed") as batch:
        batch.drop_column("allowed_by")
