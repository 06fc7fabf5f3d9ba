"""Fetch an upload by URL, only from the platform's own hosts (an allow-list in the settings), with
a size and a total time limit. Redirects are not followed: a redirect could lead anywhere."""

from __future__ import annotations

import time
from collections.abc import Collection
from urllib.parse import urlsplit

import httpx

from footprint.errors import TooLarge, UsageError


def host_allowed(url: str, allowed: Collection[str]) -> bool:
    """``allowed`` holds ``host`` (any port) or ``host:port`` entries, compared lower-case."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return False
    host = parts.hostname.lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    return host in allowed or f"{host}:{port}" in allowed


def fetch(url: str, allowed: Collection[str], max_bytes: int, timeout: float) -> bytes:
    if not host_allowed(url, allowed):
        raise UsageError("URL is not on an allow-listed host")
    deadline = time.monotonic() + timeout
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=False) as response:
            if response.status_code != 200:
                raise UsageError(f"fetching the URL gave HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(f"the file at the URL is over the limit of {max_bytes} bytes")
            return _read(response, max_bytes, deadline)
    except httpx.HTTPError as exc:
        raise UsageError(f"fetching the URL failed: {type(exc).__name__}") from exc


def _read(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes(64 << 10):
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"the file at the URL is over the limit of {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise UsageError("fetching the URL took too long")
    return bytes(body)
