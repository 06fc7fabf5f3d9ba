"""The budget of a top-level archive (sources/budget.py) on its own: its size, members counted as found,
bytes as read, and a container cut short with one warning naming the first member it did not give."""

from __future__ import annotations

import re
import threading

import pytest

from footprint.model import Item, ItemWarning
from footprint.sources.base import Limits
from footprint.sources.budget import Budget, Budgeted, BudgetSpent
from footprint.sources.compressed import CompressedSource
from footprint.sources.disk import DiskImageSource
from footprint.sources.registry import open_container
from footprint.sources.sevenzip import SevenZipSource
from footprint.sources.tararchive import TarSource

from .conftest import item_of, read
from .test_archives import make_7z, make_zip


def test_the_budget_is_the_fixed_allowance_or_a_multiple_of_the_archive_size():
    limits = Limits(nested_bytes=1000, nested_ratio=10, max_nested_members=7)
    assert Budget.beneath(item_of(b"x" * 50), limits).max_bytes == 1000
    assert Budget.beneath(item_of(b"x" * 500), limits).max_bytes == 5000
    assert Budget.beneath(item_of(b"x" * 500), limits).max_members == 7
    defaults = Budget.beneath(item_of(b"x" * (100 << 20)), Limits())  # 64 GiB, or 200 times its size
    assert defaults.max_bytes == 64 << 30 and defaults.max_members == 4_000_000


def test_a_100_gb_archive_of_photos_is_within_every_default_limit():
    """Photos barely compress: a 100 GB backup of them expands to about 100 GB, in 300,000 members; with a
    nested archive of as much again, 200 GB read beneath it. Its own total and its budget both allow it."""
    limits, size = Limits(), 100 * 10**9
    assert size <= limits.max_archive_total and limits.max_members >= 300_000
    budget = Budget.beneath(Item(item_of(b"").ref, size, lambda: None), limits)  # type: ignore[arg-type,return-value]
    assert 2 * size <= budget.max_bytes and budget.max_members >= 600_000


def test_an_archive_starts_a_budget_and_a_disk_image_does_not():
    zipped = item_of(make_zip({"a": b"1"}), "a.zip")
    assert open_container(zipped, zipped.open().read(), Limits()).unpacks  # type: ignore[union-attr]
    assert TarSource.unpacks and CompressedSource.unpacks and SevenZipSource.unpacks
    assert not DiskImageSource.unpacks  # its files lie in place within it


@pytest.mark.parametrize("make, name", [(make_zip, "m.zip"), (make_7z, "m.7z")])
def test_members_past_the_budget_are_not_read_and_the_container_says_from_where(make, name):
    data = make({f"{i}.bin": bytes([i]) * 100 for i in range(10)})
    item = item_of(data, name)
    budget = Budget(name, max_bytes=1 << 20, max_members=4)
    found = list(Budgeted(open_container(item, data, Limits()), item.ref, budget).items())  # type: ignore[arg-type]
    items = [f for f in found if isinstance(f, Item)]
    assert [str(i.ref) for i in items] == [f"{name}!{i}.bin" for i in range(4)]
    (warning,) = [f for f in found if isinstance(f, ItemWarning)]
    assert str(warning.ref) == name
    assert warning.message.endswith(f"the rest of this container not read, from {name}!4.bin (100 bytes declared) on")
    assert all(t.name != "footprint-7z" for t in threading.enumerate())  # a 7z's reader stopped


def test_bytes_are_counted_as_read_and_reading_stops_past_the_budget():
    data = make_zip({"a.bin": bytes(600), "b.bin": bytes(600)})
    item = item_of(data, "m.zip")
    budget = Budget("m.zip", max_bytes=1000, max_members=10)
    first, second = [f for f in Budgeted(open_container(item, data, Limits()), item.ref, budget).items()  # type: ignore[arg-type]
                     if isinstance(f, Item)]
    assert read(first) == bytes(600) and budget.read == 600
    with pytest.raises(BudgetSpent, match=re.escape("m.zip!b.bin: read no further: the budget")):
        read(second)
    assert budget.spent == "more than 1000 bytes read out of it"
