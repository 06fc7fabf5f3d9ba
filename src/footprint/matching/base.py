"""Hamming-radius indexes over fixed-width binary hashes (PDQ: 256 bits = 32 bytes).

The hash algorithm and the index are separate: every index answers the same question, exactly,
and the tests run each against the brute-force one. Saved as plain arrays plus a JSON header.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import numpy as np


class HammingIndex(ABC):
    name: ClassVar[str]  # brute, faiss, ...

    @abstractmethod
    def __init__(self, hashes: np.ndarray, ids: np.ndarray) -> None:
        """``hashes``: uint8[n, nbytes]; ``ids``: int64[n] (the store's entry ids)."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def search(self, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
        """For each query (uint8[m, nbytes]) every (id, distance) with distance <= radius,
        sorted by distance then id. Exact: no index may miss a neighbour within the radius."""

    @abstractmethod
    def save(self, directory: Path) -> None: ...

    @classmethod
    @abstractmethod
    def load(cls, directory: Path) -> HammingIndex: ...
