"""vPDQ hash files, as the reference ``vpdq-hash-video`` writes them: one known video a file.

Each line is ``frame_number,quality,pdq_hex,timestamp_seconds``. The whole file becomes ONE
KnownEntry whose ``extra["vpdq"]`` holds the frames in the same text form (normalised: lower-case
hex, three decimals), so the store keeps them as any other alternative hash and the matcher parses
them back with ``footprint.hashers.vpdq.frames_from_text``.

The reference format has no header. footprint accepts optional ``#`` comment lines before or between
frames; ``# name: X`` (or ``# label: X``), ``# category: uk:A`` and ``# series: X`` fill the entry,
other comments are ignored. Without a name the label is left None for the importer to fill in with
the file's name (footprint.pipeline.importing does, e.g. ``chair-orig-22-sd-bar.txt``). Frame lines
that are not in the form go to ``on_problem`` (raising FormatError with the line number by default);
a file with no frame at all is a FormatError.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from footprint.errors import FormatError
from footprint.hashers.vpdq import VideoFrame, frames_to_text, parse_line
from footprint.hashsets.base import HashSetFormat
from footprint.hashsets.problems import ProblemHandler, raise_line_problem
from footprint.model import Category, CategoryScheme, KnownEntry

MAX_LINE = 4096
SNIFF_LINES = 20
_HEADER_KEYS = {"name": "label", "label": "label", "category": "category", "series": "series"}


class VpdqFileFormat(HashSetFormat):
    """One reference vPDQ text file → one KnownEntry carrying the frames."""

    name: ClassVar[str] = "vpdq"

    def __init__(self, *, on_problem: ProblemHandler = raise_line_problem, categories: str = "auto") -> None:
        self.on_problem = on_problem
        self.categories = categories  # accepted for the registry's common options; a header says it

    def sniff(self, head: bytes) -> bool:
        lines = head.decode("utf-8", errors="replace").splitlines()
        if len(lines) > 1 and not head.endswith(b"\n"):
            lines = lines[:-1]  # the head may end inside a line
        frames = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")][:SNIFF_LINES]
        if not frames:
            return False
        try:
            for line in frames:
                parse_line(line)
        except FormatError:
            return False
        return True

    def read(self, stream: BinaryIO) -> Iterator[KnownEntry]:
        header: dict[str, str] = {}
        frames: list[VideoFrame] = []
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
        for line_no, raw in enumerate(text, start=1):
            line = raw.strip()
            if not line:
                continue
            if len(line) > MAX_LINE:
                self.on_problem(line_no, f"line longer than {MAX_LINE} characters")
            elif line.startswith("#"):
                _read_header(line, header)
            else:
                self._add_frame(frames, line, line_no)
        text.detach()
        if not frames:
            raise FormatError("vpdq file: no frame lines (frame_number,quality,pdq_hex,timestamp)")
        yield _entry(frames, header)

    def _add_frame(self, frames: list[VideoFrame], line: str, line_no: int) -> None:
        try:
            frames.append(parse_line(line, line_no))
        except FormatError as exc:
            self.on_problem(line_no, str(exc))


def _read_header(line: str, header: dict[str, str]) -> None:
    key, sep, value = line.lstrip("#").strip().partition(":")
    field = _HEADER_KEYS.get(key.strip().lower())
    if sep and field and value.strip():
        header.setdefault(field, value.strip())


def _entry(frames: list[VideoFrame], header: dict[str, str]) -> KnownEntry:
    category = None
    if "category" in header:
        try:
            scheme, _, code = header["category"].partition(":")
            category = Category(CategoryScheme(scheme.strip().lower()), code.strip().upper())
        except ValueError as exc:
            raise FormatError(f"vpdq file: bad category header {header['category']!r}: {exc}") from exc
    return KnownEntry(category=category, label=header.get("label"), series=header.get("series"),
                      extra={"vpdq": frames_to_text(frames)})
