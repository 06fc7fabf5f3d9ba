"""One budget for everything expanded beneath a top-level archive, however deep it nests.

Each archive's own limits (``Limits``: member size, ratio, total, members) bound one archive, not what
its members hold: a recursive bomb (42.zip: 16 zips in each of 5 levels, each leaf gigabytes of zeros,
42 KB in all) passes every check of every archive, and its 16^5 leaves would each be inflated up to
its own cap. So the outermost archive found in the evidence (the first container on an item's path
that unpacks: zip, tar, 7z, gzip, bzip2, xz) starts a ``Budget``, and every member found beneath it,
at any depth, draws on it: a member counted as it is found, its bytes as they are read out (through
``metered``). A disk image opened outside any archive starts none: its files lie in place within it,
bounded by its size; one found inside an archive draws on that archive's budget like any member.

When the budget runs out, the member being read stops with ``BudgetSpent`` (its reason says so) and
each container on the way up that still had members to give is cut short there, with a warning that
names it and the first member not read (``cut_short``). Every copy of a repeated inner archive (a bomb
repeats one 16 times) is walked: each is a file of its own at its own address, and what it holds
belongs there; the budget is what bounds the repetition.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import BinaryIO

from footprint.errors import ItemError
from footprint.model import Item, ItemRef, ItemWarning
from footprint.sources.base import EvidenceSource, Found, Limits


class BudgetSpent(ItemError):
    """Reading on would pass the budget of the top-level archive the item lies beneath."""


@dataclass
class Budget:
    top: str  # the ref of the top-level archive it belongs to
    max_bytes: int
    max_members: int
    read: int = 0  # bytes read out of members so far
    members: int = 0  # members found so far
    spent: str | None = None  # why it ran out, once it has

    @classmethod
    def beneath(cls, item: Item, limits: Limits) -> Budget:
        """The budget of the archive ``item``: the larger of the fixed allowance and a multiple of its size."""
        scaled = (item.size or 0) * limits.nested_ratio
        return cls(str(item.ref), max(limits.nested_bytes, scaled), limits.max_nested_members)

    def admit(self) -> str | None:
        """Count one more member found; why it must not be read, if so (the budget is spent)."""
        if self.spent is None:
            self.members += 1
            if self.members > self.max_members:
                self.spent = f"more than {self.max_members} members found inside it"
        return self.spent

    def charge(self, size: int, what: str) -> None:
        """Count ``size`` bytes more read out of ``what``; BudgetSpent when that passes the budget."""
        self.read += size
        if self.read > self.max_bytes and self.spent is None:
            self.spent = f"more than {self.max_bytes} bytes read out of it"
        if self.spent is not None:
            raise BudgetSpent(f"{what}: read no further: {self.says()}")

    def says(self) -> str:
        return (f"the budget for everything inside {self.top} is spent ({self.spent}; "
                f"{self.members} members found, {self.read} bytes read)")

    def cut_short(self, first_unread: str, size: int | None) -> str:
        """The warning for a container cut short at ``first_unread`` (its declared ``size``, if known)."""
        how_much = f" ({size} bytes declared)" if size is not None else ""
        return f"{self.says()}: the rest of this container not read, from {first_unread}{how_much} on"

    def metered(self, item: Item) -> Item:
        """``item`` with its bytes counted against the budget as they are read."""
        return replace(item, opener=partial(_open_metered, item, self))


class Budgeted(EvidenceSource):
    """The items of ``source``, the content of the container ``ref``, while ``budget`` lasts: each member
    counted as it is found and metered as it is read; once the budget is spent, the next member found
    ends the walk of this container with one warning on it (``Budget.cut_short``)."""

    name = "budgeted"

    def __init__(self, source: EvidenceSource, ref: ItemRef, budget: Budget) -> None:
        self.source, self.ref, self.budget = source, ref, budget

    def items(self) -> Iterator[Found]:
        found = self.source.items()
        last = None  # the member found last: the warnings that follow an item name it again
        try:
            for each in found:
                if isinstance(each, Item) or each.ref not in (self.ref, last):
                    if self.budget.admit() is not None:
                        size = each.size if isinstance(each, Item) else None
                        yield ItemWarning(self.ref, "source", self.budget.cut_short(str(each.ref), size))
                        return
                    last = each.ref
                yield self.budget.metered(each) if isinstance(each, Item) else each
        finally:
            close = getattr(found, "close", None)
            if close is not None:  # a 7z's reading thread is told to stop
                close()


def _open_metered(item: Item, budget: Budget) -> BinaryIO:
    return Metered(item.open(), budget, str(item.ref))  # type: ignore[return-value]


class Metered(io.RawIOBase):
    """A read-only stream that charges a ``Budget`` for every byte read through it."""

    def __init__(self, raw: BinaryIO, budget: Budget, what: str) -> None:
        super().__init__()
        self.raw, self.budget, self.what = raw, budget, what

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self.raw.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        into = getattr(self.raw, "readinto", None)
        if into is not None:  # straight into the caller's buffer: no copy of every block
            count = into(buffer) or 0
        else:
            data = self.raw.read(len(buffer))
            count = len(data)
            buffer[:count] = data
        self.budget.charge(count, self.what)
        return count

    def close(self) -> None:
        if not self.closed:
            try:
                self.raw.close()
            finally:
                super().close()
