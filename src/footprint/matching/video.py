"""Video matching with vPDQ: the reference's bag-of-frames comparison, and an index over many videos.

The comparison (reference README, "Comparison (Matching) Algorithm"): keep each side's frames of
quality >= 50 whose hashes are not degenerate, take the unique hashes, and count

- query share:  of the query's (the evidence video's) unique frames, those within 31 bits of some
  frame of the target (the known video);
- target share: of the target's unique frames, those within 31 bits of some query frame.

Frame numbers and timestamps are not used: a video is an unordered bag of frame hashes.

The rule we apply, and why. The reference's example rule is target share >= 80% and query share
>= 0%: it finds evidence that *contains* a known video (a compilation, a padded re-upload). But the
issue also asks for a clip cut out of a longer known video, where the query share is high and the
target share is only the clip's fraction of the whole (a 5 s clip of a 60 s video: about 8%). So a
video matches when EITHER share reaches its threshold (80% each by default):

- ``rule="full"``:     both shares pass (same video, re-encoded, trimmed a little);
- ``rule="clip"``:     the query share passes: the evidence video is (mostly) part of the known one;
- ``rule="contains"``: the target share passes: the known video is (mostly) inside the evidence.

A false match accuses someone, so a share only counts when it rests on at least ``min_frames``
(3) distinct matched frames: a one- or two-frame video (or a known video of one or two usable
frames) cannot match on a coincidence of one frame. Both shares, the frame counts and the rule are
recorded in ``Match.details`` for the report, whatever rule matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from footprint.hashers.pdq import is_degenerate
from footprint.hashers.vpdq import VideoFrame
from footprint.model import Category, Match, MatchKind

DISTANCE_THRESHOLD = 31  # bits, inclusive (the README's pdq_dist <= D)
QUALITY_THRESHOLD = 50  # frames below this quality are dropped on both sides
QUERY_THRESHOLD = 80.0  # percent
TARGET_THRESHOLD = 80.0  # percent
MIN_FRAMES = 3
_CHUNK_CELLS = 4_000_000  # query x known frame distances computed at once (about 16 MB)


@dataclass(frozen=True)
class VideoComparison:
    """Both shares of one query/target pair, in percent, with the counts behind them."""

    query_frames: int  # usable unique frames of the query
    target_frames: int
    query_matched: int
    target_matched: int
    median_distance: int  # over the matched query frames' nearest target frames; -1 when none

    @property
    def query_percent(self) -> float:
        return 100.0 * self.query_matched / self.query_frames if self.query_frames else 0.0

    @property
    def target_percent(self) -> float:
        return 100.0 * self.target_matched / self.target_frames if self.target_frames else 0.0

    def rule(self, query_threshold: float = QUERY_THRESHOLD, target_threshold: float = TARGET_THRESHOLD,
             min_frames: int = MIN_FRAMES) -> str | None:
        """``full``, ``clip``, ``contains`` or None (no match); see the module docstring."""
        query_ok = self.query_matched >= min_frames and self.query_percent >= query_threshold
        target_ok = self.target_matched >= min_frames and self.target_percent >= target_threshold
        if query_ok and target_ok:
            return "full"
        if query_ok:
            return "clip"
        return "contains" if target_ok else None


def usable_hashes(frames: Iterable[VideoFrame], quality: int = QUALITY_THRESHOLD) -> np.ndarray:
    """The unique, good-quality, non-degenerate frame hashes as uint8[n, 32] (sorted, so stable)."""
    unique = sorted({f.pdq for f in frames if f.quality >= quality and not is_degenerate(f.pdq, f.quality)})
    if not unique:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(unique)), dtype=np.uint8).reshape(-1, 32).copy()


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between every row of ``a`` and of ``b`` (uint8[n, 32] each): int[n, m]."""
    left = np.ascontiguousarray(a).view(np.uint64)
    right = np.ascontiguousarray(b).view(np.uint64)
    return np.bitwise_count(left[:, None, :] ^ right[None, :, :]).sum(axis=2, dtype=np.int32)


def compare(query: Sequence[VideoFrame], target: Sequence[VideoFrame], *,
            distance: int = DISTANCE_THRESHOLD, quality: int = QUALITY_THRESHOLD) -> VideoComparison:
    """Brute-force comparison of two vPDQ hashes (every usable frame against every other)."""
    return compare_hashes(usable_hashes(query, quality), usable_hashes(target, quality), distance)


