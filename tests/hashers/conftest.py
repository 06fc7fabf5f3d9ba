"""Fixtures for the hasher tests: the ThreatExchange PDQ reference images and expected hashes in
../shared/data (the tests skip cleanly when that data is absent); footprint's C run both ways, in AVX2
lanes and in scalar code."""

from __future__ import annotations

import csv
import ctypes
import importlib.util
from collections.abc import Iterator
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


@pytest.fixture(params=["lanes", "scalar"])
def lanes(request: pytest.FixtureRequest) -> Iterator[str]:
    """footprint's C (_pdqc.c) running lines side by side in AVX2 lanes (where the CPU has
    AVX2), then in its scalar code: footprint_lanes switches them for the test and back after it."""
    spec = importlib.util.find_spec("footprint.hashers._pdqc")
    assert spec is not None and spec.origin is not None, "hashers/_pdqc.c was not built"
    switch = ctypes.CDLL(spec.origin).footprint_lanes
    before = switch(-1)
    if switch(int(request.param == "lanes")) != (request.param == "lanes"):
        switch(before)
        pytest.skip("this CPU has no AVX2")
    yield request.param
    switch(before)
