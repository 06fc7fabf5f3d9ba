"""Tables of known-good exclusion: imported NSRL lists and known-good marks (issue 7).

Declared on the store's one ``metadata``; created by their own numbered migration.
"""

from __future__ import annotations

from .columns import metadata  # noqa: F401  (the tables below are declared on it)
