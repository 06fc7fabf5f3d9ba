"""Bad rows in hash-set files, and how readers report them.

Real-world lists run to millions of rows and a few are often damaged (a truncated hash, a stray
category). A reader therefore hands each bad record to an ``on_problem(record_no, message)`` callback
and skips it. The default callback raises FormatError, so nothing is skipped silently unless the caller
asked for it; ``ReadReport`` is the callback to pass when skipping and counting is wanted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from footprint.errors import FormatError

ProblemHandler = Callable[[int, str], None]

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
_HEX = re.compile(r"[0-9a-f]+")
_HEX_DIGITS = "0123456789abcdef"


class RecordProblem(Exception):
    """One record is bad; the reader passes the message to its ProblemHandler and skips the record."""


def raise_problem(record_no: int, message: str) -> None:
    """The default handler: any bad record stops the read, naming the record."""
    raise FormatError(f"record {record_no}: {message}")


def raise_line_problem(line_no: int, message: str) -> None:
    """The default handler of line-based formats (CSV, hash lists): stop, naming the line."""
    raise FormatError(f"line {line_no}: {message}")


@dataclass
class ReadReport:
    """A ProblemHandler that counts skipped records and keeps the first ``keep`` messages."""

    keep: int = 100
    skipped: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    def __call__(self, record_no: int, message: str) -> None:
        self.skipped += 1
        if len(self.problems) < self.keep:
            self.problems.append((record_no, message))

    def summary(self) -> str:
        if not self.skipped:
            return "no records skipped"
        first = "; ".join(f"record {n}: {m}" for n, m in self.problems[:3])
        return f"{self.skipped} records skipped ({first})"


def clean_hex(value: object, algorithm: str) -> str | None:
    """Lower-case hex of the right length for ``algorithm``, None when empty; RecordProblem if bad."""
    if value is None:
        return None
    length = HEX_LENGTHS[algorithm]
    if type(value) is str and len(value) == length:  # the common case: skip strip()
        text = value.lower()
        if not text.strip(_HEX_DIGITS):  # nothing left once hex digits are taken off both ends
            return text
    if not isinstance(value, str):
        raise RecordProblem(f"{algorithm} value {value!r} is not text")
    text = value.strip().lower()
    if not text:
        return None
    if len(text) != length or not _HEX.fullmatch(text):
        raise RecordProblem(f"{algorithm} value {_shorten(value)!r} is not {length} hex digits")
    return text


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