def compare_hashes(q: np.ndarray, t: np.ndarray, distance: int = DISTANCE_THRESHOLD) -> VideoComparison:
    if len(q) == 0 or len(t) == 0:
        return VideoComparison(len(q), len(t), 0, 0, -1)
    query_best = np.empty(len(q), dtype=np.int32)
    target_hit = np.zeros(len(t), dtype=bool)
    step = max(1, _CHUNK_CELLS // len(t))
    for start in range(0, len(q), step):
        d = distances(q[start:start + step], t)
        query_best[start:start + step] = d.min(axis=1)
        target_hit |= (d <= distance).any(axis=0)
    hit = query_best <= distance
    median = int(np.median(query_best[hit])) if hit.any() else -1
    return VideoComparison(len(q), len(t), int(hit.sum()), int(target_hit.sum()), median)


def to_match(comparison: VideoComparison, *, hashset: str, entry_id: int, label: str | None = None,
             category: Category | None = None, query_threshold: float = QUERY_THRESHOLD,
             target_threshold: float = TARGET_THRESHOLD, min_frames: int = MIN_FRAMES,
             distance: int = DISTANCE_THRESHOLD) -> Match | None:
    """The Match for a comparison that passes the rule, with both percentages in its details."""
    rule = comparison.rule(query_threshold, target_threshold, min_frames)
    if rule is None:
        return None
    details: dict[str, object] = {
        "rule": rule,
        "query_percent": round(comparison.query_percent, 2),
        "target_percent": round(comparison.target_percent, 2),
        "query_frames": comparison.query_frames, "query_matched": comparison.query_matched,
        "target_frames": comparison.target_frames, "target_matched": comparison.target_matched,
        "frame_distance": distance, "query_threshold": query_threshold,
        "target_threshold": target_threshold,
    }
    return Match(hashset=hashset, entry_id=entry_id, kind=MatchKind.NEAR, algorithm="vpdq",
                 distance=comparison.median_distance, label=label, category=category, details=details)


class VideoIndex:
    """All usable frames of many known videos in one array, so that one pass over them compares a
    query with every known video (the README's "pruning candidates" without losing any: exact)."""

    def __init__(self, videos: Iterable[tuple[int, Sequence[VideoFrame]]],
                 quality: int = QUALITY_THRESHOLD) -> None:
        parts: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        self._sizes: dict[int, int] = {}
        for entry_id, frames in videos:
            hashes = usable_hashes(frames, quality)
            self._sizes[entry_id] = self._sizes.get(entry_id, 0) + len(hashes)
            parts.append(hashes)
            owners.append(np.full(len(hashes), entry_id, dtype=np.int64))
        self._hashes = np.concatenate(parts) if parts else np.zeros((0, 32), np.uint8)
        self._owners = np.concatenate(owners) if owners else np.zeros(0, np.int64)
        self.quality = quality

    def __len__(self) -> int:
        return len(self._sizes)

    def search(self, query: Sequence[VideoFrame], distance: int = DISTANCE_THRESHOLD,
               ) -> dict[int, VideoComparison]:
        """The comparison with every known video sharing at least one frame with the query."""
        q = usable_hashes(query, self.quality)
        if len(q) == 0 or len(self._hashes) == 0:
            return {}
        pairs, known_hit = self._near_pairs(q, distance)
        return {int(owner): self._comparison(owner, q, pairs, known_hit)
                for owner in np.unique(pairs[:, 1])}

    def _near_pairs(self, q: np.ndarray, distance: int) -> tuple[np.ndarray, np.ndarray]:
        """(query row, owner, distance) for every pair within the radius, and which known frames
        were hit by some query frame."""
        found, known_hit = [], np.zeros(len(self._hashes), dtype=bool)
        step = max(1, _CHUNK_CELLS // len(q))
        for start in range(0, len(self._hashes), step):
            d = distances(q, self._hashes[start:start + step])
            rows, cols = np.nonzero(d <= distance)
            known_hit[start + cols] = True
            found.append(np.stack([rows, self._owners[start + cols], d[rows, cols]], axis=1))
        return np.concatenate(found).astype(np.int64), known_hit

    def _comparison(self, owner: int, q: np.ndarray, pairs: np.ndarray,
                    known_hit: np.ndarray) -> VideoComparison:
        mine = pairs[pairs[:, 1] == owner]
        best: dict[int, int] = {}
        for row, _, dist in mine:
            best[int(row)] = min(int(dist), best.get(int(row), int(dist)))
        target_matched = int(known_hit[self._owners == owner].sum())
        return VideoComparison(len(q), self._sizes[owner], len(best), target_matched,
                               int(np.median(list(best.values()))))
