"""Tables for the EXIF facts of items (store/schema_intel.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "item_exif", sa.Column("id", ID, primary_key=True),
        sa.Column("item_id", ID, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("make", sa.Text),
        sa.Column("model", sa.Text),
        sa.Column("serial", sa.Text),
        sa.Column("lens_serial", sa.Text),
        sa.Column("taken_text", sa.Text),
        sa.Column("taken_utc", TIME),
        sa.Column("latitude", sa.Double),
        sa.Column("longitude", sa.Double),
        sa.Column("altitude", sa.Double),
        sa.Column("software", sa.Text),
        sa.Column("owner", sa.Text),
        sa.UniqueConstraint("item_id", name="uq_item_exif_item_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_item_exif_serial", "item_exif", ["serial"])


def downgrade() -> None:
    op.drop_index("ix_item_exif_serial", table_name="item_exif")
    op.drop_table("item_exif")
