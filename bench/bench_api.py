"""Load benchmark of the detection service's hash lookups, against 127.0.0.1 only, bounded in time.

Builds a bank of N random PDQ hashes (benign: random bits, balanced so none is degenerate), serves it
with uvicorn in a child process, and has C client threads post ``/api/v1/match/hashes`` for S seconds:
a share of the queries are a known hash with some bits flipped (a near match, which files a report),
the rest random hashes (no match). Prints requests a second and p50/p99 latency, and, as the baseline
measured in the same run, the same lookups made in-process on the same index version (no HTTP, no log).

    .venv/bin/python bench/bench_api.py [--entries 1000000] [--seconds 10] [--clients 8] [--match-share 0.1]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from footprint.banks.inputs import HashQuery, digests_from_hashes
from footprint.banks.service import DetectionService
from footprint.model import KnownEntry
from footprint.store import open_store

SERVER = """
import sys, uvicorn
from pathlib import Path
from footprint.banks.config import ServiceConfig
from footprint.settings import Settings
from footprint.web.api import create_service_app
from footprint.web.api.server import server_options
home = Path(sys.argv[1])
config = ServiceConfig(index_poll=3600)
app = create_service_app(Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"), config)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False,
            **server_options(config))  # served as footprint serve serves it (read deadlines included)
"""


def random_pdq(rng: np.random.Generator, n: int) -> np.ndarray:
    bits = np.zeros((n, 256), dtype=np.uint8)
    bits[:, :128] = 1
    return np.packbits(rng.permuted(bits, axis=1), axis=1)


def build_bank(home: Path, entries: int, rng: np.random.Generator) -> np.ndarray:
    store = open_store(f"sqlite:///{home / 'bench.db'}")
    service = DetectionService(store)
    service.banks.create_bank("bench", 31)
    hashes = np.concatenate([random_pdq(rng, 100_000) for _ in range(-(-entries // 100_000))])[:entries]
    started = time.perf_counter()
    service.banks.add_entries("bench", (KnownEntry(pdq=row.tobytes().hex()) for row in hashes))
    print(f"bank: {entries} PDQ entries stored in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    store.close()  # type: ignore[attr-defined]
    return hashes


def queries(rng: np.random.Generator, known: np.ndarray, count: int, share: float) -> list[str]:
    out = []
    for row in random_pdq(rng, count):
        if rng.random() < share:
            row = known[rng.integers(len(known))].copy()
            row[:2] ^= 0xFF  # 16 bits away: a near match under the threshold of 31
        out.append(row.tobytes().hex())
    return out


def baseline(home: Path, sample: list[str]) -> tuple[float, float]:
    """In-process lookups on a freshly built index: (lookups a second, build seconds)."""
    service = DetectionService(open_store(f"sqlite:///{home / 'bench.db'}"))
    started = time.perf_counter()
    service.index.start()
    built = time.perf_counter() - started
    snapshot = service.index.current
    digests = [digests_from_hashes(HashQuery(pdq=h, pdq_quality=90)) for h in sample]
    started = time.perf_counter()
    for d in digests:
        snapshot.match(d)
    rate = len(digests) / (time.perf_counter() - started)
    service.index.stop()
    return rate, built


def load(url: str, token: str, work: list[str], seconds: float, clients: int) -> tuple[list[float], int, int]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    matched = [0] * clients
    deadline = time.monotonic() + seconds

    def run(slot: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            i = slot
            while time.monotonic() < deadline:
                started = time.perf_counter()
                answer = client.post("/api/v1/match/hashes", json={"pdq": work[i % len(work)], "pdq_quality": 90})
                latencies[slot].append(time.perf_counter() - started)
                if answer.status_code != 200:
                    failures[slot] += 1
                elif (body := answer.json())["matched"] or body.get("unverified"):  # hash-only near: unverified
                    matched[slot] += 1
                i += clients

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [x for per in latencies for x in per], sum(failures), sum(matched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--match-share", type=float, default=0.1)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        known = build_bank(home, args.entries, rng)
        work = queries(rng, known, 5000, args.match_share)
        in_process, build_seconds = baseline(home, work[:2000])
        token = DetectionService(open_store(f"sqlite:///{home / 'bench.db'}")).records.add_key(
            "bench", ["query"], rate=1e6, burst=1_000_000)[1]
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(home), str(args.port)])
        url = f"http://127.0.0.1:{args.port}"
        try:
            _wait_ready(url, token)
            latencies, failures, matched = load(url, token, work, args.seconds, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
    rate = len(latencies) / args.seconds
    cuts = statistics.quantiles(latencies, n=100)
    print(f"entries={args.entries} clients={args.clients} seconds={args.seconds} match_share={args.match_share}")
    print(f"index build (in-process): {build_seconds:.1f} s")
    print(f"baseline in-process lookups: {in_process:.0f}/s ({1000 / in_process:.2f} ms each)")
    print(f"HTTP: {rate:.0f} requests/s, p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms, "
          f"{failures} failed, {matched} matched")
    print(f"HTTP / in-process: {rate / in_process:.2f}")


def _wait_ready(url: str, token: str) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/status", headers={"Authorization": f"Bearer {token}"}).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
