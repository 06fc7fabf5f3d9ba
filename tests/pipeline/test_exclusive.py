"""One scan of an exhibit at a time (pipeline.exclusive): a second scan of the same exhibit into the same
case store stops at once, in one line; other exhibits, other cases and a finished hold are free."""

from __future__ import annotations

import os
import re

import pytest

from footprint.errors import EvidenceError
from footprint.pipeline.exclusive import part_hold, parts_running, scanning


@pytest.mark.parametrize("backend", ["sqlite", "memory", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_second_hold_of_one_exhibit_is_refused(backend, tmp_path, request):
    url = {"sqlite": f"sqlite:///{tmp_path / 'case.db'}", "memory": "memory:"}.get(backend) or \
        request.getfixturevalue("postgres_url")
    busy = re.escape("exhibit laptop.E01 of case op is being scanned by another process")
    with scanning(url, "op", "laptop.E01"):
        with pytest.raises(EvidenceError, match=busy), scanning(url, "op", "laptop.E01"):
            pass
        with scanning(url, "op", "phone.dd"), scanning(url, "other", "laptop.E01"):
            pass
    with scanning(url, "op", "laptop.E01"):  # released when the first ended
        pass


def test_a_scan_of_an_exhibit_another_scan_holds_stops_in_one_line(cli, home, demo_case):
    cli("case", "create", "demo")
    with scanning(f"sqlite:///{home / 'footprint.db'}", "demo", demo_case.evidence.name):
        result = cli("scan", str(demo_case.evidence), "--case", "demo")
    assert result.code == 6
    assert result.stderr.startswith(f"footprint: error: exhibit {demo_case.evidence.name} of case demo is being "
                                    f"scanned by another process (process ")
    assert len(result.stderr.splitlines()) == 1
    assert cli("case", "show", "demo").json()["exhibits"] == []  # nothing recorded by the refused scan
    assert cli("scan", str(demo_case.evidence), "--case", "demo").code == 0


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_part_of_a_cluster_scan_holds_the_exhibit_after_its_client_has_gone(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'case.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    with scanning(url, "op", "laptop.E01"), part_hold(url, "op", "laptop.E01") as hold:
        assert not hold.client_gone() and parts_running(url, "op", "laptop.E01")
    with part_hold(url, "op", "laptop.E01") as hold, part_hold(url, "op", "laptop.E01") as other:
        assert hold.client_gone() and other.client_gone()  # the client's hold is gone: the parts stop
        with pytest.raises(EvidenceError, match="parts of a cluster scan of it are still running"), \
                scanning(url, "op", "laptop.E01", "re-match"):
            pass
        with scanning(url, "op", "phone.dd"):  # another exhibit is free
            pass
    assert not parts_running(url, "op", "laptop.E01")
    with scanning(url, "op", "laptop.E01"):
        pass


@pytest.mark.postgres
def test_a_refusal_on_postgresql_names_the_holder(postgres_url):
    holder = rf"being scanned by another process \(footprint scan, process {os.getpid()} on "
    with scanning(postgres_url, "op", "laptop.E01"), pytest.raises(EvidenceError, match=holder), \
            scanning(postgres_url, "op", "laptop.E01"):
        pass
