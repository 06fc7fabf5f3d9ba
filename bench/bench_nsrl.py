"""Known-good (NSRL) speed: import rows/s and lookups/s of footprint's compact lookup (sorted digest
arrays, memory-mapped, binary search) against a plain SQLite table with an index on the same digests,
built from the same generated NSRL RDS v3 minimal database in the same run (the baseline).

    .venv/bin/python bench/bench_nsrl.py [--rows 10000000] [--lookups 1000000] [--keep DIR]

The generated database has random upper-case SHA-256, SHA-1 and MD5 (no real file names). The
baseline copies the SHA-256 column into ``CREATE TABLE kg (sha256 TEXT PRIMARY KEY) WITHOUT ROWID`` with
one ``INSERT ... SELECT`` (SQLite's C code throughout, the fastest way to a SQLite index) and looks
values up with ``IN`` lists, as the case store looks up hash sets. footprint imports in a child process
so that its peak memory can be reported on its own. Half the looked-up values are in the list.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from footprint.matching.knowngood import KnownGoodIndex

CHUNK = 500_000
BATCHES = (256, 100_000)  # a scan's batch of items; an apply over a large case


def generate(path: Path, rows: int) -> None:
    rng = np.random.default_rng(7)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, "
                 "file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL, package_id INTEGER NOT NULL)")
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        raw = rng.integers(0, 256, (n, 68), dtype=np.uint8)
        text = raw.tobytes().hex().upper()
        conn.executemany("INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?)", (
            (text[k * 136:k * 136 + 64], text[k * 136 + 64:k * 136 + 104], text[k * 136 + 104:k * 136 + 136],
             f"file{start + k}.dll", 1000 + k, k % 5000) for k in range(n)))
        conn.commit()
    conn.close()


def footprint_import(db: Path, home: Path, algorithms: str) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of ``import_nsrl`` in a child process."""
    code = ("import sys; from pathlib import Path; from footprint.store import open_store; "
            "from footprint.pipeline.knowngood import import_nsrl; "
            "s = open_store(f'sqlite:///{sys.argv[2]}/case.db'); "
            "import_nsrl(s, Path(sys.argv[2]), Path(sys.argv[1]), 'nsrl', sys.argv[3].split(','))")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(db), str(home), algorithms], check=True)
    seconds = time.perf_counter() - started
    return seconds, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)


def baseline_import(db: Path, target: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE TABLE kg (sha256 TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("ATTACH DATABASE ? AS src", (f"{db.resolve().as_uri()}?mode=ro",))
    conn.execute("INSERT OR IGNORE INTO kg SELECT sha256 FROM src.FILE")
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def queries(db: Path, count: int) -> list[str]:
    """Half of them in the list (sampled from it), half not; lower case, as a scan computes them."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    total = conn.execute("SELECT max(rowid) FROM FILE").fetchone()[0]
    rng = np.random.default_rng(11)
    rowids = sorted(int(r) for r in rng.integers(1, total + 1, count // 2))
    found = []
    for start in range(0, len(rowids), 1000):
        chunk = rowids[start:start + 1000]
        marks = ",".join("?" * len(chunk))
        found += [r[0].lower() for r in conn.execute(f"SELECT sha256 FROM FILE WHERE rowid IN ({marks})", chunk)]
    conn.close()
    misses = rng.integers(0, 256, (count - len(found), 32), dtype=np.uint8)
    values = found + [bytes(row).hex() for row in misses]
    rng.shuffle(values)  # type: ignore[arg-type]
    return values


def footprint_lookups(folder: Path, values: list[str], batch: int) -> tuple[float, int]:
    index = KnownGoodIndex.open(folder)
    started = time.perf_counter()
    hits = sum(int(index.lookup("sha256", values[i:i + batch]).sum()) for i in range(0, len(values), batch))
    return time.perf_counter() - started, hits


def baseline_lookups(target: Path, values: list[str], batch: int) -> tuple[float, int]:
    conn = sqlite3.connect(target)
    started = time.perf_counter()
    hits = 0
    for i in range(0, len(values), batch):
        for j in range(i, min(i + batch, len(values)), 999):
            chunk = [v.upper() for v in values[j:min(j + 999, i + batch)]]
            marks = ",".join("?" * len(chunk))
            hits += len(conn.execute(f"SELECT sha256 FROM kg WHERE sha256 IN ({marks})", chunk).fetchall())
    seconds = time.perf_counter() - started
    conn.close()
    return seconds, hits


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--lookups", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="work in this folder (reuses a generated database)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-nsrl-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"minimal-{args.rows}.db"
    if not db.exists():
        started = time.perf_counter()
        generate(db, args.rows)
        print(f"generated {args.rows:,} rows ({size(db) / 2**20:,.0f} MiB) in {time.perf_counter() - started:.0f} s")
    for path in (work / "home", work / "baseline.db"):
        subprocess.run(["rm", "-rf", str(path)], check=True)
    (work / "home").mkdir()
    ours, rss = footprint_import(db, work / "home", "sha256")
    theirs = baseline_import(db, work / "baseline.db")
    folder = work / "home" / "knowngood" / "nsrl"
    print(f"import  footprint (sha256): {args.rows / ours:,.0f} rows/s ({ours:.1f} s, peak RSS {rss / 1024:,.0f} MiB, "
          f"{size(folder) / 2**20:,.0f} MiB on disk)")
    print(f"import  baseline SQLite index: {args.rows / theirs:,.0f} rows/s ({theirs:.1f} s, "
          f"{size(work / 'baseline.db') / 2**20:,.0f} MiB on disk)   footprint/baseline {theirs / ours:.2f}x")
    values = queries(db, args.lookups)
    for batch in BATCHES:
        ours_s, ours_hits = footprint_lookups(folder, values, batch)
        theirs_s, theirs_hits = baseline_lookups(work / "baseline.db", values, batch)
        assert ours_hits == theirs_hits, (ours_hits, theirs_hits)
        rates = f"footprint {len(values) / ours_s:,.0f}/s, baseline {len(values) / theirs_s:,.0f}/s"
        print(f"lookup  batch {batch:>7,}: {rates}"
              f"   footprint/baseline {theirs_s / ours_s:.1f}x   ({ours_hits:,} hits of {len(values):,}, both)")


if __name__ == "__main__":
    main()
