"""A small NSRL RDS v3 "minimal" database built in the test: table FILE with upper-case hex digests,
benign file names, the hashes of chosen (benign, generated) files and filler rows of random digests."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

SCHEMA = ("CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, "
          "file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL, package_id INTEGER NOT NULL)")


def row_for(data: bytes, name: str, package: int = 1) -> tuple[str, str, str, str, int, int]:
    return (hashlib.sha256(data).hexdigest().upper(), hashlib.sha1(data).hexdigest().upper(),
            hashlib.md5(data).hexdigest().upper(), name, len(data), package)


def build_nsrl(path: Path, files: Iterable[Path], filler: int = 1000, seed: int = 3,
               extra_rows: Iterable[tuple[object, ...]] = ()) -> Path:
    """Every file given (twice, in two packages, as the NSRL lists a file per package) plus
    ``filler`` rows of random digests."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, file in enumerate(files):
        data = file.read_bytes()
        rows += [row_for(data, f"wallpaper_{k:03d}.jpg", 101), row_for(data, f"sample_{k:03d}.jpg", 202)]
    for i in range(filler):
        raw = rng.integers(0, 256, 32 + 20 + 16, dtype=np.uint8).tobytes()
        rows.append((raw[:32].hex().upper(), raw[32:52].hex().upper(), raw[52:].hex().upper(),
                     f"system{i:05d}.dll", 1000 + i, 7))
    rows += list(extra_rows)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(SCHEMA)
        conn.executemany("INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.close()
    return path
