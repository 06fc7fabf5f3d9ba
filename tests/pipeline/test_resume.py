"""An interrupted scan, run again, gives the same export as an uninterrupted one: no item lost,
none counted twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.store import open_store


def _export(cli) -> list[str]:
    result = cli("export", "demo", "--format", "jsonl")
    assert result.code == 0, result.stderr
    return result.stdout.splitlines()


@pytest.fixture
def reference_export(cli, demo_case, home, monkeypatch, tmp_path) -> list[str]:
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path / "reference-home"))
    cli("case", "create", "demo")
    cli("hashset", "import", str(demo_case.known_list), "--name", "known")
    assert cli("scan", str(demo_case.evidence), "--case", "demo").code == 0
    lines = _export(cli)
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    return lines


@pytest.mark.parametrize("stop_after", [0, 5, 23, 38])
def test_interrupted_then_resumed_equals_uninterrupted(cli, demo_case, home, reference_export, stop_after,
                                                       stop_after_items):
    cli("case", "create", "demo")
    cli("hashset", "import", str(demo_case.known_list), "--name", "known")
    settings = Settings.from_env(batch_size=4)
    store = open_store(settings.database_url)
    with pytest.raises(KeyboardInterrupt):
        Scanner(store, settings, stop_after_items(stop_after)).scan("demo", [demo_case.evidence])
    result = cli("scan", str(demo_case.evidence), "--case", "demo")
    assert result.code == 0, result.stderr
    assert result.json()["resumed"] > 0 or stop_after < 4
    assert _export(cli) == reference_export


def test_killed_process_resumes(cli, demo_case, home, reference_export):
    cli("case", "create", "demo")
    cli("hashset", "import", str(demo_case.known_list), "--name", "known")
    env = {**os.environ, "FOOTPRINT_HOME": str(home), "FOOTPRINT_BATCH_SIZE": "2"}
    command = [sys.executable, "-m", "footprint", "scan", str(demo_case.evidence), "--case", "demo", "--jobs", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = Path(home) / "footprint.db"
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while process.poll() is None and time.monotonic() < deadline:
        if _saved_items(database) > 0:
            workers = _descendants(process.pid)
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    assert len(workers) >= 3, "the fork server and two workers should have been running"
    deadline = time.monotonic() + 30  # not reaped yet: the killed scan stays a zombie meanwhile
    while workers & _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(workers), "a killed scan's worker processes stayed behind"
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the scan finished before it could be killed"
    result = cli("scan", str(demo_case.evidence), "--case", "demo")
    assert result.code == 0, result.stderr
    assert _export(cli) == reference_export


def test_ctrl_c_stops_a_scan_with_workers_in_one_line(cli, demo_case, home):
    """Ctrl-C reaches the whole process group: only the scan answers it, with its one line; the fork
    server and the workers say nothing and are gone."""
    cli("case", "create", "demo")
    env = {**os.environ, "FOOTPRINT_HOME": str(home), "FOOTPRINT_BATCH_SIZE": "2"}
    command = [sys.executable, "-m", "footprint", "scan", str(demo_case.evidence), "--case", "demo", "--jobs", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True, preexec_fn=_answer_ctrl_c)
    database = Path(home) / "footprint.db"
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline and _saved_items(database) == 0:
        time.sleep(0.01)
    workers = _descendants(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, "the scan finished before it could be interrupted"
    assert len(workers) >= 3, "the fork server and two workers should have been running"
    assert stderr.decode().splitlines() == [
        "footprint: error: interrupted; finished items are saved: run the same command again to resume"]
    time.sleep(0.5)
    assert not _alive(workers)


def _answer_ctrl_c() -> None:
    """A child started from a test runner that ignores SIGINT would inherit that: make it answer Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":  # a zombie has exited; its parent has not yet reaped it
            alive.add(pid)
    return alive


def _saved_items(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.1) as db:
            return db.execute("SELECT count(*) FROM items").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_resumed_scan_counts_no_warned_item_twice(cli, home, tmp_path, stop_after_items):
    """Warnings a source gives on items a first run already saved (a deleted FAT file's caveat, a bomb
    member) are not saved or counted again by the resumed run."""
    image = Path(__file__).resolve().parents[3] / "shared" / "data" / "dftt" / "6-undel-fat.zip"
    if not image.is_file():
        pytest.skip("the DFTT reference image is absent")
    import zipfile
    with zipfile.ZipFile(image) as archive:
        archive.extractall(tmp_path)
    (evidence,) = tmp_path.glob("*/*.dd")
    cli("case", "create", "demo")
    settings = Settings.from_env(batch_size=1)
    with pytest.raises(KeyboardInterrupt):
        Scanner(open_store(settings.database_url), settings, stop_after_items(5)).scan("demo", [evidence])
    result = cli("scan", str(evidence), "--case", "demo")
    assert result.code == 0, result.stderr
    summary, rows = result.json(), _export(cli)
    assert summary["resumed"] > 0
    # 6 files and the file system, which says the image is one sector short of it (test_dftt)
    assert summary["items"] + summary["resumed"] == len(rows) == 8
    assert summary["case_counts"]["warnings"] == 6
