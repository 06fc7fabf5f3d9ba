"""Scan throughput in pictures a second, against the naive loop and the decode-only limit.

    python bench/bench_scan.py [--count 24] [--megapixels 12 0.5]

For each size it builds a corpus of benign generated JPEGs, then measures in the same run:
  naive      one process: read, MD5+SHA-1+SHA-256, full-size decode, PDQ
  decode     the decode-only limit: reduced-scale decode of the same files on every core, no hashing
  footprint  `footprint scan` through the Scanner, into a fresh SQLite store, jobs=1 and one per core
and prints pictures/s and the ratios footprint/naive and decode/footprint.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

from footprint.demo import jpeg_bytes, picture
from footprint.hashers.decode import decode_image
from footprint.model import CategoryScheme
from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.store import open_store


def build_corpus(folder: Path, count: int, megapixels: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    size = (width, width * 3 // 4)
    paths = []
    for i in range(count):
        base = picture(9000 + i, (800, 600)).resize(size, Image.Resampling.BICUBIC)
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(jpeg_bytes(base, 92))
        paths.append(path)
    return paths


def naive(path: Path) -> None:
    data = path.read_bytes()
    for name in ("md5", "sha1", "sha256"):
        hashlib.new(name, data).hexdigest()
    pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))


def decode_only(path: Path) -> None:
    decode_image(path.read_bytes())


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def scan_rate(folder: Path, count: int, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env({"FOOTPRINT_HOME": home}, jobs=jobs)
        store = open_store(settings.database_url)
        store.create_case("bench", CategoryScheme.UK)
        return rate(count, timed(lambda: Scanner(store, settings).scan("bench", [folder])))


def measure(mp: float, folder: Path, paths: list[Path], cores: int) -> None:
    naive_rate = rate(len(paths), timed(lambda: [naive(p) for p in paths]))
    with ProcessPoolExecutor(cores) as pool:
        decode_rate = rate(len(paths), timed(lambda: list(pool.map(decode_only, paths))))
    one = scan_rate(folder, len(paths), 1)
    every = scan_rate(folder, len(paths), cores)
    print(f"{mp:>5} MP x{len(paths)}: naive {naive_rate:6.1f}/s  decode-only limit {decode_rate:6.1f}/s  "
          f"footprint jobs=1 {one:6.1f}/s  jobs={cores} {every:6.1f}/s  "
          f"footprint/naive {every / naive_rate:5.1f}x  decode-limit/footprint {decode_rate / every:4.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--megapixels", type=float, nargs="+", default=[12.0, 0.5])
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        for mp in args.megapixels:
            folder = Path(tmp) / f"{mp}mp"
            paths = build_corpus(folder, args.count, mp)
            measure(mp, folder, paths, cores)

if __name__ == "__main__":
    main()
