"""Server-side login sessions for the web workspace.

A session token is 256 random bits, handed to the browser once; the database keeps only its SHA-256,
so a copy of the database opens no session. A session ends when logged out, when the account is
disabled or its password changed, or after IDLE of no use (each use moves the expiry on, up to
LONGEST after login). Logins, failed logins and logouts are in the global audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from footprint.errors import UsageError
from footprint.model import printable
from footprint.review import audit
from footprint.review.accounts import User, check_password, public_user
from footprint.store import codec
from footprint.store.base import Store
from footprint.store.reviewstore import review_store

IDLE = timedelta(hours=2)
LONGEST = timedelta(hours=12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(store: Store, name: str, password: str, address: str = "") -> str | None:
    """A new session's token for a right name and password of an active account; None otherwise. Every
    failure is audited, under the name as typed (escaped where it does not print). A name holding a NUL
    is no account's (PostgreSQL cannot even store one): audited, then refused as a bad request."""
    malformed = "\x00" in name
    user = None if malformed else check_password(store, name, password)
    if user is None:
        details = {"address": address, **({"reason": "NUL in the user name"} if malformed else {})}
        audit.append(store, "login.failed", user=printable(name)[:200], details=details)
        if malformed:
            raise UsageError("a user name never holds a NUL character")
        return None
    token = secrets.token_urlsafe(32)
    reviews = review_store(store)
    reviews.remove_sessions(expired_before=codec.now())
    reviews.add_session(token_hash(token), user.id, codec.now() + IDLE)
    audit.append(store, "login", user=user.name, details={"address": address})
    return token


def session_user(store: Store, token: str) -> User | None:
    """The user of a live session (and the session's expiry moved on); None for any other token."""
    if not token or len(token) > 200:
        return None
    now = codec.now()
    row = review_store(store).session_user(token_hash(token), now, now + IDLE, now - LONGEST)
    return public_user(row) if row else None


def logout(store: Store, token: str, user: User | None = None) -> None:
    review_store(store).remove_session(token_hash(token))
    if user is not None:
        audit.append(store, "logout", user=user.name)
