"""Every change to what the service matches, and to who may use it, is one entry of the global audit
trail, on SQLite and PostgreSQL: who (the actor), what (bank, entry, key, webhook), before and after, and
the reason; a refused change writes none; the chain still verifies; never a token or a secret."""

from __future__ import annotations

import pytest

from footprint.banks.service import DetectionService
from footprint.errors import AlreadyExists, NotFound
from footprint.model import KnownEntry
from footprint.review import audit
from footprint.store import open_store

MD5 = [f"{i:032x}" for i in range(1, 5)]
WHO = "apikey:curator-1"


@pytest.fixture
def service(sql_url):
    store = open_store(sql_url)
    yield DetectionService(store)
    store.close()


def trail(service: DetectionService) -> list[tuple[str, str | None, dict]]:
    return [(e.action, e.user, e.details) for e in audit.iter_entries(service.store, None)]


def ids(service: DetectionService) -> dict[str, int]:
    return {hit.entry.md5: hit.entry_id for hit in service.banks.list_entries("b")}


def test_bank_settings_entries_and_allow_list_changes_are_each_one_entry(service):
    service.banks.create_bank("b", 20, actor=WHO)
    assert service.banks.add_entries("b", [KnownEntry(md5=m) for m in MD5], WHO) == 4
    entry = ids(service)
    service.banks.serve("b", pdq_threshold=8, actor="cli:ann")
    service.banks.serve("b", enabled=False, actor="cli:ann")
    service.banks.allow("b", entry[MD5[0]], "a stock photo", WHO)
    service.banks.disallow("b", entry[MD5[0]], "cli:bob")
    service.banks.allow("b", entry[MD5[1]], "a logo", WHO)
    assert service.banks.remove_entries("b", "md5", [MD5[1], "f" * 32], "cli:ann") == 1
    service.banks.allow("b", entry[MD5[2]], "a meme", WHO)
    service.banks.unserve("b", "cli:bob")
    found = trail(service)
    allowed_at = found[5][2]["from"].pop("allowed_at")
    assert found[:5] == [
        ("bank.create", WHO, {"bank": "b", "from": None, "to": {"enabled": True, "pdq_threshold": 20}}),
        ("bank.add", WHO, {"bank": "b", "count": 4, "first_entry": entry[MD5[0]], "last_entry": entry[MD5[3]]}),
        ("bank.change", "cli:ann", {"bank": "b", "from": {"enabled": True, "pdq_threshold": 20},
                                    "to": {"enabled": True, "pdq_threshold": 8}}),
        ("bank.change", "cli:ann", {"bank": "b", "from": {"enabled": True, "pdq_threshold": 8},
                                    "to": {"enabled": False, "pdq_threshold": 8}}),
        ("bank.allow", WHO, {"bank": "b", "entry": entry[MD5[0]], "reason": "a stock photo",
                             "hashes": {"md5": MD5[0]}})]
    assert found[5] == ("bank.disallow", "cli:bob", {"bank": "b", "entry": entry[MD5[0]], "from": {
        "entry_id": entry[MD5[0]], "reason": "a stock photo", "allowed_by": WHO}})
    assert allowed_at.startswith("20")
    assert found[6][0] == "bank.allow"
    action, user, removed = found[7]
    assert (action, user) == ("bank.remove", "cli:ann")
    [gone] = removed["entries"]
    assert gone["entry"] == entry[MD5[1]] and gone["md5"] == MD5[1]
    assert gone["allowed"]["reason"] == "a logo" and gone["allowed"]["allowed_by"] == WHO  # its allow-listing too
    assert (removed["asked"], removed["count"]) == (2, 1)
    action, user, unserved = found[9]
    assert (action, user, unserved["from"]) == ("bank.unserve", "cli:bob", {"enabled": False, "pdq_threshold": 8})
    assert [(a["entry_id"], a["reason"]) for a in unserved["allowed"]] == [(entry[MD5[2]], "a meme")]
    assert len(found) == 10 and audit.verify(service.store, None).ok


def test_serving_an_imported_list_and_keys_and_webhooks_are_audited_without_secrets(service):
    service.store.create_hashset("imported", "csv", "test import", 31)
    service.banks.serve("imported", pdq_threshold=12, actor=WHO)
    key, token = service.records.add_key("platform", ["query"], 5.0, 10, "cli:ann")
    service.records.revoke_key("platform", "apikey:admin-1")
    service.records.add_webhook("hook", "https://example.invalid/h", "s3cret-value", "cli:ann")
    service.records.remove_webhook("hook", "apikey:admin-1")
    found = trail(service)
    assert found == [
        ("bank.serve", WHO, {"bank": "imported", "from": None, "to": {"enabled": True, "pdq_threshold": 12}}),
        ("apikey.add", "cli:ann", {"key": "platform", "key_id": key.id, "scopes": ["query"], "rate": 5.0,
                                   "burst": 10}),
        ("apikey.revoke", "apikey:admin-1", {"key": "platform", "key_id": key.id, "scopes": ["query"]}),
        ("webhook.add", "cli:ann", {"webhook": "hook", "url": "https://example.invalid/h"}),
        ("webhook.remove", "apikey:admin-1", {"webhook": "hook", "url": "https://example.invalid/h"})]
    assert token not in str(found) and "s3cret" not in str(found)
    assert audit.verify(service.store, None).ok


def test_a_refused_change_writes_no_entry(service):
    service.banks.create_bank("b", actor=WHO)
    service.banks.add_entries("b", [KnownEntry(md5=MD5[0])], WHO)
    entry = ids(service)[MD5[0]]
    service.banks.allow("b", entry, "a stock photo", WHO)
    before = trail(service)
    with pytest.raises(AlreadyExists):
        service.banks.allow("b", entry, "again", WHO)
    with pytest.raises(NotFound):
        service.banks.allow("b", 10**9, "no such entry", WHO)
    with pytest.raises(NotFound):
        service.banks.disallow("b", entry + 1, WHO)
    with pytest.raises(NotFound):
        service.banks.unserve("nothing", WHO)
    with pytest.raises(NotFound):
        service.records.remove_webhook("nothing", WHO)
    assert trail(service) == before
    assert [a["allowed_by"] for a in service.banks.allowed("b")] == [WHO]
