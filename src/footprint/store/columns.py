"""The column types and the one MetaData every table of the case store is declared on.

The core tables are in ``schema``; each later concern (review, intelligence, the detection service)
declares its own in its own module on this same ``metadata``, and ``tables`` gathers them all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Dialect, Integer, MetaData, Text, TypeDecorator

from .codec import utc

ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid
NAME = Text().with_variant(Text(collation="C"), "postgresql")
HEX = NAME  # hex digests: bytewise comparison, no locale (migration 0002)
DOC = JSON(none_as_null=True)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps go in as UTC and come out timezone-aware in UTC, whatever the database does."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        value = utc(value)
        if value is not None and dialect.name == "sqlite":
            return value.replace(tzinfo=None)  # SQLite has no time zones: stored as UTC text
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return utc(value)


metadata = MetaData()


def id_column() -> Column[int]:
    return Column("id", ID, primary_key=True)
