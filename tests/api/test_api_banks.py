"""Every hash set GET /banks lists can be addressed by the bank routes, whatever its name holds ("/", "<",
a quote): the name travels percent-encoded in the path."""

from __future__ import annotations

from urllib.parse import quote

NAME = '<i>list</i>"x'  # an imported list's own name: "/" in it once decoded


def test_a_bank_named_with_a_slash_is_managed_through_its_routes(live_api):
    live_api.service.store.create_hashset(NAME, "csv", "test import")
    path = "/banks/" + quote(NAME, safe="")
    assert "%2F" in path
    with live_api.client("curate") as curator:
        served = curator.put(path, params={"wait": True}, json={"pdq_threshold": 10})
        assert served.status_code == 200, served.text
        assert served.json()["name"] == NAME and served.json()["pdq_threshold"] == 10
        assert [b["name"] for b in curator.get("/banks").json()] == [NAME]
        assert curator.get(path).json()["name"] == NAME
        added = curator.post(path + "/entries", params={"wait": True}, json={"entries": [{"md5": "c" * 32}]})
        assert added.status_code == 200 and added.json()["count"] == 1
        [entry] = curator.get(path + "/entries").json()
        assert entry["md5"] == "c" * 32
        allowed = curator.put(f"{path}/allowed/{entry['entry_id']}", json={"reason": "a stock photo"})
        assert allowed.status_code == 200
        assert [a["entry_id"] for a in curator.get(path + "/allowed").json()] == [entry["entry_id"]]
        assert curator.delete(f"{path}/allowed/{entry['entry_id']}").status_code == 200
        assert curator.post(path + "/remove", json={"algorithm": "md5", "values": ["c" * 32]}).json()["count"] == 1
        assert curator.delete(path).status_code == 200
        assert curator.get("/banks").json() == []
        assert curator.get("/banks/" + quote("no/such", safe="")).status_code == 404
