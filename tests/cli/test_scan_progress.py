"""Scan progress on stderr: rates always, an ETA only when a folder's manifest gives the total, and
nothing drawn when stderr is not a terminal or with --quiet."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from footprint.cli import scan as scan_cli
from footprint.model import CategoryScheme
from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.store import open_store


def _drawn(tmp_path, evidence) -> str:
    settings = Settings.from_env({"FOOTPRINT_HOME": str(tmp_path / "home")})
    store = open_store(settings.database_url)
    store.create_case("p", CategoryScheme.UK)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160, color_system=None)
    progress = Progress(*scan_cli._progress(False).columns, console=console, auto_refresh=False)
    observer = scan_cli.RichObserver(progress)
    with progress:
        Scanner(store, settings, observer).scan("p", [evidence])
        progress.refresh()
        shown = progress.tasks[0]
    return screen.getvalue(), shown


def test_a_folder_shows_rates_and_an_eta(tmp_path, demo_case):
    text, task = _drawn(tmp_path, demo_case.evidence)
    files = sum(1 for p in demo_case.evidence.rglob("*") if p.is_file())
    assert task.total == files and task.completed == files  # every top-level file counted once
    assert task.fields["items"] > files  # items inside the archives are counted as items, not files
    assert "files/s" in text and "MB/s" in text and "ETA" in text


def test_an_archive_shows_items_so_far_and_no_eta(tmp_path, demo_case):
    text, task = _drawn(tmp_path, demo_case.evidence / "Downloads.zip")
    assert task.total is None and task.fields["items"] > 1
    assert "files/s" in text and "ETA" not in text


def test_no_progress_when_stderr_is_not_a_terminal_or_quiet(cli, demo_case):
    assert cli("case", "create", "q").code == 0
    result = cli("scan", str(demo_case.evidence), "--case", "q", "--jobs", "1")
    assert result.code == 0 and "files/s" not in result.stderr and "scanned" in result.stderr
    assert cli("case", "create", "r").code == 0
    quiet = cli("scan", str(demo_case.evidence), "--case", "r", "--jobs", "1", "--quiet")
    assert quiet.code == 0 and quiet.stderr == "" and quiet.json()["items"] > 0
