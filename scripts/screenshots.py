"""Make docs/screenshots/grid.png and docs/screenshots/item.png: the review workspace on the benign
demo case (generated pictures only), blurred as a reviewer first sees it.

Builds the demo case, scans it and adds a reviewer with the real CLI, serves the app with uvicorn on
127.0.0.1 (a free port), and drives Debian's Chromium (/usr/bin/chromium) with Playwright.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import expect, sync_playwright

from footprint.banks.config import ServiceConfig
from footprint.demo import build_demo
from footprint.settings import Settings
from footprint.web.api.server import server_options
from footprint.web.app import create_app

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "demo" / "screenshots"
OUT = REPO / "docs" / "screenshots"
PASSWORD = "screenshot reviewer"


def footprint(*args: str, stdin: str | None = None) -> None:
    command = [str(Path(sys.executable).with_name("footprint")), *args]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, input=stdin, text=True,
                   env={**os.environ, "FOOTPRINT_HOME": str(WORK / "home")})


def prepare() -> Settings:
    shutil.rmtree(WORK, ignore_errors=True)
    demo = build_demo(WORK)
    footprint("case", "create", "demo", "--description", "benign demo case (generated pictures)")
    footprint("hashset", "import", str(demo.known_list), "--name", "demo-known", "--source", "footprint demo")
    footprint("scan", str(demo.evidence), "--case", "demo", "--jobs", "1")
    footprint("user", "add", "rita", "--role", "reviewer", "--password-stdin", stdin=PASSWORD + "\n")
    footprint("user", "grant", "rita", "demo")
    return Settings.from_env({}, home=WORK / "home")


def serve(settings: Settings) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                                           **server_options(ServiceConfig())))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def shoot(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 860})
        page.goto("/login")
        page.fill("input[name=username]", "rita")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/cases")
        page.click("text=demo")
        images = page.locator(".tile img")
        for i in range(min(images.count(), 18)):
            expect(images.nth(i)).to_have_js_property("complete", True)
        page.screenshot(path=str(OUT / "grid.png"))
        page.locator(".tile.matched a.pic").first.click()
        expect(page.locator(".viewer img")).to_have_js_property("complete", True)
        page.screenshot(path=str(OUT / "item.png"), full_page=True)
        browser.close()


def main() -> None:
    server, base = serve(prepare())
    try:
        shoot(base)
    finally:
        server.should_exit = True
    print(OUT / "grid.png")
    print(OUT / "item.png")


if __name__ == "__main__":
    main()
