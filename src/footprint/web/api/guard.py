"""Every API route goes through ``GuardedRoute``: the request body is read here, first, within the
size limit (a declared Content-Length over it is refused before a byte is read; a body that grows
over it is cut off) and within a time limit (a slow client gets a 408, never holds a worker), a NUL
character in the path or the query is refused (security.refuse_nul), and whatever the route raises
becomes the one JSON error shape."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from footprint.banks.config import ServiceConfig
from footprint.web.security import refuse_nul

from .errors import ApiError, response_for

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def guarded_route(config: ServiceConfig) -> type[APIRoute]:
    class GuardedRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            route_handler = super().get_route_handler()

            async def handler(request: Request) -> Response:
                try:
                    await read_body(request, config.max_body, config.body_timeout)
                    refuse_nul([*request.path_params.items(), *request.query_params.multi_items()])
                    return await route_handler(request)
                except Exception as exc:  # every failure leaves in the one JSON shape
                    return response_for(exc, request.url.path)

            return handler

    return GuardedRoute


async def read_body(request: Request, limit: int, timeout: float) -> None:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise ApiError(413, f"request body over the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0

    async def collect() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, f"request body over the limit of {limit} bytes")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(collect(), timeout)
    except TimeoutError as exc:
        raise ApiError(408, f"request body not received within {timeout:g} s") from exc
    request._body = b"".join(chunks)  # Starlette's cache: the route reads the body from here
