"""The service's store classes on SQLite and PostgreSQL: banks over hash sets, the allow-list, bulk
removal, the rebuild fingerprint, keys by digest, reports and webhooks; and a snapshot built on each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from footprint.banks.inputs import HashQuery, digests_from_hashes
from footprint.banks.keys import RateLimiter, token_digest
from footprint.banks.service import DetectionService
from footprint.errors import AlreadyExists, NotFound, UsageError
from footprint.model import Category, KnownEntry
from footprint.store import open_store

MD5 = [f"{i:032x}" for i in range(1, 6)]


@pytest.fixture
def service(sql_url):
    store = open_store(sql_url)
    yield DetectionService(store)
    store.close()


def test_banks_allow_list_removal_and_fingerprint(service):
    banks = service.banks
    before = banks.fingerprint()
    banks.create_bank("b", 12)
    with pytest.raises(AlreadyExists):
        banks.create_bank("b")
    assert banks.add_entries("b", [KnownEntry(md5=m, category=Category.parse("uk:C")) for m in MD5]) == 5
    after_add = banks.fingerprint()
    ids = [hit.entry_id for hit in banks.list_entries("b")]
    banks.allow("b", ids[0], "false positive")
    with pytest.raises(AlreadyExists):
        banks.allow("b", ids[0], "again")
    with pytest.raises(NotFound):
        banks.allow("b", 10**9, "no such entry")
    assert banks.remove_entries("b", "md5", [MD5[4].upper(), "f" * 32]) == 1
    bank = banks.get_bank("b")
    assert (bank.entry_count, bank.allowed_count, bank.pdq_threshold, bank.enabled) == (4, 1, 12, True)
    assert len({before, after_add, banks.fingerprint()}) == 3
    [source] = banks.sources()
    assert set(source.allowed) == {ids[0]} and source.max_entry_id == ids[3]
    banks.serve("b", enabled=False)
    assert banks.sources() == [] and banks.list_banks()[0].enabled is False
    with pytest.raises(UsageError):
        banks.serve("b", pdq_threshold=32)


def test_a_snapshot_matches_by_the_scan_rules_on_each_database(service):
    service.banks.create_bank("b")
    service.banks.add_entries("b", [KnownEntry(md5=m, label=m[-1]) for m in MD5])
    allowed = service.banks.list_entries("b")[1].entry_id
    service.banks.allow("b", allowed, "fp")
    service.index.start()
    try:
        snapshot = service.index.current
        hits = {m: [x.label for x in snapshot.match(digests_from_hashes(HashQuery(md5=m)))] for m in MD5}
    finally:
        service.index.stop()
    assert hits == {MD5[0]: ["1"], MD5[1]: [], MD5[2]: ["3"], MD5[3]: ["4"], MD5[4]: ["5"]}


def test_keys_reports_and_webhooks(service):
    records = service.records
    key, token = records.add_key("k", ["query", "admin"], 2.0, 3)
    assert records.key_for_token(token) == key and records.key_for_token(token + "x") is None
    assert token_digest(token) != token and key.scopes == {"query", "admin"}
    with pytest.raises(AlreadyExists):
        records.add_key("k", ["query"])
    records.revoke_key("k")
    assert records.key_for_token(token) is None
    report = records.add_report(incident_time=datetime(2026, 1, 2, 3, 4, tzinfo=UTC), key_name="k",
                                reference="r", uploader={"user_id": "u"}, file={"hashes": {"md5": MD5[0]}},
                                matches=[{"bank": "b", "entry_id": 1}], index_version=3)
    assert records.get_report(report.id).to_json()["incident_time"] == "2026-01-02T03:04:00+00:00"
    assert records.set_report_status(report.id, "reviewed", "seen").status == "reviewed"
    with pytest.raises(UsageError):
        records.set_report_status(report.id, "deleted")
    assert [r.id for r in records.list_reports("reviewed")] == [report.id] and records.list_reports("new") == []
    records.add_webhook("h", "https://platform.example/hook", "s" * 20)
    assert [w.name for w in records.list_webhooks(enabled_only=True)] == ["h"]
    records.log_query("k", "hashes", {"md5": MD5[0]}, "no_match", 0, 3)
    assert records.recent_queries()[0]["hashes"] == {"md5": MD5[0]}


def test_the_token_bucket_refills_at_its_rate():
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.take("k", 2.0, 2) for _ in range(3)] == [0, 0, 1]
    now[0] += 0.5  # one token back at 2 a second
    assert limiter.take("k", 2.0, 2) == 0 and limiter.take("k", 2.0, 2) == 1
    assert limiter.take("other", 2.0, 2) == 0  # buckets are per key
