"""Intake of one exhibit: what it is, what to call it, and its fingerprint before and after reading.

A file given as evidence (a disk image, an archive, a single picture) is fingerprinted by its
MD5, SHA-1 and SHA-256; a folder, whose files are each hashed by the scan anyway, by a manifest of
its paths, sizes and modification times. The scan compares the fingerprint before and after: a
change is an integrity failure, reported loudly.

A split image is one exhibit, its first segment: the later ones (x.E02, x.002…) are read through it
and are in its fingerprint, so given beside it they are dropped from the list (``exhibit_paths``),
and an EWF one given alone is not verified as a set of its own (``Evidence.details``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from footprint.errors import EvidenceError
from footprint.sources.base import EvidenceSource, Limits
from footprint.sources.detect import detect
from footprint.sources.ewf import ewf_segment_number
from footprint.sources.folder import FolderSource, list_folder, open_readonly
from footprint.sources.integrity import (
    evidence_files,
    ewf_acquisition,
    first_segment,
    hash_evidence,
    raw_piece,
    verify_ewf,
)


@dataclass
class Evidence:
    path: str
    name: str
    kind: str  # folder | file
    size: int | None
    source: EvidenceSource
    _fingerprint: dict[str, str] | None = field(default=None, repr=False)
    _files: tuple[int, int] | None = field(default=None, repr=False)
    _details: dict[str, object] | None = field(default=None, repr=False)

    def fingerprint(self, again: bool = False) -> dict[str, str]:
        if self._fingerprint is None or again:
            self._fingerprint, self._files = _fingerprint(Path(self.path), self.kind)
        return self._fingerprint

    def files(self) -> tuple[int, int] | None:
        """A folder's file count and total bytes, from the manifest its fingerprint walked (for a
        progress estimate); None for a file, whose items are known only once it is opened."""
        if self.kind != "folder":
            return None
        self.fingerprint()
        return self._files

    def details(self) -> dict[str, object]:
        """Checks the container itself can make (an E01's stored acquisition hashes), and the files
        an exhibit of several is made of (a split image's segments, a virtual disk's descriptor,
        extents and parents), in the order its fingerprint read them. Made once: a scan asks before
        it walks the exhibit (an E01's failing chunks, found by its verification, are then known to
        its reader: sources.ewf), and again to record them."""
        if self._details is None:
            self._details = self._checks()
        return dict(self._details)

    def adopt_details(self, details: dict[str, object]) -> None:
        """Take ``details`` as this evidence's checks: made by another process from the same evidence (a
        cluster scan's begin), so that the record says what the reads went by."""
        if details:
            self._details = dict(details)

    def _checks(self) -> dict[str, object]:
        if self.kind != "file":
            return {}
        found: dict[str, object] = {}
        files = evidence_files(Path(self.path))
        if len(files) > 1:
            found["evidence_files"] = [p.name for p in files]
        with open_readonly(self.path) as stream:
            head = stream.read(64 << 10)
        if detect(head) == "application/x-ewf" and ewf_segment_number(head) in (None, 1):
            found["ewf_verification"] = verify_ewf(Path(self.path))  # a later segment: its first verifies the set
            if acquisition := ewf_acquisition(Path(self.path)):
                found["ewf_acquisition"] = acquisition
        return found


def exhibit_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The evidence paths to scan as exhibits, and a note for each one left out: a later segment of a
    split image (x.E02, x.EAA, x.002…) whose first segment is in the list too, as a shell glob
    (``x.E0*``) gives them. Its first segment reads it as part of the image and hashes it in the
    exhibit's fingerprint; scanned on its own it would be a second, partial, copy of the disk."""
    given = {str(p.resolve()) for p in paths}
    kept: list[Path] = []
    notes: list[str] = []
    for path in paths:
        first = first_segment(path.resolve())
        if first is not None and str(first[0]) in given and _is_segment_of(path, first[1]):
            notes.append(f"{path}: segment {first[1]} of {first[0].name}, read as part of it, not as an exhibit")
        else:
            kept.append(path)
    return kept, notes


def _is_segment_of(path: Path, number: int) -> bool:
    """Whether the file at ``path`` is what its name says: a raw segment by its name alone, an EWF one
    only when its own header gives that segment number (x.eps is not segment 340 of x.e01)."""
    if raw_piece(path.name):
        return True
    try:
        with open_readonly(path) as stream:
            return ewf_segment_number(stream.read(16)) == number
    except OSError:
        return False


def open_evidence(path: Path, limits: Limits) -> Evidence:
    try:
        info = path.stat()
    except OSError as exc:
        raise EvidenceError(f"cannot open evidence {path}: {exc.strerror or exc}") from exc
    real = str(path.resolve())
    name = path.resolve().name or real
    if not _is_text(real):
        shown = os.fsencode(real).decode("utf-8", "backslashreplace")
        raise EvidenceError(f"evidence path {shown} is not UTF-8: the case records an exhibit's path as text; "
                            f"scan it through a UTF-8 name (a read-only bind mount of it)")
    if stat.S_ISDIR(info.st_mode):
        return Evidence(real, name, "folder", None, FolderSource(Path(real), name))
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISBLK(info.st_mode):
        raise EvidenceError(f"evidence {path} is neither a file, a device nor a folder")
    return Evidence(real, name, "file", info.st_size, FolderSource(Path(real), name))


def _is_text(path: str) -> bool:
    """Whether a path Python read from the system is UTF-8 (not one with a byte it kept as a surrogate)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fingerprint(path: Path, kind: str) -> tuple[dict[str, str], tuple[int, int] | None]:
    if kind == "file":
        return hash_evidence([path]), None
    digest = hashlib.sha256()
    count = total = 0
    for rel, info in _manifest(path):
        digest.update(f"{rel}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        count += 1
        total += info.st_size
    return {"manifest-sha256": digest.hexdigest(), "files": str(count)}, (count, total)


def _manifest(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(relative path, lstat) of every file under ``root``, in the order ``os.walk(root)`` gave them (a
    folder's files by name, then its subfolders by name; a link to a folder listed, not followed; a
    folder that cannot be listed left out), so fingerprints taken before this code still compare; but
    folders listed without touching their access times (sources.folder.list_folder)."""
    top = str(root)
    cut = len(top if top.endswith(os.sep) else top + os.sep)  # a path's part past the root's: os.path.relpath's
    stack = [top]  # answer, without its two abspath calls a file (half the scan's own time on small pictures)
    while stack:
        folder = stack.pop()
        try:
            names = sorted(list_folder(folder))
        except OSError:
            continue
        subfolders = []
        for name in names:
            full = os.path.join(folder, name)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                subfolders.append(full)
            elif not (stat.S_ISLNK(info.st_mode) and os.path.isdir(full)):  # os.walk lists a link to a folder
                yield full[cut:], info                                        # with the folders, not entered
        stack.extend(reversed(subfolders))
