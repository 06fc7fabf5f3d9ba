"""API keys on every route: ``Authorization: Bearer <token>``, the route's scope, the key's rate."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from footprint.banks.records import ApiKey
from footprint.banks.service import DetectionService

from .errors import ApiError

bearer = HTTPBearer(auto_error=False, description="An API key made by `footprint apikey add`.")


def require(service: DetectionService, scope: str) -> Callable[..., ApiKey]:
    """A dependency: the request's key, which must hold ``scope`` and be within its rate."""

    def dependency(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> ApiKey:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(401, "an API key is required (Authorization: Bearer <key>)",
                           {"WWW-Authenticate": "Bearer"})
        key = service.authenticate(credentials.credentials)
        if key is None:
            raise ApiError(401, "unknown or revoked API key", {"WWW-Authenticate": "Bearer"})
        if scope not in key.scopes:
            raise ApiError(403, f"this key lacks the {scope!r} scope")
        wait = service.throttle(key)
        if wait:
            raise ApiError(429, f"rate limit of {key.rate:g} requests a second reached", {"Retry-After": str(wait)})
        return key

    return dependency
