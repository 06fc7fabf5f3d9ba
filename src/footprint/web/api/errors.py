"""The API's one error shape, ``{"error": {"status": 413, "code": "content_too_large", "message": "..."}}``
(the same shape the web app uses for every JSON error), and the mapping of footprint's errors to it.

Every API route answers through ``GuardedRoute`` (guard.py), which turns whatever a route raises into
this shape, so a route cannot leak a framework error or a traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response

from footprint.errors import AlreadyExists, FootprintError, FormatError, NotFound, StoreError, TooLarge, UsageError

log = logging.getLogger("footprint.api")

STATUS_OF: tuple[tuple[type[FootprintError], int], ...] = (
    (TooLarge, 413), (NotFound, 404), (AlreadyExists, 409), (FormatError, 422), (UsageError, 400),
    (StoreError, 503),
)


class ApiError(Exception):
    """An answer other than success, raised anywhere in a route (auth, limits, bad input)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# RFC 9110's names, pinned: Python's own phrases differ between versions (413, 422).
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         408: "request_timeout", 409: "conflict", 413: "content_too_large", 415: "unsupported_media_type",
         422: "unprocessable_content", 429: "too_many_requests", 500: "internal_server_error",
         503: "service_unavailable"}


def error_body(status: int, message: str) -> dict[str, object]:
    code = CODES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    return {"error": {"status": status, "code": code, "message": message}}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


def response_for(exc: BaseException, path: str) -> Response:
    """The JSON answer for anything a route raised."""
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.message, exc.headers)
    if isinstance(exc, ClientDisconnect):  # gone (or cut off by the server's read deadline): no one to answer
        return error_response(400, "the client went away before its request was read")
    if isinstance(exc, RequestValidationError):
        return error_response(422, validation_message(exc))
    if isinstance(exc, HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return error_response(exc.status_code, detail, dict(exc.headers or {}))
    if isinstance(exc, FootprintError):
        status = next((s for cls, s in STATUS_OF if isinstance(exc, cls)), 500)
        if status >= 500:
            log.error("%s on %s: %s", type(exc).__name__, path, exc)
            return error_response(status, "the service cannot answer now; try again later")
        return error_response(status, str(exc))
    log.exception("unexpected error on %s", path, exc_info=exc)
    return error_response(500, "internal error")


def validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    return f"{where}: {first.get('msg', 'invalid request')}".strip(": ")


def install_errors(app: FastAPI) -> None:
    """For an app serving only the API: unknown paths, wrong methods and framework errors in the shape."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return response_for(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return response_for(exc, request.url.path)
