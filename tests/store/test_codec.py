"""The row codec both stores share: warnings, timestamps, known entries, PDQ arrays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from footprint.errors import FormatError, StoreError
from footprint.model import KnownEntry
from footprint.store import codec


@given(st.text())
def test_warnings_split_and_join_back_exactly(text):
    assert codec.join_warning(*codec.split_warning(text)) == text


def test_warning_stage_is_a_leading_word():
    assert codec.split_warning("decode: truncated: at 12") == ("decode", "truncated: at 12")
    assert codec.split_warning("read 2 bytes: short") == (None, "read 2 bytes: short")
    assert codec.split_warning("Decode: x") == (None, "Decode: x")


def test_utc():
    plus_two = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert codec.utc(plus_two) == datetime(2024, 1, 1, 10, tzinfo=UTC) and codec.utc(plus_two).tzinfo is UTC
    assert codec.utc(datetime(2024, 1, 1, 12)) == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert codec.utc(None) is None


def test_entry_rows_lower_case_and_check_pdq():
    row = codec.entry_row(KnownEntry(md5="AB" * 16, pdq="F" * 64))
    assert row["md5"] == "ab" * 16 and row["pdq"] == "f" * 64 and row["extra"] is None
    for bad in ("f" * 63, "g" * 64, "f" * 65):
        with pytest.raises(FormatError):
            codec.entry_row(KnownEntry(pdq=bad))


def test_pdq_arrays():
    hexes = ["00" * 31 + "ff", "80" + "00" * 31]
    ids, hashes = codec.pdq_arrays([5, 9], hexes)
    assert ids.tolist() == [5, 9] and ids.dtype == np.int64
    assert hashes.shape == (2, 32) and hashes[0, 31] == 255 and hashes[1, 0] == 128
    assert codec.pdq_arrays([], [])[1].shape == (0, 32)


def test_json_that_cannot_be_stored_is_a_store_error():
    with pytest.raises(StoreError, match="details"):
        codec.json_or_none({"when": datetime.now(UTC)}, "details")
    assert codec.json_or_none({}, "details") is None
