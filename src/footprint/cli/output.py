"""Stdout carries data, stderr carries chatter: the two consoles every command uses."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime

from rich.console import Console

chatter = Console(stderr=True, highlight=False)


def say(message: str) -> None:
    """Progress and confirmations, on stderr."""
    chatter.print(message, markup=False)


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=_plain) + "\n")


def _plain(value: object) -> str:
    """Times in ISO 8601 with their offset, as the exports write them ('T', not str()'s space)."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def print_rows(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Tab-separated, header first: easy to read, easy to cut."""
    sys.stdout.write("\t".join(header) + "\n")
    for row in rows:
        sys.stdout.write("\t".join("" if v is None else _cell(str(v)) for v in row) + "\n")


def _cell(text: str) -> str:
    """One field of one line: a tab or line break inside a value (a description, a list's source) is
    written as ``\\t``, ``\\n`` or ``\\r``, so that a row stays one line of the same columns."""
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
