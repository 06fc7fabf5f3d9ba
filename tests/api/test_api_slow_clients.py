"""Slow clients (slowloris) through a real server on 127.0.0.1, served as ``footprint serve`` serves: a
client that dribbles its request head, one that dribbles its body, one that opens and says nothing, each
answered with a 408 in the one JSON error shape where HTTP allows an answer, and closed; normal queries
from another client succeed all the while. No timing is asserted: a hang fails the hang guard."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from footprint.banks.config import ServiceConfig

from .conftest import start_api

HANG_GUARD = 60.0  # seconds: far past the deadlines below; reaching it means the server held a client


@pytest.fixture
def quick_config() -> ServiceConfig:
    return ServiceConfig(max_body=2 << 20, head_timeout=1.0, body_timeout=1.0, index_poll=0.5)


def started(tmp_path: Path, config: ServiceConfig, deadlines: bool = True):
    live, server, thread = start_api(tmp_path / "home", config, deadlines=deadlines)
    return live, server, thread


def stop(server, thread) -> None:
    server.should_exit = True
    thread.join(timeout=30)


def address(live) -> tuple[str, int]:
    host, port = live.url.removeprefix("http://").split(":")
    return host, int(port)


def slow_client(live, first: bytes, drip: bytes = b"", stop_at_answer: bool = False) -> bytes:
    """Connect, send ``first``, then ``drip`` a byte every 0.05 s, reading all the while, until the server
    closes the connection (or, with ``stop_at_answer``, has answered once); all it answered."""
    answer = bytearray()
    with socket.create_connection(address(live), timeout=HANG_GUARD) as sock:
        sock.sendall(first)
        sock.settimeout(0.05)
        guard = time.monotonic() + HANG_GUARD
        sending = bool(drip)
        while not (stop_at_answer and responses(bytes(answer))):
            assert time.monotonic() < guard, f"held past the hang guard; answered so far: {bytes(answer)!r}"
            if sending:
                try:
                    sock.sendall(drip[:1])
                except OSError:
                    sending = False  # the server closed its side
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    return bytes(answer)


def responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """The whole HTTP/1.1 responses (with Content-Length) in ``data``, in order."""
    found = []
    while b"\r\n\r\n" in data:
        head, rest = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        if len(rest) < length:
            break
        found.append((int(lines[0].split()[1]), headers, rest[:length]))
        data = rest[length:]
    return found


def assert_error(response, status: int, code: str) -> str:
    got, headers, body = response
    assert got == status, body
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert set(error) == {"error"} and set(error["error"]) == {"status", "code", "message"}
    assert error["error"]["status"] == status and error["error"]["code"] == code and error["error"]["message"]
    return error["error"]["message"]


def head(live, method: str, path: str, extra: str = "", token: bool = True) -> bytes:
    auth = f"Authorization: Bearer {live.tokens['query']}\r\n" if token else ""
    return f"{method} /api/v1{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}{extra}".encode()


def test_slow_clients_are_cut_off_while_normal_queries_go_on(tmp_path, quick_config):
    live, server, thread = started(tmp_path, quick_config)
    try:
        dribbled_head = head(live, "POST", "/match/hashes", "X-Slow: ")
        dribbled_body = head(live, "POST", "/match/content",
                             "Content-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n") + b"\xff\xd8"
        kept_alive = head(live, "GET", "/status", "\r\n") + head(live, "GET", "/status", "X-Slow: ")
        clients = {"head": (dribbled_head, b"a"), "body": (dribbled_body, b"\0"), "silent": (b"", b""),
                   "second head": (kept_alive, b"a")}
        with ThreadPoolExecutor(4 * len(clients)) as pool, live.client() as client:
            futures = [(kind, pool.submit(slow_client, live, first, drip))
                       for kind, (first, drip) in clients.items() for _ in range(4)]
            statuses = []
            while not all(future.done() for _, future in futures):
                statuses.append(client.post("/match/hashes", json={"md5": "0" * 32}).status_code)
            answers = [(kind, future.result()) for kind, future in futures]
        assert statuses and set(statuses) == {200}, statuses
        for kind, answer in answers:
            got = responses(answer)
            if kind == "silent":
                assert answer == b""  # no request, no answer: just closed
                continue
            if kind == "second head":
                assert got[0][0] == 200, answer  # the first request was answered; the second is dribbled
                got = got[1:]
            assert len(got) == 1, answer
            message = assert_error(got[0], 408, "request_timeout")
            assert got[0][1]["connection"] == "close"
            assert ("head" if kind.endswith("head") else "body") in message
    finally:
        stop(server, thread)


def test_malformed_and_oversized_heads_get_400_in_the_shape(tmp_path, quick_config):
    live, server, thread = started(tmp_path, quick_config)
    try:
        malformed = slow_client(live, b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n")
        oversized = slow_client(live, b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (20 << 10))
        for answer in (malformed, oversized):
            got = responses(answer)
            assert len(got) == 1, answer
            assert_error(got[0], 400, "bad_request")
        with live.client() as client:
            assert client.get("/status").status_code == 200
    finally:
        stop(server, thread)


def test_the_api_answers_a_slow_body_with_408_under_any_asgi_server(tmp_path, quick_config):
    """The API routes read their bodies within the limit themselves (a plain uvicorn: no read deadlines)."""
    live, server, thread = started(tmp_path, quick_config, deadlines=False)
    try:
        first = head(live, "POST", "/match/content", "Content-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n")
        answer = slow_client(live, first + b"\xff\xd8", drip=b"\0", stop_at_answer=True)
        got = responses(answer)
        assert len(got) == 1, answer
        assert "body" in assert_error(got[0], 408, "request_timeout")
    finally:
        stop(server, thread)


def test_footprint_serve_runs_with_the_read_deadlines(home: Path):
    """The production entry point: ``footprint serve`` (review workspace and API) reads its deadlines
    from the environment and applies them to every route."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "FOOTPRINT_API_HEAD_TIMEOUT": "0.5", "FOOTPRINT_API_BODY_TIMEOUT": "0.5"}
    footprint = Path(sys.executable).parent / "footprint"
    process = subprocess.Popen([str(footprint), "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        guard = time.monotonic() + HANG_GUARD
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < guard, "footprint serve did not start"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        live = SimpleNamespace(url=f"http://127.0.0.1:{port}")
        assert slow_client(live, b"") == b""
        page = responses(slow_client(live, b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", drip=b"a"))
        assert len(page) == 1 and "head" in assert_error(page[0], 408, "request_timeout")
        form = responses(slow_client(live, b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n"
                                           b"Content-Type: application/x-www-form-urlencoded\r\n\r\nuser=", drip=b"a"))
        assert len(form) == 1 and "body" in assert_error(form[0], 408, "request_timeout")
        status = responses(slow_client(live, b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             b"Connection: close\r\n\r\n"))
        assert len(status) == 1 and assert_error(status[0], 401, "unauthorized")
    finally:
        process.terminate()
        process.wait(timeout=30)
