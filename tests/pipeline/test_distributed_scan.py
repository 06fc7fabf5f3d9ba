"""A scan on a Dask cluster (two workers) saves exactly what a local scan saves: the same export."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from footprint.model import CategoryScheme
from footprint.pipeline.distributed import scan_on_cluster
from footprint.pipeline.importing import import_hashset
from footprint.pipeline.scan import Scanner
from footprint.reports.export import write_jsonl
from footprint.review import audit
from footprint.settings import Settings
from footprint.store import open_store


@pytest.fixture(scope="module")
def cluster():
    """Two single-thread workers in this process, reached over TCP like a remote scheduler."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=None) as local:
        yield local


def _prepare(url: str, home: Path, demo_case) -> Settings:
    store = open_store(url)
    store.create_case("demo", CategoryScheme.UK)
    import_hashset(store, demo_case.known_list, "known")
    store.close()
    return Settings(home=home, database_url=url, jobs=1, batch_size=7)


def _export(url: str, case: str = "demo") -> str:
    store = open_store(url)
    out = io.StringIO()
    write_jsonl(store.iter_items(store.get_case(case).id), out)
    store.close()
    return out.getvalue()


def _local_export(tmp_path: Path, demo_case, paths: list[Path]) -> str:
    url = f"sqlite:///{tmp_path / 'local.db'}"
    settings = _prepare(url, tmp_path / "local-home", demo_case)
    store = open_store(url)
    Scanner(store, settings).scan("demo", paths)
    store.close()
    return _export(url)


def test_cluster_scan_gives_the_local_export(cluster, sql_url, tmp_path, demo_case):
    paths = [demo_case.evidence, *sorted(demo_case.evidence.glob("*.zip"))[:1]]
    settings = _prepare(sql_url, tmp_path / "home", demo_case)
    with Client(cluster) as client:
        summary = scan_on_cluster(client, settings, "demo", paths, user="cli:examiner")
    assert [e.status for e in summary.exhibits] == ["complete"] * len(paths)
    assert summary.matched > 0
    store = open_store(sql_url)
    trail = audit.entries(store, store.get_case("demo").id)
    store.close()
    scans = [e for e in trail if e.action == "scan"]  # the exhibits' entries, as a local scan writes them
    assert sorted(e.details["exhibit"] for e in scans) == sorted(e.name for e in summary.exhibits)
    assert {e.user for e in scans} == {"cli:examiner"} and {e.details["status"] for e in scans} == {"complete"}
    local = _local_export(tmp_path, demo_case, paths)
    assert local.count("\n") == summary.items
    assert _export(sql_url) == local


def test_cluster_scan_through_the_cli(cluster, cli, demo_case):
    assert cli("case", "create", "demo").code == 0
    assert cli("hashset", "import", str(demo_case.known_list), "--name", "known").code == 0
    result = cli("scan", str(demo_case.evidence), "--case", "demo", "--cluster", cluster.scheduler_address)
    assert result.code == 0, result.stderr
    assert result.json()["exhibits"][0]["status"] == "complete"
    clustered = cli("export", "demo", "--format", "jsonl").stdout
    assert cli("case", "create", "again").code == 0
    again = cli("scan", str(demo_case.evidence), "--case", "again", "--jobs", "1")
    assert again.code == 0, again.stderr
    local = cli("export", "again", "--format", "jsonl").stdout
    assert clustered and clustered == local


def test_workers_see_a_list_imported_between_scans(cluster, tmp_path, demo_case):
    """Workers keep their Matcher between tasks; a list imported since must not be missed."""
    url = f"sqlite:///{tmp_path / 'case.db'}"
    settings = _prepare(url, tmp_path / "home", demo_case)
    with Client(cluster) as client:
        scan_on_cluster(client, settings, "demo", [demo_case.evidence])
        store = open_store(url)
        import_hashset(store, demo_case.known_list, "second")
        store.create_case("later", CategoryScheme.UK)
        store.close()
        scan_on_cluster(client, settings, "later", [demo_case.evidence])
    first = [json.loads(line) for line in _export(url).splitlines()]
    later = [json.loads(line) for line in _export(url, "later").splitlines()]
    assert {m["hashset"] for item in first for m in item["matches"]} == {"known"}
    assert {m["hashset"] for item in later for m in item["matches"]} == {"known", "second"}


def test_a_skipped_hash_is_skipped_by_the_workers_too(cluster, tmp_path, demo_case):
    """`--skip` travels in the settings: the workers compute no region signature, and each run says so."""
    url = f"sqlite:///{tmp_path / 'case.db'}"
    settings = replace(_prepare(url, tmp_path / "home", demo_case), skip_hashers=("pdq-regions",))
    with Client(cluster) as client:
        summary = scan_on_cluster(client, settings, "demo", [demo_case.evidence])
    assert [e.status for e in summary.exhibits] == ["complete"]
    store = open_store(url)
    try:
        case = store.get_case("demo")
        perceptual = [r.digests.perceptual for r in store.iter_items(case.id) if r.digests]
        assert sum("pdq" in p for p in perceptual) >= 10 and not any("pdq-regions" in p for p in perceptual)
        (exhibit,) = store.list_exhibits(case.id)
        runs = exhibit.details["runs"]
        assert runs and all(run["skipped_hashers"] == ["pdq-regions"] and "pdq-regions" not in run["hashers"]
                            for run in runs)
    finally:
        store.close()
