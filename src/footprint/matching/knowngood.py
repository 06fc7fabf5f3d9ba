"""A compact, exact lookup of known-good digests (NSRL): sorted arrays on disk, memory-mapped.

The NSRL holds hundreds of millions of rows, so its digests never go into the case database. For each
hash algorithm a folder holds two plain arrays (``numpy.save``, never pickle) plus a JSON header:

* ``<algorithm>.prefix.npy``: uint64, the first 8 bytes of each distinct digest read big-endian, sorted;
* ``<algorithm>.rest.npy``: uint8 ``[n, size - 8]``, the remaining bytes, in the same order.

A lookup finds the prefix by binary search (``numpy.searchsorted``) and then compares the remaining
bytes, so a hit is always the full digest: there is never a false known-good. Building is streamed:
digests are spread over 256 bucket files by their first byte, then each bucket is sorted and
deduplicated on its own, so memory holds one bucket (about 1/256 of the list) at a time.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from footprint.errors import FormatError

DIGEST_SIZES = {"sha256": 32, "sha1": 20, "md5": 16}
HEADER = "knowngood.json"
FORMAT = "footprint-knowngood-1"
PREFIX = 8
BUCKETS = 256


def prefixes(digests: np.ndarray) -> np.ndarray:
    """First 8 bytes of each row, as big-endian integers: integer order is byte order."""
    return np.ascontiguousarray(digests[:, :PREFIX]).view(">u8").ravel().astype(np.uint64)


def hex_to_digests(values: Sequence[str], algorithm: str) -> tuple[np.ndarray, np.ndarray]:
    """Hex digests to a uint8 ``[m, size]`` array and the indexes of the values that were valid."""
    size = DIGEST_SIZES[algorithm]
    if all(isinstance(v, str) and len(v) == 2 * size for v in values):
        try:
            raw = bytes.fromhex("".join(values))
            return np.frombuffer(raw, np.uint8).reshape(-1, size), np.arange(len(values))
        except ValueError:
            pass  # some value is not hex: sort them out one by one
    good, rows = [], []
    for i, value in enumerate(values):
        if isinstance(value, str) and len(value) == 2 * size:
            try:
                rows.append(bytes.fromhex(value))
                good.append(i)
            except ValueError:
                continue
    data = np.frombuffer(b"".join(rows), np.uint8).reshape(-1, size)
    return data, np.asarray(good, dtype=np.int64)


class DigestTable:
    """The sorted digests of one algorithm."""

    def __init__(self, prefix: np.ndarray, rest: np.ndarray) -> None:
        self.prefix = prefix
        self.rest = rest

    def __len__(self) -> int:
        return len(self.prefix)

    def contains(self, digests: np.ndarray) -> np.ndarray:
        """Boolean per row of ``digests`` (uint8 ``[m, size]``): is that exact digest in the table?"""
        found = np.zeros(len(digests), dtype=bool)
        n = len(self.prefix)
        if n == 0 or len(digests) == 0:
            return found
        wanted = prefixes(digests)
        at = np.searchsorted(self.prefix, wanted, side="left")
        inside = at < n
        candidates = np.nonzero(inside)[0]
        candidates = candidates[self.prefix[at[candidates]] == wanted[candidates]]
        if len(candidates) == 0:
            return found
        same = (np.asarray(self.rest[at[candidates]]) == digests[candidates, PREFIX:]).all(axis=1)
        found[candidates[same]] = True
        for i in candidates[~same]:  # another digest with the same 8-byte prefix: walk the run
            found[i] = self._walk(int(at[i]) + 1, int(wanted[i]), digests[i, PREFIX:])
        return found

    def _walk(self, j: int, prefix: int, rest: np.ndarray) -> bool:
        while j < len(self.prefix) and int(self.prefix[j]) == prefix:
            if np.array_equal(self.rest[j], rest):
                return True
            j += 1
        return False


class KnownGoodIndex:
    """One known-good list on disk: its header and a table per algorithm, memory-mapped."""

    def __init__(self, folder: Path, header: Mapping[str, Any], tables: Mapping[str, DigestTable]) -> None:
        self.folder = folder
        self.header = dict(header)
        self.tables = dict(tables)

    @classmethod
    def open(cls, folder: Path) -> KnownGoodIndex:
        try:
            header = json.loads((folder / HEADER).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FormatError(f"no known-good lookup in {folder}: {exc}") from exc
        if header.get("format") != FORMAT:
            raise FormatError(f"{folder / HEADER}: not a {FORMAT} header")
        tables = {}
        for algorithm in header["algorithms"]:
            prefix = np.load(folder / f"{algorithm}.prefix.npy", mmap_mode="r", allow_pickle=False)
            rest = np.load(folder / f"{algorithm}.rest.npy", mmap_mode="r", allow_pickle=False)
            if len(prefix) != len(rest) or rest.shape[1:] != (DIGEST_SIZES[algorithm] - PREFIX,):
                raise FormatError(f"{folder}: the {algorithm} arrays do not agree")
            tables[algorithm] = DigestTable(prefix, rest)
        return cls(folder, header, tables)

    def lookup(self, algorithm: str, values: Sequence[str]) -> np.ndarray:
        """Boolean per hex value: is it in this list? Malformed values are simply not found."""
        found = np.zeros(len(values), dtype=bool)
        table = self.tables.get(algorithm)
        if table is None or not values:
            return found
        digests, valid = hex_to_digests(values, algorithm)
        found[valid] = table.contains(digests)
        return found


class IndexBuilder:
    """Builds a KnownGoodIndex folder from digests given in chunks, in bounded memory.

    ``add`` spreads each chunk over bucket files by first byte; ``finish`` sorts and deduplicates
    each bucket, writes the arrays and then the header (a folder without its header is unfinished)."""

    def __init__(self, folder: Path, algorithms: Sequence[str]) -> None:
        unknown = [a for a in algorithms if a not in DIGEST_SIZES]
        if unknown or not algorithms:
            raise FormatError(f"known-good algorithms must be among {', '.join(DIGEST_SIZES)}, not {unknown}")
        self.folder = folder
        self.algorithms = list(dict.fromkeys(algorithms))
        self._work = folder / "buckets"
        self._work.mkdir(parents=True)
        self.added = dict.fromkeys(self.algorithms, 0)

    def add(self, algorithm: str, digests: np.ndarray) -> None:
        if len(digests) == 0:
            return
        order = np.argsort(digests[:, 0], kind="stable")
        ordered = digests[order]
        bounds = np.concatenate(([0], np.cumsum(np.bincount(digests[:, 0], minlength=BUCKETS))))
        for bucket in np.nonzero(np.diff(bounds))[0]:
            with self._bucket(algorithm, int(bucket)).open("ab") as out:
                out.write(ordered[bounds[bucket]:bounds[bucket + 1]].tobytes())
        self.added[algorithm] += len(digests)

    def finish(self, header: Mapping[str, Any]) -> dict[str, Any]:
        counts = {algorithm: self._write_table(algorithm) for algorithm in self.algorithms}
        shutil.rmtree(self._work)
        full = {**header, "format": FORMAT, "algorithms": self.algorithms, "counts": counts}
        (self.folder / HEADER).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return full

    def _bucket(self, algorithm: str, bucket: int) -> Path:
        return self._work / f"{algorithm}.{bucket:03d}.bin"

    def _write_table(self, algorithm: str) -> int:
        size = DIGEST_SIZES[algorithm]
        raw_prefix, raw_rest = self._work / f"{algorithm}.prefix.raw", self._work / f"{algorithm}.rest.raw"
        count = 0
        with raw_prefix.open("wb") as prefix_out, raw_rest.open("wb") as rest_out:
            for bucket in range(BUCKETS):
                path = self._bucket(algorithm, bucket)
                if not path.exists():
                    continue
                digests = sort_unique(np.fromfile(path, dtype=np.uint8).reshape(-1, size))
                path.unlink()
                prefix_out.write(prefixes(digests).tobytes())
                rest_out.write(np.ascontiguousarray(digests[:, PREFIX:]).tobytes())
                count += len(digests)
        _raw_to_npy(raw_prefix, self.folder / f"{algorithm}.prefix.npy", "<u8", (count,))
        _raw_to_npy(raw_rest, self.folder / f"{algorithm}.rest.npy", "|u1", (count, size - PREFIX))
        return count


def sort_unique(digests: np.ndarray) -> np.ndarray:
    """Rows sorted by their bytes, duplicates removed."""
    if len(digests) == 0:
        return digests
    size = digests.shape[1]
    padded = np.zeros((len(digests), -(-size // 8) * 8), dtype=np.uint8)
    padded[:, :size] = digests
    words = padded.view(">u8")
    order = np.lexsort(tuple(words[:, k].astype(np.uint64) for k in reversed(range(words.shape[1]))))
    ordered = digests[order]
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    return ordered[keep]


def _raw_to_npy(raw: Path, target: Path, descr: str, shape: tuple[int, ...]) -> None:
    """A .npy file from a raw array written piecewise (its length known only at the end)."""
    with target.open("wb") as out, raw.open("rb") as data:
        np.lib.format.write_array_header_1_0(out, {"descr": descr, "fortran_order": False, "shape": shape})
        shutil.copyfileobj(data, out, 16 << 20)
    raw.unlink()
