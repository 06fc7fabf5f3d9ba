"""Intake of one exhibit: what it is, what to call it, and its fingerprint before and after reading.

A file given as evidence (a disk image, an archive, a single picture) is fingerprinted by its
MD5, SHA-1 and SHA-256; a folder, whose files are each hashed by the scan anyway, by a manifest of
its paths, sizes and modification times. The scan compares the fingerprint before and after: a
change is an integrity failure, reported loudly.
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
from footprint.sources.folder import FolderSource
from footprint.sources.integrity import evidence_files, hash_evidence, verify_ewf


@dataclass
class Evidence:
    path: str
    name: str
    kind: str  # folder | file
    size: int | None
    source: EvidenceSource
    _fingerprint: dict[str, str] | None = field(default=None, repr=False)
    _files: tuple[int, int] | None = field(default=None, repr=False)

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
        extents and parents), in the order its fingerprint read them."""
        if self.kind != "file":
            return {}
        found: dict[str, object] = {}
        files = evidence_files(Path(self.path))
        if len(files) > 1:
            found["evidence_files"] = [p.name for p in files]
        with open(self.path, "rb") as stream:
            head = stream.read(64 << 10)
        if detect(head) == "application/x-ewf":
            found["ewf_verification"] = verify_ewf(Path(self.path))
        return found


def open_evidence(path: Path, limits: Limits) -> Evidence:
    try:
        info = path.stat()
    except OSError as exc:
        raise EvidenceError(f"cannot open evidence {path}: {exc.strerror or exc}") from exc
    real = str(path.resolve())
    name = path.resolve().name or real
    if stat.S_ISDIR(info.st_mode):
        return Evidence(real, name, "folder", None, FolderSource(Path(real), name))
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISBLK(info.st_mode):
        raise EvidenceError(f"evidence {path} is neither a file, a device nor a folder")
    return Evidence(real, name, "file", info.st_size, FolderSource(Path(real), name))


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
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            yield os.path.relpath(full, root), info
