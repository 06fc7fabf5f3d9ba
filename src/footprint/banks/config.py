"""The detection service's settings: limits and the URL-fetch allow-list. Read from the environment
by the adapters (``from_env``), passed down; the core never reads the environment itself."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from footprint.errors import UsageError

PREFIX = "FOOTPRINT_API_"


@dataclass(frozen=True)
class ServiceConfig:
    max_body: int = 32 << 20  # bytes of one request body (uploads included)
    max_pixels: int = 64_000_000  # an uploaded picture over this is refused from its header
    body_timeout: float = 30.0  # seconds to receive a whole request body (slow clients)
    head_timeout: float = 10.0  # seconds to receive a request's head, from the connection or its first byte
    fetch_hosts: frozenset[str] = field(default_factory=frozenset)  # host or host:port; empty: no fetching
    fetch_timeout: float = 10.0
    index_poll: float = 30.0  # seconds between checks for changes made elsewhere (CLI)
    key_rate: float = 20.0  # default requests a second of a new key
    key_burst: int = 40
    webhook_attempts: int = 5
    webhook_first_delay: float = 0.5

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceConfig:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, kind in (("max_body", int), ("max_pixels", int), ("body_timeout", float), ("head_timeout", float),
                           ("fetch_timeout", float), ("index_poll", float)):
            if (text := env.get(PREFIX + name.upper())) is not None:
                try:
                    values[name] = number = kind(text)
                except ValueError as exc:
                    raise UsageError(f"{PREFIX}{name.upper()} must be a number") from exc
                if not 0 < number < math.inf:
                    raise UsageError(f"{PREFIX}{name.upper()} must be a positive number")
        if hosts := env.get(PREFIX + "FETCH_HOSTS"):
            values["fetch_hosts"] = frozenset(h.strip().lower() for h in hosts.split(",") if h.strip())
        return cls(**values)  # type: ignore[arg-type]
