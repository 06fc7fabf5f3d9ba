"""When two region signatures (footprint.hashers.regions) show the same picture, and how.

Chosen by bench/bench_variants.py (figures in bench/README.md). A false match accuses someone, so every
path needs the item's picture or several of its regions close to the entry's, at distances kept well
under the closest two different pictures ever came (measured below), and degenerate regions (flat,
near-uniform: low quality or unbalanced bits) never count as evidence.

Measured by bench/bench_variants.py (52 originals x 12 edits, 221 distractors): two different pictures
(both regions non-degenerate) never came closer than 54 bits on a reframing pair, nor their third-closest
same-name region pair than 58 bits, and those closest were GNOME's grid-l/grid-d, one design in light and
dark; other pairs stayed above 72. Every threshold below keeps at least 14 bits under those.

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

import numpy as np

from footprint.hashers.pdq import MIN_QUALITY, hamming, is_degenerate

FULL_DISTANCE = 31
REFRAME_DISTANCE = 28
ENTRY_REFRAMINGS = ("full", "trim", "center", "inset2", "inset5", "inset7", "inner", "inset12", "inset15",
                    "aspect43", "aspect32", "aspect169")
CORNER_DISTANCE = 20
EDGE_PAIRS = (("tl", "tr"), ("bl", "br"), ("tl", "bl"), ("tr", "br"))
AGREEING = ("full", "center", "inner", "tl", "tr", "bl", "br")
AGREE_DISTANCE = 44
MIN_AGREEING = 3
# Low-quality copies (blurred, or shrunk to 64-96 px at JPEG quality 5, PDQ quality 20-49) of the bench's
# originals were 4-26 bits from their own original in 11 of 18 cases, and never nearer than 96 bits to
# another picture's non-degenerate full frame: 20 catches most of that cluster, far inside PDQ's 31.
LOW_QUALITY_DISTANCE = 20
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


_TABLE = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1).astype(np.uint16)
_PAIRS = tuple(dict.fromkeys(
    [(a, b) for a in ("full", "trim") for b in ENTRY_REFRAMINGS] + [("center", "center")]
    + [(n, n) for n in (*AGREEING, "tl", "tr", "bl", "br")]))
_LOOSEST = max(FULL_DISTANCE, REFRAME_DISTANCE, CORNER_DISTANCE, AGREE_DISTANCE, LOW_QUALITY_DISTANCE)


class RegionBank:
    """The region signatures of one hash set, searched by brute force in numpy.

    Every path needs at least one of its region pairs within the loosest threshold, so a vectorised
    pass keeps only entries with such a pair, and match_regions (the one rule) judges those.
    """

    def __init__(self, signatures: dict[int, Regions]) -> None:
        self.ids = np.array(sorted(signatures), dtype=np.int64)
        self.signatures = signatures
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        names = {b for _, b in _PAIRS}
        for name in names:
            present = np.array([name in signatures[i] for i in self.ids], dtype=bool)
            rows = np.zeros((len(self.ids), 32), dtype=np.uint8)
            for k, i in enumerate(self.ids):
                if present[k]:
                    rows[k] = np.frombuffer(bytes.fromhex(signatures[int(i)][name][0]), dtype=np.uint8)
            self._rows[name] = (rows, present)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, item: Regions) -> list[tuple[int, RegionMatch]]:
        """(entry id, how) for every entry the item matches, by entry id."""
        near = np.zeros(len(self.ids), dtype=bool)
        for a, b in _PAIRS:
            if a not in item:
                continue
            rows, present = self._rows[b]
            query = np.frombuffer(bytes.fromhex(item[a][0]), dtype=np.uint8)
            distances = _TABLE[np.bitwise_xor(rows, query)].sum(axis=1)
            near |= present & (distances <= _LOOSEST)
        found = []
        for entry_id in self.ids[near]:
            match = match_regions(item, self.signatures[int(entry_id)])
            if match is not None:
                found.append((int(entry_id), match))
        return found
