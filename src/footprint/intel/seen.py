"""What the links across cases read of each item (intel/links.py): its node, the file it is, its
picture, camera and place, and the evidence it came from; and which items take no part.

Rules, each applied here once for every kind of link:

* **Known-good** (an NSRL mark on the item, or on another copy of the same bytes): the item makes no
  link of any kind (file, picture, camera or place): every computer holds it, it links nobody. Unless
  the item, or another copy of its bytes, matched a known list: a known-good mark never hides a match
  (a mistaken or planted NSRL entry must not hide a known picture two suspects share), so a matched
  item keeps every link a matched item makes.
* **Trivial files** (decided in ``trivial`` for a whole group of copies, which are the same bytes): empty
  files, files under ``MIN_FILE_BYTES`` and blank pictures (too small for PDQ, a PDQ quality under the
  matcher's LOW_QUALITY_FLOOR, or a PDQ far from 128 bits set: hashers/pdq.is_degenerate) make no file
  link; links.py counts them, by reason, as set aside. A matched file is never trivial; a dark or smooth
  photo whose PDQ quality is merely low (under 50) is no blank picture.
* **The same evidence**: each item carries its exhibit's fingerprint (the SHA-256 of an exhibit file,
  the manifest hash of a folder), so copies held only in exhibits of one fingerprint (one piece of
  evidence scanned into two cases) are not a link between holders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from footprint.hashers.pdq import is_degenerate
from footprint.matching.regions import LOW_QUALITY_FLOOR
from footprint.model import Skipped
from footprint.store.base import ExhibitRecord, ItemRecord, Store

REASONS = ("known-good", "empty", "small", "blank picture")  # why a shared file makes no link, in this order
MIN_FILE_BYTES = 1024  # a file smaller than this (a spacer GIF, a config line) links nobody
FINGERPRINTS = ("sha256", "manifest-sha256")  # an exhibit file's content hash, a folder's manifest hash
_PLACEHOLDER_SERIALS = frozenset({"unknown", "none", "null", "n/a", "na", "not set", "default", "serial",
                                  "serial number", "-", "123456789", "0123456789", "1234567890"})


@dataclass(frozen=True, order=True)
class Node:
    """One item as a link's end: its case, exhibit and full address (and its id in the store). An
    exhibit as a whole (a ``same evidence`` link) is a node whose ref is the exhibit's name and whose
    item_id is None."""

    case: str
    exhibit: str
    ref: str
    item_id: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """A stable node id for graph formats."""
        return f"{self.case}|{self.ref}" if self.item_id is not None else f"exhibit:{self.case}|{self.exhibit}"

    def as_dict(self) -> dict[str, object]:
        return {"case": self.case, "exhibit": self.exhibit, "ref": self.ref, "item_id": self.item_id}


@dataclass(frozen=True)
class Seen:
    node: Node
    source: tuple[str, ...]  # the evidence it came from: its exhibit's fingerprint, else (case, exhibit)
    file: tuple[str, str] | None  # (algorithm, hex) of its bytes, whatever their size
    size: int
    blank: bool  # a picture too small for PDQ, of PDQ quality under LOW_QUALITY_FLOOR or far from 128 bits set
    matched: bool
    known_good: bool
    pdq: str | None  # a trusted PDQ only
    camera: tuple[str, str, str] | None  # normalised (make, model, serial)
    place: tuple[float, float] | None

    @property
    def links(self) -> bool:
        """Whether the item takes part in links at all (a known-good item that matched nothing does not)."""
        return self.matched or not self.known_good


def read(store: Store) -> list[Seen]:
    """Every item of the store with something to link by; known-good marks spread to every copy of the
    same bytes, and matches likewise (a match wins)."""
    seen = [s for case in store.list_cases() for s in _case_items(store, case.id, case.name)]
    matched: dict[tuple[str, str], bool] = defaultdict(bool)
    known: dict[tuple[str, str], bool] = defaultdict(bool)
    for s in seen:
        if s.file:
            matched[s.file] |= s.matched
            known[s.file] |= s.known_good
    return [_replace_marks(s, matched[s.file], known[s.file]) if s.file else s for s in seen]


def _replace_marks(s: Seen, matched: bool, known: bool) -> Seen:
    if (matched, known) == (s.matched, s.known_good):
        return s
    return Seen(s.node, s.source, s.file, s.size, s.blank, matched, known, s.pdq, s.camera, s.place)


def fingerprint(exhibit: ExhibitRecord) -> tuple[str, str] | None:
    """(algorithm, hex) that names the evidence itself; None when the scan recorded none."""
    return next(((name, exhibit.hashes_before[name].lower()) for name in FINGERPRINTS
                 if exhibit.hashes_before.get(name)), None)


def _case_items(store: Store, case_id: int, case: str) -> Iterator[Seen]:
    sources = {e.name: fingerprint(e) for e in store.list_exhibits(case_id)}
    for record in store.iter_items(case_id):
        if record.id is None or record.digests is None:
            continue
        s = seen(case, record, sources)
        if s.file or s.pdq or s.camera or s.place:
            yield s


def seen(case: str, record: ItemRecord, sources: Mapping[str, tuple[str, str] | None] | None = None) -> Seen:
    """One item as the links see it; ``sources``: its case's exhibits' fingerprints by name."""
    assert record.digests is not None and record.id is not None
    exhibit = record.exhibit or record.ref.split("!", 1)[0].split("/", 1)[0]
    crypto = record.digests.crypto
    file = next(((name, crypto[name].lower()) for name in ("sha256", "md5") if crypto.get(name)), None)
    pdq = record.digests.perceptual.get("pdq")
    value, quality = getattr(pdq, "value", None), getattr(pdq, "quality", None)
    degenerate = isinstance(value, str) and bool(value) and is_degenerate(value, quality)
    too_small = isinstance(pdq, Skipped) and pdq.reason.startswith("image too small")
    # blank: too little picture for even the matcher's low-quality pass (a uniform or all but uniform
    # picture), or a hash far from 128 bits set; a dark or smooth photo of low quality is no blank picture
    blank = too_small or (isinstance(value, str) and bool(value) and (
        is_degenerate(value, None) or (quality is not None and quality < LOW_QUALITY_FLOOR)))
    trusted = isinstance(value, str) and bool(value) and quality is not None and not degenerate  # as matching
    camera = record.camera
    return Seen(Node(case, exhibit, record.ref, record.id), (sources or {}).get(exhibit) or ("exhibit", case, exhibit),
                file, record.digests.size, blank, bool(record.matches), bool(record.known_good),
                value if trusted else None,
                camera_key(camera.make, camera.model, camera.serial) if camera else None,
                (camera.latitude, camera.longitude) if camera and camera.latitude is not None
                and camera.longitude is not None else None)


def camera_key(make: str | None, model: str | None, serial: str | None) -> tuple[str, str, str] | None:
    """(make, model, serial) trimmed and case-folded; None without a real serial."""
    serial = (serial or "").strip().casefold()
    if not serial or serial in _PLACEHOLDER_SERIALS or len(set(serial)) == 1:  # "0000000000", "xxxx"
        return None
    return (make or "").strip().casefold(), (model or "").strip().casefold(), serial


def trivial(copies: Sequence[Seen]) -> str | None:
    """Why a group of copies of one file makes no file link (None: it links): ``known-good``,
    ``empty``, ``small`` (under MIN_FILE_BYTES) or ``blank picture``; a matched file always links."""
    first = copies[0]
    if first.matched:
        return None
    if first.known_good:
        return "known-good"
    if first.size == 0:
        return "empty"
    if first.size < MIN_FILE_BYTES:
        return "small"
    return "blank picture" if any(c.blank for c in copies) else None
