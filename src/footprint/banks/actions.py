"""Actions on a match: signed webhook deliveries, made by a background worker so that a query never
waits for a platform's receiver.

Each delivery is a JSON POST with two headers: ``X-Footprint-Timestamp`` (Unix seconds) and
``X-Footprint-Signature: sha256=<hex>``, the HMAC-SHA256 with the webhook's secret of
``<timestamp>.<body>``. A receiver recomputes it and refuses old timestamps (replays). A delivery
that fails (no answer, or not a 2xx) is retried with a doubling delay, up to ``attempts`` times.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from .records import Webhook

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Footprint-Timestamp"
SIGNATURE_HEADER = "X-Footprint-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, max_age: float = 300.0,
           now: Callable[[], float] = time.time) -> bool:
    """What a receiver does (and the tests do): recompute, compare in constant time, refuse old ones."""
    if not timestamp.isdigit() or abs(now() - int(timestamp)) > max_age:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


@dataclass
class Delivery:
    webhook: Webhook
    payload: Mapping[str, object]
    attempt: int = 0
    not_before: float = field(default_factory=time.monotonic)


class WebhookWorker:
    """One daemon thread draining a queue of deliveries; counts what it did for /status."""

    def __init__(self, attempts: int = 5, first_delay: float = 0.5, timeout: float = 5.0) -> None:
        self.attempts = attempts
        self.first_delay = first_delay
        self.timeout = timeout
        self.delivered = 0
        self.failed = 0
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="footprint-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 1)

    def submit(self, webhook: Webhook, payload: Mapping[str, object]) -> None:
        self._queue.put(Delivery(webhook, payload))

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            while (delivery := self._queue.get()) is not None:
                wait = delivery.not_before - time.monotonic()
                if wait > 0:
                    self._queue.put(delivery)  # not due yet: let others go first
                    time.sleep(min(wait, 0.05))
                    continue
                self._attempt(client, delivery)

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> None:
        body = json.dumps(delivery.payload, sort_keys=True).encode("utf-8")
        stamp = int(time.time())
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: str(stamp),
                   SIGNATURE_HEADER: sign(delivery.webhook.secret, stamp, body)}
        try:
            ok = client.post(delivery.webhook.url, content=body, headers=headers).is_success
        except httpx.HTTPError as exc:
            log.info("webhook %s: %s", delivery.webhook.name, type(exc).__name__)
            ok = False
        if ok:
            self.delivered += 1
            return
        delivery.attempt += 1
        if delivery.attempt >= self.attempts:
            self.failed += 1
            log.warning("webhook %s: giving up after %s attempts", delivery.webhook.name, delivery.attempt)
            return
        delivery.not_before = time.monotonic() + self.first_delay * 2 ** (delivery.attempt - 1)
        self._queue.put(delivery)
