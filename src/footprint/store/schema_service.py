"""Tables of the online detection service: banks, API keys, query log, reports and actions (issue 8).

Declared on the store's one ``metadata``; created by their own numbered migration.
"""

from __future__ import annotations

from .columns import metadata  # noqa: F401  (the tables below are declared on it)
