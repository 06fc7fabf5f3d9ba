"""The review routes through FastAPI's TestClient: login and its limits, CSRF on every POST, membership
404s for pages and pictures, decisions and settings reaching the review core and its audit trail."""

from __future__ import annotations

import html
import re

import pytest
from reviewing import PASSWORD, decisions_of, setup_review

from footprint.hashers import regions
from footprint.matching.explain import explain
from footprint.review import accounts, audit

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def reviewing(cli, demo_scanned, settings, tmp_path):
    return setup_review(cli, settings, tmp_path)


def log_in(client, name="rita", password=PASSWORD):
    token = CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"username": name, "password": password, "csrf": token},
                       follow_redirects=False)


def csrf_of(client, path="/cases"):
    return CSRF.search(client.get(path).text).group(1)


def test_login_sets_a_strict_httponly_session_and_lists_my_cases(client, reviewing):
    response = log_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("footprint_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/cases").text
    assert ">demo</a>" in page and "elsewhere" not in page
    assert audit.entries(reviewing.store, None, 0, 1)[0].action == "login"


def test_session_cookie_is_secure_over_https(app, reviewing):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://127.0.0.1") as secure:
        cookie = log_in(secure).headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_then_rate_limited(client, reviewing):
    for _ in range(3):  # the test app allows 3 failures per address and name
        assert log_in(client, password="wrong password!").status_code == 401
    assert log_in(client).status_code == 429  # even the right password, until the window passes
    assert log_in(client, name="audrey").status_code == 303  # another name is not held up


