"""What the templates show, drawn from the store's records: presentation only, no decisions made here."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from footprint.hashers import regions
from footprint.matching.explain import explain
from footprint.model import CategoryScheme, ItemRef, Match, PerceptualDigest, Skipped, escape_part, printable
from footprint.review.reveals import has_picture
from footprint.sources.detect import is_video
from footprint.store.base import ItemRecord

CATEGORY_LABELS = {
    CategoryScheme.UK: [("uk:A", "A"), ("uk:B", "B"), ("uk:C", "C"), ("uk:N", "Not indecent")],
    CategoryScheme.VICS: [(f"vics:{n}", f"VICS {n}") for n in range(5)],
}
# Keys (KeyboardEvent.code) for each category; Shift + the same key applies it to the cluster.
CATEGORY_KEYS = {
    CategoryScheme.UK: {"uk:A": "KeyA", "uk:B": "KeyB", "uk:C": "KeyC", "uk:N": "KeyN"},
    CategoryScheme.VICS: {f"vics:{n}": f"Digit{n}" for n in range(5)},
}
EXIF_FIELDS = ("make", "model", "serial", "lens_serial", "owner", "software", "taken_text", "taken_utc", "latitude",
               "longitude", "altitude")  # the keys of model.CameraFacts.as_dict, in the order shown


def categories(scheme: CategoryScheme) -> list[tuple[str, str]]:
    return CATEGORY_LABELS[scheme]


def key_names(scheme: CategoryScheme) -> dict[str, str]:
    """Category → the key shown to the user (``A``, ``3``)."""
    return {c: k.removeprefix("Key").removeprefix("Digit") for c, k in CATEGORY_KEYS[scheme].items()}


def keymap_json(scheme: CategoryScheme) -> str:
    """Key code → category, for review.js (also Numpad digits for VICS)."""
    mapping = {k: c for c, k in CATEGORY_KEYS[scheme].items()}
    if scheme is CategoryScheme.VICS:
        mapping.update({f"Numpad{n}": f"vics:{n}" for n in range(5)})
    return json.dumps(mapping)


def shown_name(ref: str) -> str:
    """An item's file name as pages show it: in its address's escaped form (escape_part, as the address
    itself is shown), so that a control or a bidirectional override hides nothing (U+202E would show
    "rtl\u202egnp.exe.png" as "rtlpng.exe.png"; it shows as "rtl%E2%80%AEgnp.exe.png")."""
    return escape_part(ItemRef.parse(ref).name) or ref


@dataclass
class Tile:
    id: int
    ref: str
    name: str
    state: str
    media: str | None
    picture: bool
    video: bool
    matched: bool
    match_label: str = ""
    match_title: str = ""
    category: str | None = None
    cluster: int | None = None
    cluster_size: int = 0


def tile(record: ItemRecord, category: str | None = None, cluster: int | None = None,
         cluster_size: int = 0) -> Tile:
    media = record.digests.media_type if record.digests else None
    assert record.id is not None
    first = record.matches[0] if record.matches else None
    return Tile(id=record.id, ref=record.ref, name=shown_name(record.ref),
                state=record.facts.state.value, media=media, picture=has_picture(record),
                video=is_video(media), matched=bool(record.matches),
                match_label=_match_label(first) if first else "",
                match_title="; ".join(_match_title(m) for m in record.matches),
                category=category, cluster=cluster, cluster_size=cluster_size)


def _match_label(match: Match) -> str:
    return f"{match.hashset}: {match.category or match.label or match.kind.value}"


def _match_title(match: Match) -> str:
    return f"{match.hashset} {match.label or match.entry_id} {match.kind.value} {match.algorithm} d={match.distance}"


@dataclass
class ItemView:
    id: int
    ref: str
    name: str
    exhibit: str | None
    state: str
    size: int | None
    media: str | None
    status: str
    reason: str | None
    picture: bool
    video: bool
    facts: list[tuple[str, str]]
    hashes: list[tuple[str, str]]
    matches: Sequence[Match]
    warnings: Sequence[str]
    exif: list[tuple[str, str]] = field(default_factory=list)
    how: list[str] = field(default_factory=list)  # matching.explain of each match, in order
    category: str | None = None
    cluster: int | None = None
    cluster_size: int = 0


def item_view(record: ItemRecord, exif: Mapping[str, Any] | None = None, category: str | None = None,
              cluster: int | None = None, cluster_size: int = 0) -> ItemView:
    assert record.id is not None
    media = record.digests.media_type if record.digests else None
    exif = exif if exif is not None else (record.camera.as_dict() if record.camera else None)
    return ItemView(id=record.id, ref=record.ref, name=shown_name(record.ref), exhibit=record.exhibit,
                    state=record.facts.state.value, size=record.size, media=media, status=record.status,
                    reason=record.reason, picture=has_picture(record), video=is_video(media),
                    facts=_facts(record), hashes=_hashes(record), matches=record.matches,
                    warnings=record.warnings, exif=_exif(exif), category=category, cluster=cluster,
                    cluster_size=cluster_size, how=[explain(m) for m in record.matches])


def _facts(record: ItemRecord) -> list[tuple[str, str]]:
    found = record.facts.as_dict()
    names = {"inode": "Inode / MFT entry", "offset": "Offset in parent (bytes)", "created": "Created (UTC)",
             "modified": "Modified (UTC)", "accessed": "Accessed (UTC)", "changed": "Changed (UTC)"}
    return [(label, str(found[key])) for key, label in names.items() if found.get(key) is not None]


def _hashes(record: ItemRecord) -> list[tuple[str, str]]:
    if record.digests is None:
        return []
    rows = [(name.upper(), value) for name, value in sorted(record.digests.crypto.items())]
    for name, digest in sorted(record.digests.perceptual.items()):
        if isinstance(digest, PerceptualDigest) and name == regions.ALGORITHM:
            parts = regions.decode(digest.value)
            rows.append((name.upper(), f"{len(parts)} regions, full frame quality {digest.quality}"))
            rows.extend((f"PDQ region {region}", f"{value} (quality {quality})")
                        for region, (value, quality) in parts.items())
        elif isinstance(digest, PerceptualDigest):
            value = digest.value if len(digest.value) <= 256 else f"{len(digest.value.splitlines())} frames"
            rows.append((name.upper(), f"{value} (quality {digest.quality})"))
        elif isinstance(digest, Skipped):
            rows.append((name.upper(), f"none: {digest.reason}"))
    return rows


def _exif(exif: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    if not exif:
        return []
    known = [(k, exif[k]) for k in EXIF_FIELDS if exif.get(k) not in (None, "")]
    others = [(k, v) for k, v in sorted(exif.items()) if k not in EXIF_FIELDS and v not in (None, "")]
    return [(k.replace("_", " ").capitalize(), str(v)) for k, v in known + others]


# -- the detection service's reports -----------------------------------------------------------


@dataclass
class ReportRow:
    id: int
    incident: str
    status: str
    client: str
    reference: str
    matches: int
    first_match: str


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else ""


def report_row(report: Any) -> ReportRow:
    first = report.matches[0] if report.matches else {}
    label = f"{first.get('bank', '')}: {first.get('category') or first.get('label') or first.get('kind', '')}"
    return ReportRow(id=report.id, incident=_when(report.incident_time), status=report.status,
                     client=report.key_name or "", reference=_plain(report.reference), matches=len(report.matches),
                     first_match=label if first else "")


@dataclass
class ReportView:
    id: int
    status: str
    notes: str
    facts: list[tuple[str, str]]
    uploader: list[tuple[str, str]]
    hashes: list[tuple[str, str]]
    matches: list[Mapping[str, Any]]


def report_view(report: Any) -> ReportView:
    """A report as the detail page shows it: the incident, the uploader as the platform gave it, the
    file's hashes and every match with its bank, entry, kind and distance."""
    facts = [("Incident time", _when(report.incident_time)), ("Received", _when(report.created)),
             ("Last changed", _when(report.changed)), ("Client (API key)", report.key_name or ""),
             ("Platform reference", _plain(report.reference)), ("Index version", str(report.index_version))]
    file = dict(report.file)
    hashes = [(str(k).upper(), _plain(v)) for k, v in sorted(dict(file.get("hashes") or {}).items())]
    hashes += [(k.replace("_", " ").capitalize(), _plain(file[k])) for k in ("media_type", "size") if k in file]
    given = sorted(dict(report.uploader or {}).items())
    uploader = [(str(k).replace("_", " ").capitalize(), _plain(v)) for k, v in given if v not in (None, "", {})]
    return ReportView(id=report.id, status=report.status, notes=report.notes, facts=facts, uploader=uploader,
                      hashes=hashes, matches=[dict(m) for m in report.matches])


def _plain(value: Any) -> str:
    """A platform's value as text to show: a character that does not print (a control, a NUL, a
    right-to-left override that would turn the text around it) shown escaped, as item addresses are."""
    if isinstance(value, Mapping):
        text = ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    else:
        text = "" if value is None else str(value)
    return printable(text)
