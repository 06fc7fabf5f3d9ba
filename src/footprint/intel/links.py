"""Links across cases: the same file, the same picture, the same camera or the same place, found in
items of different exhibits (of different cases, or of one case's different devices).

A link joins two item nodes (case, exhibit, item ref) and says its kind and its evidence:

* ``file``: the same SHA-256 (MD5 where an item has only that). Empty files and items marked
  known-good (NSRL) are left out: every computer holds them, they link nobody; unless the item also
  matched a known list (a known-good mark never hides a match: a mistaken or planted NSRL entry must
  not hide a known picture two suspects share).
* ``picture``: PDQ hashes within ``PICTURE_DISTANCE`` bits (the review's tight cluster distance, not
  the 31 bits of a list match: a link accuses two people of holding one picture). Hashes of unknown
  or low quality (below 50) and degenerate ones never link (hashers/pdq.is_degenerate, the rule the
  matcher applies in pipeline/match.py); two items
  already linked as the same file are not linked again as a picture.
* ``camera``: the same make, model and body serial (trimmed, case-folded); placeholder serials
  (``0``, ``0000000000``, ``unknown``...) are ignored.
* ``place``: GPS positions within ``radius`` metres (haversine on a sphere of the Earth's mean radius).

Items that share a file hash or a camera form a group; rather than every pair of the group (n^2
for a camera with a thousand photos), each member is linked to the group's first item (a star,
first by case, exhibit and ref), which keeps every member reachable. Near pictures and places are
pairwise, since they are not transitive. Output is sorted, so the same store gives the same links.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from footprint.hashers.pdq import is_degenerate
from footprint.matching.pairs import near_pairs
from footprint.store.base import ItemRecord, Store

PICTURE_DISTANCE = 16  # bits of 256, as review/clusters.CLUSTER_DISTANCE: copies of one picture only
DEFAULT_RADIUS = 100.0  # metres
EARTH_RADIUS = 6_371_008.8  # metres, the mean radius (IUGG)
KINDS = ("file", "picture", "camera", "place")
_PLACEHOLDER_SERIALS = frozenset({"unknown", "none", "null", "n/a", "na", "not set", "default", "serial",
                                  "serial number", "-", "123456789", "0123456789", "1234567890"})
_REPEATED = re.compile(r"(.)\1*")  # "0", "0000000000", "xxxx": one character over and over


@dataclass(frozen=True, order=True)
class Node:
    """One item as a link's end: its case, exhibit and full address (and its id in the store)."""

    case: str
    exhibit: str
    ref: str
    item_id: int = field(compare=False)

    @property
    def key(self) -> str:
        """A stable node id for graph formats."""
        return f"{self.case}|{self.ref}"

    def as_dict(self) -> dict[str, object]:
        return {"case": self.case, "exhibit": self.exhibit, "ref": self.ref, "item_id": self.item_id}


@dataclass(frozen=True)
class Link:
    kind: str  # file | picture | camera | place
    a: Node
    b: Node
    evidence: dict[str, object]

    def sort_key(self) -> tuple[object, ...]:
        return KINDS.index(self.kind), self.a, self.b, sorted((k, str(v)) for k, v in self.evidence.items())

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "evidence": self.evidence, "a": self.a.as_dict(), "b": self.b.as_dict(),
                "cross_case": self.a.case != self.b.case}


@dataclass(frozen=True)
class _Seen:
    node: Node
    file: tuple[str, str] | None  # (algorithm, hex)
    pdq: str | None
    camera: tuple[str, str, str] | None  # normalised (make, model, serial)
    place: tuple[float, float] | None


def find_links(store: Store, radius: float = DEFAULT_RADIUS, cases: Sequence[str] | None = None) -> list[Link]:
    """Every link among the store's cases; with ``cases``, only links touching one of them."""
    seen = list(_read(store))
    links = [*_file_links(seen), *_camera_links(seen)]
    file_of = {s.node.item_id: s.file for s in seen if s.file}  # a file group's members: all one file
    links += [link for link in _picture_links(seen)
              if file_of.get(link.a.item_id) is None or file_of.get(link.a.item_id) != file_of.get(link.b.item_id)]
    links += _place_links(seen, radius)
    if cases is not None:
        wanted = set(cases)
        links = [link for link in links if link.a.case in wanted or link.b.case in wanted]
    return sorted(links, key=Link.sort_key)


def links_for_case(store: Store, case_name: str, radius: float = DEFAULT_RADIUS) -> list[Link]:
    """The links touching one case (for the case view); raises NotFound for an unknown case."""
    store.get_case(case_name)
    return find_links(store, radius, [case_name])


# -- reading ------------------------------------------------------------------------------------


