"""The ``footprint`` program's entry point. It loads the command (footprint.cli.main, about half a second
of imports) under a guard: a Ctrl-C that lands while Python is still importing ends with the one-line
error every other interruption gives, not a traceback of the import it stopped."""

from __future__ import annotations

import sys


def entry() -> None:
    try:
        from footprint.cli.main import run
    except KeyboardInterrupt:
        sys.stderr.write("footprint: error: interrupted before the command started; nothing was done\n")
        sys.exit(130)
    sys.exit(run())
