"""The query log says more than an outcome (store/schema_service.py: service_queries.details): the
warnings on the upload, the reasons a hash was not (fully) used, near hits refused or left unverified,
allow-listed hits, and the report a repeated submission was answered with.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_queries") as batch:
        batch.add_column(sa.Column("details", sa.JSON(none_as_null=True)))


def downgrade() -> None:
    with op.batch_alter_table("service_queries") as batch:
        batch.drop_column("details")