def _read(store: Store) -> Iterator[_Seen]:
    for case in store.list_cases():
        for record in store.iter_items(case.id):
            if record.id is None or record.digests is None:
                continue
            seen = _seen(case.name, record)
            if seen.file or seen.pdq or seen.camera or seen.place:
                yield seen


def _seen(case: str, record: ItemRecord) -> _Seen:
    assert record.digests is not None and record.id is not None
    node = Node(case, record.exhibit or record.ref.split("!", 1)[0].split("/", 1)[0], record.ref, record.id)
    crypto = record.digests.crypto
    file = None
    if record.digests.size > 0 and (record.matches or not record.known_good):  # a known-good mark never hides a match
        file = next(((name, crypto[name].lower()) for name in ("sha256", "md5") if crypto.get(name)), None)
    pdq = record.digests.perceptual.get("pdq")
    value, quality = getattr(pdq, "value", None), getattr(pdq, "quality", None)
    camera = record.camera
    # a hash only when it is a real one: as pipeline/match.py
    trusted = isinstance(value, str) and bool(value) and quality is not None and not is_degenerate(value, quality)
    return _Seen(node, file, value if trusted else None,
                 camera_key(camera.make, camera.model, camera.serial) if camera else None,
                 (camera.latitude, camera.longitude) if camera and camera.latitude is not None
                 and camera.longitude is not None else None)


def camera_key(make: str | None, model: str | None, serial: str | None) -> tuple[str, str, str] | None:
    """(make, model, serial) trimmed and case-folded; None without a real serial."""
    serial = (serial or "").strip().casefold()
    if not serial or serial in _PLACEHOLDER_SERIALS or _REPEATED.fullmatch(serial):
        return None
    return (make or "").strip().casefold(), (model or "").strip().casefold(), serial


# -- the four kinds -----------------------------------------------------------------------------


def _stars(kind: str, groups: dict[object, list[Node]], evidence: Iterable[tuple[object, dict[str, object]]]
           ) -> Iterator[Link]:
    """For each group spanning more than one exhibit: its first node linked to every member held in
    another exhibit (members in the first node's own exhibit are not links across anything)."""
    for key, said in evidence:
        nodes = sorted(groups[key])
        if len({(n.case, n.exhibit) for n in nodes}) < 2:
            continue
        hub = nodes[0]
        for node in nodes[1:]:
            if (node.case, node.exhibit) != (hub.case, hub.exhibit):
                yield Link(kind, hub, node, said)


def _file_links(seen: list[_Seen]) -> Iterator[Link]:
    groups: dict[object, list[Node]] = defaultdict(list)
    for s in seen:
        if s.file:
            groups[s.file].append(s.node)
    return _stars("file", groups, ((key, {"algorithm": key[0], "hash": key[1]})
                                   for key in sorted(groups, key=str) if isinstance(key, tuple)))


def _camera_links(seen: list[_Seen]) -> Iterator[Link]:
    groups: dict[object, list[Node]] = defaultdict(list)
    for s in seen:
        if s.camera:
            groups[s.camera].append(s.node)
    return _stars("camera", groups, ((key, {"make": key[0], "model": key[1], "serial": key[2]})
                                     for key in sorted(groups, key=str) if isinstance(key, tuple)))


def _picture_links(seen: list[_Seen]) -> Iterator[Link]:
    with_pdq = [s for s in seen if s.pdq]
    by_id = {s.node.item_id: s for s in with_pdq}
    pairs = near_pairs([s.node.item_id for s in with_pdq], [s.pdq or "" for s in with_pdq], PICTURE_DISTANCE)
    for one, other, bits in pairs:
        a, b = sorted((by_id[one].node, by_id[other].node))
        if (a.case, a.exhibit) != (b.case, b.exhibit):
            yield Link("picture", a, b, {"algorithm": "pdq", "bits": bits, "radius": PICTURE_DISTANCE})


def _place_links(seen: list[_Seen], radius: float) -> Iterator[Link]:
    """Pairs within ``radius`` metres, found through a grid of cells at least ``radius`` tall."""
    placed = sorted((s for s in seen if s.place), key=lambda s: s.node)
    cell = max(radius / EARTH_RADIUS * 180 / math.pi, 1e-6)  # degrees of latitude per cell
    grid: dict[int, list[_Seen]] = defaultdict(list)
    for s in placed:
        assert s.place is not None
        grid[math.floor(s.place[0] / cell)].append(s)
    for s in placed:
        assert s.place is not None
        row = math.floor(s.place[0] / cell)
        for other in (o for r in (row - 1, row, row + 1) for o in grid.get(r, ())):
            assert other.place is not None
            if other.node <= s.node or (other.node.case, other.node.exhibit) == (s.node.case, s.node.exhibit):
                continue
            metres = haversine(s.place, other.place)
            if metres <= radius:
                yield Link("place", s.node, other.node, {"metres": round(metres, 1), "radius": radius})


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))