def test_every_post_needs_the_session_csrf_token(client, reviewing):
    log_in(client)
    item = reviewing.cluster[0]
    url = f"/cases/{reviewing.case_id}/items/{item}/decision"
    assert client.post(url, data={"category": "uk:A"}).status_code == 403
    assert client.post(url, data={"category": "uk:A", "csrf": "0" * 64}).status_code == 403
    assert client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal").status_code == 403
    assert client.post("/settings/blur", data={"strength": "20"}).status_code == 403
    assert client.post("/logout").status_code == 403
    assert decisions_of(reviewing, [item]) == {item: None}
    token = csrf_of(client)
    response = client.post(url, data={"category": "uk:A", "csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and decisions_of(reviewing, [item]) == {item: "uk:A"}


def test_a_token_from_another_session_is_refused(app, client, reviewing):
    from fastapi.testclient import TestClient

    log_in(client)
    with TestClient(app, base_url="http://127.0.0.1") as other:
        log_in(other, "audrey")
        foreign_token = csrf_of(other)
    response = client.post("/settings/blur", data={"strength": "20", "csrf": foreign_token})
    assert response.status_code == 403


def test_scripts_get_json_decisions_for_a_cluster(client, reviewing):
    log_in(client)
    item, members = reviewing.cluster
    url, json_headers = f"/cases/{reviewing.case_id}/items/{item}/decision", {"Accept": "application/json"}
    page = client.get(f"/cases/{reviewing.case_id}/items/{item}").text
    assert f'name="seen" value="{len(members)}"' in page  # the size shown goes with the decision
    for seen, refused in ((None, "needs the cluster's size"), (len(members) + 1, f"now holds {len(members)} items")):
        data = {"category": "uk:N", "scope": "cluster"} | ({"seen": str(seen)} if seen else {})
        stale = client.post(url, data=data, headers={"X-CSRF-Token": csrf_of(client), **json_headers})
        assert stale.status_code == 400 and refused in stale.json()["error"]["message"]
    response = client.post(url, data={"category": "uk:N", "scope": "cluster", "seen": str(len(members))},
                           headers={"X-CSRF-Token": csrf_of(client), **json_headers})
    assert response.status_code == 200
    assert response.json() == {"category": "uk:N", "scope": "cluster", "items": members}
    wrong = client.post(f"/cases/{reviewing.case_id}/items/{item}/decision", data={"category": "vics:2"},
                        headers={"X-CSRF-Token": csrf_of(client), "Accept": "application/json"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "bad_request"


def test_other_cases_and_their_items_are_404_everywhere(client, reviewing):
    log_in(client)
    other_case, other_item = reviewing.foreign_item
    own = reviewing.case_id
    paths = [f"/cases/{other_case}/grid", f"/cases/{other_case}/audit", f"/cases/{other_case}/items/{other_item}",
             f"/cases/{other_case}/items/{other_item}/thumbnail", f"/cases/{other_case}/items/{other_item}/picture",
             f"/cases/{own}/items/{other_item}", f"/cases/{own}/items/{other_item}/thumbnail",
             f"/cases/{own}/items/{other_item}/picture", "/cases/999/grid", f"/cases/{own}/items/99999/thumbnail"]
    for path in paths:
        page = client.get(path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path
        data = client.get(path, headers={"Accept": "application/json"})
        assert data.json() == {"error": {"status": 404, "code": "not_found", "message": "not found"}}, path
    token = csrf_of(client)
    for action in ("decision", "reveal"):
        response = client.post(f"/cases/{own}/items/{other_item}/{action}", data={"category": "uk:A", "csrf": token})
        assert response.status_code == 404


def test_pictures_of_my_case_are_not_cached(client, reviewing, home):
    log_in(client)
    item = reviewing.cluster[0]
    for kind in ("thumbnail", "picture"):
        response = client.get(f"/cases/{reviewing.case_id}/items/{item}/{kind}")
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        assert response.headers["cache-control"] == "no-store" and response.content[:2] == b"\xff\xd8"
    made = {p.name[64:] for p in (home / "thumbnails").glob("*.jpg")}  # after the SHA-256: plain and blurred
    assert made == {".jpg", "-blur12.jpg", "-large.jpg", "-large-blur12.jpg"}


def test_item_page_shows_provenance_hashes_matches_and_history(client, reviewing):
    log_in(client)
    item, _ = reviewing.cluster
    record = reviewing.store.get_item(reviewing.case_id, item)
    client.post(f"/cases/{reviewing.case_id}/items/{item}/decision", data={"category": "uk:C", "csrf": csrf_of(client)})
    page = client.get(f"/cases/{reviewing.case_id}/items/{item}").text
    assert record.ref in page and record.digests.crypto["sha256"] in page
    assert record.digests.crypto["md5"] in page and "PDQ" in page
    for match in record.matches:
        assert f"<td>{match.hashset}</td>" in page and f"<td>{match.algorithm}</td>" in page
        assert f'<td class="details">{html.escape(explain(match))}</td>' in page
    signature = record.digests.perceptual.get("pdq-regions")
    if signature is not None:  # each region's hash is shown, not the raw text
        assert all(f"<th>PDQ region {name}</th>" in page for name in regions.decode(signature.value))
    assert re.search(r"<td>rita</td><td>uk:C</td>", page)
    actions = [r.action for r in audit.entries(reviewing.store, reviewing.case_id, 0, 3)]
    assert actions[0] == "view" and "decide" in actions


def test_blur_is_remembered_per_user_and_audited(client, reviewing):
    log_in(client)
    assert 'data-blur="12"' in client.get("/cases").text
    response = client.post("/settings/blur", data={"strength": "24", "csrf": csrf_of(client)},
                           headers={"Accept": "application/json"})
    assert response.json() == {"blur": 24}
    assert 'data-blur="24"' in client.get("/cases").text
    assert accounts.get_user(reviewing.store, "rita").blur == 24
    assert client.post("/settings/blur", data={"strength": "400", "csrf": csrf_of(client)}).status_code == 422


def test_logout_ends_the_session(client, reviewing):
    log_in(client)
    assert client.post("/logout", data={"csrf": csrf_of(client)}, follow_redirects=False).status_code == 303
    assert client.get("/cases", follow_redirects=False).headers["location"] == "/login"


def test_ids_beyond_any_store_are_refused_not_an_internal_error(client, reviewing):
    log_in(client)
    own, huge = reviewing.case_id, 10**23
    for path in (f"/cases/{huge}/grid", f"/cases/{own}/items/{huge}", f"/cases/{own}/items/{huge}/thumbnail",
                 f"/cases/{huge}/items/1/picture", f"/reports/{huge}", f"/cases/{own}/items/0"):
        page = client.get(path, headers={"Accept": "application/json"})
        assert page.status_code == 422 and page.json()["error"]["code"] != "internal_error", path


def test_an_undecodable_picture_is_not_shown_revealed_or_called_new_material(client, reviewing):
    log_in(client)
    case = reviewing.store.get_case("demo")
    (broken,) = [r for r in reviewing.store.iter_items(case.id) if r.ref.endswith("truncated.jpg")]
    assert broken.status == "skipped" and not broken.matches  # a picture, but not one that decodes
    page = client.get(f"/cases/{reviewing.case_id}/items/{broken.id}").text
    assert "Reveal this item" not in page and f"/items/{broken.id}/picture" not in page
    assert "could not be decoded, so it was not compared with the lists by likeness" in page
    assert "new material" not in page
    grid = client.get(f"/cases/{reviewing.case_id}/grid?show=all").text
    assert f"/items/{broken.id}/thumbnail" not in grid


def test_the_blur_setting_goes_back_to_a_page_of_this_workspace_only(client, reviewing):
    log_in(client)
    own = f"/cases/{reviewing.case_id}/grid?show=all"
    for referer, back in ((f"{client.base_url}{own}", own), ("https://elsewhere.example/phish", "/cases"),
                          ("//elsewhere.example/x", "/cases"), ("", "/cases")):
        response = client.post("/settings/blur", data={"strength": "20", "csrf": csrf_of(client)},
                               headers={"Referer": referer} if referer else {}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == back, referer
