"""Rows in and out of the case store, shared by the SQL store and the in-memory fake.

Both stores keep the same plain row dicts and decode them with the same functions, so that what
the fake returns is exactly what the database returns: JSON values come back as JSON types,
timestamps come back timezone-aware in UTC, and "no hash" stays an explicit ``Skipped``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Protocol, TypeVar

import numpy as np

from footprint.errors import FormatError, StoreError, UsageError
from footprint.model import (
    CameraFacts,
    Category,
    Digests,
    ItemFacts,
    ItemState,
    KnownEntry,
    Match,
    MatchKind,
    PerceptualDigest,
    Skipped,
)

from .base import ItemRecord

Row = dict[str, Any]
T = TypeVar("T")


class RowLike(Protocol):
    """A row read back: a dict (the fake) or a SQLAlchemy RowMapping."""

    def __getitem__(self, key: str, /) -> Any: ...

EXACT_ALGORITHMS = ("md5", "sha1", "sha256")  # looked up by value: each has its own index
CRYPTO_COLUMNS = EXACT_ALGORITHMS
PDQ_BYTES = 32
_PDQ_HEX = re.compile(r"[0-9a-f]{64}")
_STAGE = re.compile(r"([a-z][a-z0-9_-]*): (.*)", re.DOTALL)
_TIMES = ("created", "modified", "accessed", "changed")


# -- plain values ---------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """Timezone-aware UTC. A naive timestamp is taken to be UTC already, as ItemFacts promises."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def jsonable(value: object, what: str) -> Any:
    """The value as it will read back from a JSON column (tuples become lists, keys strings)."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{what} cannot be stored as JSON: {exc}") from exc


def json_or_none(value: Mapping[str, object] | None, what: str) -> Any:
    """Empty mappings are stored as NULL: most rows have none, and NULL costs nothing."""
    return jsonable(dict(value), what) if value else None


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def exact_column(algorithm: str) -> str:
    if algorithm not in EXACT_ALGORITHMS:
        raise UsageError(f"no exact lookup by {algorithm!r}: use one of {', '.join(EXACT_ALGORITHMS)}")
    return algorithm


# -- warnings -------------------------------------------------------------------------------


def split_warning(text: str) -> tuple[str | None, str]:
    """``"decode: truncated"`` → ``("decode", "truncated")``; ``join_warning`` gives the text back."""
    found = _STAGE.fullmatch(text)
    return (found.group(1), found.group(2)) if found else (None, text)


def join_warning(stage: str | None, message: str) -> str:
    return f"{stage}: {message}" if stage else message


# -- items ----------------------------------------------------------------------------------


CAMERA_COLUMNS = ("make", "model", "serial", "lens_serial", "taken_text", "taken_utc", "latitude", "longitude",
                  "altitude", "software", "owner")


def camera_row(camera: CameraFacts) -> Row:
    """The item_exif columns of one picture's camera facts (without ids)."""
    return {name: getattr(camera, name) for name in CAMERA_COLUMNS}


def camera_from_row(row: RowLike) -> CameraFacts:
    values: dict[str, Any] = {name: utc(row[name]) if name == "taken_utc" else row[name] for name in CAMERA_COLUMNS}
    return CameraFacts(**values)


def item_row(record: ItemRecord) -> Row:
    """The items-table columns of one record (without ids)."""
    facts = record.facts
    row: Row = {
        "ref": record.ref, "size": record.size, "status": record.status, "reason": record.reason,
        "state": ItemState(facts.state).value, "inode": facts.inode, "offset": facts.offset,
        **{name: utc(getattr(facts, name)) for name in _TIMES},
    }
    row.update(_digest_columns(record.digests))
    return row


def _digest_columns(digests: Digests | None) -> Row:
    row: Row = {name: None for name in (*CRYPTO_COLUMNS, "read_size", "media_type", "pdq", "pdq_quality")}
    if digests is None:
        row["digests_extra"] = None
        return row
    row.update(read_size=digests.size, media_type=digests.media_type)
    extra: dict[str, dict[str, object]] = {}
    for name, value in digests.crypto.items():
        if name in CRYPTO_COLUMNS:
            row[name] = value.lower()
        else:
            extra.setdefault("crypto", {})[name] = value.lower()
    for name, result in digests.perceptual.items():
        if name == "pdq" and isinstance(result, PerceptualDigest):
            row.update(pdq=result.value.lower(), pdq_quality=result.quality)
            if result.variants:
                extra.setdefault("variants", {})[name] = _variants_json(result)
        else:
            extra.setdefault("perceptual", {})[name] = _perceptual_json(result)
    row["digests_extra"] = extra or None
    return row


def _perceptual_json(result: PerceptualDigest | Skipped) -> dict[str, object]:
    if isinstance(result, Skipped):
        return {"skipped": result.reason}
    variants = {"variants": _variants_json(result)} if result.variants else {}
    return {"algorithm": result.algorithm, "value": result.value, "quality": result.quality, **variants}


