"""A cluster scan when something goes wrong: a damaged E01, a worker that sees other evidence or none, a part
run twice (a lost worker), Ctrl-C and a lost scheduler, lists imported while it runs. Its results and its
record are those of a local scan, or it stops in one line and leaves a resumable exhibit, no part running."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from distributed.client import FutureCancelledError

from footprint.demo import jpeg_bytes, picture
from footprint.errors import EvidenceError, Interrupted
from footprint.model import CategoryScheme
from footprint.pipeline import cluster_tasks as tasks
from footprint.pipeline.distributed import cluster_client, scan_on_cluster
from footprint.pipeline.exclusive import parts_running
from footprint.pipeline.importing import import_hashset
from footprint.pipeline.knowngood import import_nsrl
from footprint.pipeline.scan import Scanner
from footprint.reports.export import write_jsonl
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.sql import SqlStore
from knowngood.nsrl_db import build_nsrl
from sources.disk.images import e01, fat_image, write_at

REAL_PART = tasks.part


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=None) as local:
        yield local


@pytest.fixture
def quick_stop(monkeypatch):
    monkeypatch.setattr(tasks, "STOP_CHECK_SECONDS", 0.05)


def _prepare(url: str, home: Path, known: Path | None, batch_size: int = 7) -> Settings:
    store = open_store(url)
    store.create_case("demo", CategoryScheme.UK)
    if known is not None:
        import_hashset(store, known, "known")
    store.close()
    return Settings(home=home, database_url=url, jobs=1, batch_size=batch_size)


def _export(url: str) -> str:
    store = open_store(url)
    out = io.StringIO()
    write_jsonl(store.iter_items(store.get_case("demo").id), out)
    store.close()
    return out.getvalue()


def _exhibit(url: str):
    store = open_store(url)
    try:
        (exhibit,) = store.list_exhibits(store.get_case("demo").id)
        return exhibit, len(store.done_refs(exhibit.id))
    finally:
        store.close()


def _items(url: str) -> int:
    store = open_store(url)
    try:
        return sum(len(store.done_refs(e.id)) for e in store.list_exhibits(store.get_case("demo").id))
    finally:
        store.close()


@pytest.mark.skipif(not all(shutil.which(t) for t in ("ewfacquire", "ewfverify", "mcopy")),
                    reason="needs ewf-tools, dosfstools and mtools")
def test_a_damaged_e01_reads_on_the_cluster_as_it_does_locally(cluster, tmp_path):
    files = {"a.jpg": jpeg_bytes(picture(1)), "notes.txt": b"benign notes " * 20000}
    image = e01(fat_image(tmp_path / "usb.dd", files, size_kb=1024), tmp_path / "usb", compression="none")
    where = image.read_bytes().find(files["notes.txt"][:4096])
    write_at(image, where + 150_000, b"X")  # one changed byte: a chunk checksum fails, libewf reads zeros
    url = f"sqlite:///{tmp_path / 'cluster.db'}"
    with Client(cluster) as client:
        scan_on_cluster(client, _prepare(url, tmp_path / "home", None), "demo", [image])
    local = f"sqlite:///{tmp_path / 'local.db'}"
    store = open_store(local)
    Scanner(store, _prepare(local, tmp_path / "home2", None)).scan("demo", [image])
    store.close()
    items = {item["ref"]: item for item in map(json.loads, _export(url).splitlines())}
    notes = items["usb.E01!fs/notes.txt"]
    assert notes["status"] == "error" and "could not be read" in notes["reason"]
    assert _export(url) == _export(local)
    exhibit, _ = _exhibit(url)
    assert exhibit.details["ewf_verification"]["verified"] is False


def test_a_worker_seeing_other_evidence_refuses_before_reading(cluster, tmp_path, demo_case, monkeypatch):
    url = f"sqlite:///{tmp_path / 'case.db'}"
    settings = _prepare(url, tmp_path / "home", demo_case.known_list)
    real = tasks._fingerprint
    seen: list[str] = []

    def misconfigured(evidence):  # the first part's worker mounts something else at the path
        seen.append(tasks.worker_name())
        return {"manifest-sha256": "0" * 64, "files": "1"} if len(seen) == 1 else real(evidence)

    monkeypatch.setattr(tasks, "_fingerprint", misconfigured)
    with Client(cluster) as client, pytest.raises(EvidenceError) as raised:
        scan_on_cluster(client, settings, "demo", [demo_case.evidence])
    said = str(raised.value)
    assert re.match(r"cluster worker \S+ .*sees other evidence at .* than the scan began with", said), said
    assert seen[0] in said and "\n" not in said
    exhibit, _ = _exhibit(url)
    assert exhibit.status == "scanning"  # resumable; never "changed"
    assert not parts_running(url, "demo", exhibit.name)


def test_a_worker_that_cannot_read_the_evidence_is_named(cluster, tmp_path, demo_case, monkeypatch):
    url = f"sqlite:///{tmp_path / 'case.db'}"
    settings = _prepare(url, tmp_path / "home", demo_case.known_list)

    def missing(path, limits):
        raise EvidenceError(f"cannot open evidence {path}: No such file or directory")

    monkeypatch.setattr(tasks, "open_evidence", missing)
    with Client(cluster) as client, pytest.raises(EvidenceError, match=r"^cluster worker \S+.* could not read the "
                                                                        r"evidence: cannot open evidence .*No such"):
        scan_on_cluster(client, settings, "demo", [demo_case.evidence])


def _part_run_twice(settings, begun, path, shard, cluster):
    """What Dask does when a worker is lost after its part saved its items: the part runs again."""
    REAL_PART(settings, begun, path, shard, cluster)
    return REAL_PART(settings, begun, path, shard, cluster)


def test_a_part_run_again_is_counted_by_what_the_store_holds_and_said(cluster, tmp_path, demo_case, monkeypatch):
    url = f"sqlite:///{tmp_path / 'case.db'}"
    settings = _prepare(url, tmp_path / "home", demo_case.known_list)
    monkeypatch.setattr(tasks, "part", _part_run_twice)
    with Client(cluster) as client:
        summary = scan_on_cluster(client, settings, "demo", [demo_case.evidence])
    exhibit, held = _exhibit(url)
    assert exhibit.status == "complete"
    assert summary.items == held > 0 and summary.resumed == 0
    assert any("part 1, 2 of 2 was run again (its worker was lost)" in note for note in summary.notes), summary.notes
    shards = sorted(run["cluster"]["shard"] for run in exhibit.details["runs"])
    assert shards == [1, 1, 2, 2] and {run["cluster"]["of"] for run in exhibit.details["runs"]} == {2}
    assert all(run["cluster"]["scheduler"] == cluster.scheduler_address for run in exhibit.details["runs"])


def _slow_items(monkeypatch):
    real = Scanner._item

    def slow(self, *args, **kwargs):
        time.sleep(0.05)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Scanner, "_item", slow)


def _failing_gather(monkeypatch, url: str, failure: BaseException):
    """The client's wait for the parts ends in ``failure`` once some items are saved."""
    real = Client.gather
    calls: list[int] = []

    def gather(self, futures, *args, **kwargs):
        calls.append(1)
        if len(calls) < 2:
            return real(self, futures, *args, **kwargs)
        deadline = time.monotonic() + 20
        while _items(url) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        raise failure

    monkeypatch.setattr(Client, "gather", gather)


