"""Fixtures for the hasher tests: the ThreatExchange PDQ reference images and expected hashes in
../shared/data (the tests skip cleanly when that data is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

THREATEXCHANGE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "threatexchange"


@pytest.fixture(scope="session")
def threatexchange() -> Path:
    if not (THREATEXCHANGE / "pdq-expected.csv").is_file():
        pytest.skip(f"reference data {THREATEXCHANGE} is absent (see ../shared/data/README.md)")
    return THREATEXCHANGE


@pytest.fixture(scope="session")
def pdq_expected(threatexchange: Path) -> dict[str, str]:
    """Expected PDQ hex by path relative to threatexchange/ (e.g. pdq/data/bridge-mods/aaa-orig.jpg)."""
    with (threatexchange / "pdq-expected.csv").open(newline="") as handle:
        return {row["path"]: row["pdq"].strip().lower() for row in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def pdq_data(threatexchange: Path) -> Path:
    return threatexchange / "pdq" / "data"
