"""Near-duplicate clusters kept per case (store/schema_review.py: review_cluster_state, review_clusters).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_cluster_state",
        sa.Column("case_id", ID, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item_count", sa.BigInteger, nullable=False),
        sa.Column("newest_item", sa.BigInteger, nullable=False),
        sa.Column("distance", sa.Integer, nullable=False),
        sa.Column("built", TIME, nullable=False),
    )
    op.create_table(
        "review_clusters",
        sa.Column("item_id", ID, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("case_id", ID, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("cluster_id", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_review_clusters_case_id_cluster_id", "review_clusters", ["case_id", "cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_review_clusters_case_id_cluster_id", table_name="review_clusters")
    op.drop_table("review_clusters")
    op.drop_table("review_cluster_state")
