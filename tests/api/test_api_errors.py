"""Bad input gets a clear 4xx in one JSON shape: never a 500, never a hang."""

from __future__ import annotations

import hashlib
import struct
import time
import zlib

import pytest

SHAPE_KEYS = {"status", "code", "message"}


def assert_shape(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"error"} and set(body["error"]) == SHAPE_KEYS
    assert body["error"]["status"] == status and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with a tiny (invalid) image stream: a bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_the_error_shape_is_pinned(live_api):
    with live_api.client(None) as anonymous, live_api.client() as client, live_api.client("curate") as curator:
        assert_shape(anonymous.get("/status"), 401, "unauthorized")
        assert_shape(client.get("/banks"), 403, "forbidden")
        assert_shape(curator.get("/banks/nothing-here"), 404, "not_found")
        assert_shape(client.get("/no/such/route"), 404, "not_found")
        assert_shape(client.delete("/match/hashes"), 405, "method_not_allowed")
        assert_shape(client.post("/match/hashes", json={"md5": "xyz"}), 422, "unprocessable_content")
        assert_shape(client.post("/match/hashes", json={"md5": 5}), 422, "unprocessable_content")
        assert_shape(client.post("/match/hashes", content=b"{not json", headers={"Content-Type": "application/json"}),
                     422, "unprocessable_content")
        assert_shape(client.post("/match/hashes", json={}), 422, "unprocessable_content")
        assert_shape(client.post("/match/hashes", json={"pdq": "a" * 64}), 422, "unprocessable_content")
        assert_shape(curator.post("/banks", json={"name": "x", "pdq_threshold": 99}), 422, "unprocessable_content")
        curator.post("/banks", json={"name": "dup"})
        assert_shape(curator.post("/banks", json={"name": "dup"}), 409, "conflict")


def test_oversized_bodies_are_refused_before_they_are_read(live_api, api_config):
    big = b"\xff\xd8\xff" + b"\0" * (api_config.max_body + 1)

    def chunks():
        for start in range(0, len(big), 1 << 16):
            yield big[start:start + (1 << 16)]

    with live_api.client() as client:
        declared = client.post("/match/content", content=big, headers={"Content-Type": "image/jpeg"})
        streamed = client.post("/match/content", content=chunks(), headers={"Content-Type": "image/jpeg"})
        json_too = client.post("/match/hashes", content=b'{"md5": "' + b"0" * api_config.max_body + b'"}',
                               headers={"Content-Type": "application/json"})
    assert_shape(declared, 413, "content_too_large")
    assert_shape(streamed, 413, "content_too_large")
    assert "Content-Length" not in {k.title() for k in streamed.request.headers}
    assert_shape(json_too, 413, "content_too_large")


def test_wrong_content_types_empty_bodies_and_undecodable_pictures(live_api):
    with live_api.client() as client:
        assert_shape(client.post("/match/content", content=b"hello", headers={"Content-Type": "text/plain"}),
                     415, "unsupported_media_type")
        assert_shape(client.post("/match/content", content=b"", headers={"Content-Type": "image/png"}),
                     422, "unprocessable_content")
        broken = client.post("/match/content", content=b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
                             headers={"Content-Type": "image/png"})
        # a picture that does not decode is matched by its bytes, as a scan matches it; its PDQ is skipped
        assert broken.status_code == 200 and broken.json()["skipped"]["pdq"].startswith("undecodable image")
        assert broken.json()["hashes"]["sha256"] == hashlib.sha256(b"\x89PNG\r\n\x1a\n" + b"\0" * 100).hexdigest()
        # bytes that are no picture at all are still matched exactly (a platform may send any file)
        plain = client.post("/match/content", content=b"just bytes",
                            headers={"Content-Type": "application/octet-stream"})
    assert plain.status_code == 200 and plain.json()["hashes"]["md5"] == hashlib.md5(b"just bytes").hexdigest()
    assert plain.json()["skipped"]["perceptual"].startswith("no picture or video: matched by its bytes only")


def test_a_decompression_bomb_is_refused_from_its_header(live_api):
    with live_api.client() as client:
        bomb = client.post("/match/content", content=png_header(60_000, 60_000), headers={"Content-Type": "image/png"})
    error = assert_shape(bomb, 413, "content_too_large")
    assert "60000x60000" in error["message"] or "3600000000 pixels" in error["message"]


def test_url_fetch_only_from_allow_listed_hosts(live_api):
    with live_api.client() as client:
        refused = client.post("/match/url", json={"url": "http://example.org/a.jpg"})
        odd = client.post("/match/url", json={"url": "file:///etc/passwd"})
    assert "allow-listed" in assert_shape(refused, 400, "bad_request")["message"]
    assert_shape(odd, 400, "bad_request")


@pytest.fixture
def picture_host():
    """A local HTTP server holding one demo picture at /pic.jpg, a large file at /big, a slow one at /slow."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from footprint.demo import jpeg_bytes, picture

    pic = jpeg_bytes(picture(5))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = {"/pic.jpg": pic, "/big": b"\0" * (3 << 20)}.get(self.path)
            if self.path == "/slow":
                self.send_response(200)
                self.end_headers()
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
                return
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}", pic
    server.shutdown()


def test_url_fetch_from_an_allowed_host_within_limits(tmp_path, picture_host):
    from footprint.banks.config import ServiceConfig

    from .conftest import start_api

    host, pic = picture_host
    config = ServiceConfig(max_body=2 << 20, fetch_hosts=frozenset({host}), fetch_timeout=1.0)
    live, server, thread = start_api(tmp_path / "home", config)
    try:
        with live.client() as client:
            fetched = client.post("/match/url", json={"url": f"http://{host}/pic.jpg", "reference": "u1"})
            big = client.post("/match/url", json={"url": f"http://{host}/big"})
            slow = client.post("/match/url", json={"url": f"http://{host}/slow"})
            missing = client.post("/match/url", json={"url": f"http://{host}/nothing"})
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert fetched.status_code == 200 and fetched.json()["hashes"]["sha256"] == hashlib.sha256(pic).hexdigest()
    assert_shape(big, 413, "content_too_large")
    assert "took too long" in assert_shape(slow, 400, "bad_request")["message"]
    assert "404" in assert_shape(missing, 400, "bad_request")["message"]
