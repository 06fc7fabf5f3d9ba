"""A real detection service on 127.0.0.1: uvicorn serving the API app in a thread, on a free port,
over an SQLite store of the test's own; keys made through the service, one per scope."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from footprint.banks.config import ServiceConfig
from footprint.banks.service import DetectionService
from footprint.settings import Settings
from footprint.web.api import create_router, install_errors
from footprint.web.api.server import server_options


@dataclass
class LiveApi:
    url: str
    service: DetectionService
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, scope: str | None = "query", token: str | None = None) -> httpx.Client:
        token = token or (self.tokens[scope] if scope else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=30)


def serve(app, config: ServiceConfig | None = None) -> tuple[uvicorn.Server, threading.Thread, str]:
    """``app`` served as ``footprint serve`` serves it (its read deadlines from ``config``), or by a plain
    uvicorn without ``config``."""
    options = server_options(config) if config is not None else {}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                                           timeout_graceful_shutdown=2, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def start_api(home: Path, config: ServiceConfig, database_url: str | None = None, deadlines: bool = True):
    from fastapi import FastAPI

    settings = Settings(home=home, database_url=database_url or f"sqlite:///{home / 'service.db'}")
    router = create_router(settings, config)
    app = FastAPI(openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    install_errors(app)
    app.include_router(router, prefix="/api/v1")
    server, thread, url = serve(app, config if deadlines else None)
    live = LiveApi(url, router.service)
    for scope, rate in (("query", 1000.0), ("curate", 1000.0), ("admin", 1000.0)):
        live.tokens[scope] = live.service.records.add_key(f"test-{scope}", [scope], rate, 1000)[1]
    return live, server, thread


@pytest.fixture
def api_config() -> ServiceConfig:
    return ServiceConfig(max_body=2 << 20, body_timeout=2.0, head_timeout=5.0, index_poll=0.5, webhook_first_delay=0.1)


@pytest.fixture
def live_api(tmp_path: Path, api_config: ServiceConfig):
    live, server, thread = start_api(tmp_path / "home", api_config)
    yield live
    server.should_exit = True
    thread.join(timeout=30)


def random_pdq(rng, n: int):
    """``n`` random balanced PDQ hashes (128 bits set: never judged degenerate), as hex."""
    import numpy as np

    bits = np.zeros((n, 256), dtype=np.uint8)
    bits[:, :128] = 1
    bits = rng.permuted(bits, axis=1)
    return [row.tobytes().hex() for row in np.packbits(bits, axis=1)]


def flip(hex_hash: str, count: int) -> str:
    """The hash with its first ``count`` bits flipped (``count`` bits away)."""
    value = int(hex_hash, 16) ^ (((1 << count) - 1) << (256 - count))
    return f"{value:064x}"