@pytest.mark.parametrize("failure", ["ctrl-c", "scheduler"])
def test_a_stopped_cluster_scan_stops_its_parts_before_it_says_so(failure, cluster, tmp_path, demo_case,
                                                                  monkeypatch, quick_stop):
    url = f"sqlite:///{tmp_path / 'case.db'}"
    settings = _prepare(url, tmp_path / "home", demo_case.known_list, batch_size=1)
    _slow_items(monkeypatch)
    raised = KeyboardInterrupt() if failure == "ctrl-c" else FutureCancelledError("part-1", "scheduler-connection-lost")
    _failing_gather(monkeypatch, url, raised)
    with Client(cluster) as client, pytest.raises(Interrupted) as stopped:
        scan_on_cluster(client, settings, "demo", [demo_case.evidence])
    saved = _items(url)
    said = str(stopped.value)
    start = "interrupted; " if failure == "ctrl-c" else f"lost the Dask scheduler at {cluster.scheduler_address}"
    assert said.startswith(start) and f"{saved} items are saved" in said, said
    assert said.endswith("run the same command again to resume") and "still be running" not in said
    time.sleep(0.5)
    assert _items(url) == saved > 0  # no part saves anything once the scan has said it stopped
    exhibit, _ = _exhibit(url)
    assert exhibit.status == "scanning"
    monkeypatch.undo()
    store = open_store(url)  # a local scan right after resumes it: every item once
    summary = Scanner(store, settings).scan("demo", [demo_case.evidence])
    store.close()
    assert summary.resumed == saved and summary.exhibits[0].status == "complete"
    assert _export(url) == _export_local(tmp_path, demo_case)


