"""A submission made twice is reported once, unless what it matched changed: the same upload checked
again after a list was added files a report of the new match; and a retry racing its original (two
requests at once) is still one report, on PostgreSQL too. The service's query log, real stores."""

from __future__ import annotations

import threading

from footprint.banks.servicestore import ServiceStore
from footprint.store import codec, open_store


def _report(matches: list[dict[str, object]], reference: str = "upload-7") -> dict[str, object]:
    return {"incident_time": codec.now(), "key_name": "platform", "reference": reference,
            "uploader": {"id": "u1"}, "file": {"hashes": {"md5": "a" * 32}}, "matches": matches,
            "index_version": 1}


def _log(service: ServiceStore, report: dict[str, object]):
    return service.log_query("platform", "content", {"md5": "a" * 32}, "match", len(report["matches"]), 1,
                             report=report)


def test_a_repeat_is_one_report_and_a_new_match_another(sql_url):
    store = open_store(sql_url)
    service = ServiceStore(store.engine)
    old = {"bank": "national", "entry_id": 1}
    first = _log(service, _report([old]))
    again = _log(service, _report([old]))
    assert again.id == first.id and again.repeat
    later = _log(service, _report([old, {"bank": "added-since", "entry_id": 9}]))  # a list added since
    assert later.id != first.id and not later.repeat
    assert [m["bank"] for m in later.matches] == ["national", "added-since"]
    store.close()


def test_a_retry_racing_its_original_is_one_report(sql_url):
    store = open_store(sql_url)
    service = ServiceStore(store.engine)
    twice = 0
    for trial in range(12):
        report = _report([{"bank": "national", "entry_id": 1}], reference=f"race-{trial}")
        filed: list[int] = []
        start = threading.Barrier(2)

        def submit(report: dict[str, object] = report, filed: list[int] = filed,
                   start: threading.Barrier = start) -> None:
            start.wait()
            filed.append(_log(service, report).id)

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        twice += filed[0] != filed[1]
    assert twice == 0
    store.close()
