"""Sessions in the browser: the cookie, who is logged in, CSRF checks and the login itself.

The session token is made and checked by the review core (stored hashed server-side); here it only
travels in a cookie that scripts cannot read (HttpOnly), that other sites never send
(SameSite=Strict) and that travels only over TLS when the app is served over https (Secure).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from footprint.errors import UsageError
from footprint.web.errors import LoginRequired
from footprint.web.security import CSRF_FIELD, CSRF_HEADER, csrf_token, csrf_valid, refuse_nul

if TYPE_CHECKING:
    from footprint.web.workspace import Workspace

SESSION_COOKIE = "footprint_session"
LOGIN_COOKIE = "footprint_login"


@dataclass(frozen=True)
class Session:
    token: str
    user: Any  # the review core's account record (name, role, id)
    csrf: str
    blur: int
    cookie_name: str = SESSION_COOKIE


def _cookie(request: Request, name: str, value: str, max_age: int | None = None) -> dict[str, Any]:
    return {"key": name, "value": value, "httponly": True, "samesite": "strict", "path": "/",
            "secure": request.url.scheme == "https", "max_age": max_age}


def logged_in(request: Request) -> Session:
    """The request's session, or LoginRequired (a redirect to the login page, or a 401 for scripts).
    Every page but the login form needs one, so this is also where a query's text is checked for NUL
    (security.refuse_nul: a 400), before any handler passes it on."""
    refuse_nul(request.query_params.multi_items())
    work: Workspace = request.app.state.workspace
    token = request.cookies.get(SESSION_COOKIE)
    user = work.session_user(token) if token else None
    if user is None or token is None:
        raise LoginRequired()
    return Session(token=token, user=user, csrf=csrf_token(work.secret, token), blur=work.blur(user))


async def csrf_checked(request: Request) -> Session:
    """A logged-in session whose POST carries its CSRF token (form field or header); else 403. The
    form's fields are checked for NUL here too (every form but the login form comes through here)."""
    session = logged_in(request)
    form = await request.form()
    refuse_nul(form.multi_items())
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not csrf_valid(request.app.state.workspace.secret, session.token, sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return session


def login_form_token(request: Request) -> tuple[dict[str, Any], str]:
    """The pre-login cookie (kept if present) and the login form's CSRF token bound to it."""
    value = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    secret = request.app.state.workspace.secret
    return _cookie(request, LOGIN_COOKIE, value, max_age=3600), csrf_token(secret, "login\0" + value)


def start_session(request: Request, work: Workspace, username: str, password: str, sent_csrf: str) -> Response:
    """Check the login form's CSRF token and the rate limit, then the password through the review core."""
    from footprint.web.pages import render  # the page module renders; this one only decides

    pre_login = request.cookies.get(LOGIN_COOKIE)
    if not pre_login or not csrf_valid(work.secret, "login\0" + pre_login, sent_csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the login page and try again")
    address = request.client.host if request.client else "?"
    limiter = work.limiter

    def refused(status: int, message: str) -> Response:
        cookie, csrf = login_form_token(request)
        response = render(request, "login.html", None, csrf=csrf, message=message, username=username)
        response.status_code = status
        response.set_cookie(**cookie)
        return response

    if limiter.blocked(address, username):
        return refused(429, "Too many failed attempts: wait a few minutes before trying again.")
    try:
        token = work.login(username, password, address)
    except UsageError:  # a malformed name: audited by the core, refused as a bad request, counted here
        limiter.failed(address, username)
        raise
    if token is None:
        limiter.failed(address, username)
        return refused(401, "Wrong user name or password.")
    limiter.succeeded(address, username)
    response = RedirectResponse("/cases", status_code=303)
    response.set_cookie(**_cookie(request, SESSION_COOKIE, token))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response
