"""Near copies among one case's own items: which pictures that matched no list are copies of a picture
of the same case that did (an "anchor"), by the rules the list matcher applies to a list's entries.

An anchor stands where a list entry stands in pipeline/match.py, so the answer is the one the matcher
would give if the anchor's picture were in its list: the item's eight rotations and flips against the
anchor's plain PDQ within the threshold of the list the anchor matched (the smallest, when it matched
several), only within LOW_QUALITY_DISTANCE for an item under the quality gate, never for a flat or
blank one (matching/gates.py); a hit between smooth pictures refused (regions.smooth_pair); then the
region rule (regions.RegionBank) between the item's region signature and the anchor's, when both have
one. An anchor's PDQ counts only when it is not degenerate at its own quality (hashers/pdq.is_degenerate,
stricter than for a list entry, whose quality is unknown): a miss leaves the item with the new material,
which a reviewer sees first anyway.

Anchors are few (the matched items of one case), so one index over their hashes answers every item of
the case in one pass: no pair of items is compared twice, and the cost grows with the items, not with
their square.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from footprint.hashers import regions as region_signature
from footprint.hashers.pdq import hex_to_bytes, is_degenerate
from footprint.matching.gates import near_threshold
from footprint.matching.regions import RegionBank, Regions, smooth_pair
from footprint.matching.registry import best_index
from footprint.model import Digests, PerceptualDigest
from footprint.store import codec

SEARCH_CHUNK = 4096  # items searched at once: bounds the answer held at once


@dataclass(frozen=True)
class Anchor:
    """A matched item of the case: its digests, and the PDQ threshold of the list(s) it matched."""

    item_id: int
    digests: Digests
    threshold: int


@dataclass(frozen=True)
class NearCopy:
    """An item that is a near copy of an anchor: how far (bits), by which rule (``pdq``, or
    ``pdq-regions`` for the region rule) and the rule's details (the PDQ variant, the region path)."""

    item_id: int
    near_item: int
    distance: int
    algorithm: str
    details: dict[str, object] = field(default_factory=dict)


class AnchorIndex:
    """The anchors' PDQ hashes in a matching index, and their region signatures in a region bank."""

    def __init__(self, anchors: Sequence[Anchor]) -> None:
        self.thresholds = {a.item_id: a.threshold for a in anchors}
        self.hashes: dict[int, str] = {}
        signatures: dict[int, Regions] = {}
        for anchor in anchors:
            pdq = anchor.digests.perceptual.get("pdq")
            if isinstance(pdq, PerceptualDigest) and not is_degenerate(pdq.value, pdq.quality):
                self.hashes[anchor.item_id] = pdq.value
            if (found := _signature(anchor.digests)) is not None:
                signatures[anchor.item_id] = found
        self.index = None
        if self.hashes:
            ids, hashes = codec.pdq_arrays(list(self.hashes), list(self.hashes.values()))
            self.index = best_index(len(ids))(hashes, ids)
        self.regions = RegionBank(signatures) if signatures else None
        self.widest = max(self.thresholds.values(), default=0)

    def __bool__(self) -> bool:
        return self.index is not None or self.regions is not None

    def search(self, items: Iterable[tuple[int, Digests]]) -> Iterator[NearCopy]:
        """The near copy each item is, if any (the closest anchor; ties to the smaller id), in chunks."""
        chunk: list[tuple[int, Digests]] = []
        for item in items:
            chunk.append(item)
            if len(chunk) == SEARCH_CHUNK:
                yield from self._chunk(chunk)
                chunk = []
        yield from self._chunk(chunk)

    def _chunk(self, items: list[tuple[int, Digests]]) -> Iterator[NearCopy]:
        plain = self._plain(items) if self.index is not None else {}
        for item_id, digests in items:
            found = plain.get(item_id) or self._by_regions(item_id, digests)
            if found is not None:
                yield found

    def _plain(self, items: list[tuple[int, Digests]]) -> dict[int, NearCopy]:
        """Plain PDQ: every variant of every gated item hash searched at the widest threshold, then each
        hit held to its anchor's own threshold and the smooth-picture check."""
        queries = [(item_id, digests, pdq) for item_id, digests in items
                   if isinstance(pdq := digests.perceptual.get("pdq"), PerceptualDigest)
                   and near_threshold(pdq, self.widest) is not None]
        if not queries or self.index is None:
            return {}
        variants = [p.variants or (p.value,) for _, _, p in queries]
        matrix = np.stack([hex_to_bytes(v) for vs in variants for v in vs])
        rows = [(k, n) for k, vs in enumerate(variants) for n in range(len(vs))]
        best: dict[int, NearCopy] = {}
        for row, hits in enumerate(self.index.search(matrix, self.widest)):
            k, variant = rows[row]
            item_id, digests, pdq = queries[k]
            for anchor, distance in hits:
                allowed = near_threshold(pdq, self.thresholds[int(anchor)])
                if allowed is None or distance > allowed or item_id == anchor:
                    continue
                if smooth_pair(variants[k][variant], self.hashes[int(anchor)], _signature(digests)) is not None:
                    continue
                found = NearCopy(item_id, int(anchor), int(distance), "pdq",
                                 {"variant": variant, "quality": pdq.quality, "threshold": allowed})
                if item_id not in best or (found.distance, found.near_item) < (best[item_id].distance,
                                                                                  best[item_id].near_item):
                    best[item_id] = found
        return best

    def _by_regions(self, item_id: int, digests: Digests) -> NearCopy | None:
        signature = digests.perceptual.get(region_signature.ALGORITHM)
        item = _signature(digests)
        if self.regions is None or item is None or not isinstance(signature, PerceptualDigest):
            return None
        mirrored = _signature(digests, variant=1)
        hits = [(how.distance, anchor, how) for anchor, how in self.regions.search(item, mirrored) if anchor != item_id]
        if not hits:
            return None
        distance, anchor, how = min(hits, key=lambda hit: hit[:2])
        return NearCopy(item_id, anchor, distance, region_signature.ALGORITHM,
                        {**how.details(), "quality": signature.quality})


def _signature(digests: Digests, variant: int = 0) -> Regions | None:
    """The item's region signature (variant 1: of its mirror image); None when it has none, or a
    malformed one (left out, as the matcher leaves out a list's malformed ones)."""
    found = digests.perceptual.get(region_signature.ALGORITHM)
    if not isinstance(found, PerceptualDigest) or len(found.variants or (found.value,)) <= variant:
        return None
    try:
        return region_signature.decode((found.variants or (found.value,))[variant])
    except ValueError:
        return None
