"""Which PDQ hashes may near-match, and within how many bits: the matcher's quality gates, shared by the
list matcher (pipeline/match.py) and the near copies among a case's own items (matching/nearcopy.py),
so that both refuse the same hashes.

A hash of quality PDQ_MIN_QUALITY or more with balanced bits is trustworthy: it matches within the
list's threshold. Under the gate but from LOW_QUALITY_FLOOR up, still balanced (not flat), it matches
only within LOW_QUALITY_DISTANCE (matching/regions.py has the measurement). Anything else (flat, blank,
near-uniform pictures) never near-matches: such pictures all hash alike.
"""

from __future__ import annotations

from footprint.hashers.pdq import MIN_QUALITY, is_degenerate
from footprint.matching.regions import LOW_QUALITY_DISTANCE, LOW_QUALITY_FLOOR
from footprint.model import PerceptualDigest

PDQ_MIN_QUALITY = MIN_QUALITY  # 50, the reference's recommended threshold


def trustworthy(pdq: PerceptualDigest) -> bool:
    return pdq.quality >= PDQ_MIN_QUALITY and not is_degenerate(pdq.value, pdq.quality)


def low_quality(pdq: PerceptualDigest) -> bool:
    """Under the quality gate but still a picture: enough gradient, and a balanced (not flat) hash."""
    return LOW_QUALITY_FLOOR <= pdq.quality < PDQ_MIN_QUALITY and not is_degenerate(pdq.value, None)


def near_threshold(pdq: PerceptualDigest, threshold: int) -> int | None:
    """How many bits from a known hash this item hash may be and still match a list of ``threshold``;
    None when it may never near-match."""
    if trustworthy(pdq):
        return threshold
    if low_quality(pdq):
        return min(threshold, LOW_QUALITY_DISTANCE)
    return None
