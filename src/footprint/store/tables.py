"""Every table of the case store: the core ones and each concern's own, all on one MetaData.

Migrations create them; tests/store/test_migrations.py checks a migrated database against this.
"""

from __future__ import annotations

from . import schema, schema_intel, schema_knowngood, schema_review, schema_service
from .columns import metadata

__all__ = ["metadata", "schema", "schema_intel", "schema_knowngood", "schema_review", "schema_service"]
