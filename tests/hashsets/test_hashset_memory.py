"""Big VICS files are streamed: memory stays a small fraction of the file, whatever the layout.

The 300k-entry file is read in a child process whose peak resident size is compared before and after
the read (this also counts ijson's C buffers); the one-Case layout, which goes through the Python
walker, is checked with tracemalloc. Rates are printed for the record; there is no timing assertion.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from footprint.hashsets.vics import CONTEXT_URLS, VicsFormat

CHILD = """
import resource, sys, time
from footprint.hashsets.vics import VicsFormat
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
count = 0
with open(sys.argv[1], "rb") as stream:
    for entry in VicsFormat().read(stream):
        count += 1
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, entry.label, (after - before) * 1024, count / seconds)
"""


def write_big(path: Path, count: int, *, one_case: bool, seed: int = 3) -> int:
    """A VICS file of ``count`` generated Media records, written fast with a string template."""
    rng = random.Random(seed)
    with path.open("w") as out:
        out.write(f'{{"@odata.context": {json.dumps(CONTEXT_URLS["us"])}, "value": [')
        out.write('{"CaseID": 1, "Media": [' if one_case else "")
        for i in range(count):
            pdq = f', "AlternativeHashes": [{{"HashName": "PDQ", "HashValue": "{rng.randbytes(32).hex()}"}}]'
            out.write(f'{"," if i else ""}\n{{"MediaID": {i}, "Category": {i % 5}, '
                      f'"MD5": "{rng.randbytes(16).hex().upper()}", "SHA1": "{rng.randbytes(20).hex()}", '
                      f'"MediaSize": {rng.randrange(1, 1 << 24)}{pdq if i % 2 else ""}}}')
        out.write("]}" if one_case else "")
        out.write("\n]}\n")
    return path.stat().st_size


def test_300k_entries_read_in_bounded_memory(tmp_path: Path) -> None:
    count = 300_000
    size = write_big(tmp_path / "big.json", count, one_case=False)
    result = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "big.json")],
                            capture_output=True, text=True, check=True)
    read, last, grown, rate = result.stdout.split()
    print(f"\nmedia layout: {count} entries, {size / 1e6:.1f} MB, peak RSS grew "
          f"{int(grown) / 1e6:.1f} MB, {float(rate):,.0f} entries/s")
    assert (int(read), last) == (count, str(count - 1))
    assert int(grown) < size / 10


def test_one_huge_case_is_streamed_record_by_record(tmp_path: Path) -> None:
    count = 30_000
    size = write_big(tmp_path / "case.json", count, one_case=True)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        with (tmp_path / "case.json").open("rb") as stream:
            read, last = 0, None
            for entry in VicsFormat().read(stream):
                read, last = read + 1, entry.label
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\none Case: {count} entries, {size / 1e6:.1f} MB, tracemalloc peak {peak / 1e6:.2f} MB, "
          f"{count / seconds:,.0f} entries/s under tracemalloc")
    assert (read, last) == (count, str(count - 1))
    assert peak < size / 5
