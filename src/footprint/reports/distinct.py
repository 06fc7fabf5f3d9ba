"""The figures for the court per exhibit, as files and as distinct images.

Each exhibit (a laptop, a phone) is often a charge of its own, so the court figures are given for each
exhibit and for the whole case; and a picture saved in two folders and a zip is three files but one
image, so each figure is given twice: as ``files`` (every place something was found, each counted once
however many lists matched it) and as ``distinct`` images (DISTINCT_MEANS). A file's category, state,
kind and basis are those the court figures give it (summary.Counts); a distinct image counts once, under
one category, state, kind and basis, each that of some copy of it (IMAGE_RULE), so that within any one
exhibit, and within the whole case, every split of the distinct images adds up to their total, and no
figure of distinct images exceeds the same figure of files.

The exhibits' files add up to the case's files. The exhibits' distinct images add up to at least the
case's: a picture held on two exhibits is one image on each, and once for the whole case
(``on_several_exhibits`` says how many such pictures there are). Videos are counted as videos, apart
from pictures (``by_media``), by the same rules. Near copies (resized, recompressed) are different
files and different images here: grouping them is a judgement of likeness, not proof of identity.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from footprint.hashsets.categories import SEVERITY
from footprint.model import Category, ItemState

STATES = tuple(s.value for s in ItemState)  # live (allocated) before deleted before carved
MEDIA_KINDS = ("picture", "video", "other")  # summary.media_kind
# The basis of an item's category for the court (summary.Counts), in the order the report gives them.
BASES = ("reviewer_verified", "list_only", "reviewer_only")
_REVIEWED_FIRST = ("reviewer_verified", "reviewer_only", "list_only")
# What "distinct" means, and which copy a distinct image is counted by: the report and `case show` say both.
DISTINCT_MEANS = ("identical content (the same SHA-256) counted once: identical copies in several places (folders, "
                  "archives, exhibits) are one, each place still listed among the items; a near copy (resized, "
                  "recompressed) is another, since likeness is not proof of identity; a file with no SHA-256 "
                  "counts as one of its own")
IMAGE_RULE = ("a distinct image or video counts once: under the category of the newest reviewer's decision on "
              "any of its copies, else the most serious the lists gave; as live (allocated) if any of its copies "
              "under that category is, else deleted if one is, else carved; and as categorised by a reviewer if "
              "any of those copies was")


@dataclass(frozen=True)
class Counted:
    """One file as the court figures count it."""

    exhibit: str
    sha256: str | None
    item_id: int | None
    category: str  # "uk:A", or "uncategorised"
    state: str
    media: str
    basis: str
    decided_at: str = ""  # its reviewer's current decision (ISO 8601, UTC); "" when none

    def identity(self) -> tuple[str, object]:
        """What makes two files one image: their SHA-256; a file without one is an image of its own."""
        if self.sha256:
            return "sha256", self.sha256
        return "item", self.item_id if self.item_id is not None else id(self)


def _severity(category: str) -> int:
    try:
        return SEVERITY.get(Category.parse(category), len(SEVERITY))
    except ValueError:
        return len(SEVERITY) + 1  # "uncategorised": after every category


def image_of(copies: list[Counted]) -> Counted:
    """One distinct image, from its copies (IMAGE_RULE): the category of the newest reviewer's decision on
    any copy, else the lists' most serious; then, of the copies under that category, the most accessible
    state and the basis resting on a reviewer if any does. Every figure it counts in, a copy counts in."""
    decided = [c for c in copies if c.basis != "list_only"]
    if decided:
        category = max(decided, key=lambda c: (c.decided_at, -_severity(c.category))).category
    else:
        category = min(copies, key=lambda c: _severity(c.category)).category
    under = [c for c in copies if c.category == category]
    return replace(under[0], state=min((c.state for c in under), key=STATES.index),
                   basis=min((c.basis for c in under), key=_REVIEWED_FIRST.index))


@dataclass
class Split:
    """One figure (of files or of distinct images) and its splits, every key present."""

    all: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    by_media: Counter[str] = field(default_factory=Counter)
    by_basis: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, files: Iterable[Counted]) -> Split:
        found = cls()
        for f in files:
            found.all += 1
            found.by_state[f.state] += 1
            found.by_media[f.media] += 1
            found.by_basis[f.basis] += 1
        return found

    def as_dict(self) -> dict[str, object]:
        def every(counter: Counter[str], keys: tuple[str, ...]) -> dict[str, int]:
            return {k: counter[k] for k in keys}

        return {"all": self.all, "by_state": every(self.by_state, STATES),
                "by_media": every(self.by_media, MEDIA_KINDS), "by_basis": every(self.by_basis, BASES)}


def images(files: Iterable[Counted]) -> list[Counted]:
    """Each distinct image among the files, once (image_of)."""
    copies: dict[tuple[str, object], list[Counted]] = defaultdict(list)
    for f in files:
        copies[f.identity()].append(f)
    return [image_of(found) for found in copies.values()]


def table(files: list[Counted]) -> dict[str, object]:
    """Files and distinct images, by category and in all, of one exhibit or of the whole case."""
    kept = images(files)
    by_category = {c: {"files": Split.of(f for f in files if f.category == c).as_dict(),
                       "distinct": Split.of(f for f in kept if f.category == c).as_dict()}
                   for c in sorted({f.category for f in files})}
    every = {"files": Split.of(files).as_dict(), "distinct": Split.of(kept).as_dict()}
    return {"by_category": by_category, "all": every}


class Breakdown:
    """The court figures' files, gathered as they are counted, laid out per exhibit and for the case."""

    def __init__(self) -> None:
        self.files: list[Counted] = []
        self.exhibits: set[str] = set()  # every exhibit named, even one where nothing counted

    def expect(self, exhibits: Iterable[str]) -> None:
        self.exhibits.update(exhibits)

    def add(self, counted: Counted) -> None:
        self.files.append(counted)
        self.exhibits.add(counted.exhibit)

    def per_exhibit(self) -> dict[str, dict[str, object]]:
        found: dict[str, list[Counted]] = defaultdict(list)
        for f in self.files:
            found[f.exhibit].append(f)
        return {name: table(found.get(name, [])) for name in sorted(self.exhibits)}

    def on_several_exhibits(self) -> int:
        """Distinct images held on more than one exhibit."""
        where: dict[tuple[str, object], set[str]] = defaultdict(set)
        for f in self.files:
            where[f.identity()].add(f.exhibit)
        return sum(1 for held in where.values() if len(held) > 1)

    def split_categories(self) -> int:
        """Distinct images (of the whole case) whose copies count under different categories: counted
        once, under the category IMAGE_RULE picks (a reviewer categorised one copy otherwise than another,
        or than the lists of an unreviewed copy)."""
        seen: dict[tuple[str, object], set[str]] = defaultdict(set)
        for f in self.files:
            seen[f.identity()].add(f.category)
        return sum(1 for categories in seen.values() if len(categories) > 1)

    def as_dict(self) -> dict[str, object]:
        return {"distinct_means": DISTINCT_MEANS, "image_rule": IMAGE_RULE, "case": table(self.files),
                "by_exhibit": self.per_exhibit(), "on_several_exhibits": self.on_several_exhibits(),
                "split_categories": self.split_categories()}
