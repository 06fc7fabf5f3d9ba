"""Text the store cannot keep (a NUL character) is a bad request on every page, in the one error shape,
on SQLite as on PostgreSQL (which cannot store a NUL and answered 500s); a login with such a name is
refused and still audited as a failed login."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from reviewing import PASSWORD, setup_review
from test_routes import csrf_of, log_in

from footprint.banks.servicestore import ServiceStore
from footprint.review import accounts, audit

JSON = {"Accept": "application/json"}


@pytest.fixture
def home(home, sql_url, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", sql_url)
    return home


@pytest.fixture
def reviewing(cli, demo_scanned, settings, tmp_path):
    return setup_review(cli, settings, tmp_path)


def assert_bad_request(response):
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "bad_request"


def test_a_nul_in_a_query_or_a_form_is_a_bad_request(client, reviewing):
    assert log_in(client).status_code == 303
    grid = f"/cases/{reviewing.case_id}/grid"
    for query in ({"exhibit": "\0"}, {"category": "\0"}, {"show": "all", "exhibit": "a\0b"}):
        assert_bad_request(client.get(grid, params=query, headers=JSON))
    assert client.get(grid, params={"exhibit": "\0"}).status_code == 400  # the HTML error page too
    decide = f"/cases/{reviewing.case_id}/items/{reviewing.cluster[0]}/decision"
    token = csrf_of(client)
    assert_bad_request(client.post(decide, data={"category": "uk:A\0", "csrf": token}, headers=JSON))


def test_a_nul_in_report_notes_is_a_bad_request(client, reviewing):
    accounts.add_user(reviewing.store, "ivan", PASSWORD, "investigator")
    report = ServiceStore(reviewing.store.engine).add_report(
        incident_time=datetime(2026, 3, 4, tzinfo=UTC), key_name="platform", reference="r", uploader=None,
        file={"hashes": {"sha256": "a" * 64}}, index_version=1,
        matches=[{"bank": "known", "entry_id": 7, "label": "entry-7", "category": "uk:A", "kind": "exact",
                  "algorithm": "sha256", "distance": 0, "details": {}}])
    assert log_in(client, "ivan").status_code == 303
    token = csrf_of(client, f"/reports/{report.id}")
    answer = client.post(f"/reports/{report.id}/status", data={"status": "closed", "notes": "x\0", "csrf": token},
                         headers=JSON)
    assert_bad_request(answer)
    assert ServiceStore(reviewing.store.engine).get_report(report.id).status == "new"


def test_a_login_with_a_nul_in_the_name_is_refused_and_audited(client, reviewing):
    answer = log_in(client, "rita\0")
    assert answer.status_code == 400
    last = audit.entries(reviewing.store, None, 0, 1)[0]
    assert (last.action, last.user, last.details["reason"]) == ("login.failed", "rita%00", "NUL in the user name")
    assert log_in(client, "rita", "wrong password!").status_code == 401
    assert [(e.action, e.user) for e in audit.entries(reviewing.store, None, 0, 1)] == [("login.failed", "rita")]
    assert log_in(client).status_code == 303
