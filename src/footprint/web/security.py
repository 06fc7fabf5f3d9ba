"""HTTP hardening of the review workspace: security headers, CSRF tokens and login rate limiting.

* Every response carries a strict Content-Security-Policy (scripts and styles only from this origin,
  no inline script, no framing), nosniff, no referrer, and ``Cache-Control: no-store`` (pages and
  pictures of a case must not linger in a shared browser cache); only /static may be cached.
* CSRF: a synchronizer token bound to the session. The token is an HMAC, under a secret kept in
  FOOTPRINT_HOME, of the session token; before login, of a random pre-login cookie. A form or a
  script's POST must send it back (form field ``csrf`` or header ``X-CSRF-Token``).
* Text input never holds a NUL character (PostgreSQL cannot store one, and no name or note needs
  one): ``refuse_nul`` turns it away as a bad request before it reaches the core; the session
  checks (session.py) apply it to every page's query and form, guard.py to every API route's path
  and query, and the API's body models to every JSON text.
* Login attempts are limited per client address and user name: after ``attempts`` failures within
  ``window`` seconds, further tries are refused until the window has passed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from footprint.errors import UsageError
from footprint.model import printable
from footprint.private import private_dir

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), autoplay=()",
}
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    if request.url.scheme == "https":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


NUL_MESSAGE = "text must not contain a NUL character"


def has_nul(value: object) -> bool:
    """Whether a text, or any text (key or value) in a JSON-like value, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def refuse_nul(fields: Iterable[tuple[str, Any]]) -> None:
    """UsageError (a 400 in the one error shape) naming the first field whose name or text holds a NUL."""
    for name, value in fields:
        if has_nul(name) or has_nul(value):
            raise UsageError(f"{printable(name)}: {NUL_MESSAGE}")


def load_secret(home: Path) -> bytes:
    """The server's HMAC key, made once (0600) under FOOTPRINT_HOME so that tokens survive a restart."""
    path = home / "web-secret"
    if not path.exists():
        private_dir(home)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
    secret = path.read_bytes()
    if len(secret) < 32:
        raise RuntimeError(f"{path} is shorter than 32 bytes; delete it to make a new one")
    return secret


def csrf_token(secret: bytes, bound_to: str) -> str:
    """The CSRF token of a session (or pre-login) token: the same for the session's whole life."""
    return hmac.new(secret, b"csrf\0" + bound_to.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, bound_to: str | None, sent: str | None) -> bool:
    if not bound_to or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, bound_to), sent)


class LoginLimiter:
    """Failed logins per (client address, user name) in a sliding window, and per address across every
    name (ADDRESS_FACTOR times as many: a client trying ever new names costs an Argon2 hash and an audit
    entry each, and is held up too); thread-safe, in memory."""

    ADDRESS_FACTOR = 4
    _TIDY_AT = 10_000  # keys kept before the ones with no failure left in the window are dropped

    def __init__(self, attempts: int = 5, window: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: dict[tuple[str, str | None], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str | None]) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        cutoff = self.clock() - self.window
        while found and found[0] <= cutoff:
            found.popleft()
        return found

    def blocked(self, address: str, user: str) -> bool:
        with self._lock:
            return (len(self._recent((address, user.lower()))) >= self.attempts
                    or len(self._recent((address, None))) >= self.attempts * self.ADDRESS_FACTOR)

    def failed(self, address: str, user: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent((address, user.lower())).append(now)
            self._recent((address, None)).append(now)
            if len(self._failures) > self._TIDY_AT:
                self._failures = {key: found for key in list(self._failures) if (found := self._recent(key))}

    def succeeded(self, address: str, user: str) -> None:
        """A right password clears that name's failures, not the address's (one known account must not
        reset a search through others)."""
        with self._lock:
            self._failures.pop((address, user.lower()), None)
