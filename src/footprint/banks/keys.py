"""API keys and per-key rate limits.

A key is a high-entropy random token shown once at creation; the store keeps only its SHA-256 (a
token of 256 random bits needs no slow password hash: nothing can be guessed from its digest). Each
key has its scopes (query, curate, admin; none implies another) and a token bucket: ``rate``
requests a second refill it up to ``burst``.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable

from footprint.errors import UsageError

from .records import SCOPES

TOKEN_PREFIX = "fpk_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_scopes(scopes: Iterable[str]) -> frozenset[str]:
    found = frozenset(scopes)
    unknown = sorted(found - set(SCOPES))
    if unknown or not found:
        raise UsageError(f"scopes must be some of {', '.join(SCOPES)} (got {', '.join(sorted(found)) or 'none'})")
    return found


class RateLimiter:
    """One token bucket per key name. ``take`` returns 0 when the request may go, else the seconds
    after which it would (what Retry-After says)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, last time)

    def take(self, key: str, rate: float, burst: int) -> int:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / rate)) if rate > 0 else 3600
