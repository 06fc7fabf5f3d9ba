"""Generated hash-set entries for the hash-set tests: random hex, every field exercised, benign."""

from __future__ import annotations

import random

from footprint.model import Category, CategoryScheme, KnownEntry


def hex_digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(count))


def sample_entries(count: int, *, scheme: CategoryScheme = CategoryScheme.VICS,
                   seed: int = 7) -> list[KnownEntry]:
    """Entries with a varying mix of hashes and metadata; every entry has at least one hash."""
    rng = random.Random(seed)
    codes = ("0", "1", "2", "3", "4") if scheme is CategoryScheme.VICS else ("A", "B", "C", "N")
    entries = []
    for i in range(count):
        entries.append(KnownEntry(
            md5=hex_digits(rng, 32),
            sha1=hex_digits(rng, 40) if i % 3 else None,
            sha256=hex_digits(rng, 64) if i % 2 else None,
            pdq=hex_digits(rng, 64) if i % 4 == 1 else None,
            category=Category(scheme, rng.choice(codes)) if i % 5 else None,
            label=str(1000 + i) if i % 6 else None,
            series=f"series-{i % 4}" if i % 7 == 3 else None,
            victim_identified=(i % 2 == 0) if i % 3 != 2 else None,
            extra={"ssdeep": f"3:abc{i}:def"} if i % 9 == 4 else {},
        ))
    return entries
