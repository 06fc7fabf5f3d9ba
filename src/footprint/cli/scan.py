"""footprint scan PATH... --case NAME"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn

from footprint.cli.context import app_context
from footprint.cli.output import chatter, print_json, say
from footprint.errors import EvidenceError
from footprint.pipeline.scan import Scanner
from footprint.store.base import ExhibitRecord


class RichObserver:
    """Scan progress on stderr: items, bytes and their rates."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("starting", total=None, items=0)
        self.items = 0

    def exhibit_started(self, name: str, resumed: int) -> None:
        note = f" (resuming: {resumed} items already done)" if resumed else ""
        self.progress.update(self.task, description=f"{name}{note}")

    def item_done(self, ref: str, size: int) -> None:
        self.items += 1
        self.progress.update(self.task, advance=size, items=self.items)

    def exhibit_finished(self, exhibit: ExhibitRecord) -> None:
        self.progress.console.print(f"{exhibit.name}: {exhibit.status}", markup=False)


def scan(ctx: typer.Context,
         paths: list[Path] = typer.Argument(..., help="Evidence: folders, archives, disk images, files."),
         case: str = typer.Option(..., "--case", help="The case the evidence belongs to."),
         jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", min=1,
                                  help="Processes decoding and hashing pictures (default: one per core).")) -> None:
    """Hash every item of the evidence and match it against every hash set."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise EvidenceError(f"no such evidence: {', '.join(missing)}")
    app = app_context(ctx)
    app.store.get_case(case)  # fail before any work when the case does not exist
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[items]} items"),
               TransferSpeedColumn(), TimeElapsedColumn())
    with Progress(*columns, console=chatter, transient=False) as progress:
        summary = Scanner(app.store, replace(app.settings, jobs=jobs), RichObserver(progress)).scan(case, paths)
    say(f"scanned {summary.items} items ({summary.resumed} from an earlier run), "
        f"{summary.matched} matched, {summary.warnings} warnings")
    print_json({"case": case, "items": summary.items, "resumed": summary.resumed,
                "matched": summary.matched, "warnings": summary.warnings,
                "exhibits": [{"name": e.name, "status": e.status, "hashes_before": dict(e.hashes_before),
                              "hashes_after": dict(e.hashes_after)} for e in summary.exhibits]})
