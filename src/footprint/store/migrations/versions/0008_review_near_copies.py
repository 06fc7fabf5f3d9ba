"""Near copies of matched items kept per case (store/schema_review.py: review_near_state, review_near_copies).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
DOC = sa.JSON(none_as_null=True)


def upgrade() -> None:
    op.create_table(
        "review_near_state",
        sa.Column("case_id", ID, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("built", TIME, nullable=False),
    )
    op.create_table(
        "review_near_copies",
        sa.Column("item_id", ID, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("case_id", ID, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("near_item", sa.BigInteger, nullable=False),
        sa.Column("distance", sa.Integer, nullable=False),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("details", DOC, nullable=False),
    )
    op.create_index("ix_review_near_copies_case_id", "review_near_copies", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_review_near_copies_case_id", table_name="review_near_copies")
    op.drop_table("review_near_copies")
    op.drop_table("review_near_state")
