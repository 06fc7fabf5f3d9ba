"""A hit on an allow-listed entry is said, on SQLite and PostgreSQL: the answer's ``allow_listed`` names
the entry, why, who allowed it and when; the query log's outcome is ``allow_listed`` with the same; no
report and no webhook. Entries of one hash, one allowed and one not, stay apart; an entry taken off the
list, or put back by someone else, reaches the answers."""

from __future__ import annotations

import time

import pytest

from footprint.banks.bankstore import BankStore
from footprint.banks.config import ServiceConfig
from footprint.banks.inputs import HashQuery
from footprint.banks.service import DetectionService, Submission
from footprint.demo import picture, png_bytes
from footprint.hashers.pdq import PdqHasher
from footprint.model import Category, KnownEntry
from footprint.store import open_store

MD5 = [f"{i:032x}" for i in range(1, 4)]
WHO = "apikey:curator-1"


@pytest.fixture
def service(sql_url):
    store = open_store(sql_url)
    service = DetectionService(store, ServiceConfig(index_poll=0.1))
    yield service
    service.stop()
    store.close()


def entries(service: DetectionService) -> list[int]:
    return [hit.entry_id for hit in service.banks.list_entries("known")]


def hook_calls(service: DetectionService) -> list[object]:
    sent: list[object] = []
    service.records.add_webhook("platform", "http://127.0.0.1:9/hook", "s" * 20)
    service.webhooks.submit = lambda webhook, payload: sent.append(payload)  # type: ignore[method-assign]
    return sent


def rebuilt(service: DetectionService) -> None:
    assert service.index.wait_for(service.changed(), timeout=30)


def test_an_allow_listed_hit_is_answered_and_logged_never_reported(service):
    service.banks.create_bank("known")
    service.banks.add_entries("known", [KnownEntry(md5=m, label=f"entry {i}") for i, m in enumerate(MD5)])
    first, second, _ = entries(service)
    service.banks.allow("known", first, "a stock photo", WHO)
    sent = hook_calls(service)
    service.start()
    answer = service.match_hashes(None, HashQuery(md5=MD5[0]), Submission(reference="up-1"))
    assert answer["matched"] is False and answer["matches"] == [] and answer["report_id"] is None
    [hit] = answer["allow_listed"]
    assert {k: hit[k] for k in ("bank", "entry_id", "label", "kind", "algorithm", "reason", "allowed_by")} == {
        "bank": "known", "entry_id": first, "label": "entry 0", "kind": "exact", "algorithm": "md5",
        "reason": "a stock photo", "allowed_by": WHO}
    assert hit["allowed_at"] == service.banks.allowed("known")[0]["created"]
    [logged] = service.records.recent_queries(1)
    assert logged["outcome"] == "allow_listed" and logged["match_count"] == 0
    assert logged["details"]["allow_listed"] == [{k: hit[k] for k in ("bank", "entry_id", "kind", "algorithm",
                                                                       "distance", "reason", "allowed_by",
                                                                       "allowed_at")}]
    clean = service.match_hashes(None, HashQuery(md5="f" * 32), Submission())
    assert clean["allow_listed"] == [] and service.records.recent_queries(1)[0]["outcome"] == "no_match"
    served = service.match_hashes(None, HashQuery(md5=MD5[1]), Submission())  # the bank's other entries match
    assert served["matched"] and served["matches"][0]["entry_id"] == second and served["allow_listed"] == []
    assert [r.matches[0]["entry_id"] for r in service.records.list_reports()] == [second]
    service.webhooks.stop()
    assert len(sent) == 1


def test_a_near_hit_on_an_allow_listed_picture_is_said_with_its_distance(service):
    image = picture(3)
    service.banks.create_bank("known")
    service.banks.add_entries("known", [KnownEntry(pdq=PdqHasher().hash_image(image).value, label="demo 3",
                                                   category=Category.parse("uk:A"))])
    [entry] = entries(service)
    service.banks.allow("known", entry, "the demo picture", "cli:ann")
    service.start()
    answer = service.match_content(None, png_bytes(image.rotate(90, expand=True)), Submission())
    assert answer["matches"] == [] and answer["report_id"] is None
    [hit] = answer["allow_listed"]
    assert (hit["entry_id"], hit["kind"], hit["allowed_by"]) == (entry, "near", "cli:ann")
    assert hit["how"].startswith("near: PDQ distance") and hit["category"] == "uk:A"


def test_an_allowed_row_never_hides_a_served_row_of_the_same_hash(service):
    service.banks.create_bank("known")
    service.banks.add_entries("known", [KnownEntry(md5=MD5[0], label="row 1"), KnownEntry(md5=MD5[0], label="row 2")])
    one, two = entries(service)
    service.banks.allow("known", one, "row 1 is a stock photo", WHO)
    service.start()
    answer = service.match_hashes(None, HashQuery(md5=MD5[0]), Submission())
    assert [(m["entry_id"], m["label"]) for m in answer["matches"]] == [(two, "row 2")]
    assert "same_hash_entries" not in answer["matches"][0]["details"]
    assert [h["entry_id"] for h in answer["allow_listed"]] == [one] and answer["report_id"] is not None


def test_taking_an_entry_off_or_reallowing_it_elsewhere_reaches_the_answers(service, sql_url):
    service.banks.create_bank("known")
    service.banks.add_entries("known", [KnownEntry(md5=MD5[0])])
    [entry] = entries(service)
    service.banks.allow("known", entry, "first reason", WHO)
    service.start()
    other = open_store(sql_url)
    try:
        elsewhere = BankStore(other, other.engine)  # the CLI, in another process
        version = service.index.current.version
        elsewhere.disallow("known", entry, "cli:bob")
        time.sleep(0.01)
        elsewhere.allow("known", entry, "second reason", "cli:bob")  # the same pairs as before: not the same list
        deadline = time.monotonic() + 10
        while service.index.current.version == version:
            assert time.monotonic() < deadline, "an entry re-allowed elsewhere did not rebuild the index"
            time.sleep(0.05)
    finally:
        other.close()
    [hit] = service.match_hashes(None, HashQuery(md5=MD5[0]), Submission())["allow_listed"]
    assert (hit["reason"], hit["allowed_by"]) == ("second reason", "cli:bob")
    service.banks.disallow("known", entry, WHO)
    rebuilt(service)
    answer = service.match_hashes(None, HashQuery(md5=MD5[0]), Submission())
    assert answer["matched"] and answer["allow_listed"] == []