def _export_local(tmp_path: Path, demo_case) -> str:
    url = f"sqlite:///{tmp_path / 'local.db'}"
    store = open_store(url)
    Scanner(store, _prepare(url, tmp_path / "local-home", demo_case.known_list)).scan("demo", [demo_case.evidence])
    store.close()
    return _export(url)


def test_a_lost_scheduler_is_one_line_with_its_exit_code(cluster, cli, home, demo_case, monkeypatch, quick_stop):
    assert cli("case", "create", "demo").code == 0
    _slow_items(monkeypatch)
    _failing_gather(monkeypatch, f"sqlite:///{home / 'footprint.db'}",
                    FutureCancelledError("part-1", "scheduler-connection-lost"))
    result = cli("scan", str(demo_case.evidence), "--case", "demo", "--cluster", cluster.scheduler_address, "-q")
    assert result.code == 130
    assert re.fullmatch(r"footprint: error: lost the Dask scheduler at \S+ \(FutureCancelledError\); \d+ items are "
                        r"saved: run the same command again to resume\n", result.stderr), result.stderr


def _importing_after_first_save(monkeypatch, home: Path, late: Path, nsrl: Path | None = None):
    real = SqlStore.save_items
    done: list[int] = []

    def save_items(self, exhibit_id, records):
        real(self, exhibit_id, records)
        if not done:
            done.append(1)
            store = open_store(str(self.engine.url))
            import_hashset(store, late, "late")
            if nsrl is not None:
                import_nsrl(store, home, nsrl, "kglate")
            store.close()

    monkeypatch.setattr(SqlStore, "save_items", save_items)


def test_lists_imported_during_a_cluster_scan_are_neither_used_nor_recorded(cluster, tmp_path, demo_case,
                                                                           monkeypatch):
    url = f"sqlite:///{tmp_path / 'case.db'}"
    settings = _prepare(url, tmp_path / "home", demo_case.known_list, batch_size=3)
    nsrl = build_nsrl(tmp_path / "RDS_2024.12.1_modern_minimal.db",
                      [demo_case.evidence / "Camera/IMG_0000.jpg"], filler=20)
    _importing_after_first_save(monkeypatch, settings.home, demo_case.known_list, nsrl)
    with Client(cluster) as client:
        (exhibit,) = scan_on_cluster(client, settings, "demo", [demo_case.evidence]).exhibits
    assert exhibit.status == "complete"
    assert [h["name"] for h in exhibit.details["hash_sets"]] == ["known"]
    assert "hash_sets_partial" not in exhibit.details
    assert "known_good_lists" not in exhibit.details and "known_good_lists_partial" not in exhibit.details
    matched = {m["hashset"] for item in map(json.loads, _export(url).splitlines()) for m in item["matches"]}
    assert matched == {"known"}


def test_the_distributed_library_says_nothing_of_its_own_to_the_client(cluster):
    with cluster_client(cluster.scheduler_address, 1):
        assert not any(logging.getLogger(name).isEnabledFor(logging.CRITICAL)
                       for name in ("distributed", "distributed.client", "asyncio", "tornado"))
