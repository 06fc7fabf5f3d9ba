"""On a match: a report filed with what a reporting centre needs, exported as JSON (API and CLI),
and a webhook delivered in the background, signed with HMAC-SHA256, retried when it fails."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from footprint.banks.actions import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

SECRET = "a-shared-secret-of-enough-length"


@pytest.fixture
def receiver():
    """A local webhook receiver that holds every delivery until ``opened`` is set, fails the first
    (HTTP 500), then takes them."""
    got: list[dict] = []
    calls = []
    opened = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            opened.wait(30)
            calls.append(1)
            if len(calls) == 1:
                self.send_response(500)
                self.end_headers()
                return
            got.append({"body": body, "timestamp": self.headers[TIMESTAMP_HEADER],
                        "signature": self.headers[SIGNATURE_HEADER]})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", got, calls, opened
    opened.set()
    server.shutdown()


def _match_one(live_api, uploader=None):
    with live_api.client("curate") as curator:
        curator.post("/banks", json={"name": "known"})
        curator.post("/banks/known/entries", params={"wait": True},
                     json={"entries": [{"sha256": "ab" * 32, "label": "series x", "category": "vics:1"}]})
    with live_api.client() as client:
        return client.post("/match/hashes", json={"sha256": "AB" * 32, "reference": "upload-77",
                                                  "incident_time": "2026-11-28T10:00:00Z",
                                                  "uploader": uploader or {}}).json()


def test_a_match_is_delivered_to_the_webhook_signed_and_retried(live_api, receiver):
    url, got, calls, opened = receiver
    with live_api.client("admin") as admin:
        made = admin.post("/webhooks", json={"name": "platform", "url": url, "secret": SECRET})
        assert made.status_code == 201 and made.json()["secret"] == SECRET
        assert "secret" not in admin.get("/webhooks").json()[0] or admin.get("/webhooks").json()[0]["secret"] is None
    answer = _match_one(live_api)
    assert answer["matched"] and not calls  # answered while the receiver still holds the delivery
    opened.set()
    deadline = time.monotonic() + 20
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(calls) >= 2 and len(got) == 1  # failed once, retried, delivered
    delivery = got[0]
    assert verify(SECRET, delivery["timestamp"], delivery["body"], delivery["signature"])
    assert not verify("another secret", delivery["timestamp"], delivery["body"], delivery["signature"])
    assert not verify(SECRET, delivery["timestamp"], delivery["body"] + b" ", delivery["signature"])
    payload = json.loads(delivery["body"])
    assert payload["event"] == "match" and payload["report"]["id"] == answer["report_id"]
    assert payload["report"]["matches"][0]["label"] == "series x"
    assert payload["report"]["matches"][0]["how"] == "exact: SHA256 equal"  # the CLI's sentence (explain.py)


def test_reports_hold_what_a_reporting_centre_needs_and_export_as_json(live_api, cli):
    uploader = {"user_id": "u-1", "screen_name": "someone", "ip_address": "192.0.2.7",
                "ip_time": "2026-11-28T09:59:00Z"}
    answer = _match_one(live_api, uploader)
    with live_api.client("curate") as curator:
        exported = curator.get("/reports").json()
        moved = curator.patch(f"/reports/{answer['report_id']}", json={"status": "reported", "notes": "CR-123"})
        assert curator.patch(f"/reports/{answer['report_id']}", json={"status": "lost"}).status_code == 422
        only_new = curator.get("/reports", params={"status": "new"}).json()
    [report] = exported
    assert report["status"] == "new" and report["reference"] == "upload-77" and report["client"] == "test-query"
    assert report["incident_time"].startswith("2026-11-28T10:00:00")
    assert report["uploader"]["ip_address"] == "192.0.2.7" and report["uploader"]["user_id"] == "u-1"
    assert report["file"]["hashes"] == {"sha256": "ab" * 32}
    assert report["matches"][0] | {"entry_id": 0} == {"bank": "known", "entry_id": 0, "label": "series x",
                                                      "category": "vics:1", "kind": "exact", "algorithm": "sha256",
                                                      "distance": 0, "details": {"algorithms": ["sha256"]},
                                                      "how": "exact: SHA256 equal",
                                                      "entry_hashes": {"sha256": "ab" * 32}}
    assert moved.json()["status"] == "reported" and moved.json()["notes"] == "CR-123" and only_new == []
    with live_api.client("curate") as curator:
        assert curator.get(f"/reports/{answer['report_id']}").json()["status"] == "reported"
    from footprint.review import audit
    trail = [(e.action, e.user, e.details) for e in audit.entries(live_api.service.store, None, 0, 100)]
    assert ("report.status", "apikey:test-curate",  # the API's reading and moving of a report, as the workspace's
            {"report": answer["report_id"], "from": "new", "to": "reported", "notes": "CR-123"}) in trail
    assert ("report.view", "apikey:test-curate", {"report": answer["report_id"]}) in trail


def test_exporting_reports_is_audited_naming_every_report_handed_out(live_api):
    first = _match_one(live_api, {"user_id": "u-1"})["report_id"]
    second = _match_one(live_api, {"user_id": "u-2"})["report_id"]
    from footprint.review import audit
    with live_api.client("curate") as curator:
        assert [r["id"] for r in curator.get("/reports").json()] == [first, second]
        assert curator.get("/reports", params={"after": second}).json() == []  # nothing handed out
        assert [r["id"] for r in curator.get("/reports", params={"after": first}).json()] == [second]
    trail = [(e.action, e.user, e.details) for e in audit.entries(live_api.service.store, None, 0, 100)]
    exports = [t for t in trail if t[0] == "report.export"]
    assert sorted(exports, key=lambda t: len(t[2]["reports"])) == [
        ("report.export", "apikey:test-curate", {"reports": [second], "status": None, "after": first}),
        ("report.export", "apikey:test-curate", {"reports": [first, second], "status": None, "after": 0})]
