"""When two region signatures (footprint.hashers.regions) show the same picture, and how.

Chosen by bench/bench_variants.py (figures in bench/README.md). A false match accuses someone, so every
path needs the item's picture or several of its regions close to the entry's, at distances kept well
under the closest two different pictures ever came (measured below), degenerate regions (flat,
near-uniform: low quality or unbalanced bits) and separable ones never count as evidence, and smooth
pictures (no detail at PDQ's scale) match nothing here (see "Smooth pictures" below).

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
  reframings (trimmed, central square, insets, centred aspect crops) within REFRAME_DISTANCE (within
  WEAK_DISTANCE unless both pictures show clear detail, below): a copy letterboxed, trimmed at the
  borders or cropped to another aspect ratio. On the item's mirrored form
  it also needs a second, confirming pair (_confirmation): the item's central square against the
  entry's region that the reframing puts there (CONFIRMING: center90 when the item is the entry's
  inset5; for an aspect crop center, or middle when the crop kept the width), within
  CONFIRM_DISTANCE at quality >= 50 or within WEAK_DISTANCE at quality >= LOW_QUALITY_FLOOR. A
  signature without those squares (a list from an older footprint) gets no such match: a miss.
- "corners": two corner windows along one edge both within CORNER_DISTANCE (a caption bar or watermark
  over the opposite edge leaves them untouched, so they stay close).
- "regions": at least MIN_AGREEING of the same-name regions in AGREEING within AGREE_DISTANCE (a copy
  degraded everywhere: shrunk and recompressed), one of them within ANCHORED (plain PDQ's own 31 bits),
  a window counted once when it is another one on both sides (a square picture's central square is its
  frame), only between pictures whose corner windows differ (distinct corners, below).
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

Smooth pictures (bench/bench_smooth.py): a sine pattern or a few soft blobs can score PDQ quality 100
while its hash rests on a handful of DCT coefficients, so two different such pictures land within the
region thresholds; and a crop of a smooth picture looks like another smooth picture (a sine shifted or
zoomed is another sine), so reframing paths, which try two dozen region pairs, find such coincidences
often. Two checks, from the signatures alone, make every path refuse them:
- detail (_zoom_move): a picture with detail at PDQ's scale changes its hash when zoomed by 5% (the step
  between two successive regions of ZOOM_CHAIN, 2.5% more off each edge); a smooth one keeps it, or
  flips it wholesale at a knife-edge coefficient. The two smallest of the six steps, added, must reach
  MIN_ZOOM_MOVE on both sides. Measured: photographs and wallpapers never under 48 (bench_variants: its
  originals 56, their 624 copies 50, photo distractors 48; 100 pictures of quality >= 50 from
  /usr/share/backgrounds, scikit-image and ../shared/data, also Gaussian-blurred by 2-8 px: 54); of
  bench_smooth's sine pictures of quality >= 50, 88-96% stay under 44, of its blob pictures about a
  third (the separable check takes most of the rest).
- separable regions (separable_share): a PDQ bit grid (16x16, one bit per DCT coefficient) that is mostly
  an outer product of a row pattern and a column pattern comes from a separable picture (a soft blob, a
  plane wave, stripes, a straight gradient): few degrees of freedom, and different such pictures collide.
  A region whose grid (as +-1) puts more than SEPARABLE_SHARE of its energy in its two largest singular
  values is no evidence, like a degenerate one. Measured: regions of quality >= 50 of bench_variants'
  originals at most 0.75, the regions its genuine region matches used at most 0.76; the regions of the
  smooth false pairs the detail check leaves at least 0.81.
And "reframed" no longer pairs central square with central square: no copy of bench_variants needed it
(every one it found, another path finds), and it was the path of smooth false pairs (one region pair
that says nothing about the frame). Chosen on bench_smooth's --each 25 seeds 1, 2, 3, 5 and --each 50
seeds 7, 11, then --each 25 seeds 21-23, 50 seed 29, 40 seed 31 and 100 seed 41 (MIN_ZOOM_MOVE 40 -> 44
and the central-square pair were decided there): region-rule false pairs that plain PDQ does not make
1,013 -> 0 over those 346,470 pairs. Fresh sets, measured once after (--each 100, seeds 53 and 59,
159,600 pairs): 376 -> 3, all soft blob pictures through "reframed" on the item's mirrored form at 22-28
bits (one region pair between two smooth pictures). The confirming pair closes that path: 3 -> 0 on
those sets, 0 on every set above, bench_variants unchanged (562/624). Chosen on a wider net (the same
sets with the detail and separable checks off for the reframing pair, 1,205 single-pair reframings
beyond plain PDQ): the confirming squares refuse 464 of 479 on the mirrored form but only 586 of 726 on
the item's own (a smooth picture's nested squares move together), and asking it of the item's own form
too cost bench_variants 4 copies (558): so the mirrored form only. Fresh sets measured once after
(--each 100, seeds 61 and 67, 159,600 pairs): 4 pairs beyond plain PDQ, as many as without the
confirmation: three sine pairs through "regions" (3-5 same-name regions at 30-44 bits, detail 46-64)
and one blob pair through "reframed" on the item's own form (trim~inset15 at 26 bits, which the
confirming pair would have refused).
- clear detail and distinct corners (CLEAR_DETAIL, DISTINCT_CORNERS): the two loosest paths ask more.
  A "reframed" pair on the item's own form (one region pair; the mirrored form needs its confirming
  pair instead) must come within WEAK_DISTANCE unless both pictures' detail reaches CLEAR_DETAIL:
  bench_variants' own-form reframings of pictures under 72 were at most 18 bits apart (the 20-28 bit
  ones all between pictures at 80 or more; off its grid, a 5:4 crop and a 6% border crop of pictures at
  64-78 reached 24 and 26 bits: those are now missed); the one own-form reframing of two smooth
  pictures the checks above left was at 26 bits (blobs, detail 52 and 70). "regions" counts
  same-name regions as separate evidence, which they are not when a picture's windows look alike (a
  repeating or smooth pattern): it needs both pictures' four corner windows at least DISTINCT_CORNERS
  apart, the closest two (_corner_spread). Photographs: bench_variants' originals 104-132, copies and
  their mirrored forms at least 98, photo distractors 102; the pictures of its 11 genuine "regions"
  matches 104-130. On the eighteen bench_smooth sets above, every "regions" pair of different pictures
  with detail >= MIN_ZOOM_MOVE had a picture at most 82 (even with the separable check off); with the
  detail check off, the corner test alone leaves 39 of 219 such pairs (all with detail under 32): the
  two checks work together. Both close the 4 fresh pairs of seeds 61 and 67 (0 beyond plain PDQ on all
  eighteen sets) at no cost to bench_variants (562/624). Those sets chose them: fresh figures and the
  cost on off-grid crops are in bench/README.md.
Templates (pictures sharing a layout): every window of AGREEING holds the picture's centre and at least
56% of its area, so two drawings on one template (icons of one theme: Adwaita's face-worried and
face-sad, trophy-gold and trophy-bronze, application-x-executable and -sharedlib; a card or frame with
different small central content) have every window 34-44 bits apart: "several regions each close" at
38-44 bits, none as close as plain PDQ asks. Those windows are not independent evidence, and a square
picture's central square is its frame (face-sad's three agreeing windows were one picture counted
three times and a nested one). So "regions" counts a window once, and needs one of its windows within
ANCHORED. bench_variants: 562 -> 559 of 624, 0 false before and after: the three lost are 160 px JPEG
q10 copies (truchet-l, Dune, skimage page) whose closest window was 34-38 bits; the three icon pairs
and the generated template pairs (tests/matching/test_regions_rule.py) are refused. A gate only for
drawings on a plain ground (trim unlike the frame) would have cost nothing on the bench but left
full-bleed templates matching: not done (bench/README.md).
The match's details carry the smooth-picture figures (``detail``), so the explanation says them.

Not caught by any rule here, as by plain PDQ: its own full-frame matches of smooth pictures (the
pipeline matches PDQ before this rule; bench_smooth counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from itertools import pairwise

import numpy as np

from footprint.hashers.pdq import MIN_QUALITY, hamming, hex_to_bytes, is_degenerate

FULL_DISTANCE = 31
REFRAME_DISTANCE = 28
ENTRY_REFRAMINGS = ("full", "trim", "center", "inset2", "inset5", "inset7", "inner", "inset12", "inset15",
                    "aspect43", "aspect32", "aspect169")
# A "reframed" match of the item's mirrored form also needs the central squares the reframing predicts
# (the entry region each reframing's own central square is; aspect crops: _confirmation) within this.
CONFIRMING = {"full": "center", "center": "center", "trim": "tcenter", "inset2": "center95",
              "inset5": "center90", "inset7": "center85", "inner": "center80", "inset12": "center75",
              "inset15": "center70"}
CONFIRM_DISTANCE = 40
CORNER_DISTANCE = 20
EDGE_PAIRS = (("tl", "tr"), ("bl", "br"), ("tl", "bl"), ("tr", "br"))
AGREEING = ("full", "center", "inner", "tl", "tr", "bl", "br")
AGREE_DISTANCE = 44
MIN_AGREEING = 3
# "regions" also needs one of its windows within plain PDQ's own threshold (module doc, "Templates").
ANCHORED = FULL_DISTANCE
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
# Detail and separability (module doc; figures in bench/README.md). ZOOM_CHAIN: regions each 2.5% further
# in at every edge than the one before, so successive ones differ by a 5% zoom.
ZOOM_CHAIN = ("full", "inset2", "inset5", "inset7", "inner", "inset12", "inset15")
MIN_ZOOM_MOVE = 44
SEPARABLE_SHARE = 0.8
# Module doc, "Smooth pictures": a "reframed" pair of the item's own form must come within WEAK_DISTANCE
# unless both pictures' detail reaches CLEAR_DETAIL; "regions" needs both pictures' corner windows at
# least DISTINCT_CORNERS apart.
CLEAR_DETAIL = 72
DISTINCT_CORNERS = 90

Regions = dict[str, tuple[str, int]]


@dataclass(frozen=True)
class RegionMatch:
    """How two signatures matched: the path, the distance the path was judged by (the worst of the region
    pairs it needed), and each of those pairs' distance. ``mirrored``: the item's mirrored form matched;
    ``low_quality``: the pass that admits regions of quality LOW_QUALITY_FLOOR-49 (at WEAK_DISTANCE).
    ``detail``: what the smooth-picture checks saw: ``item_zoom``/``entry_zoom`` (_zoom_move, at least
    MIN_ZOOM_MOVE) and ``separable`` (the largest separable_share of the regions used, under
    SEPARABLE_SHARE); for "regions" also ``item_corners``/``entry_corners`` (_corner_spread, at least
    DISTINCT_CORNERS)."""

    path: str
    distance: int
    distances: dict[str, int] = field(default_factory=dict)
    mirrored: bool = False
    low_quality: bool = False
    detail: dict[str, float] = field(default_factory=dict)

    def details(self) -> dict[str, object]:
        flags = {name: True for name in ("mirrored", "low_quality") if getattr(self, name)}
        extra = {"detail": dict(self.detail)} if self.detail else {}
        return {"path": self.path, "regions": dict(self.distances), **flags, **extra}


def usable(value: str, quality: int | None) -> bool:
    """A region counts as evidence only when its hash is not degenerate."""
    return not is_degenerate(value, quality)


def match_regions(item: Regions, entry: Regions, mirrored: Regions | None = None) -> RegionMatch | None:
    """The first path that shows item and entry to be the same picture, else None.

    ``mirrored`` is the item's signature of its left-right mirror image (hashers.regions.mirrored_hashes),
    tried after the item's own: a mirrored copy of the entry's picture has the entry's signature there.
    """
    item_zoom, entry_zoom = _zoom_move(item), _zoom_move(entry)
    if item_zoom < MIN_ZOOM_MOVE or entry_zoom < MIN_ZOOM_MOVE:
        return None  # a smooth picture on either side (module doc)
    forms = [(item, False)] + ([(mirrored, True)] if mirrored else [])
    clear = min(item_zoom, entry_zoom) >= CLEAR_DETAIL
    found = _first(forms, entry, NORMAL, clear)
    if found is None and _structured(item) and _structured(entry):
        found = _first(forms, entry, WEAK, clear)
    if found is None:
        return None
    form = mirrored if found.mirrored and mirrored else item
    share = max(separable_share(value) for value in _hashes_used(found, form, entry))
    detail: dict[str, float] = {"item_zoom": item_zoom, "entry_zoom": entry_zoom, "separable": round(share, 2)}
    if found.path == "regions":
        detail.update(item_corners=_corner_spread(form), entry_corners=_corner_spread(entry))
    return replace(found, detail=detail)


def _first(forms: list[tuple[Regions, bool]], entry: Regions, how: _Pass, clear: bool) -> RegionMatch | None:
    """The first path that holds in pass ``how``, on the item's own form, then its mirrored one (where
    "reframed" needs its confirming pair: _reframed). ``clear``: both pictures reach CLEAR_DETAIL."""
    for form, flipped in forms:
        # the mirrored form's reframing has its confirming pair instead of the clear-detail cap
        rules = (_full, partial(_reframed, confirm=flipped, clear=clear or flipped), _corners, _same_regions,
                 _low_quality)
        for rule in rules:
            found = rule(form, entry, how)
            if found is not None:
                return replace(found, mirrored=flipped, low_quality=how is WEAK)
    return None


def _hashes_used(found: RegionMatch, item: Regions, entry: Regions) -> list[str]:
    """The item's and the entry's hashes of every region pair the match rests on ("a~b" or a name)."""
    hashes = []
    for pair in found.distances:
        a, _, b = pair.partition("~")
        hashes += [item[a][0], entry[b or a][0]]
    return hashes


def smooth_pair(item_pdq: str, entry_pdq: str, item: Regions | None) -> str | None:
    """Why a plain PDQ near hit between the item's hash and an entry's is no evidence, or None when it is.

    The region rule's two smooth-picture checks (module doc), on what plain PDQ has: a separable hash on
    either side (separable_share over SEPARABLE_SHARE), or, where the item has a region signature, an
    item whose hash barely moves under a 5% zoom (_zoom_move under MIN_ZOOM_MOVE). Different smooth
    pictures fall within PDQ's 31 bits of each other: ``bench/bench_smooth.py --each 50 --jpeg 90`` (200
    different smooth pictures, 19,900 pairs) gave 27, 25, 25 and 25 such pairs (seeds 7, 11, 13, 5), of
    which the matcher still counts 0, 2, 2 and 3 (all sine stripes). On 64 photographs (bench_variants'
    originals and ThreatExchange's bridge-mods) under 18 edits, of 619 genuine plain PDQ matches the
    separable check refuses none (the largest share 0.70) and the zoom check one, a half-size copy of a
    soft wallpaper (40 bits): a refused hit is still said, as a warning on the item, never dropped."""
    shares = max(separable_share(item_pdq), separable_share(entry_pdq))
    if shares > SEPARABLE_SHARE:
        return (f"the hashes are of separable patterns ({shares:.2f} of one's bits in two row-by-column patterns, "
                f"over {SEPARABLE_SHARE}): smooth pictures, whose hashes collide")
    move = _zoom_move(item) if item is not None else None
    if move is not None and move < MIN_ZOOM_MOVE:
        return (f"the item is a smooth picture (its hash moves {move} bits under a 5% zoom; pictures with "
                f"detail move {MIN_ZOOM_MOVE} or more), whose hashes collide")
    return None


def _zoom_move(regions: Regions) -> int:
    """How far the picture's hash moves under a 5% zoom: the two smallest steps along ZOOM_CHAIN, added
    (0 when fewer than two steps can be taken: a signature without those regions shows no detail)."""
    steps = sorted(hamming(regions[a][0], regions[b][0]) for a, b in pairwise(ZOOM_CHAIN)
                   if a in regions and b in regions)
    return steps[0] + steps[1] if len(steps) >= 2 else 0


@lru_cache(maxsize=1 << 16)
def separable_share(value: str) -> float:
    """Share of a PDQ hash's 16x16 bit grid (as +-1) held by its two largest singular values: 1.0 for a
    grid that is two row-by-column patterns (a separable picture), about 0.25-0.5 for a photograph's."""
    grid = np.unpackbits(hex_to_bytes(value)).reshape(16, 16).astype(np.float64) * 2 - 1
    singular = np.linalg.svd(grid, compute_uv=False)
    return float((singular[:2] ** 2).sum() / grid.size)


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
    if qa < how.floor or qb < how.floor or not _evidence(ha) or not _evidence(hb):
        return None
    return hamming(ha, hb)


def _evidence(value: str) -> bool:
    """A region hash that can count: neither degenerate nor separable (module doc)."""
    return not is_degenerate(value, None) and separable_share(value) <= SEPARABLE_SHARE


def _full(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    distance = _pair(item, entry, "full", "full", how)
    if distance is not None and distance <= how.limit(FULL_DISTANCE):
        return RegionMatch("full", distance, {"full": distance})
    return None


def _same_regions(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    """At least MIN_AGREEING distinct windows among AGREEING within AGREE_DISTANCE, one of them within
    FULL_DISTANCE (ANCHORED), between pictures whose corner windows differ (_corner_spread at least
    DISTINCT_CORNERS on both sides). A window that is another one on both sides (a square picture's
    central square is its frame) counts once."""
    if min(_corner_spread(item), _corner_spread(entry)) < DISTINCT_CORNERS:
        return None
    close: dict[str, int] = {}
    windows = set()
    for name in AGREEING:
        distance = _pair(item, entry, name, name, how)
        window = (item[name][0], entry[name][0]) if distance is not None else None
        if distance is not None and distance <= how.limit(AGREE_DISTANCE) and window not in windows:
            windows.add(window)
            close[name] = distance
    if len(close) < MIN_AGREEING or min(close.values()) > how.limit(ANCHORED):
        return None
    return RegionMatch("regions", max(close.values()), close)


def _corner_spread(regions: Regions) -> int:
    """How far apart the picture's four corner windows hash, the closest two (0 without them): about 128
    bits for a photograph's, little for a repeating or smooth pattern's, whose windows look alike."""
    corners = [regions[name][0] for name in ("tl", "tr", "bl", "br") if name in regions]
    return min((hamming(a, b) for k, a in enumerate(corners) for b in corners[k + 1:]), default=0)


def _corners(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    for a, b in EDGE_PAIRS:
        first, second = _pair(item, entry, a, a, how), _pair(item, entry, b, b, how)
        if first is not None and second is not None and max(first, second) <= how.limit(CORNER_DISTANCE):
            return RegionMatch("corners", max(first, second), {a: first, b: second})
    return None


def _reframed(item: Regions, entry: Regions, how: _Pass = NORMAL, confirm: bool = False,
              clear: bool = True) -> RegionMatch | None:
    """The closest reframing pair within REFRAME_DISTANCE (WEAK_DISTANCE unless ``clear``: both pictures
    reach CLEAR_DETAIL, or the item is the mirrored form); with ``confirm`` (the item's mirrored form),
    the closest such pair that its confirming pair of central squares backs (_confirmation)."""
    limit = how.limit(REFRAME_DISTANCE if clear else WEAK_DISTANCE)
    near = sorted((distance, a, b) for a in ("full", "trim") for b in ENTRY_REFRAMINGS
                  if (distance := _pair(item, entry, a, b, how)) is not None and distance <= limit)
    for distance, a, b in near:
        if not confirm:
            return RegionMatch("reframed", distance, {f"{a}~{b}": distance})
        second = _confirmation(item, entry, a, b, how)
        if second is not None:
            pair, other = second
            return RegionMatch("reframed", max(distance, other), {f"{a}~{b}": distance, pair: other})
    return None


def _confirmation(item: Regions, entry: Regions, a: str, b: str, how: _Pass) -> tuple[str, int] | None:
    """The closest pair of central squares that the reframing a~b predicts, if one agrees: within
    CONFIRM_DISTANCE with both of quality >= 50 (the pass's floor), or within WEAK_DISTANCE with both
    of quality >= LOW_QUALITY_FLOOR. If the item is the entry's region b, the item's central square
    (of its trimmed frame when a is "trim") is the central square of b in the entry: center90 for
    inset5, center for an aspect crop that keeps the height, middle for one that keeps the width."""
    square = "center" if a == "full" else "tcenter"
    if b in CONFIRMING:
        pairs = [(square, CONFIRMING[b])]
    else:  # an aspect crop: narrower keeps the shorter side, wider the longer one
        pairs = [(square, "center")] + ([("middle", "middle")] if a == "full" else [])
    best: tuple[int, str] | None = None
    for x, y in pairs:
        distance = _pair(item, entry, x, y, WEAK)
        if distance is None:
            continue
        strong = min(item[x][1], entry[y][1]) >= how.floor and distance <= how.limit(CONFIRM_DISTANCE)
        if (strong or distance <= WEAK_DISTANCE) and (best is None or distance < best[0]):
            best = (distance, f"{x}~{y}")
    return None if best is None else (best[1], best[0])


def _low_quality(item: Regions, entry: Regions, how: _Pass = NORMAL) -> RegionMatch | None:
    if how is not NORMAL:
        return None  # the path of the normal pass only: the low-quality pass has tighter rules of its own
    (ha, qa), (hb, qb) = item["full"], entry["full"]
    if qa >= MIN_QUALITY or qa < LOW_QUALITY_FLOOR or is_degenerate(hb, qb) or not (_evidence(ha) and _evidence(hb)):
        return None
    distance = hamming(ha, hb)
    if distance <= LOW_QUALITY_DISTANCE:
        return RegionMatch("low-quality", distance, {"full": distance})
    return None


_TABLE = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1).astype(np.uint16)
_PAIRS = tuple(dict.fromkeys([(a, b) for a in ("full", "trim") for b in ENTRY_REFRAMINGS]
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
