"""Tables of intelligence: EXIF facts of items (issue 7). Links across cases are computed from them
and from the items' hashes when asked (intel/links.py), so they are never stale and need no table.

Declared on the store's one ``metadata``; created by their own numbered migration (0003).

``item_exif`` holds at most one row per item, written with the item in the same transaction
(sql_items.py). ``taken_text`` is the camera's clock as written (ISO form, with its offset when the
file has one); ``taken_utc`` is NULL unless that offset is known: a zoneless time is never faked as UTC.
"""

from __future__ import annotations

from sqlalchemy import Column, Double, ForeignKey, Index, Table, Text, UniqueConstraint

from .columns import ID, UTCDateTime, id_column, metadata

item_exif = Table(
    "item_exif", metadata, id_column(),
    Column("item_id", ID, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("make", Text),
    Column("model", Text),
    Column("serial", Text),  # body serial (0xA431), else the DNG camera serial (0xC62F)
    Column("lens_serial", Text),
    Column("taken_text", Text),
    Column("taken_utc", UTCDateTime),
    Column("latitude", Double),
    Column("longitude", Double),
    Column("altitude", Double),
    Column("software", Text),
    Column("owner", Text),
    UniqueConstraint("item_id", name="uq_item_exif_item_id"),
    Index("ix_item_exif_serial", "serial"),
    sqlite_autoincrement=True,
)
