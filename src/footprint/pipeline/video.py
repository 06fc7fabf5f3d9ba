"""Videos in a scan: hashed with vPDQ from the bytes already read, or from a seekable stream (a
stream that cannot seek is spooled to a temporary file, never to the evidence), and matched against
the known videos of every hash set that carries vPDQ frames."""

from __future__ import annotations

import io
import shutil
import statistics
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, TypeVar

from footprint.errors import ItemError
from footprint.hashers.vpdq import VideoDigest, VpdqHasher, frames_from_text
from footprint.matching.video import VideoIndex, to_match
from footprint.model import Item, KnownEntry, Match, PerceptualDigest, Skipped
from footprint.private import write_private
from footprint.reports.storyboard import storyboard_for_video
from footprint.store.base import HashSetRecord, Store

T = TypeVar("T")

SPOOL_IN_MEMORY = 64 << 20


def hash_video(item: Item, data: bytes | None, storyboards: Path | None = None,
               sha256: str | None = None) -> tuple[PerceptualDigest | Skipped, list[str]]:
    """The item's vPDQ digest (the frames as reference text) and the decoder's warnings. With
    ``storyboards``, a contact sheet of key frames is kept there as ``<sha256>.jpg`` (shown blurred
    by any UI), so that a reviewer can judge the video without playing it."""
    hasher = VpdqHasher()
    try:
        digest = _with_source(item, data, hasher.hash_video)
    except (ItemError, OSError, ValueError) as exc:
        return Skipped(str(exc) or type(exc).__name__), []
    quality = int(statistics.median(f.quality for f in digest.frames))
    warnings = [f"video: {w}" for w in digest.warnings]
    if storyboards is not None and sha256:
        warnings += _keep_storyboard(item, data, digest, storyboards / f"{sha256}.jpg")
    return PerceptualDigest("vpdq", digest.to_text(), quality), warnings


def _with_source(item: Item, data: bytes | None, use: Callable[[BinaryIO], T]) -> T:
    if data is not None:
        return use(io.BytesIO(data))
    with item.open() as stream, _seekable(stream) as source:
        return use(source)


def _keep_storyboard(item: Item, data: bytes | None, digest: VideoDigest, target: Path) -> list[str]:
    if target.exists():
        return []
    try:
        sheet = _with_source(item, data, lambda source: storyboard_for_video(source, digest))
    except (ItemError, OSError, ValueError) as exc:
        return [f"storyboard: {exc}"]
    if sheet is None:
        return ["storyboard: no key frame could be decoded again"]
    write_private(target, lambda out: out.write(sheet))  # a colour contact sheet: 0600, never wider
    return []


class _seekable:
    def __init__(self, stream) -> None:
        self.stream = stream
        self.spool: tempfile.SpooledTemporaryFile[bytes] | None = None

    def __enter__(self):
        if getattr(self.stream, "seekable", lambda: False)():
            return self.stream
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        shutil.copyfileobj(self.stream, self.spool, 1 << 20)
        self.spool.seek(0)
        return self.spool

    def __exit__(self, *exc: object) -> None:
        if self.spool is not None:
            self.spool.close()


class VideoMatcher:
    """Every known video (entries whose ``extra`` carries ``vpdq`` frames), per hash set."""

    def __init__(self, store: Store, hashsets: Sequence[HashSetRecord]) -> None:
        self._banks: list[tuple[HashSetRecord, VideoIndex, dict[int, KnownEntry]]] = []
        for hashset in hashsets:
            entries = {hit.entry_id: hit.entry for hit in store.iter_entries(hashset.id)
                       if "vpdq" in hit.entry.extra}
            if entries:
                videos = [(i, frames_from_text(e.extra["vpdq"])) for i, e in entries.items()]
                self._banks.append((hashset, VideoIndex(videos), entries))

    def match(self, digest: PerceptualDigest) -> list[Match]:
        if not self._banks:
            return []
        frames = frames_from_text(digest.value)
        found: list[Match] = []
        for hashset, index, entries in self._banks:
            for entry_id, comparison in sorted(index.search(frames).items()):
                entry = entries[entry_id]
                match = to_match(comparison, hashset=hashset.name, entry_id=entry_id,
                                 label=entry.label, category=entry.category)
                if match is not None:
                    found.append(match)
        return found
