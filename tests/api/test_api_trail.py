"""Changes made through the API name their key in the global audit trail (banks/trail.py)."""

from __future__ import annotations

from footprint.review import audit


def changes(live_api) -> list[tuple[str, str | None, dict]]:
    return [(e.action, e.user, e.details) for e in audit.iter_entries(live_api.service.store, None)
            if e.user and e.user.startswith("apikey:")]


def test_api_changes_name_their_key_with_before_and_after(live_api):
    with live_api.client("curate") as curator, live_api.client("admin") as admin:
        assert curator.post("/banks", json={"name": "b", "pdq_threshold": 20}).status_code == 201
        assert curator.post("/banks/b/entries", json={"entries": [{"md5": "c" * 32}]}).json()["count"] == 1
        [entry] = curator.get("/banks/b/entries").json()
        assert curator.put("/banks/b", json={"pdq_threshold": 6}).status_code == 200
        assert curator.put(f"/banks/b/allowed/{entry['entry_id']}", json={"reason": "a stock photo"}).status_code == 200
        assert curator.get("/banks/b/allowed").json()[0]["allowed_by"] == "apikey:test-curate"
        assert curator.delete(f"/banks/b/allowed/{entry['entry_id']}").status_code == 200
        assert admin.post("/keys", json={"name": "platform", "scopes": ["query"]}).status_code == 201
        assert admin.delete("/keys/platform").status_code == 200
        assert admin.post("/webhooks", json={"name": "h", "url": "http://127.0.0.1:9/h"}).status_code == 201
        assert admin.delete("/webhooks/h").status_code == 204
    found = changes(live_api)
    assert [(action, user) for action, user, _ in found] == [
        ("bank.create", "apikey:test-curate"), ("bank.add", "apikey:test-curate"),
        ("bank.change", "apikey:test-curate"), ("bank.allow", "apikey:test-curate"),
        ("bank.disallow", "apikey:test-curate"), ("apikey.add", "apikey:test-admin"),
        ("apikey.revoke", "apikey:test-admin"), ("webhook.add", "apikey:test-admin"),
        ("webhook.remove", "apikey:test-admin")]
    assert found[2][2] == {"bank": "b", "from": {"enabled": True, "pdq_threshold": 20},
                           "to": {"enabled": True, "pdq_threshold": 6}}
    assert found[3][2]["reason"] == "a stock photo" and found[3][2]["entry"] == entry["entry_id"]
    assert audit.verify(live_api.service.store, None).ok


def test_an_allow_listed_hit_is_in_the_answer_naming_who_allowed_it(live_api):
    with live_api.client("curate") as curator, live_api.client("query") as client:
        assert curator.post("/banks", json={"name": "b"}).status_code == 201
        curator.post("/banks/b/entries", json={"entries": [{"md5": "c" * 32, "label": "a logo"}]})
        [entry] = curator.get("/banks/b/entries").json()
        put = curator.put(f"/banks/b/allowed/{entry['entry_id']}", params={"wait": True},
                          json={"reason": "the platform's own logo"})
        assert put.status_code == 200
        answer = client.post("/match/hashes", json={"md5": "c" * 32}).json()
    assert answer["matched"] is False and answer["report_id"] is None
    [hit] = answer["allow_listed"]
    assert (hit["entry_id"], hit["label"], hit["reason"], hit["allowed_by"]) == (
        entry["entry_id"], "a logo", "the platform's own logo", "apikey:test-curate")
    assert hit["allowed_at"].startswith("20") and hit["kind"] == "exact"
    with live_api.client("admin") as admin:
        assert admin.get("/queries", params={"limit": 1}).json()[0]["outcome"] == "allow_listed"
