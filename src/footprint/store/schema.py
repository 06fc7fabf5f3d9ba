"""The case store's tables, as SQLAlchemy Core objects used to build queries.

The database itself is created and changed only by the numbered Alembic migrations in
``migrations/versions``; a test checks that a migrated database and these tables agree.

Choices worth knowing:

* ``items`` is unique on (exhibit_id, ref): that is what makes a resumed scan never count an item
  twice, even with two writers.
* Names and refs sort in code-point order on every database (PostgreSQL column collation "C",
  SQLite's default BINARY), so listings come out in the same order everywhere.
* ``matches`` keep the hash set's name, the entry's label and category as they were when the match
  was made; ``hashset_id`` becomes NULL if the set is removed, the finding stays.
* Ids of hash sets and entries are never reused (SQLite AUTOINCREMENT), so a stale entry id can
  never point at a different entry.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, Table, Text, UniqueConstraint

from .columns import DOC, HEX, ID, NAME, UTCDateTime, id_column, metadata

cases = Table(
    "cases", metadata, id_column(),
    Column("name", NAME, nullable=False),
    Column("scheme", Text, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("description", Text, nullable=False),
    UniqueConstraint("name", name="uq_cases_name"),
    sqlite_autoincrement=True,
)

exhibits = Table(
    "exhibits", metadata, id_column(),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("name", NAME, nullable=False),
    Column("path", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("size", BigInteger),
    Column("hashes_before", DOC, nullable=False),
    Column("hashes_after", DOC, nullable=False),
    Column("status", Text, nullable=False),
    Column("started", UTCDateTime),
    Column("finished", UTCDateTime),
    Column("details", DOC),
    UniqueConstraint("case_id", "name", name="uq_exhibits_case_id_name"),
    sqlite_autoincrement=True,
)

items = Table(
    "items", metadata, id_column(),
    Column("exhibit_id", ID, ForeignKey("exhibits.id", ondelete="CASCADE"), nullable=False),
    Column("ref", NAME, nullable=False),
    Column("size", BigInteger),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("state", Text, nullable=False),
    Column("inode", Text),
    Column("created", UTCDateTime),
    Column("modified", UTCDateTime),
    Column("accessed", UTCDateTime),
    Column("changed", UTCDateTime),
    Column("offset", BigInteger),
    Column("read_size", BigInteger),  # Digests.size; NULL when the item could not be read at all
    Column("md5", HEX),
    Column("sha1", HEX),
    Column("sha256", HEX),
    Column("media_type", Text),
    Column("pdq", HEX),
    Column("pdq_quality", Integer),
    Column("digests_extra", DOC),  # other hashes, and Skipped reasons: {"perceptual": {"pdq": {...}}}
    UniqueConstraint("exhibit_id", "ref", name="uq_items_exhibit_id_ref"),
    Index("ix_items_md5", "md5"),
    Index("ix_items_sha256", "sha256"),
    sqlite_autoincrement=True,
)

hashsets = Table(
    "hashsets", metadata, id_column(),
    Column("name", NAME, nullable=False),
    Column("format", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("imported", UTCDateTime, nullable=False),
    Column("pdq_threshold", Integer, nullable=False),
    Column("entry_count", BigInteger, nullable=False),
    Column("details", DOC),
    UniqueConstraint("name", name="uq_hashsets_name"),
    sqlite_autoincrement=True,
)

entries = Table(
    "entries", metadata, id_column(),
    Column("hashset_id", ID, ForeignKey("hashsets.id", ondelete="CASCADE"), nullable=False),
    Column("md5", HEX),
    Column("sha1", HEX),
    Column("sha256", HEX),
    Column("pdq", HEX),
    Column("category", Text),
    Column("label", Text),
    Column("series", Text),
    Column("victim_identified", Boolean),
    Column("extra", DOC),
    Index("ix_entries_md5", "md5"),
    Index("ix_entries_sha1", "sha1"),
    Index("ix_entries_sha256", "sha256"),
    Index("ix_entries_hashset_id_id", "hashset_id", "id"),
    sqlite_autoincrement=True,
)

matches = Table(
    "matches", metadata, id_column(),
    Column("item_id", ID, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("hashset_id", ID, ForeignKey("hashsets.id", ondelete="SET NULL")),
    Column("hashset", NAME, nullable=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("algorithm", Text, nullable=False),
    Column("distance", Integer, nullable=False),
    Column("label", Text),
    Column("category", Text),
    Column("details", DOC),
    Index("ix_matches_item_id", "item_id"),
    Index("ix_matches_hashset_id", "hashset_id"),
    sqlite_autoincrement=True,
)

warnings = Table(
    "warnings", metadata, id_column(),
    Column("item_id", ID, ForeignKey("items.id", ondelete="CASCADE")),
    Column("exhibit_id", ID, ForeignKey("exhibits.id", ondelete="CASCADE"), nullable=False),
    Column("ref", NAME, nullable=False),
    Column("stage", Text),
    Column("message", Text, nullable=False),
    Index("ix_warnings_item_id", "item_id"),
    Index("ix_warnings_exhibit_id", "exhibit_id"),
    sqlite_autoincrement=True,
)
