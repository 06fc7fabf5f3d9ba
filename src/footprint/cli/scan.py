"""footprint scan PATH... --case NAME"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from footprint.cli.context import app_context
from footprint.cli.output import chatter, print_json, say
from footprint.cli.user import actor
from footprint.errors import EvidenceError
from footprint.hashers.registry import check_skipped
from footprint.pipeline.distributed import cluster_client, scan_on_cluster
from footprint.pipeline.evidence import exhibit_paths
from footprint.pipeline.scan import Scanner
from footprint.reports.summary import case_counts
from footprint.sources.integrity import verification_words
from footprint.store.base import CaseRecord, ExhibitRecord, Store


class RichObserver:
    """Scan progress on stderr: files done (of how many, when a folder's manifest tells), files/s,
    MB/s, and an ETA only when the total is known; archives and disk images show items so far."""

    def __init__(self, progress: Progress, quiet: bool = False) -> None:
        self.progress = progress
        self.quiet = quiet
        self.task = progress.add_task("starting", total=None, items=0, bytes=0, started=time.monotonic())
        self.items = self.bytes = 0

    def exhibit_started(self, name: str, resumed: int) -> None:
        note = f" (resuming: {resumed} items already done)" if resumed else ""
        self.progress.reset(self.task, description=f"{name}{note}", total=None, items=0, bytes=0,
                            started=time.monotonic())
        self.items = self.bytes = 0

    def exhibit_size(self, files: int | None, size: int | None) -> None:
        self.progress.update(self.task, total=files)

    def item_done(self, ref: str, size: int) -> None:
        self.items += 1
        self.bytes += size
        self.progress.update(self.task, advance=0 if "!" in ref else 1, items=self.items, bytes=self.bytes)

    def exhibit_finished(self, exhibit: ExhibitRecord) -> None:
        if not self.quiet:
            self.progress.console.print(f"{exhibit.name}: {exhibit.status}", markup=False, soft_wrap=True)
        check = exhibit.details.get("ewf_verification")
        if isinstance(check, dict) and (not self.quiet or not check.get("verified")):  # a failure even when quiet
            outcome = "verified" if check.get("verified") else "verification FAILED"
            self.progress.console.print(f"{exhibit.name}: E01 {outcome}: {verification_words(check)}", markup=False,
                                        soft_wrap=True)
        partial = exhibit.details.get("hash_sets_partial")
        if isinstance(partial, list) and partial:  # said even when quiet: the record is not what one expects
            names = ", ".join(str(h.get("name")) for h in partial if isinstance(h, dict))
            self.progress.console.print(
                f"{exhibit.name}: hash sets changed between the runs of this scan: {names} matched against only "
                "part of its items (footprint case rematch matches every item against them, without reading "
                "the evidence again)", markup=False,
                soft_wrap=True)


class _Rates(ProgressColumn):
    """Files (items) a second and megabytes a second since the exhibit began."""

    def render(self, task: Task) -> Text:
        elapsed = max(time.monotonic() - task.fields["started"], 1e-6)
        items, size = task.fields["items"], task.fields["bytes"]
        return Text(f"{items} items {items / elapsed:,.1f} files/s {size / elapsed / 1e6:,.1f} MB/s")


class _Eta(ProgressColumn):
    """Time left from the files still to read and the rate so far; nothing when the total is unknown."""

    def render(self, task: Task) -> Text:
        if task.total is None or not task.completed:
            return Text("")
        elapsed = max(time.monotonic() - task.fields["started"], 1e-6)
        left = max(0.0, (task.total - task.completed) * elapsed / task.completed)
        return Text(f"ETA {int(left) // 3600}:{int(left) % 3600 // 60:02d}:{int(left) % 60:02d}")


def _progress(quiet: bool) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(bar_width=20), _Rates(), _Eta(), TimeElapsedColumn())
    return Progress(*columns, console=chatter, transient=False, disable=quiet or not chatter.is_terminal)


def _check_exhibit_names(store: Store, case: CaseRecord, paths: list[Path]) -> None:
    """Each path becomes an exhibit named after it: two different paths of one name (in this command,
    or one already in the case) are refused before anything is scanned, not half-way through."""
    taken = {e.name: e.path for e in store.list_exhibits(case.id)}
    for path in paths:
        real = str(path.resolve())
        name = path.resolve().name or real
        if taken.setdefault(name, real) != real:
            raise EvidenceError(f"exhibit name {name} in case {case.name} is already {taken[name]}: {real} "
                                f"would get the same name; nothing was scanned")


def scan(ctx: typer.Context,
         paths: list[Path] = typer.Argument(..., help="Evidence: folders, archives, disk images, files."),
         case: str = typer.Option(..., "--case", help="The case the evidence belongs to."),
         jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", min=1,
                                  help="Processes decoding and hashing pictures (default: one per core)."),
         cluster: str | None = typer.Option(None, "--cluster", metavar="ADDRESS",
                                            help="Run on a Dask cluster (tcp://HOST:8786, or 'local')."),
         skip: list[str] = typer.Option([], "--skip", metavar="HASH",
                                        help="A perceptual hash not to compute (repeatable), e.g. pdq-regions: "
                                             "a triage 1.6-1.8 times as fast on small pictures, without matching "
                                             "of cropped or bordered copies. Recorded with the run."),
         quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display.")) -> None:
    """Hash every item of the evidence and match it against every hash set."""
    skipped = check_skipped(skip)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise EvidenceError(f"no such evidence: {', '.join(missing)}")
    app = app_context(ctx)
    paths, left_out = exhibit_paths(paths)  # x.E02 beside x.E01 (a shell's x.E0*): part of x.E01's exhibit
    for note in left_out:
        say(note)
    _check_exhibit_names(app.store, app.store.get_case(case), paths)  # fail before any work
    settings = replace(app.settings, jobs=jobs, skip_hashers=skipped)
    if settings.skip_hashers:
        say(f"not computed in this scan: {', '.join(settings.skip_hashers)} (no match by it is possible for the "
            "items it reads)")
    with _progress(quiet) as progress:
        observer = RichObserver(progress, quiet)
        if cluster is None:
            summary = Scanner(app.store, settings, observer, user=actor()).scan(case, paths)
        else:
            with cluster_client(cluster, jobs) as client:
                summary = scan_on_cluster(client, settings, case, paths, observer=observer, user=actor())
    for note in summary.notes:
        say(note)
    if not quiet:
        say(f"scanned {summary.items} items ({summary.resumed} from an earlier run), "
            f"{summary.matched} matched, {summary.warnings} warnings")
    print_json({"case": case, "items": summary.items, "resumed": summary.resumed,
                "matched": summary.matched, "warnings": summary.warnings,
                "exhibits": [{"name": e.name, "status": e.status, "hashes_before": dict(e.hashes_before),
                              "hashes_after": dict(e.hashes_after)} for e in summary.exhibits],
                # the whole case after this run, as 'case show' and the report count it: live, deleted
                # and carved apart, per category and match kind
                "case_counts": _case_counts(app.store, case)})


def _case_counts(store: Store, name: str) -> dict[str, object]:
    return case_counts(store, store.get_case(name)).as_dict()
