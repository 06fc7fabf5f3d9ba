"""The web app in-process (FastAPI's TestClient) and through a real uvicorn server on 127.0.0.1 for the
browser tests, which drive Debian's Chromium (/usr/bin/chromium) with Playwright."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from pathlib import Path

import pytest
import uvicorn

from footprint.banks.config import ServiceConfig
from footprint.settings import Settings
from footprint.web.api.server import server_options
from footprint.web.app import WebConfig, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings.from_env()


@pytest.fixture
def app(settings):
    return create_app(settings, WebConfig(login_attempts=3))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The app served as `footprint serve` serves it (read deadlines included) on 127.0.0.1 on a free port,
    in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning",
                                           **server_options(ServiceConfig())))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()