def _variants_json(result: PerceptualDigest) -> list[str | None]:
    """The variants, the first as None when it is the value itself (as it is for every hasher's): not kept twice."""
    first, *rest = result.variants
    return [None if first == result.value else first, *rest]


def _variants_from(value: str, stored: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(value if v is None else v for v in stored)


def item_from_row(row: RowLike, exhibit: str, matches: Sequence[Match],
                  warnings: Sequence[str]) -> ItemRecord:
    facts = ItemFacts(state=ItemState(row["state"]), inode=row["inode"], offset=row["offset"],
                      **{name: utc(row[name]) for name in _TIMES})
    return ItemRecord(ref=row["ref"], size=row["size"], status=row["status"], facts=facts,
                      digests=_digests_from_row(row), reason=row["reason"], matches=tuple(matches),
                      warnings=tuple(warnings), exhibit=exhibit, id=row["id"])


def _digests_from_row(row: RowLike) -> Digests | None:
    if row["read_size"] is None:
        return None
    extra = row["digests_extra"] or {}
    crypto = {name: row[name] for name in CRYPTO_COLUMNS if row[name] is not None}
    crypto.update(extra.get("crypto", {}))
    perceptual: dict[str, PerceptualDigest | Skipped] = {}
    if row["pdq"] is not None:
        pdq_variants = _variants_from(row["pdq"], extra.get("variants", {}).get("pdq", ()))
        perceptual["pdq"] = PerceptualDigest("pdq", row["pdq"], row["pdq_quality"], pdq_variants)
    for name, value in extra.get("perceptual", {}).items():
        perceptual[name] = (Skipped(value["skipped"]) if "skipped" in value
                            else PerceptualDigest(value["algorithm"], value["value"], value["quality"],
                                                  _variants_from(value["value"], value.get("variants", ()))))
    return Digests(size=row["read_size"], crypto=crypto, perceptual=perceptual,
                   media_type=row["media_type"])


# -- matches --------------------------------------------------------------------------------


def match_row(match: Match) -> Row:
    """A finding as it was made: hash set name, label and category are kept with it, so the case
    still says what matched even if the hash set is later removed or re-imported."""
    return {
        "hashset": match.hashset, "entry_id": match.entry_id, "kind": MatchKind(match.kind).value,
        "algorithm": match.algorithm, "distance": match.distance, "label": match.label,
        "category": str(match.category) if match.category else None,
        "details": json_or_none(match.details, f"details of a match on {match.hashset}"),
    }


def match_from_row(row: RowLike) -> Match:
    return Match(hashset=row["hashset"], entry_id=row["entry_id"], kind=MatchKind(row["kind"]),
                 algorithm=row["algorithm"], distance=row["distance"], label=row["label"],
                 category=Category.parse(row["category"]) if row["category"] else None,
                 details=row["details"] or {})


# -- known entries --------------------------------------------------------------------------


ENTRY_COLUMNS = ("md5", "sha1", "sha256", "pdq", "category", "label", "series", "victim_identified", "extra")


def entry_row(entry: KnownEntry) -> Row:
    return dict(zip(ENTRY_COLUMNS, entry_values(entry), strict=True))


def entry_values(entry: KnownEntry) -> tuple[Any, ...]:
    """The entry's row as values in ENTRY_COLUMNS order (a tuple: bulk inserts take millions of them)."""
    pdq = entry.pdq.lower() if entry.pdq else None
    if pdq is not None and not _PDQ_HEX.fullmatch(pdq):
        raise FormatError(f"PDQ hash {entry.pdq!r} is not 64 hex digits")
    return (entry.md5.lower() if entry.md5 else None,
            entry.sha1.lower() if entry.sha1 else None,
            entry.sha256.lower() if entry.sha256 else None,
            pdq,
            str(entry.category) if entry.category else None,
            entry.label, entry.series, entry.victim_identified,
            {k: str(v) for k, v in entry.extra.items()} if entry.extra else None)


def entry_from_row(row: RowLike) -> KnownEntry:
    victim = row["victim_identified"]
    return KnownEntry(md5=row["md5"], sha1=row["sha1"], sha256=row["sha256"], pdq=row["pdq"],
                      category=Category.parse(row["category"]) if row["category"] else None,
                      label=row["label"], series=row["series"],
                      victim_identified=None if victim is None else bool(victim), extra=row["extra"] or {})


def pdq_arrays(ids: Sequence[int], hexes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(int64[n], uint8[n, 32]) from entry ids and their 64-hex PDQ hashes, in one conversion."""
    hashes = np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(len(hexes), PDQ_BYTES)
    return np.asarray(ids, dtype=np.int64), hashes
