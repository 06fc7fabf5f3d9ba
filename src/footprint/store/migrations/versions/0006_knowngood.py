"""Tables for the known-good lists (NSRL) and marks (store/schema_knowngood.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NAME = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
DOC = sa.JSON(none_as_null=True)
TIME = sa.DateTime(timezone=True)
SQLITE = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.create_table(
        "knowngood_lists", sa.Column("id", ID, primary_key=True),
        sa.Column("name", NAME, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_sha256", NAME, nullable=False),
        sa.Column("imported", TIME, nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("counts", DOC, nullable=False),
        sa.Column("details", DOC),
        sa.UniqueConstraint("name", name="uq_knowngood_lists_name"),
        **SQLITE,
    )
    op.create_table(
        "knowngood_marks", sa.Column("id", ID, primary_key=True),
        sa.Column("item_id", ID, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("list_id", ID, sa.ForeignKey("knowngood_lists.id", ondelete="SET NULL")),
        sa.Column("list_name", NAME, nullable=False),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("conflict", sa.Boolean, nullable=False),
        sa.Column("marked", TIME, nullable=False),
        sa.UniqueConstraint("item_id", "list_name", name="uq_knowngood_marks_item_id_list_name"),
        **SQLITE,
    )
    op.create_index("ix_knowngood_marks_list_id", "knowngood_marks", ["list_id"])


def downgrade() -> None:
    op.drop_index("ix_knowngood_marks_list_id", table_name="knowngood_marks")
    op.drop_table("knowngood_marks")
    op.drop_table("knowngood_lists")
