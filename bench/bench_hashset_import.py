"""How fast hash-set files are read, against stdlib json.load of the same file (the baseline).

    .venv/bin/python bench/bench_hashset_import.py [entries]

Prints entries/s for each reader and its ratio to the baseline measured in the same run. The ijson
pure-Python backend is measured on a tenth of the entries (it is slow) and its rate scaled as is.
"""

from __future__ import annotations

import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ijson

from footprint.hashsets.csvlist import CsvFormat
from footprint.hashsets.hashlist import HashListFormat
from footprint.hashsets.vics import CONTEXT_URLS, VicsFormat


def media_json(i: int, rng: random.Random) -> str:
    pdq = f', "AlternativeHashes": [{{"HashName": "PDQ", "HashValue": "{rng.randbytes(32).hex()}"}}]'
    return (f'{{"MediaID": {i}, "Category": {i % 5}, "MD5": "{rng.randbytes(16).hex().upper()}", '
            f'"SHA1": "{rng.randbytes(20).hex()}", "VictimIdentified": "false"{pdq if i % 2 else ""}}}')


def write_vics_file(path: Path, count: int, *, one_case: bool) -> None:
    rng = random.Random(1)
    with path.open("w") as out:
        out.write(f'{{"@odata.context": {json.dumps(CONTEXT_URLS["us"])}, "value": [')
        out.write('{"CaseID": 1, "Media": [' if one_case else "")
        out.write(",\n".join(media_json(i, rng) for i in range(count)))
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


def rate(read: Callable[[io.BufferedReader], int], path: Path) -> float:
    with path.open("rb") as stream:
        started = time.perf_counter()
        count = read(stream)
        return count / (time.perf_counter() - started)


def count_of(iterable: object) -> int:
    return sum(1 for _ in iterable)  # type: ignore[attr-defined]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        media, case, small = tmp_dir / "media.json", tmp_dir / "case.json", tmp_dir / "small.json"
        write_vics_file(media, count, one_case=False)
        write_vics_file(case, count, one_case=True)
        write_vics_file(small, count // 10, one_case=False)
        csv_path, list_path = write_text_files(tmp_dir, count)
        baseline = rate(lambda s: len(json.load(s)["value"]), media)
        results = {
            f"ijson items only ({ijson.backend})":
                rate(lambda s: count_of(ijson.items(s, "value.item")), media),
            "vics, Media layout (C items path)": rate(lambda s: count_of(VicsFormat().read(s)), media),
            "vics, one Case (Python walker)": rate(lambda s: count_of(VicsFormat().read(s)), case),
            "vics, Media layout, ijson python backend":
                rate(lambda s: count_of(VicsFormat(backend="python").read(s)), small),
            "csv (md5, sha1, category, label)": rate(lambda s: count_of(CsvFormat().read(s)), csv_path),
            "hashlist (md5sum output)": rate(lambda s: count_of(HashListFormat().read(s)), list_path),
        }
    print(f"{count} entries; baseline json.load (whole file in memory): {baseline:,.0f} entries/s")
    for name, value in results.items():
        print(f"  {name:45s} {value:12,.0f} entries/s  {value / baseline:5.2f}x baseline")


if __name__ == "__main__":
    main()
