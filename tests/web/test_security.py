"""Security of the review workspace that holds before anyone logs in: headers, CSRF on the login
form, the login rate limit, the error shape, and pages kept out of the OpenAPI document."""

from __future__ import annotations

import re
from pathlib import Path

from footprint.web.security import LoginLimiter

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "footprint" / "web" / "templates"


def test_security_headers_on_pages_and_errors(client):
    for response in (client.get("/login"), client.get("/no-such-page")):
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"


def test_not_found_page_is_html_and_json_for_scripts(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    data = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert data.status_code == 404
    assert data.json() == {"error": {"status": 404, "code": "not_found", "message": "Not Found"}}


def test_pages_need_a_session(client):
    response = client.get("/cases", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    scripted = client.get("/cases/1/grid", headers={"Accept": "application/json"})
    assert scripted.status_code == 401 and scripted.json()["error"]["code"] == "unauthorized"
    assert client.get("/cases/1/items/1/thumbnail", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_token(client):
    client.get("/login")  # sets the pre-login cookie
    response = client.post("/login", data={"username": "u", "password": "p"})
    assert response.status_code == 403
    wrong = client.post("/login", data={"username": "u", "password": "p", "csrf": "0" * 64})
    assert wrong.status_code == 403


def test_login_cookie_is_httponly_and_strict(client):
    cookie = client.get("/login").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie


def test_review_pages_are_not_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith("/api/v1")]


def test_templates_have_no_inline_script_or_style():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\s(style|on[a-z]+)=", text), template.name


def test_login_limiter_per_address_and_user():
    now = [0.0]
    limiter = LoginLimiter(attempts=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert not limiter.blocked("10.0.0.1", "alice")
        limiter.failed("10.0.0.1", "alice")
    assert limiter.blocked("10.0.0.1", "Alice")
    assert not limiter.blocked("10.0.0.2", "alice") and not limiter.blocked("10.0.0.1", "bob")
    now[0] = 61
    assert not limiter.blocked("10.0.0.1", "alice")
    limiter.failed("10.0.0.1", "alice")
    limiter.succeeded("10.0.0.1", "alice")
    assert not limiter.blocked("10.0.0.1", "alice")


def test_login_limiter_holds_up_an_address_trying_ever_new_names():
    now = [0.0]
    limiter = LoginLimiter(attempts=3, window=60, clock=lambda: now[0])
    names = [f"user{n}" for n in range(3 * LoginLimiter.ADDRESS_FACTOR)]
    for name in names:  # never the same name twice: no name's own limit is reached
        assert not limiter.blocked("10.0.0.9", name)
        limiter.failed("10.0.0.9", name)
    assert limiter.blocked("10.0.0.9", "someone-new") and limiter.blocked("10.0.0.9", "rita")
    assert not limiter.blocked("10.0.0.8", "someone-new")  # another address is not held up
    limiter.succeeded("10.0.0.9", "rita")  # one right password does not reset the search through others
    assert limiter.blocked("10.0.0.9", "someone-new")
    now[0] = 61
    assert not limiter.blocked("10.0.0.9", "someone-new")


def test_api_paths_answer_the_api_error_shape(client):
    response = client.get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404 and response.headers["content-type"] == "application/json"
