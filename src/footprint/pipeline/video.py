"""Videos in a scan: hashed with vPDQ from the bytes already read, or from a seekable stream (a
stream that cannot seek is spooled to a temporary file, never to the evidence), and matched against
the known videos of every hash set that carries vPDQ frames."""

from __future__ import annotations

import io
import shutil
import statistics
import tempfile
from collections.abc import Sequence

from footprint.errors import ItemError
from footprint.hashers.vpdq import VpdqHasher, frames_from_text
from footprint.matching.video import VideoIndex, to_match
from footprint.model import Item, Match, PerceptualDigest, Skipped
from footprint.store.base import HashSetRecord, Store

SPOOL_IN_MEMORY = 64 << 20


def hash_video(item: Item, data: bytes | None) -> tuple[PerceptualDigest | Skipped, list[str]]:
    """The item's vPDQ digest (the frames as reference text) and the decoder's warnings."""
    hasher = VpdqHasher()
    try:
        if data is not None:
            digest = hasher.hash_video(io.BytesIO(data))
        else:
            with item.open() as stream, _seekable(stream) as source:
                digest = hasher.hash_video(source)
    except (ItemError, OSError, ValueError) as exc:
        return Skipped(str(exc) or type(exc).__name__), []
    quality = int(statistics.median(f.quality for f in digest.frames))
    warnings = [f"video: {w}" for w in digest.warnings]
    return PerceptualDigest("vpdq", digest.to_text(), quality), warnings


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
        self._banks: list[tuple[HashSetRecord, VideoIndex, dict[int, object]]] = []
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
                                 label=entry.label, category=entry.category)  # type: ignore[attr-defined]
                if match is not None:
                    found.append(match)
        return found
