"""CSV hash sets: a header row naming the columns, then one entry a row.

Recognised columns (any case; ``-``, ``_`` and spaces ignored, so ``SHA-256`` is sha256): md5, sha1,
sha256, pdq, category, label, series. A category column may also be named ``Cat``, ``UK Category``,
``Category UK``, ``CAID Category``, ``VICS Category`` or ``Project VIC Category``; another column whose
name looks like a category (``... cat``, ``categor...``, ``grade``, ``classification``) is not read, and
the import warns of it (``warnings``). Other columns are ignored. At least one hash column is needed.
The delimiter is the first of ``,`` ``;`` tab whose split of the header names a hash column. Files are
read as UTF-8 (a byte-order mark is dropped; undecodable bytes become U+FFFD, which can only spoil a
label, never pass as a hash).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator
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
from footprint.model import Category, KnownEntry

COLUMNS = ("md5", "sha1", "sha256", "pdq", "category", "label", "series")
DELIMITERS = (",", ";", "\t")
MAX_LINE = 1024 * 1024
_SEPARATORS = re.compile(r"[\s_\-]+")
_CATEGORY_CACHE = 1024


class CsvFormat(HashSetFormat):
    """Reads CSV hash sets. ``categories`` says how bare numbers in the category column are read
    (``none``: refused as ambiguous; ``vics``; ``uk``); ``on_problem(line_no, message)`` gets each bad
    row, which is skipped (the default raises FormatError)."""

    name: ClassVar[str] = "csv"

    def __init__(self, *, categories: str = "none", on_problem: ProblemHandler = raise_line_problem) -> None:
        self.numbers = Numbers(categories)
        self.on_problem = on_problem
        self._category_column: str | None = None  # the header's name of the column read, once read
        self._unread: list[str] = []  # category-like columns not read

    def category_numbering(self) -> str | None:
        if self._category_column is None:
            return "no category column: entries have no category"
        numbers = {Numbers.NONE: "UK letters (A, B, C, N) or uk:/vics: values; a bare number is refused",
                   Numbers.VICS: "numbers as VICS (Project VIC 0-4), by --categories vics",
                   Numbers.UK: "numbers as UK-numeric (1-4 = A, B, C, N), by --categories uk"}[self.numbers]
        return f"categories from column {self._category_column!r}: {numbers}"

    def warnings(self) -> list[str]:
        return [f"column {name!r} looks like a category but is not read (a category column is named Category, "
                f"Cat, UK Category or VICS Category): its values are not imported" for name in self._unread]

    def sniff(self, head: bytes) -> bool:
        text = head.decode(_encoding(head), "replace")
        return _header_delimiter(text.splitlines()[0] if text else "") is not None

    def read(self, stream: BinaryIO) -> Iterator[KnownEntry]:
        head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
        text = io.TextIOWrapper(stream, encoding=_encoding(head), errors="replace", newline="")
        try:
            lines = _bounded_lines(text)
            header = next(lines, "")
            delimiter = _header_delimiter(header)
            if delimiter is None:
                raise FormatError(f"CSV header names no hash column ({', '.join(COLUMNS[:4])}): "
                                  f"{header[:200].strip()!r}")
            names = next(csv.reader([header], delimiter=delimiter))
            columns = _columns(names)
            self._category_column = names[columns["category"]].strip() if "category" in columns else None
            self._unread = _unread_categories(names, columns)
            yield from self._rows(lines, delimiter, columns)
        finally:
            text.detach()

    def _rows(self, lines: Iterator[str], delimiter: str, columns: dict[str, int]) -> Iterator[KnownEntry]:
        read: list[str] = []  # the lines of the row being read
        rows = csv.reader(_recorded(lines, read), delimiter=delimiter, strict=True)
        entry = _RowReader(columns, self.numbers).entry
        try:
            for row in rows:
                if len(read) > 1:
                    _check_swallowed(read, rows.line_num, delimiter, entry)
                read.clear()
                try:
                    yield entry(row)
                except RecordProblem as problem:
                    if any(cell.strip() for cell in row):  # a blank row is no problem: skipped
                        self.on_problem(rows.line_num + 1, str(problem))  # +1: the header line
        except csv.Error as exc:  # a quote left open to the end of the file, or text after a closing quote
            _check_swallowed(read, rows.line_num, delimiter, entry)
            raise FormatError(f"CSV line {rows.line_num + 1}: {exc}") from None


def _recorded(lines: Iterator[str], read: list[str]) -> Iterator[str]:
    for line in lines:
        read.append(line)
        yield line


def _check_swallowed(read: list[str], last: int, delimiter: str, entry: Callable[[list[str]], KnownEntry]) -> None:
    """Refuse the file when a row of several lines (``read``, ending at line ``last``) holds lines that are
    rows of their own: a quote left open, which made csv read every line after it, up to the next quote,
    as one field; the rows in those lines would be lost without a word. (A quoted label or note may hold
    line breaks: that is a row of several lines too, and is read as one.)"""
    for number, line in enumerate(read[1:], start=last - len(read) + 3):
        with contextlib.suppress(csv.Error, RecordProblem, StopIteration):
            entry(next(csv.reader([line], delimiter=delimiter)))
            raise FormatError(f"CSV line {last - len(read) + 2}: a quote opened there runs over {len(read)} "
                              f"lines, and line {number} in it is a row of its own: a quote left open? (rows "
                              f"from there on would be lost)")


class _RowReader:
    """One CSV row as a KnownEntry, the columns' positions looked up once for the whole file."""

    def __init__(self, columns: dict[str, int], numbers: Numbers) -> None:
        self.md5, self.sha1, self.sha256, self.pdq, self.category, self.label, self.series = (
            columns.get(name) for name in COLUMNS)
        self.width = max(columns.values()) + 1
        self.numbers = numbers
        self.categories: dict[str, Category | None] = {}  # lists repeat a handful of values: parse each once

    def entry(self, row: list[str]) -> KnownEntry:
        if len(row) < self.width:
            row = row + [""] * (self.width - len(row))
        md5 = None if self.md5 is None else _hex(row[self.md5], "md5")
        sha1 = None if self.sha1 is None else _hex(row[self.sha1], "sha1")
        sha256 = None if self.sha256 is None else _hex(row[self.sha256], "sha256")
        pdq = None if self.pdq is None else _hex(row[self.pdq], "pdq")
        if not (md5 or sha1 or sha256 or pdq):
            raise RecordProblem("no hash in this row")
        return KnownEntry(md5=md5, sha1=sha1, sha256=sha256, pdq=pdq,
                          category=None if self.category is None else self._category(row[self.category]),
                          label=None if self.label is None else row[self.label].strip() or None,
                          series=None if self.series is None else row[self.series].strip() or None)

    def _category(self, text: str) -> Category | None:
        if text in self.categories:
            return self.categories[text]
        try:
            category = parse_category(text, self.numbers)
        except FormatError as exc:
            raise RecordProblem(str(exc)) from None
        if len(self.categories) < _CATEGORY_CACHE:
            self.categories[text] = category
        return category


