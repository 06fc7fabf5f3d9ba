"""Category values found in hash-set files, read into ``model.Category`` without guessing.

Two schemes exist and their numbers collide, so a bare number is only read when the caller says
which scheme its file uses:

===============  =====================================================================
scheme           values read
===============  =====================================================================
always           ``uk:A`` / ``vics:1`` (footprint's own ``str(Category)`` form);
                 UK letters and words: ``A``, ``Category A``, ``cat. b``, ``Cat-C``,
                 ``N``, ``NI``, ``not indecent``, ``non-indecent`` → UK A/B/C/N;
                 empty, ``uncategorised``/``uncategorized`` → no category (None)
``numbers=vics`` Project VIC numbers: ``0`` uncategorised, ``1`` child abuse material,
                 ``2`` child exploitative / age difficult, ``3`` CGI / animation,
                 ``4`` comparison / ignorable → VICS 0-4 (0 is kept, as VICS 0)
``numbers=uk``   UK-numeric (VICS files of the UK profile, as used for CAID):
                 ``1``/``2``/``3`` → UK A/B/C, ``4`` → UK N (not indecent),
                 ``0`` → no category (None)
``numbers=none`` a bare number is ambiguous: FormatError
===============  =====================================================================

Anything else raises FormatError quoting the value. The UK-numeric mapping of ``4`` and ``0`` is
footprint's reading of the UK profile; check it against a real CAID export before relying on it.

Severity across both schemes (SEVERITY, most serious first): the indecent categories of either scheme
before any other, UK's graded three before VICS 1 (child abuse material, ungraded), then the rest as
each scheme orders them::

    uk:A  uk:B  uk:C  vics:1  uk:N  vics:2  vics:3  vics:4  vics:0

An item counts under the most serious category any list gives it, whatever the case's scheme: a list
calling it vics:4 (ignorable) never outweighs another calling it uk:A. Two lists disagree on an item
(``disagreement``) when they give it different categories of one scheme, or categories of the two
schemes on either side of the indecent line (uk:C and vics:1 agree; uk:A and vics:4 do not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from footprint.errors import FormatError
from footprint.model import Category, CategoryScheme, Match


class Numbers(StrEnum):
    """How a bare number in a category field is read."""

    NONE = "none"
    VICS = "vics"
    UK = "uk"


_UK_WORDS = {"a": "A", "b": "B", "c": "C", "n": "N", "ni": "N", "notindecent": "N", "nonindecent": "N"}
_NO_CATEGORY = {"", "uncategorised", "uncategorized"}
_UK_NUMBERS: dict[int, str | None] = {0: None, 1: "A", 2: "B", 3: "C", 4: "N"}
_VICS_TO_UK_PROFILE = {"A": 1, "B": 2, "C": 3, "N": 4}
_SEPARATORS = re.compile(r"[\s._\-]+")
# How to say which scheme numbers are in, for both kinds of caller: the command line and Python.
SAY_WHICH = "say which with --categories vics or --categories uk (categories='vics' or 'uk' in Python)"


def parse_category(value: object, numbers: Numbers | str = Numbers.NONE) -> Category | None:
    """Read one category value (text or a whole number); None means "no category"."""
    scheme = Numbers(numbers)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FormatError(f"category {value!r} is neither text nor a whole number")
    text = str(value).strip()
    if ":" in text:
        return _parse_qualified(text)
    key = _strip_prefix(_SEPARATORS.sub("", text.lower()))
    if key in _NO_CATEGORY:
        return None
    if key in _UK_WORDS:
        return Category(CategoryScheme.UK, _UK_WORDS[key])
    if key.isascii() and key.isdigit():
        return _parse_number(int(key), scheme, text)
    raise FormatError(f"category {text!r} fits no category scheme (UK A/B/C/N or VICS 0-4)")


def _strip_prefix(key: str) -> str:
    for prefix in ("category", "cat"):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    return key


def _parse_qualified(text: str) -> Category:
    scheme, _, code = text.partition(":")
    try:
        return Category(CategoryScheme(scheme.strip().lower()), code.strip().upper())
    except ValueError:
        raise FormatError(f"category {text!r} fits no category scheme (uk:A/B/C/N or vics:0-4)") from None


def _parse_number(number: int, scheme: Numbers, text: str) -> Category | None:
    if scheme is Numbers.NONE:
        raise FormatError(f"category {text!r} is a bare number, VICS 0-4 or UK-numeric: {SAY_WHICH}")
    if scheme is Numbers.VICS:
        if 0 <= number <= 4:
            return Category(CategoryScheme.VICS, str(number))
        raise FormatError(f"category {text!r} is not a VICS category (0-4)")
    if number in _UK_NUMBERS:
        code = _UK_NUMBERS[number]
        return Category(CategoryScheme.UK, code) if code else None
    raise FormatError(f"category {text!r} is not a UK-numeric category (0-4)")


def category_number(category: Category, numbers: Numbers | str) -> int:
    """The number a VICS file of the given profile stores for ``category`` (the inverse of parsing).

    A category of the other scheme is refused rather than translated: the schemes do not map onto
    each other one to one.
    """
    scheme = Numbers(numbers)
    if scheme is Numbers.VICS and category.scheme is CategoryScheme.VICS:
        return int(category.code)
    if scheme is Numbers.UK and category.scheme is CategoryScheme.UK:
        return _VICS_TO_UK_PROFILE[category.code]
    raise FormatError(f"category {category} cannot be written as a {scheme.value} number")


SEVERITY = {Category(CategoryScheme.UK, code): rank for rank, code in enumerate("ABC")} | {
    Category(CategoryScheme.VICS, "1"): 3, Category(CategoryScheme.UK, "N"): 4,
    **{Category(CategoryScheme.VICS, code): 5 + rank for rank, code in enumerate("2340")}}
INDECENT = frozenset(c for c, rank in SEVERITY.items() if rank <= SEVERITY[Category(CategoryScheme.VICS, "1")])


def most_serious_of(categories: Iterable[Category | None]) -> Category | None:
    """The most serious of the categories, across both schemes (SEVERITY); None when there is none."""
    return min((c for c in categories if c), key=SEVERITY.__getitem__, default=None)


def disagreement(categories: Iterable[Category | None]) -> bool:
    """Whether the categories contradict each other (module doc): one scheme's differ, or the two
    schemes' fall on either side of the indecent line."""
    found = {c for c in categories if c}
    same_scheme = any(a.scheme is b.scheme and a != b for a in found for b in found)
    return same_scheme or len({c in INDECENT for c in found}) > 1


def category_note(matches: Iterable[Match]) -> str | None:
    """What to say on an item whose lists disagree on its category (``disagreement``), else None."""
    matches = list(matches)
    if not disagreement(m.category for m in matches):
        return None
    listed = sorted({(str(m.category), m.hashset) for m in matches if m.category})
    return (f"lists disagree on this item's category: {', '.join(f'{c} ({h})' for c, h in listed)}; it counts "
            f"under the most serious, {most_serious_of(m.category for m in matches)} "
            f"(order: {' > '.join(map(str, SEVERITY))})")
