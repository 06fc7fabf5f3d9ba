"""The obvious correct index: XOR and popcount against every stored hash, in bounded chunks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import numpy as np

from footprint.errors import FormatError
from footprint.matching.base import HammingIndex

FORMAT_VERSION = 1
CHUNK = 1 << 16  # stored hashes compared per step: bounds the temporary arrays


def as_hash_matrix(hashes: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(hashes, dtype=np.uint8)
    if matrix.ndim != 2:
        raise ValueError("hashes must be a 2-D uint8 array (n, bytes)")
    return matrix


def popcount_rows(xored: np.ndarray) -> np.ndarray:
    """Bits set in each row of a uint8 matrix."""
    return np.bitwise_count(xored).sum(axis=1, dtype=np.int32)


class BruteForceIndex(HammingIndex):
    name: ClassVar[str] = "brute"

    def __init__(self, hashes: np.ndarray, ids: np.ndarray) -> None:
        self.hashes = as_hash_matrix(hashes)
        self.ids = np.asarray(ids, dtype=np.int64)
        if len(self.ids) != len(self.hashes):
            raise ValueError("one id per hash")

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
        queries = as_hash_matrix(queries)
        found: list[list[tuple[int, int]]] = [[] for _ in range(len(queries))]
        for start in range(0, len(self.hashes), CHUNK):
            block = self.hashes[start:start + CHUNK]
            for q, query in enumerate(queries):
                distances = popcount_rows(np.bitwise_xor(block, query))
                for row in np.flatnonzero(distances <= radius):
                    found[q].append((int(self.ids[start + row]), int(distances[row])))
        return [sorted(hits, key=lambda h: (h[1], h[0])) for hits in found]

    def save(self, directory: Path) -> None:
        save_arrays(directory, self.name, {"hashes": self.hashes, "ids": self.ids}, {})

    @classmethod
    def load(cls, directory: Path) -> BruteForceIndex:
        arrays, _ = load_arrays(directory, cls.name, ("hashes", "ids"))
        return cls(arrays["hashes"], arrays["ids"])


def save_arrays(directory: Path, name: str, arrays: dict[str, np.ndarray], params: dict[str, object]) -> None:
    """Plain .npy arrays and a JSON header: loading an index never runs code (no pickle)."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, array in arrays.items():
        np.save(directory / f"{key}.npy", array, allow_pickle=False)
    header = {"index": name, "version": FORMAT_VERSION, "count": len(arrays["ids"]),
              "arrays": sorted(arrays), "params": params}
    (directory / "header.json").write_text(json.dumps(header, indent=1), encoding="utf-8")


def load_arrays(directory: Path, name: str, keys: tuple[str, ...]) -> tuple[dict[str, np.ndarray], dict]:
    try:
        header = json.loads((directory / "header.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FormatError(f"no readable index header in {directory}: {exc}") from exc
    if header.get("index") != name or header.get("version") != FORMAT_VERSION:
        raise FormatError(f"{directory} holds a {header.get('index')} index v{header.get('version')}, "
                          f"not {name} v{FORMAT_VERSION}")
    try:
        arrays = {k: np.load(directory / f"{k}.npy", allow_pickle=False, mmap_mode="r") for k in keys}
    except (OSError, ValueError) as exc:
        raise FormatError(f"index arrays in {directory} are unreadable: {exc}") from exc
    if any(len(a) != header["count"] for a in (arrays["ids"],)):
        raise FormatError(f"index in {directory} does not hold the count its header states")
    return arrays, header.get("params", {})
