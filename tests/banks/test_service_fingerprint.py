"""The index is rebuilt after changes made outside the server (another store handle: the CLI, another
server), on SQLite and PostgreSQL: the fingerprint it polls changes with every change to what is matched,
an allow-list swap that keeps the count and the sum of ids ({1, 4} for {2, 3}) included."""

from __future__ import annotations

import time

import pytest

from footprint.banks.bankstore import BankStore
from footprint.banks.config import ServiceConfig
from footprint.banks.inputs import HashQuery, digests_from_hashes
from footprint.banks.service import DetectionService
from footprint.model import KnownEntry
from footprint.store import open_store

MD5 = [f"{i:032x}" for i in range(1, 6)]


@pytest.fixture
def two_handles(sql_url):
    """The server's service (polling every 0.1 s) and a second, separate store handle on the same database."""
    server, other = open_store(sql_url), open_store(sql_url)
    yield DetectionService(server, ServiceConfig(index_poll=0.1)), BankStore(other, other.engine)
    server.close()
    other.close()


def matched(service: DetectionService) -> list[str]:
    snapshot = service.index.current
    return [m for m in MD5 if snapshot.match(digests_from_hashes(HashQuery(md5=m)))]


def wait_for_rebuild(service: DetectionService, version: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while service.index.current.version <= version:
        assert time.monotonic() < deadline, "the index was not rebuilt after a change made elsewhere"
        time.sleep(0.05)


def test_an_allow_list_swap_made_elsewhere_rebuilds_the_index(two_handles):
    service, elsewhere = two_handles
    service.banks.create_bank("b")
    service.banks.add_entries("b", [KnownEntry(md5=m) for m in MD5])
    ids = {hit.entry.md5: hit.entry_id for hit in service.banks.list_entries("b")}
    first = ids[MD5[0]]
    one, four, two, three = (first + k for k in (0, 3, 1, 2))  # ids 1 and 4 against 2 and 3 (same count, sum)
    for entry_id in (one, four):
        elsewhere.allow("b", entry_id, "false positive")
    service.index.start()
    try:
        assert matched(service) == [MD5[1], MD5[2], MD5[4]]
        before, version = service.banks.fingerprint(), service.index.current.version
        for entry_id in (one, four):
            elsewhere.disallow("b", entry_id)
        for entry_id in (two, three):
            elsewhere.allow("b", entry_id, "false positive")
        assert service.banks.fingerprint() != before
        wait_for_rebuild(service, version)
        assert matched(service) == [MD5[0], MD5[3], MD5[4]]  # released entries match, allowed ones no more
    finally:
        service.index.stop()


def test_every_change_to_what_is_matched_changes_the_fingerprint(two_handles):
    service, elsewhere = two_handles
    service.banks.create_bank("b", 20)
    service.banks.add_entries("b", [KnownEntry(md5=m) for m in MD5[:3]])
    seen = [service.banks.fingerprint()]

    def changed() -> None:
        now = service.banks.fingerprint()
        assert now not in seen
        seen.append(now)

    elsewhere.serve("b", pdq_threshold=12)
    changed()
    elsewhere.serve("b", enabled=False)
    changed()
    elsewhere.serve("b", enabled=True)
    assert service.banks.fingerprint() == seen[1]  # back as it was: nothing to rebuild
    elsewhere.remove_entries("b", "md5", [MD5[2]])
    changed()
    elsewhere.add_entries("b", [KnownEntry(md5=MD5[3])])  # one out, one in: the count is back, the id is new
    changed()
    entry_id = elsewhere.list_entries("b")[0].entry_id
    elsewhere.allow("b", entry_id, "fp")
    changed()
