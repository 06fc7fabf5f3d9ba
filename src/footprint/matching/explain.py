"""One sentence that says how a match was made, from what the matcher recorded in its details.

A reviewer and a court read these: every figure the decision rested on is named (which hashes agreed,
which PDQ variant and distance against which threshold, which regions and their distances, what share of
a video's frames), never a bare "match".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from footprint.hashers.pdq import DIHEDRAL_NAMES
from footprint.matching.regions import CLEAR_DETAIL, DISTINCT_CORNERS, MIN_ZOOM_MOVE, SEPARABLE_SHARE, WEAK_DISTANCE
from footprint.model import Match, MatchKind

_REGION_PATHS = {
    "full": "full frames",
    "reframed": "the picture re-framed (cropped, trimmed or letterboxed)",
    "corners": "two corner windows along one edge (the rest covered or changed)",
    "regions": "several regions each close, one within plain PDQ's 31 bits",
    "low-quality": "a low-quality copy against a clear original, at a tight distance",
}

# What the item is, seen from the known picture, when PDQ variant NAME of the item matched (the
# matcher records the variant's position in DIHEDRAL_NAMES; checked against PIL's turns and flips).
_VARIANT_WORDS = {
    "rotate90": "the picture turned 90° clockwise",
    "rotate180": "the picture turned 180°",
    "rotate270": "the picture turned 90° anticlockwise",
    "flipx": "the picture flipped upside down",
    "flipy": "the picture mirrored left to right",
    "flipplus1": "the picture mirrored across its main diagonal",
    "flipminus1": "the picture mirrored across its other diagonal",
}


def explain(match: Match) -> str:
    """How ``match`` was made, and whether its list names the same hash in other rows too."""
    same = (match.details or {}).get("same_hash_entries")
    if not isinstance(same, list) or not same:
        return _explain(match)
    rows = ", ".join(str(entry_id) for entry_id in [match.entry_id, *same])
    return f"{_explain(match)}; the list names this hash in {len(same) + 1} rows (entries {rows})"


def _explain(match: Match) -> str:
    details: Mapping[str, Any] = match.details or {}
    if match.kind == MatchKind.EXACT:
        agreed = details.get("algorithms") or [match.algorithm]
        return f"exact: {', '.join(str(a).upper() for a in agreed)} equal"
    if match.algorithm == "pdq":
        return _pdq(match, details)
    if match.algorithm == "vpdq":
        return _video(match, details)
    if "path" in details:
        return _regions(match, details)
    extra = "; ".join(f"{k} {v}" for k, v in sorted(details.items()) if k != "same_hash_entries")
    return f"near: {match.algorithm} distance {match.distance}" + (f" ({extra})" if extra else "")


def _pdq(match: Match, details: Mapping[str, Any]) -> str:
    variant = _variant_name(details.get("variant"))
    text = f"near: PDQ distance {match.distance}"
    if details.get("threshold") is not None:
        text += f" of at most {details['threshold']}"
    if variant not in (None, "original"):
        text += f", item is {_VARIANT_WORDS.get(str(variant), 'a variant')} (PDQ variant {variant})"
    if details.get("quality") is not None:
        text += f", item quality {details['quality']}"
    if details.get("low_quality"):
        text += " (low-quality item: tighter distance)"
    return text


def _variant_name(variant: Any) -> str | None:
    """The matcher stores the variant's position (0-7); older details may hold its name."""
    if isinstance(variant, int) and not isinstance(variant, bool) and 0 <= variant < len(DIHEDRAL_NAMES):
        return DIHEDRAL_NAMES[variant]
    return None if variant is None else str(variant)


def _regions(match: Match, details: Mapping[str, Any]) -> str:
    path = str(details.get("path"))
    regions = details.get("regions") or {}
    pairs = ", ".join(f"{name} {distance}" for name, distance in regions.items())
    text = f"near: region signature, {_REGION_PATHS.get(path, path)}; worst distance {match.distance}"
    if pairs:
        text += f" (bits by region: {pairs})"
    if details.get("mirrored"):
        text += ", picture mirrored"
    if details.get("low_quality"):
        text += " (regions of quality 20-49 counted: tighter distance)"
    detail = details.get("detail") or {}
    if detail:
        need = CLEAR_DETAIL if _needs_clear_detail(path, regions, bool(details.get("mirrored"))) else MIN_ZOOM_MOVE
        text += (f"; neither a smooth picture: their hashes move {detail.get('item_zoom')} and "
                 f"{detail.get('entry_zoom')} bits over 5% zooms (at least {need}), the regions used "
                 f"are at most {detail.get('separable')} separable (at most {SEPARABLE_SHARE})")
        if "item_corners" in detail:
            text += (f", their corner windows at least {detail.get('item_corners')} and {detail.get('entry_corners')} "
                     f"bits apart (at least {DISTINCT_CORNERS})")
    return text


def _needs_clear_detail(path: str, regions: Mapping[str, Any], mirrored: bool) -> bool:
    """A "reframed" match of the item's own form whose reframing pair (the first one recorded) is farther
    apart than WEAK_DISTANCE holds only between pictures of clear detail (matching.regions)."""
    first = next(iter(regions.values()), 0) if path == "reframed" and not mirrored else 0
    return isinstance(first, int) and first > WEAK_DISTANCE


def _video(match: Match, details: Mapping[str, Any]) -> str:
    text = f"near: vPDQ, median frame distance {match.distance}"
    if details.get("query_percent") is not None:
        text += (f", {details['query_percent']:.0f}% of this video's frames and "
                 f"{details.get('target_percent', 0):.0f}% of the known video's matched")
    if details.get("frame_distance") is not None:
        text += f" (frames within {details['frame_distance']} bits)"
    return text
