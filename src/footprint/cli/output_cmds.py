"""footprint export NAME --format jsonl|csv, footprint report NAME -o FILE"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import typer

from footprint.cli.context import app_context
from footprint.cli.output import say
from footprint.errors import UsageError
from footprint.reports.export import EXPORTERS
from footprint.reports.html import write_html_report


@contextmanager
def _target(path: Path | None):
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        yield out


def export(ctx: typer.Context, name: str,
           format: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
           output: Path | None = typer.Option(None, "-o", "--output", help="File (default: stdout).")) -> None:
    """Export every item of a case with its hashes, status and matches."""
    if format not in EXPORTERS:
        raise UsageError(f"unknown export format {format!r}; choose one of {', '.join(EXPORTERS)}")
    store = app_context(ctx).store
    case = store.get_case(name)
    out: TextIO
    with _target(output) as out:
        count = EXPORTERS[format](store.iter_items(case.id), out)
    say(f"exported {count} items" + (f" to {output}" if output else ""))


def report(ctx: typer.Context, name: str,
           output: Path = typer.Option(..., "-o", "--output", help="The HTML file to write.")) -> None:
    """Write a self-contained HTML report of a case."""
    app = app_context(ctx)
    write_html_report(app.store, name, output, app.settings)
    say(f"report written to {output}")
