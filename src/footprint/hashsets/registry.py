"""The built-in hash-set formats, listed explicitly, and how a file's format is found.

Detection tries the formats in a fixed order, most specific first: a VICS document is JSON with
known keys, a CSV file names its hash columns in a header, a hash list is whatever is left when every
line is a bare hash. "pdqlist" is never detected (a 64-digit line could be sha256): the user names it.
"""

from __future__ import annotations

from typing import Any

from footprint.errors import FormatError, UsageError
from footprint.hashsets.base import HashSetFormat
from footprint.hashsets.csvlist import CsvFormat
from footprint.hashsets.hashlist import HashListFormat, PdqListFormat
from footprint.hashsets.vics import VicsFormat
from footprint.hashsets.vpdqfile import VpdqFileFormat

HASHSET_FORMATS: tuple[type[HashSetFormat], ...] = (
    VicsFormat, CsvFormat, HashListFormat, PdqListFormat, VpdqFileFormat)
DETECT_ORDER = ("vics", "csv", "hashlist", "vpdq")
HEAD_SIZE = 64 * 1024


def format_names() -> tuple[str, ...]:
    """Names of the built-in formats; raises if two share a name (names are stored, so permanent)."""
    names = tuple(fmt.name for fmt in HASHSET_FORMATS)
    if len(set(names)) != len(names):
        raise RuntimeError(f"hash-set format names are not unique: {names}")
    return names


def get_format(name: str, **options: Any) -> HashSetFormat:
    """A format by its permanent name; ``options`` go to its constructor (on_problem, categories...),
    less those it has no use for (a plain hash list has no categories)."""
    for fmt in HASHSET_FORMATS:
        if fmt.name == name:
            return fmt(**_options_for(name, options))
    raise UsageError(f"unknown hash-set format {name!r} (known: {', '.join(format_names())})")


def detect_format(head: bytes, **options: Any) -> HashSetFormat:
    """The first format in DETECT_ORDER whose sniff accepts ``head`` (the first 64 KiB of a file)."""
    for name in DETECT_ORDER:
        fmt = get_format(name, **_options_for(name, options))
        if fmt.sniff(head[:HEAD_SIZE]):
            return fmt
    raise FormatError(f"not a known hash-set format (tried: {', '.join(DETECT_ORDER)})")


def _options_for(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Only the options a format accepts: ``categories`` means nothing to a plain hash list."""
    if name in ("hashlist", "pdqlist"):
        return {key: value for key, value in options.items() if key != "categories"}
    return options
