"""When two region signatures (footprint.hashers.regions) show the same picture, and how.

Chosen by bench/bench_variants.py (figures in bench/README.md). A false match accuses someone, so every
path needs agreement of several regions at a distance well inside PDQ's usual 31, and degenerate
regions (flat, near-uniform: low quality or unbalanced bits) never count as evidence.

Measured on 63 originals x 12 edits and 210 distractors: no region pair of two different pictures (both
non-degenerate) came closer than 54 bits on any of the paths' comparisons, and no three same-name regions
within 58; the thresholds below keep at least 14 bits of margin under those.

Paths, tried in order; the first that holds is the match:
- "full": full frames within FULL_DISTANCE (plain PDQ), both non-degenerate.
- "reframed": the item's full frame (or its frame with uniform bars trimmed) against one of the entry's
  reframings (trimmed, central square, insets, centred aspect crops), or central square against central
  square, within REFRAME_DISTANCE: a copy letterboxed, trimmed at the borders or cropped to another
  aspect ratio.
- "corners": two corner windows along one edge both within CORNER_DISTANCE (a caption bar or watermark
  over the opposite edge leaves them untouched, so they stay close).
- "regions": at least MIN_AGREEING of the same-name regions in AGREEING within AGREE_DISTANCE (a copy
  degraded everywhere: shrunk and recompressed).
- "low-quality": an item whose full-frame quality is below 50 (heavy recompression, tiny copy) but at
  least LOW_QUALITY_FLOOR may match at LOW_QUALITY_DISTANCE an entry whose full frame is NOT degenerate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from footprint.hashers.pdq import MIN_QUALITY, hamming, is_degenerate

FULL_DISTANCE = 31
REFRAME_DISTANCE = 28
ENTRY_REFRAMINGS = ("full", "trim", "center", "inset2", "inset5", "inset7", "inner", "inset12", "inset15",
                    "aspect43", "aspect32", "aspect169")
CORNER_DISTANCE = 20
EDGE_PAIRS = (("tl", "tr"), ("bl", "br"), ("tl", "bl"), ("tr", "br"))
AGREEING = ("full", "center", "inner", "tl", "tr", "bl", "br")
AGREE_DISTANCE = 40
MIN_AGREEING = 3
LOW_QUALITY_DISTANCE = 16
LOW_QUALITY_FLOOR = 20  # below this even the item's full frame carries too little picture

Regions = dict[str, tuple[str, int]]


@dataclass(frozen=True)
class RegionMatch:
    """How two signatures matched: the path, the distance the path was judged by (the worst of the region
    pairs it needed), and each of those pairs' distance."""

    path: str
    distance: int
    distances: dict[str, int] = field(default_factory=dict)

    def details(self) -> dict[str, object]:
        return {"path": self.path, "regions": dict(self.distances)}


def usable(value: str, quality: int | None) -> bool:
    """A region counts as evidence only when its hash is not degenerate."""
    return not is_degenerate(value, quality)


def match_regions(item: Regions, entry: Regions) -> RegionMatch | None:
    """The first path that shows item and entry to be the same picture, else None."""
    for rule in (_full, _reframed, _corners, _same_regions, _low_quality):
        found = rule(item, entry)
        if found is not None:
            return found
    return None


def _pair(item: Regions, entry: Regions, a: str, b: str) -> int | None:
    """Distance between item region a and entry region b, None when either is degenerate."""
    if a not in item or b not in entry:
        return None  # a signature from a footprint that hashed other regions
    (ha, qa), (hb, qb) = item[a], entry[b]
    if not usable(ha, qa) or not usable(hb, qb):
        return None
    return hamming(ha, hb)


def _full(item: Regions, entry: Regions) -> RegionMatch | None:
    distance = _pair(item, entry, "full", "full")
    if distance is not None and distance <= FULL_DISTANCE:
        return RegionMatch("full", distance, {"full": distance})
    return None


def _same_regions(item: Regions, entry: Regions) -> RegionMatch | None:
    close = {}
    for name in AGREEING:
        distance = _pair(item, entry, name, name)
        if distance is not None and distance <= AGREE_DISTANCE:
            close[name] = distance
    if len(close) >= MIN_AGREEING:
        return RegionMatch("regions", max(close.values()), close)
    return None


def _corners(item: Regions, entry: Regions) -> RegionMatch | None:
    for a, b in EDGE_PAIRS:
        first, second = _pair(item, entry, a, a), _pair(item, entry, b, b)
        if first is not None and second is not None and max(first, second) <= CORNER_DISTANCE:
            return RegionMatch("corners", max(first, second), {a: first, b: second})
    return None


def _reframed(item: Regions, entry: Regions) -> RegionMatch | None:
    pairs = [(a, b) for a in ("full", "trim") for b in ENTRY_REFRAMINGS] + [("center", "center")]
    best: tuple[int, str] | None = None
    for a, b in pairs:
        distance = _pair(item, entry, a, b)
        if distance is not None and distance <= REFRAME_DISTANCE and (best is None or distance < best[0]):
            best = (distance, f"{a}~{b}")
    if best is None:
        return None
    return RegionMatch("reframed", best[0], {best[1]: best[0]})


def _low_quality(item: Regions, entry: Regions) -> RegionMatch | None:
    (ha, qa), (hb, qb) = item["full"], entry["full"]
    if qa >= MIN_QUALITY or qa < LOW_QUALITY_FLOOR or is_degenerate(ha, None) or is_degenerate(hb, qb):
        return None
    distance = hamming(ha, hb)
    if distance <= LOW_QUALITY_DISTANCE:
        return RegionMatch("low-quality", distance, {"full": distance})
    return None
