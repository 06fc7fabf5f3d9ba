"""CSV hash sets: a header row naming the columns, then one entry a row.

Recognised columns (any case; ``-``, ``_`` and spaces ignored, so ``SHA-256`` is sha256): md5, sha1,
sha256, pdq, category, label, series. Other columns are ignored. At least one hash column is needed.
The delimiter is the first of ``,`` ``;`` tab whose split of the header names a hash column. Files are
read as UTF-8 (a byte-order mark is dropped; undecodable bytes become U+FFFD, which can only spoil a
label, never pass as a hash).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from footprint.errors import FormatError
from footprint.hashsets.base import HashSetFormat
from footprint.hashsets.categories import Numbers, parse_category
from footprint.hashsets.problems import (
    HEX_LENGTHS,
    ProblemHandler,
    RecordProblem,
    clean_hex,
    raise_line_problem,
)
from footprint.model import KnownEntry

COLUMNS = ("md5", "sha1", "sha256", "pdq", "category", "label", "series")
DELIMITERS = (",", ";", "\t")
MAX_LINE = 1024 * 1024
_SEPARATORS = re.compile(r"[\s_\-]+")


class CsvFormat(HashSetFormat):
    """Reads CSV hash sets. ``categories`` says how bare numbers in the category column are read
    (``none``: refused as ambiguous; ``vics``; ``uk``); ``on_problem(line_no, message)`` gets each bad
    row, which is skipped (the default raises FormatError)."""

    name: ClassVar[str] = "csv"

    def __init__(self, *, categories: str = "none", on_problem: ProblemHandler = raise_line_problem) -> None:
        self.numbers = Numbers(categories)
        self.on_problem = on_problem

    def sniff(self, head: bytes) -> bool:
        text = head.decode("utf-8-sig", "replace")
        return _header_delimiter(text.splitlines()[0] if text else "") is not None

    def read(self, stream: BinaryIO) -> Iterator[KnownEntry]:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        try:
            lines = _bounded_lines(text)
            header = next(lines, "")
            delimiter = _header_delimiter(header)
            if delimiter is None:
                raise FormatError(f"CSV header names no hash column ({', '.join(COLUMNS[:4])}): "
                                  f"{header[:200].strip()!r}")
            columns = _columns(next(csv.reader([header], delimiter=delimiter)))
            yield from self._rows(lines, delimiter, columns)
        finally:
            text.detach()

    def _rows(self, lines: Iterator[str], delimiter: str, columns: dict[str, int]) -> Iterator[KnownEntry]:
        rows = csv.reader(lines, delimiter=delimiter)
        try:
            for row in rows:
                if not any(cell.strip() for cell in row):
                    continue
                try:
                    yield self._entry(row, columns)
                except RecordProblem as problem:
                    self.on_problem(rows.line_num + 1, str(problem))  # +1: the header line
        except csv.Error as exc:
            raise FormatError(f"CSV line {rows.line_num + 1}: {exc}") from None

    def _entry(self, row: list[str], columns: dict[str, int]) -> KnownEntry:
        cells = {name: row[index] if index < len(row) else "" for name, index in columns.items()}
        hashes = {name: clean_hex(cells.get(name), name) for name in HEX_LENGTHS if name in cells}
        if not any(hashes.values()):
            raise RecordProblem("no hash in this row")
        try:
            category = parse_category(cells.get("category"), self.numbers)
        except FormatError as exc:
            raise RecordProblem(str(exc)) from None
        return KnownEntry(md5=hashes.get("md5"), sha1=hashes.get("sha1"), sha256=hashes.get("sha256"),
                          pdq=hashes.get("pdq"), category=category,
                          label=cells.get("label", "").strip() or None,
                          series=cells.get("series", "").strip() or None)


def _header_delimiter(header: str) -> str | None:
    for delimiter in DELIMITERS:
        names = next(csv.reader([header], delimiter=delimiter), [])
        if any(column in HEX_LENGTHS for column in _columns(names)):
            return delimiter
    return None


def _columns(names: list[str]) -> dict[str, int]:
    """Recognised column name → index (the first column of each name wins)."""
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        key = _SEPARATORS.sub("", name.strip().strip('"').lower())
        if key in COLUMNS:
            found.setdefault(key, index)
    return found


def _bounded_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """Lines of at most MAX_LINE characters: a hostile file with no line breaks is refused, not loaded."""
    line_no = 0
    while line := text.readline(MAX_LINE):
        line_no += 1
        if len(line) >= MAX_LINE and not line.endswith("\n"):
            raise FormatError(f"CSV line {line_no} is longer than {MAX_LINE} characters")
        yield line

