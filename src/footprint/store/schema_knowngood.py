"""Tables of known-good exclusion: imported NSRL lists and known-good marks (issue 7).

Declared on the store's one ``metadata``; created by their own numbered migration (0006).

A known-good list's hashes are never in the case database (the NSRL holds hundreds of millions):
``knowngood_lists`` only registers where its compact lookup lives (a folder of sorted arrays, see
``matching/knowngood.py``) and what it was built from. ``knowngood_marks`` records, per item, which
list said it is known-good and by which hash. ``conflict`` is true when the item also matched a
known-abuse list: the match stands, the mark only records the disagreement.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Table, Text, UniqueConstraint

from .columns import DOC, HEX, ID, NAME, UTCDateTime, id_column, metadata

knowngood_lists = Table(
    "knowngood_lists", metadata, id_column(),
    Column("name", NAME, nullable=False),
    Column("path", Text, nullable=False),  # the folder of the compact lookup
    Column("source", Text, nullable=False),  # the file it was built from
    Column("source_sha256", HEX, nullable=False),
    Column("imported", UTCDateTime, nullable=False),
    Column("rows", BigInteger, nullable=False),  # rows read from the source
    Column("counts", DOC, nullable=False),  # distinct digests per algorithm: {"sha256": n, ...}
    Column("details", DOC),
    UniqueConstraint("name", name="uq_knowngood_lists_name"),
    sqlite_autoincrement=True,
)

knowngood_marks = Table(
    "knowngood_marks", metadata, id_column(),
    Column("item_id", ID, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("list_id", ID, ForeignKey("knowngood_lists.id", ondelete="SET NULL")),
    Column("list_name", NAME, nullable=False),  # kept when the list is removed, like matches.hashset
    Column("algorithm", Text, nullable=False),
    Column("conflict", Boolean, nullable=False),
    Column("marked", UTCDateTime, nullable=False),
    UniqueConstraint("item_id", "list_name", name="uq_knowngood_marks_item_id_list_name"),
    Index("ix_knowngood_marks_list_id", "list_id"),
    sqlite_autoincrement=True,
)
