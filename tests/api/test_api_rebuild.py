"""Queries never stop during an index rebuild: threads query while the bank grows and rebuilds,
and every request succeeds, from versions that only go up."""

from __future__ import annotations

import threading

import numpy as np

from .conftest import random_pdq


def test_concurrent_queries_during_rebuilds_all_succeed(live_api):
    rng = np.random.default_rng(11)
    first, later = random_pdq(rng, 3000), random_pdq(rng, 6)
    with live_api.client("curate") as curator:
        curator.post("/banks", json={"name": "growing"})
        curator.post("/banks/growing/entries", params={"wait": True},
                     json={"entries": [{"pdq": h, "label": "first"} for h in first]})
    stop = threading.Event()
    results: list[list[tuple[int, int, int]]] = [[] for _ in range(6)]  # (status, version, matches)

    def query(slot: int) -> None:
        with live_api.client() as client:
            n = 0
            while not stop.is_set():
                target = first[(slot * 97 + n) % len(first)]
                answer = client.post("/match/hashes", json={"pdq": target, "pdq_quality": 99})
                body = answer.json()
                hits = len(body.get("unverified", ()))  # hash-only PDQ hits: unverified, never filed
                results[slot].append((answer.status_code, body.get("index_version", -1), hits))
                n += 1

    threads = [threading.Thread(target=query, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    versions = []
    with live_api.client("curate") as curator:
        for i, pdq in enumerate(later):  # each add is a rebuild of the whole bank, swapped in under load
            extra = random_pdq(rng, 2000)
            change = curator.post("/banks/growing/entries", params={"wait": True},
                                  json={"entries": [{"pdq": pdq, "label": f"later {i}"}] +
                                        [{"pdq": h} for h in extra]}).json()
            versions.append(change["index_version"])
            with live_api.client() as client:
                seen = client.post("/match/hashes", json={"pdq": pdq, "pdq_quality": 99}).json()
            assert [m["label"] for m in seen["unverified"]] == [f"later {i}"]  # hash-only PDQ: never filed
            assert seen["index_version"] >= change["index_version"]
    stop.set()
    for thread in threads:
        thread.join()
    flat = [r for per in results for r in per]
    assert all(results)  # every client was answered, throughout the rebuilds
    assert {status for status, _, _ in flat} == {200}  # zero failed requests
    assert all(count >= 1 for _, _, count in flat)  # every known hash found, in every version
    for per in results:
        seen_versions = [v for _, v, _ in per]
        assert seen_versions == sorted(seen_versions)  # a client never goes back to an older index
    assert len({v for _, v, _ in flat}) >= 3 and versions == sorted(versions)