def _hex(cell: str, algorithm: str) -> str | None:
    return clean_hex(cell, algorithm) if cell else None


def _header_delimiter(header: str) -> str | None:
    for delimiter in DELIMITERS:
        names = next(csv.reader([header], delimiter=delimiter), [])
        if any(column in HEX_LENGTHS for column in _columns(names)):
            return delimiter
    return None


def _encoding(head: bytes) -> str:
    """UTF-16 where the file starts with its byte order mark (spreadsheet programs save "Unicode text"
    so), else UTF-8, with or without its own mark."""
    return "utf-16" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"


# Column names as tools export them, once spaces, hyphens and underscores are gone and case is ignored:
# "MD5 Hash", "SHA-1 Value", "SHA256 Digest"; a file's name is its label.
_SUFFIXES = ("hashvalue", "hash", "value", "digest")
_ALIASES = {"filename": "label", "name": "label", "file": "label", "cat": "category", "ukcategory": "category",
            "categoryuk": "category", "ukcat": "category", "caidcategory": "category", "vicscategory": "category",
            "categoryvics": "category", "vicscat": "category", "projectviccategory": "category"}
_LOOKS_LIKE_CATEGORY = re.compile(r"categor|^cat|cat$|grade|classif")


def _columns(names: list[str]) -> dict[str, int]:
    """Recognised column name → index (the first column of each name wins)."""
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        key = _column_key(name)
        if key in COLUMNS:
            found.setdefault(key, index)
    return found


def _column_key(name: str) -> str:
    key = _SEPARATORS.sub("", name.strip().strip('"').lower())
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and key[:-len(suffix)] in HEX_LENGTHS:
            key = key[:-len(suffix)]
            break
    return _ALIASES.get(key, key)


def _unread_categories(names: list[str], columns: dict[str, int]) -> list[str]:
    """Columns whose names look like a category but are not the one read."""
    return [name for index, name in enumerate(names) if index != columns.get("category")
            and _column_key(name) not in COLUMNS and _LOOKS_LIKE_CATEGORY.search(_column_key(name))]


def _bounded_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """Lines of at most MAX_LINE characters: a hostile file with no line breaks is refused, not loaded."""
    line_no = 0
    while line := text.readline(MAX_LINE):
        line_no += 1
        if len(line) >= MAX_LINE and not line.endswith("\n"):
            raise FormatError(f"CSV line {line_no} is longer than {MAX_LINE} characters")
        yield line

