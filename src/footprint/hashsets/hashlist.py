"""Plain hash lists: one hash a line, as written by hand or by md5sum / sha1sum / sha256sum.

Accepted lines: ``<hex>``, ``<hex>  name``, ``<hex> *name`` (GNU, the name becomes the label, a
leading backslash marks an escaped name) and ``MD5 (name) = <hex>`` (BSD, the named algorithm must
fit the length). Blank lines and ``#`` comments are skipped.

The algorithm comes from the length: 32 hex digits md5, 40 sha1, 64 sha256. A 64-digit value could
equally be a PDQ hash; "hashlist" always reads it as sha256 and is the only one of the two that is
detected from content. "pdqlist" reads every line as a PDQ hash (``<hex>`` optionally followed by
whitespace, ``,`` or ``;`` and a label) and is used only when the user names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from footprint.hashsets.base import HashSetFormat
from footprint.hashsets.problems import ProblemHandler, RecordProblem, raise_line_problem
from footprint.model import KnownEntry

MAX_LINE = 64 * 1024
BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256"}
_GNU = re.compile(r"\\?([0-9A-Fa-f]+)(?:[ \t]+\*?(.*))?")
_BSD = re.compile(r"(MD5|SHA-?1|SHA-?256) ?\((.*)\) ?= ?([0-9A-Fa-f]+)", re.IGNORECASE)
_PDQ = re.compile(r"([0-9A-Fa-f]{64})(?:[\s,;]+(.*))?")


class HashListFormat(HashSetFormat):
    """md5/sha1/sha256 lists; ``on_problem(line_no, message)`` gets each bad line (default: raise)."""

    name: ClassVar[str] = "hashlist"

    def __init__(self, *, on_problem: ProblemHandler = raise_line_problem) -> None:
        self.on_problem = on_problem

    def sniff(self, head: bytes) -> bool:
        """A hash list when its first line and at least half of the others are hash lines: a few bad
        lines are the list's problems, reported by number at import, not a reason to call it unknown."""
        lines = _content_lines(head)
        good = [self._parses(line) for line in lines]
        return bool(good) and good[0] and 2 * sum(good) >= len(good)

    def _parses(self, line: str) -> bool:
        try:
            return self.parse_line(line) is not None
        except RecordProblem:
            return False

    def read(self, stream: BinaryIO) -> Iterator[KnownEntry]:
        for line_no, line in _numbered_lines(stream):
            try:
                entry = self.parse_line(line)
            except RecordProblem as problem:
                self.on_problem(line_no, str(problem))
                continue
            if entry is not None:
                yield entry

    def parse_line(self, line: str) -> KnownEntry | None:
        """The entry on one line, None for a blank or comment line; RecordProblem when it is bad."""
        text = line.strip()
        if not text or text.startswith("#"):
            return None
        gnu = _GNU.fullmatch(text)  # tried first, the common case; BSD lines start with a letter past f
        if not gnu:
            bsd = _BSD.fullmatch(text)
            if not bsd:
                raise RecordProblem(f"not a hash line: {text[:80]!r}")
            algorithm = re.sub("-", "", bsd.group(1).lower())
            return _entry(bsd.group(3), bsd.group(2), algorithm)
        name = gnu.group(2)
        if name is not None and text.startswith("\\"):
            name = name.replace("\\n", "\n").replace("\\\\", "\\")
        return _entry(gnu.group(1), name, None)


class PdqListFormat(HashListFormat):
    """PDQ lists: every line one 64-digit PDQ hash. Never detected: the user chooses it."""

    name: ClassVar[str] = "pdqlist"

    def sniff(self, head: bytes) -> bool:
        return False

    def parse_line(self, line: str) -> KnownEntry | None:
        text = line.strip()
        if not text or text.startswith("#"):
            return None
        match = _PDQ.fullmatch(text)
        if not match:
            raise RecordProblem(f"not a PDQ line (64 hex digits, then an optional label): {text[:80]!r}")
        return KnownEntry(pdq=match.group(1).lower(), label=(match.group(2) or "").strip() or None)


def _entry(hex_value: str, name: str | None, algorithm: str | None) -> KnownEntry:
    by_length = BY_LENGTH.get(len(hex_value))
    if by_length is None or (algorithm is not None and algorithm != by_length):
        expected = algorithm or "md5, sha1 or sha256"
        raise RecordProblem(f"{len(hex_value)} hex digits is not a {expected} hash")
    label = name.strip() if name else None
    return KnownEntry(**{by_length: hex_value.lower()}, label=label or None)  # type: ignore[arg-type]


def _numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line; an overlong line is reported as such and its rest skipped."""
    line_no = 0
    while raw := stream.readline(MAX_LINE):
        line_no += 1
        if len(raw) >= MAX_LINE and not raw.endswith(b"\n"):
            while (more := stream.readline(MAX_LINE)) and not more.endswith(b"\n"):
                pass
            yield line_no, f"<a line longer than {MAX_LINE} bytes>"
            continue
        text = raw.decode("utf-8", "replace")
        yield line_no, text.removeprefix("\ufeff") if line_no == 1 else text


def _content_lines(head: bytes) -> list[str]:
    """The non-blank, non-comment lines of a head, without a last line the head may have cut."""
    lines = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")) and len(head) >= MAX_LINE:
        lines.pop()
    return [line for line in lines if line.strip() and not line.strip().startswith("#")]
