"""Case store speed: hash-set import (add_entries), exact lookups and PDQ streaming, on SQLite and
PostgreSQL, against the raw driver writing the same rows into the same migrated table (the baseline).

    .venv/bin/python bench/bench_store.py [entries] [--postgres URL]

Baselines, measured in the same run: SQLite, sqlite3 executemany in one transaction; PostgreSQL,
psycopg COPY (the fastest way into PostgreSQL). Prints entries/s and store/baseline ratios.
PostgreSQL runs in a scratch schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

from footprint.model import Category, CategoryScheme, KnownEntry
from footprint.store import open_store
from footprint.store.codec import entry_row

COLUMNS = ("hashset_id", "md5", "sha1", "sha256", "pdq", "category", "label", "series",
           "victim_identified", "extra")


def make_entries(count: int) -> list[KnownEntry]:
    rng = random.Random(1)
    cat = [Category(CategoryScheme.VICS, c) for c in "01234"]
    return [KnownEntry(md5=rng.randbytes(16).hex(), sha1=rng.randbytes(20).hex(),
                       pdq=rng.randbytes(32).hex() if i % 2 else None, category=cat[i % 5],
                       label=f"media {i}", victim_identified=bool(i % 3)) for i in range(count)]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def tuples(entries: list[KnownEntry], hashset_id: int) -> list[tuple[object, ...]]:
    rows = []
    for e in entries:
        row = {**entry_row(e), "hashset_id": hashset_id}
        row["extra"] = json.dumps(row["extra"]) if row["extra"] else None
        rows.append(tuple(row[c] for c in COLUMNS))
    return rows


def store_rates(url: str, entries: list[KnownEntry]) -> dict[str, float]:
    store = open_store(url)
    hashset = store.create_hashset("bench", "vics", "bench")
    seconds = timed(lambda: store.add_entries(hashset.id, entries))
    values = [e.md5 for e in entries[: len(entries) // 3]] + [f"{i:032x}" for i in range(len(entries) // 3)]
    lookup = timed(lambda: store.lookup_exact("md5", values))
    pdq = timed(lambda: sum(len(ids) for ids, _ in store.iter_pdq(hashset.id)))
    store.close()
    return {"import": len(entries) / seconds, "lookup": len(values) / lookup,
            "pdq": sum(1 for e in entries if e.pdq) / pdq}


def sqlite_baseline(path: Path, entries: list[KnownEntry]) -> float:
    store = open_store(f"sqlite:///{path}")
    hashset_id = store.create_hashset("base", "vics", "bench").id
    store.close()
    rows = tuples(entries, hashset_id)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")
    sql = f"INSERT INTO entries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

    def write() -> None:
        conn.execute("BEGIN")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")

    seconds = timed(write)
    conn.close()
    return len(rows) / seconds


def postgres_baseline(url: str, entries: list[KnownEntry]) -> float:
    store = open_store(url)
    hashset_id = store.create_hashset("base", "vics", "bench").id
    store.close()
    rows = tuples(entries, hashset_id)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        def write() -> None:
            with conn.cursor() as cur, cur.copy(f"COPY entries ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()

        return len(rows) / timed(write)


def scratch_schema(url: str) -> tuple[str, Callable[[], None]]:
    schema = f"footprint_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}", drop


def report(name: str, rates: dict[str, float], baseline: float, baseline_name: str) -> None:
    print(f"{name:10} add_entries {rates['import']:>10,.0f} entries/s   {baseline_name} {baseline:>10,.0f}/s"
          f"   ratio {rates['import'] / baseline:.2f}")
    print(f"{'':10} lookup_exact {rates['lookup']:>9,.0f} values/s    iter_pdq {rates['pdq']:>10,.0f} hashes/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("entries", type=int, nargs="?", default=300_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    entries = make_entries(args.entries)
    with tempfile.TemporaryDirectory() as tmp:
        rates = store_rates(f"sqlite:///{Path(tmp) / 'store.db'}", entries)
        report("sqlite", rates, sqlite_baseline(Path(tmp) / "base.db", entries), "sqlite3 executemany")
    try:
        url, drop = scratch_schema(args.postgres)
    except psycopg.OperationalError as exc:
        print(f"postgresql skipped: {exc}")
        return
    try:
        rates = store_rates(url, entries)
        base_url, drop_base = scratch_schema(args.postgres)
        try:
            report("postgresql", rates, postgres_baseline(base_url, entries), "psycopg COPY")
        finally:
            drop_base()
    finally:
        drop()


if __name__ == "__main__":
    main()
