"""How fast hash-set files are imported: read alone, and end to end into a case store.

    .venv/bin/python bench/bench_hashset_import.py [entries] [--against DIR] [--rounds N]

Read only: entries/s of each reader, against stdlib json.load of the whole file in memory (the old
baseline) and ijson's own items() building the same Media dicts in C (the parser's floor).

End to end: import_hashset, what `footprint hashset import FILE` runs (hash the file, detect its
format, read, insert, commit), into a new SQLite case store and a new PostgreSQL schema (the VICS file
then a second time, into a table that already holds a list: SQLite builds a first list's indexes after
its rows, a later list's row by row). Against it,
the store's floor: the driver inserting the same rows, ready-made as tuples, into the same entries
table in one transaction (SQLite executemany in 10k batches, PostgreSQL COPY), with the table's four
indexes and with none.

Rates are given by wall clock and by this process's CPU time. The 2 cores are shared, so CPU time is
the steadier figure for comparisons; PostgreSQL's own work (parsing COPY, indexing) runs in the server,
so for PostgreSQL only the wall clock counts. Every measurement runs in a child process on the same
generated files; "peak RSS" is how much the child's peak resident size grew during the end-to-end
imports (run before anything that loads a whole file).

--against DIR measures the same files with another footprint source tree too (DIR/src, e.g.
``git archive REV src | tar -x -C DIR``), the two trees alternating, best of two rounds each, and prints
the ratio this tree / that tree. PostgreSQL: $FOOTPRINT_TEST_POSTGRES_URL, else the local test database,
skipped when unreachable. The ijson pure-Python backend is measured on a tenth of the entries.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

POSTGRES = os.environ.get("FOOTPRINT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
ENTRY_COLUMNS = ("hashset_id", "md5", "sha1", "sha256", "pdq", "category", "label", "series",
                 "victim_identified", "extra")
ENTRY_INDEXES = ("ix_entries_md5", "ix_entries_sha1", "ix_entries_sha256", "ix_entries_hashset_id_id")

# -- the files ------------------------------------------------------------------------------


def media_json(i: int, rng: random.Random) -> str:
    pdq = f', "AlternativeHashes": [{{"HashName": "PDQ", "HashValue": "{rng.randbytes(32).hex()}"}}]'
    return (f'{{"MediaID": {i}, "Category": {i % 5}, "MD5": "{rng.randbytes(16).hex().upper()}", '
            f'"SHA1": "{rng.randbytes(20).hex()}", "VictimIdentified": "false"{pdq if i % 2 else ""}}}')


def write_vics_file(path: Path, count: int, *, one_case: bool) -> None:
    rng = random.Random(1)
    with path.open("w") as out:
        out.write(f'{{"@odata.context": {json.dumps(CONTEXT)}, "value": [')
        out.write('{"CaseID": 1, "Media": [' if one_case else "")
        for i in range(count):
            out.write(("," if i else "") + "\n" + media_json(i, rng))
        out.write("]}" if one_case else "")
        out.write("]}\n")


def write_text_files(directory: Path, count: int) -> tuple[Path, Path]:
    rng = random.Random(2)
    csv_path, list_path = directory / "list.csv", directory / "list.txt"
    rows = [(rng.randbytes(16).hex(), rng.randbytes(20).hex()) for _ in range(count)]
    csv_path.write_text("md5,sha1,category,label\n" + "".join(f"{m},{s},Cat B,item {i}\n"
                                                                for i, (m, s) in enumerate(rows)))
    list_path.write_text("".join(f"{m}  images/{i}.jpg\n" for i, (m, _) in enumerate(rows)))
    return csv_path, list_path


def write_files(directory: Path, count: int) -> None:
    write_vics_file(directory / "media.json", count, one_case=False)
    write_vics_file(directory / "case.json", count, one_case=True)
    write_vics_file(directory / "small.json", count // 10, one_case=False)
    write_text_files(directory, count)


# -- measuring (in the child) ---------------------------------------------------------------


def timed(run: Callable[[], int]) -> tuple[float, float]:
    """(entries/s by wall clock, entries/s by this process's CPU time) of one run returning its count."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    count = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return count / wall, count / max(cpu, 1e-9)


def count_of(items: Iterable[object]) -> int:
    return sum(1 for _ in items)


def reading(path: Path, read: Callable[[Any], Iterable[object]]) -> Callable[[], int]:
    def run() -> int:
        with path.open("rb") as stream:
            return count_of(read(stream))
    return run


def postgres_schema(admin: Any) -> tuple[str, str]:
    from sqlalchemy import text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in POSTGRES else "?"
    return schema, f"{POSTGRES}{joiner}options=-csearch_path%3D{schema}"


def drop_schema(admin: Any, schema: str) -> None:
    from sqlalchemy import text

    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def postgres_admin() -> Any:
    from sqlalchemy import create_engine, text

    from footprint.store.engine import driver_url

    engine = create_engine(driver_url(POSTGRES), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means: no PostgreSQL to measure
        print(f"PostgreSQL at {POSTGRES} not measured: {str(exc).splitlines()[0][:120]}", file=sys.stderr)
        return None
    return engine


def end_to_end(files: Path, work: Path, admin: Any,
               names: tuple[str, ...] = ("media.json", "list.csv", "list.txt")) -> dict[str, tuple[float, float]]:
    from footprint.store import open_store

    results: dict[str, tuple[float, float]] = {}
    for kind, name in (("vics", "media.json"), ("csv", "list.csv"), ("hashlist", "list.txt")):
        if name not in names:
            continue
        store = open_store(f"sqlite:///{work / f'{kind}-{uuid.uuid4().hex[:6]}.db'}")
        results[f"{kind} -> SQLite"] = timed(partial(importing, store, files / name, kind))
        if kind == "vics":  # the same list again: into a table that now holds one
            results["vics -> SQLite, a second list"] = timed(partial(importing, store, files / name, "again"))
        if admin is not None:
            schema, url = postgres_schema(admin)
            store = open_store(url)
            results[f"{kind} -> PostgreSQL"] = timed(partial(importing, store, files / name, kind))
            if kind == "vics":
                results["vics -> PostgreSQL, a second list"] = timed(partial(importing, store, files / name, "again"))
            store.close()  # type: ignore[attr-defined]
            drop_schema(admin, schema)
    return results


def importing(store: Any, path: Path, name: str) -> int:
    from footprint.pipeline.importing import import_hashset

    return import_hashset(store, path, name).entry_count


def ready_rows(files: Path) -> list[tuple[Any, ...]]:
    """The VICS file's entries as the tuples the store writes (hashset_id filled in later)."""
    from footprint.hashsets.vics import VicsFormat

    with (files / "media.json").open("rb") as stream:
        return [(0, e.md5, e.sha1, e.sha256, e.pdq, str(e.category) if e.category else None, e.label, e.series,
                 e.victim_identified, json.dumps(dict(e.extra)) if e.extra else None)
                for e in VicsFormat().read(stream)]


def sqlite_floor(work: Path, rows: list[tuple[Any, ...]], indexes: bool) -> Callable[[], int]:
    import sqlite3

    from footprint.store import open_store

    path = work / f"floor-{uuid.uuid4().hex[:6]}.db"
    hashset_id = open_store(f"sqlite:///{path}").create_hashset("floor", "vics", "bench").id
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("synchronous=NORMAL", "cache_size=-65536", "journal_mode=WAL"):
        conn.execute(f"PRAGMA {pragma}")
    for index in () if indexes else ENTRY_INDEXES:
        conn.execute(f"DROP INDEX {index}")
    sql = f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
    values = [(hashset_id, *row[1:]) for row in rows]

    def run() -> int:
        conn.execute("BEGIN IMMEDIATE")
        for start in range(0, len(values), 10_000):
            conn.executemany(sql, values[start:start + 10_000])
        conn.execute("COMMIT")
        return len(values)
    return run


def postgres_floor(admin: Any, rows: list[tuple[Any, ...]], indexes: bool) -> tuple[float, float]:
    import psycopg

    from footprint.store import open_store

    schema, url = postgres_schema(admin)
    store = open_store(url)
    hashset_id = store.create_hashset("floor", "vics", "bench").id
    store.close()  # type: ignore[attr-defined]
    values = [(hashset_id, *row[1:]) for row in rows]
    with psycopg.connect(POSTGRES, options=f"-csearch_path={schema}") as conn:
        for index in () if indexes else ENTRY_INDEXES:
            conn.execute(f"DROP INDEX {index}")
        conn.commit()

        def run() -> int:
            with conn.cursor() as cursor, cursor.copy(f"COPY entries ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            conn.commit()
            return len(values)
        rates = timed(run)
    drop_schema(admin, schema)
    return rates


def child(files: Path) -> None:
    import ijson

    from footprint.hashsets.csvlist import CsvFormat
    from footprint.hashsets.hashlist import HashListFormat
    from footprint.hashsets.vics import VicsFormat

    admin = postgres_admin()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        warm_up = work / "warm-up"
        warm_up.mkdir()
        (warm_up / "list.txt").write_text("".join(f"{i:032x}\n" for i in range(100)))
        for name in ("media.json", "list.csv"):
            (warm_up / name).write_bytes((files / name).read_bytes()[:4096])
        end_to_end(warm_up, work, admin, ("list.txt",))  # modules loaded, connections made: not counted
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results["end to end"] = end_to_end(files, work, admin)
        results["peak RSS grew MB"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        rows = ready_rows(files)
        floors = {"SQLite executemany, 4 indexes": timed(sqlite_floor(work, rows, True)),
                  "SQLite executemany, no index": timed(sqlite_floor(work, rows, False))}
        if admin is not None:
            floors["PostgreSQL COPY, 4 indexes"] = postgres_floor(admin, rows, True)
            floors["PostgreSQL COPY, no index"] = postgres_floor(admin, rows, False)
        results["store floor (ready-made rows)"] = floors
    del rows
    media, case, small = files / "media.json", files / "case.json", files / "small.json"
    results["read only"] = {
        "json.load whole file (old baseline)": timed(reading(media, lambda s: json.load(s)["value"])),
        f"ijson items() alone ({ijson.backend})": timed(reading(media, lambda s: ijson.items(s, "value.item"))),
        "vics, Media layout (C items path)": timed(reading(media, lambda s: VicsFormat().read(s))),
        "vics, one Case (Python walker)": timed(reading(case, lambda s: VicsFormat().read(s))),
        "vics, ijson python backend": timed(reading(small, lambda s: VicsFormat(backend="python").read(s))),
        "csv (md5, sha1, category, label)": timed(reading(files / "list.csv", lambda s: CsvFormat().read(s))),
        "hashlist (md5sum output)": timed(reading(files / "list.txt", lambda s: HashListFormat().read(s))),
    }
    print(json.dumps(results))


# -- running and printing (in the parent) ---------------------------------------------------


def run_child(files: Path, tree: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")
    found = subprocess.run([sys.executable, __file__, "--child", str(files)], env=env, check=True,
                           capture_output=True, text=True)
    sys.stderr.write(found.stderr)
    return json.loads(found.stdout)


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for section, values in runs[0].items():
        if isinstance(values, dict):
            merged[section] = {name: [max(r[section][name][i] for r in runs) for i in (0, 1)] for name in values}
        else:
            merged[section] = min(r[section] for r in runs)
    return merged


def show(count: int, here: dict[str, Any], there: dict[str, Any] | None) -> None:
    print(f"{count:,} entries a file; entries/s by wall clock and by CPU time (best of the runs)")
    heading = f"  {'':46s} {'wall':>10s} {'cpu':>10s}"
    if there is not None:
        heading += f" | {'before wall':>11s} {'before cpu':>10s} | {'ratio wall':>10s} {'ratio cpu':>9s}"
    for section, values in here.items():
        if not isinstance(values, dict):
            old = f" (before: {there[section]:.0f} MB)" if there is not None else ""
            print(f"{section}: {values:.0f} MB{old}")
            continue
        print(f"{section}:\n{heading}")
        for name, (wall, cpu) in values.items():
            line = f"  {name:46s} {wall:10,.0f} {cpu:10,.0f}"
            if there is not None:
                old_wall, old_cpu = there[section][name]
                line += f" | {old_wall:11,.0f} {old_cpu:10,.0f} | {wall / old_wall:9.2f}x {cpu / old_cpu:8.2f}x"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("entries", nargs="?", type=int, default=100_000)
    parser.add_argument("--against", type=Path, help="another footprint tree (DIR/src) to measure too")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp)
        write_files(files, args.entries)
        here: list[dict[str, Any]] = []
        there: list[dict[str, Any]] = []
        for _ in range(args.rounds):
            if args.against:
                there.append(run_child(files, args.against))
            here.append(run_child(files, None))
    show(args.entries, best(here), best(there) if there else None)


if __name__ == "__main__":
    main()
