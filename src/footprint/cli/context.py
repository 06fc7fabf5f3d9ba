"""What every command needs: the settings and the store, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from footprint.errors import UsageError
from footprint.private import private_dir
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.base import Store


@dataclass
class AppContext:
    settings: Settings
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            private_dir(self.settings.home)
            self._store = open_store(self.settings.database_url)
        return self._store


def check_name(kind: str, name: str) -> None:
    """A name a command creates (a case, hash set, bank, API key) is printed in tables, reports and audit
    lines: never empty, never padded with spaces, never holding tabs, line breaks or other controls."""
    if not name.strip() or name != name.strip() or not name.isprintable() or len(name) > 200:
        raise UsageError(f"a {kind} name is 1-200 printable characters, without spaces at either end, "
                         f"not {name!r}")


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj
