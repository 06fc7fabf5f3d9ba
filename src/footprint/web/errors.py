"""One error shape for the whole web app: JSON for the API and for scripts, an HTML page for pages.

JSON: ``{"error": {"status": 404, "code": "not_found", "message": "..."}}``, the API's shape
(footprint.web.api.errors, which answers for every path under /api/). A request is answered in
JSON when its path is under /api/ or it asks for JSON (``Accept: application/json``, as review.js
does). A missing thing and a thing the user may not see give the same 404, so that existence does
not leak. Unexpected exceptions are a 500 with no detail beyond a generic message.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from footprint.errors import (
    AccessDenied,
    AlreadyExists,
    EvidenceError,
    FootprintError,
    FormatError,
    NotFound,
    UsageError,
)
from footprint.web.api.errors import error_body, response_for, validation_message

log = logging.getLogger("footprint.web")

STATUS_OF: dict[type[FootprintError], int] = {
    NotFound: 404, AccessDenied: 403, UsageError: 400, FormatError: 400, AlreadyExists: 409, EvidenceError: 409,
}


class LoginRequired(Exception):
    """No valid session: pages go to the login form, scripts get a 401."""


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(status, message), status_code=status)
    templates = request.app.state.templates
    context = {"status": status, "title": HTTPStatus(status).phrase, "message": message, "user": None,
               "csrf": "", "blur": "", "break_minutes": 0}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app`` (the API router's errors included)."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse(error_body(401, "log in first"), status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return response_for(exc, request.url.path)
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        response = error_response(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return response_for(exc, request.url.path)
        return error_response(request, 422, validation_message(exc))

    @app.exception_handler(FootprintError)
    async def footprint_error(request: Request, exc: FootprintError) -> Response:
        if request.url.path.startswith("/api/"):
            return response_for(exc, request.url.path)
        status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 500)
        message = "not found" if status == 404 else str(exc)  # a 404 never says what exists
        if status == 500:
            log.error("footprint error on %s: %s", request.url.path, exc)
            message = "the server could not complete the request"
        return error_response(request, status, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return response_for(exc, request.url.path)
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, "internal error")
