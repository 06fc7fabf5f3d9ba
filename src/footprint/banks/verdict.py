"""What the service makes of the matcher's hits on one query: which are filed as a match (a report and
the webhooks), and which are only answered and logged.

**Hash-only near hits are unverified.** The smooth-picture check (matching.regions.smooth_pair) has two
parts: a separable-pattern check on the hashes alone, and a zoom check that needs the item's region
signature, made from the picture itself. Two different sine-stripe pictures of quality 100 can hash 16
or 26 bits apart and pass the first; only the zoom check tells them apart. A plain PDQ near hit whose
item has no region signature (precomputed hashes: ``/match/hashes``) cannot have had that check, and the
quality with it is whatever the client claims; so it is no match. It is answered as ``unverified`` (the
entry, its distance and why), logged, and neither reported nor sent to the webhooks: the platform may
send the picture to ``/match/content``, which applies both checks. That includes distance 0: an
identical PDQ proves no more than a close one for smooth pictures (different sine pictures hash 2 bits
apart; nothing keeps two at 0), and for a true copy the picture settles it. Exact matches on a
cryptographic hash are filed as before; vPDQ (video) and region-signature matches carry their own rules.
A missed near match is better than a false one: a false report accuses someone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from footprint.hashers import regions as region_signature
from footprint.model import Digests, Match, MatchKind, PerceptualDigest

UNVERIFIED = ("PDQ near hit on hashes alone: the smooth-picture check needs the picture itself (two different "
              "smooth pictures can hash this close); send the picture to /match/content. Not reported")


@dataclass(frozen=True)
class Verdict:
    matches: list[Match]  # filed: a report and the webhooks
    unverified: list[Match] = field(default_factory=list)  # near hits the smooth-picture check could not judge
    allowed: list[Match] = field(default_factory=list)  # hits on allow-listed entries: never filed
    notes: list[str] = field(default_factory=list)  # what the matcher said: refused near hits, with entry and why


def judge(digests: Digests, found: Sequence[Match], notes: Sequence[str],
          allowed: Sequence[Match] = ()) -> Verdict:
    checkable = isinstance(digests.perceptual.get(region_signature.ALGORITHM), PerceptualDigest)
    unverified = [m for m in found if not checkable and _plain_pdq_near(m)]
    matches = [m for m in found if m not in unverified]
    return Verdict(matches, unverified, list(allowed), list(notes))


def _plain_pdq_near(match: Match) -> bool:
    return match.kind == MatchKind.NEAR and match.algorithm == "pdq"
