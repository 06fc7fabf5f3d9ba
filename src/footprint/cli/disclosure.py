"""Every disclosure of case data from the command line joins the case's audit trail.

The web workspace audits what a reviewer sees; an export, a report or a links file written by
``footprint`` on the command line discloses as much, so it is recorded the same way: who (the operating-
system user, as ``cli:NAME``), what (the action and its options), where it went (the absolute path, or
stdout), how many records, and the SHA-256 of the bytes written, so the very file handed on can be
checked against the trail later (``footprint audit verify CASE`` checks the chain itself).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from footprint.cli.user import actor
from footprint.review import audit
from footprint.store.base import CaseRecord, Store

BLOCK = 1 << 20


class HashingWriter(io.TextIOBase):
    """A text sink that passes everything on and takes the SHA-256 of its UTF-8 bytes on the way (a
    TextIOBase, so that writers that test for a text stream, such as xml.sax's XMLGenerator, see one)."""

    def __init__(self, out: TextIO) -> None:
        super().__init__()
        self._out = out
        self._sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._sha256.update(text.encode("utf-8", "surrogateescape"))
        self._out.write(text)
        return len(text)

    def flush(self) -> None:
        self._out.flush()

    def hexdigest(self) -> str:
        return self._sha256.hexdigest()


def file_sha256(path: Path) -> str:
    found = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            found.update(block)
    return found.hexdigest()


def record(store: Store, cases: Iterable[CaseRecord], action: str, output: Path | None, sha256: str,
           details: Mapping[str, object]) -> None:
    """One entry in each case's chain (a store without the review tables, the in-memory test store, keeps none)."""
    if getattr(store, "engine", None) is None:
        return
    entry = {**details, "output": str(output.resolve()) if output is not None else "stdout", "sha256": sha256}
    for case in cases:
        audit.append(store, action, user=actor(), case_id=case.id, details=entry)
