"""The HTTP server's read deadlines against slow clients (slowloris), for ``footprint serve`` and the tests.

uvicorn (h11) times out only a kept-alive connection idle between requests (``timeout_keep_alive``, from
the end of an answer to the first byte of the next request). A connection that opens and says nothing,
or sends its request head a byte at a time, is held for as long as the client likes, and a body sent a
byte at a time is held too, past any answer the app gives. ``DeadlineProtocol`` adds the two read
deadlines a production HTTP server has (Go's ReadHeaderTimeout and ReadTimeout, hyper's
header_read_timeout):

- the request head must arrive whole within ``head_timeout`` of the connection opening (first request)
  or of the first byte of a later request on a kept-alive connection;
- the body must arrive whole within ``body_timeout`` of the head, whatever the route does with it.

Past a deadline the connection is closed after a 408 in the API's one JSON error shape, except where
HTTP has no room for one: a connection that sent nothing is closed silently (a client that opens
connections ahead of use would read the answer as the answer to its next request), and one whose
answer has begun is just closed. uvicorn's own 400 for a malformed request, or a head over h11's
16 KiB, is given the same shape.

Not covered here: a client that reads its answer slowly (answers are small JSON, mostly within the
socket buffers), and many connections from one address (a reverse proxy's or firewall's job).
The API routes also read their bodies within ``body_timeout`` themselves (guard.py), so they keep a
408 under any other ASGI server.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from footprint.banks.config import ServiceConfig

from .errors import error_body

log = logging.getLogger("footprint.api")

REASONS = {400: b"Bad Request", 408: b"Request Timeout"}


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on reading each request's head, then its body."""

    head_timeout = 10.0
    body_timeout = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phase: str | None = None  # "head", "body" or None: which deadline runs
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.arm("head")

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self.follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self.arm(None)
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self.refuse(400, "the request is not valid HTTP/1.1, or its head is over 16 KiB")

    def follow(self) -> None:
        """Run the deadline of what is being read now: a head begun, a body, or nothing."""
        state = self.conn.their_state
        if self.transport.is_closing():
            self.arm(None)
        elif state is h11.SEND_BODY:
            self.arm("body")
        elif state is h11.IDLE and (self.phase == "head" or self.conn.trailing_data[0]):
            self.arm("head")  # a part of a head is waiting in h11's buffer (or the first is awaited)
        else:
            self.arm(None)  # a request read whole; between requests uvicorn's keep-alive timeout runs

    def arm(self, phase: str | None) -> None:
        if phase == self.phase:
            return  # a deadline runs from the start of its phase: bytes arriving never move it
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        self.phase = phase
        if phase is not None:
            timeout = self.head_timeout if phase == "head" else self.body_timeout
            self.deadline = self.loop.call_later(timeout, self.expire, phase, timeout)

    def expire(self, phase: str, timeout: float) -> None:
        self.deadline = None
        self.phase = None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        if phase == "head" and not self.conn.trailing_data[0]:
            log.info("closed a connection from %s that sent nothing within %g s", client, timeout)
            self.transport.close()
            return
        log.warning("closed a connection from %s: its request %s did not arrive within %g s", client, phase, timeout)
        cycle = self.cycle if phase == "body" else None
        if cycle is not None:  # the route stops waiting for the body; anything it sends now is dropped
            answered = cycle.response_started
            cycle.disconnected = True
            cycle.message_event.set()
            if answered:
                self.transport.close()
                return
        self.refuse(408, f"request {phase} not received within {timeout:g} s")

    def refuse(self, status: int, message: str) -> None:
        """Answer ``status`` in the one JSON error shape and close the connection."""
        body = json.dumps(error_body(status, message), separators=(",", ":")).encode()
        head = (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n" % (status, REASONS[status], len(body)))
        self.arm(None)
        self.transport.write(head + body)
        self.transport.close()


def deadline_protocol(head_timeout: float, body_timeout: float) -> type[DeadlineProtocol]:
    """A ``DeadlineProtocol`` class with these deadlines (uvicorn builds one instance a connection)."""
    return type("DeadlineProtocol", (DeadlineProtocol,),
                {"head_timeout": head_timeout, "body_timeout": body_timeout})


def server_options(config: ServiceConfig) -> dict[str, Any]:
    """uvicorn's settings for footprint's server: the read deadlines, no Server header, no proxy headers."""
    return {"http": deadline_protocol(config.head_timeout, config.body_timeout), "server_header": False,
            "proxy_headers": False}
