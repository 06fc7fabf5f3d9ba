"""When two region signatures (footprint.hashers.regions) show the same picture, and how.

Chosen by bench/bench_variants.py (figures in bench/README.md). A false match accuses someone, so every
path needs the item's picture or several of its regions close to the entry's, at distances kept well
under the closest two different pictures ever came (measured below), and degenerate regions (flat,
near-uniform: low quality or unbalanced bits) never count as evidence.

Measured by ``.venv/bin/python bench/bench_variants.py`` on 2026-11-29 (52 originals x 12 edits, 221
distractors, every distractor also taken as a known entry; the item's plain and mirrored forms): two
different pictures never came closer, with regions of quality >= 50, than 60 bits on full frames, 54 on
a reframing pair, 54 on a corner pair and 58 on the third-closest same-name region pair, all GNOME's
grid-l/grid-d (one design in light and dark); and with any region pair that only the low-quality pass
admits (both >= LOW_QUALITY_FLOOR, one under 50) never closer than 86 bits (90 full, 86 reframing, 98
corners and regions). Every normal threshold keeps at least 14 bits under the first figures (reframed
28: 26, corners 20: 34, regions 44: 14, full 31: 29); the low-quality pass (WEAK_DISTANCE 20) keeps 34
bits under them and 66 under the second.

Paths, tried in order on the item's signature, then on its mirrored form (``mirrored``: the signature
of the item's left-right mirror image, hashers.regions); the first that holds is the match:
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
Then the low-quality pass (``low_quality`` in the details): the same four first paths again, counting
regions of quality LOW_QUALITY_FLOOR-49 (balanced bits) too, every threshold cut to WEAK_DISTANCE, and
only when both signatures are of pictures, not gradients (_structured). It finds known pictures that
are themselves under the quality gate (a dark soft wallpaper at 41, a low-contrast photograph at 34),
which the normal pass never near-matches. A smooth linear gradient reaches quality 40-47 with a balanced
hash, so quality and balance alone would let two identical gradients match; but that hash is rounding
noise (PDQ skips the DC terms), about 128 bits from its own 2.5% inset's, and its parts are often
flatter than its frame: _structured refuses both.

Not caught by any rule here, as by plain PDQ: a smooth picture whose quality reaches 50 (a radial
gradient at 85, a sine pattern) is trusted like a photograph, on either side.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
WEAK_DISTANCE = 20  # every threshold of the low-quality pass (margins in the module doc)
# _structured, for the low-quality pass. PDQ skips the DC terms, so a linear gradient's hash is rounding
# noise: its full frame and its 2.5% inset differ by about 128 bits (the bench's 40 gradients and
# synthetic ramps at 300-1024 px: 78-142); a picture's by 26-86 (bench originals and distractor crops of
# quality 100), its low-quality copies and originals (quality 20-49) by 28-76. A gradient's parts can
# still reach quality 20-44 (PDQ's quality counts per-pixel steps of its 64x64 reduction), so both tests.
COHERENT_DISTANCE = 72
STRUCTURE_PARTS = ("center", "tl", "tr", "bl", "br")
MIN_STRUCTURED = 3

Regions = dict[str, tuple[str, int]]


@dataclass(frozen=True)
class RegionMatch:
    """How two signatures matched: the path, the distance the path was judged by (the worst of the region
    pairs it needed), and each of those pairs' distance. ``mirrored``: the item's mirrored form matched;
    ``low_quality``: the pass that admits regions of quality LOW_QUALITY_FLOOR-49 (at WEAK_DISTANCE)."""

    path: str
    distance: int
    distances: dict[str, int] = field(default_factory=dict)
    mirrored: bool = False
    low_quality: bool = False

    def details(self) -> dict[str, object]:
        flags = {name: True for name in ("mirrored", "low_quality") if getattr(self, name)}
        return {"path": self.path, "regions": dict(self.distances), **flags}


def usable(value: str, quality: int | None) -> bool:
    """A region counts as evidence only when its hash is not degenerate."""
    return not is_degenerate(value, quality)


def match_regions(item: Regions, entry: Regions, mirrored: Regions | None = None) -> RegionMatch | None:
    """The first path that shows item and entry to be the same picture, else None.

    ``mirrored`` is the item's signature of its left-right mirror image (hashers.regions.mirrored_hashes),
    tried after the item's own: a mirrored copy of the entry's picture has the entry's signature there.
    """
    forms = [(item, False)] + ([(mirrored, True)] if mirrored else [])
    for form, flipped in forms:
        for rule in (_full, _reframed, _corners, _same_regions, _low_quality):
            found = rule(form, entry)
            if found is not None:
                return replace(found, mirrored=flipped)
    if not (_structured(item) and _structured(entry)):
        return None
    for form, flipped in forms:
        for rule in (_full, _reframed, _corners, _same_regions):
            found = rule(form, entry, WEAK)
            if found is not None:
                return replace(found, mirrored=flipped, low_quality=True)
    return None


@dataclass(frozen=True)
class _Pass:
    """Which regions count and how close they must be: the normal pass, or the low-quality one."""

    floor: int  # a region of lower PDQ quality is no evidence
    cap: int  # no path's threshold exceeds this

    def limit(self, threshold: int) -> int:
        return min(threshold, self.cap)


NORMAL = _Pass(MIN_QUALITY, 256)
WEAK = _Pass(LOW_QUALITY_FLOOR, WEAK_DISTANCE)


def _structured(regions: Regions) -> bool:
    """A picture, not a smooth gradient, for the low-quality pass: its frame's hash is coherent with the
    frame less 2.5% at each edge (within COHERENT_DISTANCE: a picture's hash barely moves, a gradient's
    is rounding noise and moves about half its bits), and at least MIN_STRUCTURED of STRUCTURE_PARTS
    reach LOW_QUALITY_FLOOR with a balanced hash (a gradient's parts are flatter than its frame)."""
    if "inset2" not in regions:
        return False
    if hamming(regions["full"][0], regions["inset2"][0]) > COHERENT_DISTANCE:
        return False
    good = sum(1 for name in STRUCTURE_PARTS if name in regions
               and not is_degenerate(regions[name][0], None) and regions[name][1] >= LOW_QUALITY_FLOOR)
    return good >= MIN_STRUCTURED


def _pair(item: Regions, entry: Regions, a: str, b: str, how: _Pass = NORMAL) -> int | None:
    """Distance between item region a and entry region b, None when either is degenerate (for ``how``)."""
    if a not in item or b not in entry:
        return None  # a signature from a footprint that hashed other regions
    (ha, qa), (hb, qb) = item[a], entry[b]
    if qa < how.floor or qb < how.floor or is_degenerate(ha, None) or is_degenerate(hb, None):
        return None
    return hamming(ha, hb)


def _full(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    distance = _pair(item, entry, "full", "full", how)
    if distance is not None and distance <= how.limit(FULL_DISTANCE):
        return RegionMatch("full", distance, {"full": distance})
    return None


def _same_regions(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    close = {}
    for name in AGREEING:
        distance = _pair(item, entry, name, name, how)
        if distance is not None and distance <= how.limit(AGREE_DISTANCE):
            close[name] = distance
    if len(close) >= MIN_AGREEING:
        return RegionMatch("regions", max(close.values()), close)
    return None


def _corners(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    for a, b in EDGE_PAIRS:
        first, second = _pair(item, entry, a, a, how), _pair(item, entry, b, b, how)
        if first is not None and second is not None and max(first, second) <= how.limit(CORNER_DISTANCE):
            return RegionMatch("corners", max(first, second), {a: first, b: second})
    return None


def _reframed(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    pairs = [(a, b) for a in ("full", "trim") for b in ENTRY_REFRAMINGS] + [("center", "center")]
    best: tuple[int, str] | None = None
    for a, b in pairs:
        distance = _pair(item, entry, a, b, how)
        if distance is not None and distance <= how.limit(REFRAME_DISTANCE) and (best is None or distance < best[0]):
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

    def search(self, item: Regions, mirrored: Regions | None = None) -> list[tuple[int, RegionMatch]]:
        """(entry id, how) for every entry the item (or its mirrored form) matches, by entry id."""
        near = np.zeros(len(self.ids), dtype=bool)
        for form in (item, mirrored or {}):
            for a, b in _PAIRS:
                if a not in form:
                    continue
                rows, present = self._rows[b]
                query = np.frombuffer(bytes.fromhex(form[a][0]), dtype=np.uint8)
                distances = _TABLE[np.bitwise_xor(rows, query)].sum(axis=1)
                near |= present & (distances <= _LOOSEST)
        found = []
        for entry_id in self.ids[near]:
            match = match_regions(item, self.signatures[int(entry_id)], mirrored)
            if match is not None:
                found.append((int(entry_id), match))
        return found
