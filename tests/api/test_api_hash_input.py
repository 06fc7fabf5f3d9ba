"""Malformed precomputed hashes are refused (422, the one error shape) and logged, on SQLite and
PostgreSQL: a value with a final newline is not hex (``re.match`` with ``$`` let it through: a 500 and no
log entry for PDQ, a logged malformed value for MD5/SHA-256). A query that fails on a bug is logged too."""

from __future__ import annotations

import pytest

from .conftest import start_api
from .test_api_errors import assert_shape

PDQ = "f" * 32 + "0" * 32


@pytest.fixture
def sql_api(tmp_path, api_config, sql_url):
    live, server, thread = start_api(tmp_path / "home", api_config, sql_url)
    yield live
    server.should_exit = True
    thread.join(timeout=30)


def outcomes(live, n: int) -> list[tuple[str, str, object]]:
    return [(q["outcome"], q["key_name"], q["hashes"]) for q in live.service.records.recent_queries(n)][::-1]


@pytest.mark.parametrize("body", [
    {"pdq": PDQ[:63] + "\n", "pdq_quality": 90},
    {"md5": "a" * 31 + "\n"},
    {"sha1": "a" * 39 + "\n"},
    {"sha256": "a" * 63 + "\n"},
    {"pdq": PDQ[:62] + "\r\n", "pdq_quality": 90},
])
def test_a_hash_with_a_final_newline_is_refused_and_logged(sql_api, body):
    with sql_api.client() as client:
        assert_shape(client.post("/match/hashes", json=body), 422, "unprocessable_content")
    assert outcomes(sql_api, 1) == [("refused: FormatError", "test-query", None)]


def test_a_query_failing_on_a_bug_answers_500_in_the_shape_and_is_logged(sql_api, monkeypatch):
    def broken(digests):
        raise RuntimeError("a bug")

    monkeypatch.setattr(type(sql_api.service.index.current), "match", lambda self, digests, *more: broken(digests))
    with sql_api.client() as client:
        assert_shape(client.post("/match/hashes", json={"md5": "a" * 32}), 500, "internal_server_error")
    assert outcomes(sql_api, 1) == [("error: RuntimeError", "test-query", {"md5": "a" * 32})]
    assert sql_api.service.records.list_reports() == []
