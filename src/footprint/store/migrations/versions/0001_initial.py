"""The first case store: cases, exhibits, items with matches and warnings, hash sets and entries.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NAME = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
DOC = sa.JSON(none_as_null=True)
TIME = sa.DateTime(timezone=True)
SQLITE = {"sqlite_autoincrement": True}


def _id() -> sa.Column:
    return sa.Column("id", ID, primary_key=True)


def _fk(name: str, target: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, ID, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "cases", _id(),
        sa.Column("name", NAME, nullable=False),
        sa.Column("scheme", sa.Text, nullable=False),
        sa.Column("created", TIME, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.UniqueConstraint("name", name="uq_cases_name"),
        **SQLITE,
    )
    op.create_table(
        "exhibits", _id(),
        _fk("case_id", "cases.id", "CASCADE"),
        sa.Column("name", NAME, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger),
        sa.Column("hashes_before", DOC, nullable=False),
        sa.Column("hashes_after", DOC, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("started", TIME),
        sa.Column("finished", TIME),
        sa.Column("details", DOC),
        sa.UniqueConstraint("case_id", "name", name="uq_exhibits_case_id_name"),
        **SQLITE,
    )
    _items()
    _hashsets()
    _findings()


def _items() -> None:
    op.create_table(
        "items", _id(),
        _fk("exhibit_id", "exhibits.id", "CASCADE"),
        sa.Column("ref", NAME, nullable=False),
        sa.Column("size", sa.BigInteger),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("inode", sa.Text),
        *(sa.Column(name, TIME) for name in ("created", "modified", "accessed", "changed")),
        sa.Column("offset", sa.BigInteger),
        sa.Column("read_size", sa.BigInteger),
        *(sa.Column(name, sa.Text) for name in ("md5", "sha1", "sha256", "media_type", "pdq")),
        sa.Column("pdq_quality", sa.Integer),
        sa.Column("digests_extra", DOC),
        sa.UniqueConstraint("exhibit_id", "ref", name="uq_items_exhibit_id_ref"),
        **SQLITE,
    )
    op.create_index("ix_items_md5", "items", ["md5"])
    op.create_index("ix_items_sha256", "items", ["sha256"])


def _hashsets() -> None:
    op.create_table(
        "hashsets", _id(),
        sa.Column("name", NAME, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("imported", TIME, nullable=False),
        sa.Column("pdq_threshold", sa.Integer, nullable=False),
        sa.Column("entry_count", sa.BigInteger, nullable=False),
        sa.Column("details", DOC),
        sa.UniqueConstraint("name", name="uq_hashsets_name"),
        **SQLITE,
    )
    op.create_table(
        "entries", _id(),
        _fk("hashset_id", "hashsets.id", "CASCADE"),
        *(sa.Column(name, sa.Text) for name in ("md5", "sha1", "sha256", "pdq", "category", "label",
                                                 "series")),
        sa.Column("victim_identified", sa.Boolean),
        sa.Column("extra", DOC),
        **SQLITE,
    )
    for algorithm in ("md5", "sha1", "sha256"):
        op.create_index(f"ix_entries_{algorithm}", "entries", [algorithm])
    op.create_index("ix_entries_hashset_id_id", "entries", ["hashset_id", "id"])


def _findings() -> None:
    op.create_table(
        "matches", _id(),
        _fk("item_id", "items.id", "CASCADE"),
        _fk("hashset_id", "hashsets.id", "SET NULL", nullable=True),
        sa.Column("hashset", NAME, nullable=False),
        sa.Column("entry_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("distance", sa.Integer, nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("category", sa.Text),
        sa.Column("details", DOC),
        **SQLITE,
    )
    op.create_index("ix_matches_item_id", "matches", ["item_id"])
    op.create_index("ix_matches_hashset_id", "matches", ["hashset_id"])
    op.create_table(
        "warnings", _id(),
        _fk("item_id", "items.id", "CASCADE", nullable=True),
        _fk("exhibit_id", "exhibits.id", "CASCADE"),
        sa.Column("ref", NAME, nullable=False),
        sa.Column("stage", sa.Text),
        sa.Column("message", sa.Text, nullable=False),
        **SQLITE,
    )
    op.create_index("ix_warnings_item_id", "warnings", ["item_id"])
    op.create_index("ix_warnings_exhibit_id", "warnings", ["exhibit_id"])


def downgrade() -> None:
    for table in ("warnings", "matches", "entries", "hashsets", "items", "exhibits", "cases"):
        op.drop_table(table)
