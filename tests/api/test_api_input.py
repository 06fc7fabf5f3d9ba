"""Input the store cannot keep is refused up front (422), before anything is matched or logged, on SQLite
and PostgreSQL; a match's query log entry and its report are written together or not at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from .conftest import start_api

SHA256 = "0e63e26017a2d2dee0be3b4d820d9a00846527bf417e2ef9b6618928bc105a20"


@pytest.fixture
def sql_api(tmp_path, api_config, sql_url):
    live, server, thread = start_api(tmp_path / "home", api_config, sql_url)
    with live.client("curate") as curator:
        assert curator.post("/banks", json={"name": "known"}).status_code == 201
        assert curator.post("/banks/known/entries", params={"wait": True},
                            json={"entries": [{"sha256": SHA256, "category": "uk:A"}]}).status_code == 200
    yield live
    server.should_exit = True
    thread.join(timeout=30)


def counts(live):
    return len(live.service.records.recent_queries(1000)), len(live.service.records.list_reports())


@pytest.mark.parametrize("body", [
    {"incident_time": "0001-01-01T00:00:00+00:01"},  # before year 1 in UTC
    {"incident_time": "9999-12-31T23:59:59-23:59"},  # after year 9999 in UTC
    {"reference": "upload\u0000"},  # PostgreSQL keeps no NUL in text
    {"uploader": {"name": "a\u0000b"}},
    {"uploader": {"additional": {"k\u0000": "v"}}},
])
def test_unstorable_input_is_refused_before_matching_or_logging(sql_api, body):
    before = counts(sql_api)
    with sql_api.client() as client:
        answer = client.post("/match/hashes", json={"sha256": SHA256, **body})
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "unprocessable_content"
        assert counts(sql_api) == before  # nothing logged, nothing filed
        matched = client.post("/match/hashes", json={"sha256": SHA256, "reference": "fine",
                                                     "incident_time": "9999-12-31T23:59:59+00:00"})
    assert matched.status_code == 200 and matched.json()["report_id"] is not None
    assert counts(sql_api) == (before[0] + 1, before[1] + 1)


def test_a_nul_in_an_api_path_or_query_is_a_bad_request(sql_api):
    with sql_api.client("curate") as curator:
        for answer in (curator.get("/banks/x%00y"), curator.get("/reports", params={"status": "new\u0000"})):
            assert answer.status_code == 400, answer.text
            assert answer.json()["error"]["code"] == "bad_request"


def test_a_report_that_cannot_be_filed_leaves_no_logged_query(sql_api):
    records = sql_api.service.records
    before = counts(sql_api)
    report = {"incident_time": None, "key_name": "k", "reference": None, "uploader": None, "file": {},
              "matches": [{"bank": "known"}], "index_version": 1}  # incident_time is required
    with pytest.raises(IntegrityError):  # NOT NULL
        records.log_query("k", "hashes", {"sha256": SHA256}, "match", 1, 1, report=report)
    assert counts(sql_api) == before
    filed = records.log_query("k", "hashes", {"sha256": SHA256}, "match", 1, 1,
                              report={**report, "incident_time": datetime(2026, 1, 2, tzinfo=UTC)})
    assert filed is not None and counts(sql_api) == (before[0] + 1, before[1] + 1)
