"""Tables for the review workspace accounts, decisions and audit trail (store/schema_review.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NAME = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
DOC = sa.JSON(none_as_null=True)
TIME = sa.DateTime(timezone=True)
SQLITE = {"sqlite_autoincrement": True}


def _id() -> sa.Column:
    return sa.Column("id", ID, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "review_users", _id(),
        sa.Column("name", NAME, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created", TIME, nullable=False),
        sa.Column("blur", sa.Integer),
        sa.UniqueConstraint("name", name="uq_review_users_name"),
        **SQLITE,
    )
    op.create_table(
        "review_members",
        sa.Column("user_id", ID, sa.ForeignKey("review_users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("case_id", ID, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("added", TIME, nullable=False),
    )
    op.create_index("ix_review_members_case_id", "review_members", ["case_id"])
    op.create_table(
        "review_sessions", _id(),
        sa.Column("token_sha256", NAME, nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created", TIME, nullable=False),
        sa.Column("expires", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
        sa.UniqueConstraint("token_sha256", name="uq_review_sessions_token_sha256"),
        **SQLITE,
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])
    op.create_table(
        "review_decisions", _id(),
        sa.Column("item_id", ID, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scheme", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("decided_by", NAME, nullable=False),
        sa.Column("decided_at", TIME, nullable=False),
        **SQLITE,
    )
    op.create_index("ix_review_decisions_item_id_id", "review_decisions", ["item_id", "id"])
    op.create_table(
        "audit_chains", _id(),
        sa.Column("name", NAME, nullable=False),
        sa.Column("case_id", sa.BigInteger),
        sa.Column("head_seq", sa.BigInteger, nullable=False),
        sa.Column("head_hash", NAME, nullable=False),
        sa.UniqueConstraint("name", name="uq_audit_chains_name"),
        **SQLITE,
    )
    op.create_table(
        "audit_log", _id(),
        sa.Column("chain", NAME, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("user_name", NAME),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("case_id", sa.BigInteger),
        sa.Column("item_id", sa.BigInteger),
        sa.Column("details", DOC, nullable=False),
        sa.Column("prev_hash", NAME, nullable=False),
        sa.Column("hash", NAME, nullable=False),
        sa.UniqueConstraint("chain", "seq", name="uq_audit_log_chain_seq"),
        **SQLITE,
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("audit_chains")
    op.drop_index("ix_review_decisions_item_id_id", table_name="review_decisions")
    op.drop_table("review_decisions")
    op.drop_index("ix_review_sessions_user_id", table_name="review_sessions")
    op.drop_table("review_sessions")
    op.drop_index("ix_review_members_case_id", table_name="review_members")
    op.drop_table("review_members")
    op.drop_table("review_users")
