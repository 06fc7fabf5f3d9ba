"""The detection service's reports in the review workspace: listed by status, read in detail, moved on
through a CSRF-protected form with every look and change in the global audit trail; only admins and
investigators may see them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from reviewing import PASSWORD

from footprint.banks.servicestore import ServiceStore
from footprint.review import accounts, audit
from footprint.store import open_store

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
SHA256 = "a" * 64


@pytest.fixture
def service_reports(settings):
    store = open_store(settings.database_url)
    accounts.add_user(store, "ivan", PASSWORD, "investigator")
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    accounts.add_user(store, "audrey", PASSWORD, "auditor")
    records = ServiceStore(store.engine)
    made = [records.add_report(incident_time=datetime(2026, 3, 4, 5, 6, n, tzinfo=UTC), key_name="platform",
                               reference=f"upload-{n}", uploader={"user_id": f"u{n}", "ip_address": "192.0.2.7"},
                               file={"hashes": {"sha256": SHA256, "md5": "b" * 32}, "media_type": "image/jpeg",
                                     "size": 1234},
                               matches=[{"bank": "known", "entry_id": 7, "label": "entry-7", "category": "uk:A",
                                         "kind": "exact", "algorithm": "sha256", "distance": 0, "details": {}}],
                               index_version=3) for n in range(3)]
    yield store, made
    store.close()


def log_in(client, name):
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303


def csrf_of(client, path="/cases"):
    return CSRF.search(client.get(path).text).group(1)


def test_reports_are_listed_by_status(client, service_reports):
    store, made = service_reports
    log_in(client, "ivan")
    assert 'href="/reports"' in client.get("/cases").text
    page = client.get("/reports").text  # the new ones first: the work to do
    assert [int(i) for i in re.findall(r'data-report="(\d+)"', page)] == [r.id for r in made]
    assert "new (3)" in page and "upload-1" in page
    ServiceStore(store.engine).set_report_status(made[1].id, "closed")
    new = client.get("/reports?status=new").text
    assert [int(i) for i in re.findall(r'data-report="(\d+)"', new)] == [made[0].id, made[2].id]
    closed = client.get("/reports?status=closed").text
    assert re.findall(r'data-report="(\d+)" data-status="(\w+)"', closed) == [(str(made[1].id), "closed")]
    assert client.get("/reports?status=bogus").status_code == 422


def test_report_detail_shows_incident_uploader_hashes_and_matches_and_is_audited(client, service_reports):
    store, made = service_reports
    log_in(client, "ivan")
    page = client.get(f"/reports/{made[2].id}").text
    for shown in ("2026-03-04 05:06:02 UTC", "upload-2", "u2", "192.0.2.7", SHA256, "b" * 32, "image/jpeg",
                  "<td>known</td>", "entry-7", "uk:A", "<td>sha256</td>"):
        assert shown in page, shown
    last = audit.entries(store, None, 0, 1)[0]
    assert (last.action, last.user, last.details) == ("report.view", "ivan", {"report": made[2].id})
    assert client.get("/reports/999999").status_code == 404


def test_status_change_is_audited_in_the_global_chain(client, service_reports):
    store, made = service_reports
    log_in(client, "ivan")
    token = csrf_of(client, f"/reports/{made[0].id}")
    response = client.post(f"/reports/{made[0].id}/status", data={"status": "reported", "notes": "sent to centre",
                                                                 "csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/reports/{made[0].id}"
    changed = ServiceStore(store.engine).get_report(made[0].id)
    assert (changed.status, changed.notes) == ("reported", "sent to centre")
    entry = audit.entries(store, None, 0, 1)[0]
    assert (entry.action, entry.user) == ("report.status", "ivan")
    assert entry.details == {"report": made[0].id, "from": "new", "to": "reported", "notes": "sent to centre"}
    assert audit.verify(store, None).ok
    as_json = client.post(f"/reports/{made[0].id}/status", data={"status": "closed"},
                          headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert as_json.json() == {"report": made[0].id, "status": "closed"}
    bad = client.post(f"/reports/{made[0].id}/status", data={"status": "deleted", "csrf": token})
    assert bad.status_code == 422 and ServiceStore(store.engine).get_report(made[0].id).status == "closed"


def test_reviewer_and_auditor_are_refused(app, service_reports):
    from fastapi.testclient import TestClient

    store, made = service_reports
    for name in ("rita", "audrey"):
        with TestClient(app, base_url="http://127.0.0.1") as client:
            log_in(client, name)
            assert 'href="/reports"' not in client.get("/cases").text
            assert client.get("/reports").status_code == 403
            assert client.get(f"/reports/{made[0].id}").status_code == 403
            token = csrf_of(client)
            refused = client.post(f"/reports/{made[0].id}/status", data={"status": "closed", "csrf": token})
            assert refused.status_code == 403
    assert ServiceStore(store.engine).get_report(made[0].id).status == "new"
    assert not [e for e in audit.iter_entries(store, None) if e.action.startswith("report.")]


def test_status_change_without_the_csrf_token_is_refused(client, service_reports):
    store, made = service_reports
    log_in(client, "ivan")
    url = f"/reports/{made[0].id}/status"
    assert client.post(url, data={"status": "closed"}).status_code == 403
    assert client.post(url, data={"status": "closed", "csrf": "0" * 64}).status_code == 403
    assert ServiceStore(store.engine).get_report(made[0].id).status == "new"
    assert not [e for e in audit.iter_entries(store, None) if e.action == "report.status"]


def test_a_platform_s_text_is_shown_with_its_unprintable_characters_escaped():
    """A reference or an uploader field may hold a NUL or a right-to-left override (which would turn the
    text around it): shown escaped, as item addresses are."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from footprint.web.views import report_row, report_view

    when = datetime(2026, 11, 29, tzinfo=UTC)
    report = SimpleNamespace(id=1, status="new", notes="", incident_time=when, created=when, changed=when,
                             key_name="k", reference="upload\u202e77\x00", index_version=3, file={},
                             uploader={"screen_name": "some\u202eone"}, matches=[])
    view = report_view(report)
    assert ("Platform reference", "upload%E2%80%AE77%00") in view.facts
    assert view.uploader == [("Screen name", "some%E2%80%AEone")]
    assert report_row(report).reference == "upload%E2%80%AE77%00"
