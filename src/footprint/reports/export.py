"""Item exports: JSON Lines (one object an item) and CSV (one row an item and match).

Both are public interfaces, documented in the README; a field is never renamed or removed without
a new FORMAT_VERSION (fields and columns are only added, columns at the end). Each item carries its
reviewer's current decision (``decision``: category, who, when; null when no reviewer categorised it)
beside the lists' categories in its matches.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from footprint.matching.explain import explain
from footprint.model import Match, PerceptualDigest, Skipped
from footprint.reports.decided import Decisions, decision_row
from footprint.review.decisions import Decision
from footprint.store.base import ItemRecord

FORMAT_VERSION = 1
EXIF_FIELDS = ("make", "model", "serial", "lens_serial", "taken_text", "taken_utc", "latitude", "longitude",
               "altitude", "software", "owner")  # model.CameraFacts, as item_to_dict's "exif"

CSV_COLUMNS = (
    "ref", "exhibit", "state", "size", "md5", "sha1", "sha256", "pdq", "pdq_quality", "media_type",
    "status", "reason", "match_hashset", "match_entry", "match_label", "match_category", "match_kind",
    "match_algorithm", "match_distance", "inode", "offset", "created", "modified", "accessed",
    "changed", "warnings", "known_good", *(f"exif_{name}" for name in EXIF_FIELDS), "match_how",
    "decision_category", "decision_decided_by", "decision_decided_at",
)


def item_to_dict(record: ItemRecord, decision: Decision | None = None) -> dict[str, object]:
    digests = record.digests
    crypto = dict(digests.crypto) if digests else {}
    pdq = digests.perceptual.get("pdq") if digests else None
    facts = record.facts.as_dict()
    return {
        "ref": record.ref,
        "exhibit": record.exhibit,
        "state": facts.pop("state"),
        "size": record.size,
        "md5": crypto.get("md5"),
        "sha1": crypto.get("sha1"),
        "sha256": crypto.get("sha256"),
        "pdq": pdq.value if isinstance(pdq, PerceptualDigest) else None,
        "pdq_quality": pdq.quality if isinstance(pdq, PerceptualDigest) else None,
        "media_type": digests.media_type if digests else None,
        "status": record.status,
        "reason": record.reason or (pdq.reason if isinstance(pdq, Skipped) else None),
        "matches": [match_to_dict(m) for m in record.matches],
        **facts,
        "warnings": list(record.warnings),
        "known_good": [{"list": g.list_name, "algorithm": g.algorithm, "conflict": g.conflict}
                       for g in record.known_good],
        "exif": record.camera.as_dict() if record.camera else None,
        "decision": decision_row(decision),
    }


def _decision(record: ItemRecord, decisions: Decisions | None) -> Decision | None:
    return decisions.get(record.id) if decisions and record.id is not None else None


def match_to_dict(match: Match) -> dict[str, object]:
    return {
        "hashset": match.hashset,
        "entry": match.entry_id,
        "label": match.label,
        "category": str(match.category) if match.category else None,
        "kind": match.kind.value,
        "algorithm": match.algorithm,
        "distance": match.distance,
        "how": explain(match),
        "details": dict(match.details),
    }


def write_jsonl(records: Iterable[ItemRecord], out: TextIO, decisions: Decisions | None = None) -> int:
    """``decisions``: item id → its current reviewer's decision (reports.decided.current_decisions)."""
    count = 0
    for record in records:
        out.write(json.dumps(item_to_dict(record, _decision(record, decisions)), ensure_ascii=False, sort_keys=False))
        out.write("\n")
        count += 1
    return count


def write_csv(records: Iterable[ItemRecord], out: TextIO, decisions: Decisions | None = None) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        row = item_to_dict(record, _decision(record, decisions))
        decided = row.pop("decision")
        row.update({f"decision_{k}": v for k, v in decided.items()} if isinstance(decided, dict) else {})
        row["warnings"] = " | ".join(record.warnings)
        row["known_good"] = " | ".join(f"{g.list_name}:{g.algorithm}" + (":conflict" if g.conflict else "")
                                       for g in record.known_good)
        exif = record.camera.as_dict() if record.camera else {}
        row.pop("exif")
        row.update({f"exif_{name}": exif.get(name) for name in EXIF_FIELDS})
        matches: list[object] = [match_to_dict(m) for m in record.matches] or [None]
        row.pop("matches")
        for match in matches:
            writer.writerow({**row, **_match_columns(match)})
        count += 1
    return count


def _match_columns(match: object) -> dict[str, object]:
    if not isinstance(match, dict):
        return {}
    return {f"match_{key}": value for key, value in match.items() if key != "details"}


EXPORTERS = {"jsonl": write_jsonl, "csv": write_csv}
