"""Links across cases: the same file, the same picture, the same camera or the same place, found in
items of different evidence (exhibits of different cases, or one case's different devices); and the
same evidence itself, scanned into more than one case.

A link says its kind, its evidence and its items (nodes: case, exhibit, item ref):

* ``exhibit``: exhibits with one fingerprint (the SHA-256 of an exhibit file, the manifest hash of a
  folder: ``algorithm``, ``fingerprint``), that is one piece of evidence scanned more than once. Its
  nodes are the exhibits themselves. Items of those exhibits do not link to each other: one link says
  it, not one file link for each file the evidence holds.
* ``file``: every item holding the same bytes (SHA-256, MD5 where an item has only that), a group
  with every copy in every case, in at least two pieces of evidence.
* ``picture``: two items whose PDQ hashes are within ``PICTURE_DISTANCE`` bits (the review's tight
  cluster distance, not the 31 bits of a list match: a link accuses two people of holding one
  picture). Hashes of unknown or low quality and degenerate ones never link (hashers/pdq.is_degenerate,
  the rule the matcher applies); two copies of the same bytes are never a picture link (the file rule
  decides whether they link).
* ``camera``: every item with the same make, model and body serial (trimmed, case-folded; placeholder
  serials such as ``0``, ``0000000000``, ``unknown`` are ignored), a group like a file.
* ``place``: two items with GPS positions within ``radius`` metres (haversine on a sphere of the
  Earth's mean radius); two copies of the same bytes are not a place link either.

Known-good items (that matched nothing) make no link of any kind, and trivial files (empty, small,
blank pictures) no file link: intel/seen.py says which. Shared files left out are not lost: each is
counted as set aside, by reason. Files and cameras are groups (every holder, however many), pictures
and places pairs (they are not transitive). Selecting cases keeps every link touching one of them,
whole. Output is sorted, so the same store gives the same links.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from footprint.intel.seen import MIN_FILE_BYTES, REASONS, Node, Seen, camera_key, fingerprint, read, trivial
from footprint.matching.pairs import near_pairs
from footprint.store.base import Store

__all__ = ["DEFAULT_RADIUS", "KINDS", "MIN_FILE_BYTES", "PICTURE_DISTANCE", "Found", "Link", "Node", "SetAside",
           "camera_key", "find_links", "haversine", "link_report", "links_for_case"]

PICTURE_DISTANCE = 16  # bits of 256, as review/clusters.CLUSTER_DISTANCE: copies of one picture only
DEFAULT_RADIUS = 100.0  # metres
EARTH_RADIUS = 6_371_008.8  # metres, the mean radius (IUGG)
KINDS = ("exhibit", "file", "picture", "camera", "place")
GROUPS = ("exhibit", "file", "camera")  # every holder of one key; pictures and places are pairs


# The JSON Lines record's version: 2 since footprint 0.2.0 (groups: "items" and "cases"); version 1
# records were pairs, "a" and "b", with no "format" field. Fields are only ever added within a version.
LINKS_FORMAT = 2


@dataclass(frozen=True)
class Link:
    kind: str  # exhibit | file | picture | camera | place
    nodes: tuple[Node, ...]  # sorted; two for a pair
    evidence: dict[str, object]

    @property
    def cases(self) -> dict[str, int]:
        """How many of the link's nodes each case holds, by case name."""
        return dict(sorted(Counter(n.case for n in self.nodes).items()))

    def touches(self, cases: set[str]) -> bool:
        return any(n.case in cases for n in self.nodes)

    def sort_key(self) -> tuple[object, ...]:
        return KINDS.index(self.kind), self.nodes, sorted((k, str(v)) for k, v in self.evidence.items())

    def as_dict(self) -> dict[str, object]:
        cases = self.cases
        return {"format": LINKS_FORMAT, "kind": self.kind, "evidence": self.evidence,
                "items": [n.as_dict() for n in self.nodes], "cases": cases, "cross_case": len(cases) > 1}


@dataclass(frozen=True)
class SetAside:
    """A file shared across evidence that makes no link, and why (seen.trivial)."""

    reason: str
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Found:
    links: list[Link]
    set_aside: list[SetAside] = field(default_factory=list)

    def set_aside_counts(self) -> dict[str, int]:
        """Shared files left out, by reason."""
        counts = Counter(s.reason for s in self.set_aside)
        return {reason: counts[reason] for reason in REASONS if counts[reason]}


def link_report(store: Store, radius: float = DEFAULT_RADIUS, cases: Sequence[str] | None = None) -> Found:
    """Every link among the store's cases and the shared files set aside; with ``cases``, only those
    touching one of them (each whole: every holder, in whatever case)."""
    seen = read(store)
    linking = [s for s in seen if s.links]
    links = [*_exhibit_links(store), *_camera_links(linking), *_picture_links(linking), *_place_links(linking, radius)]
    file_links, set_aside = _file_links(seen)
    links += file_links
    if cases is not None:
        wanted = set(cases)
        links = [link for link in links if link.touches(wanted)]
        set_aside = [s for s in set_aside if any(n.case in wanted for n in s.nodes)]
    return Found(sorted(links, key=Link.sort_key), sorted(set_aside, key=lambda s: (s.reason, s.nodes)))


def find_links(store: Store, radius: float = DEFAULT_RADIUS, cases: Sequence[str] | None = None) -> list[Link]:
    return link_report(store, radius, cases).links


def links_for_case(store: Store, case_name: str, radius: float = DEFAULT_RADIUS) -> list[Link]:
    """The links touching one case (for the case view); raises NotFound for an unknown case."""
    store.get_case(case_name)
    return find_links(store, radius, [case_name])


# -- the five kinds -----------------------------------------------------------------------------


def _groups(seen: Sequence[Seen], key_of: str) -> Iterator[tuple[Hashable, list[Seen]]]:
    """Items sharing one key (``file`` or ``camera``), each group held in two pieces of evidence at least."""
    groups: dict[Hashable, list[Seen]] = defaultdict(list)
    for s in seen:
        key = getattr(s, key_of)
        if key:
            groups[key].append(s)
    for key in sorted(groups, key=str):
        if len({s.source for s in groups[key]}) > 1:
            yield key, sorted(groups[key], key=lambda s: s.node)


def _file_links(seen: Sequence[Seen]) -> tuple[list[Link], list[SetAside]]:
    links, set_aside = [], []
    for key, copies in _groups(seen, "file"):
        assert isinstance(key, tuple)
        nodes = tuple(s.node for s in copies)
        reason = trivial(copies)
        if reason:
            set_aside.append(SetAside(reason, nodes))
        else:
            links.append(Link("file", nodes, {"algorithm": key[0], "hash": key[1]}))
    return links, set_aside


def _camera_links(seen: Sequence[Seen]) -> Iterator[Link]:
    for key, items in _groups(seen, "camera"):
        assert isinstance(key, tuple)
        yield Link("camera", tuple(s.node for s in items), {"make": key[0], "model": key[1], "serial": key[2]})


def _exhibit_links(store: Store) -> Iterator[Link]:
    same: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for case in store.list_cases():
        for exhibit in store.list_exhibits(case.id):
            if (print_ := fingerprint(exhibit)) is not None:
                same[print_].append(Node(case.name, exhibit.name, exhibit.name))
    for (algorithm, value), nodes in sorted(same.items()):
        if len(nodes) > 1:
            yield Link("exhibit", tuple(sorted(nodes)), {"algorithm": algorithm, "fingerprint": value})


def _picture_links(seen: Sequence[Seen]) -> Iterator[Link]:
    with_pdq = [s for s in seen if s.pdq]
    by_id = {s.node.item_id: s for s in with_pdq}
    pairs = near_pairs([s.node.item_id or 0 for s in with_pdq], [s.pdq or "" for s in with_pdq], PICTURE_DISTANCE)
    for one, other, bits in pairs:
        a, b = sorted((by_id[one], by_id[other]), key=lambda s: s.node)
        if a.source != b.source and not _same_bytes(a, b):
            yield Link("picture", (a.node, b.node), {"algorithm": "pdq", "bits": bits, "radius": PICTURE_DISTANCE})


def _place_links(seen: Sequence[Seen], radius: float) -> Iterator[Link]:
    """Pairs within ``radius`` metres, found through a grid of cells at least ``radius`` tall."""
    placed = sorted((s for s in seen if s.place), key=lambda s: s.node)
    cell = max(radius / EARTH_RADIUS * 180 / math.pi, 1e-6)  # degrees of latitude per cell
    grid: dict[int, list[Seen]] = defaultdict(list)
    for s in placed:
        assert s.place is not None
        grid[math.floor(s.place[0] / cell)].append(s)
    for s in placed:
        assert s.place is not None
        row = math.floor(s.place[0] / cell)
        for other in (o for r in (row - 1, row, row + 1) for o in grid.get(r, ())):
            assert other.place is not None
            if other.node <= s.node or other.source == s.source or _same_bytes(s, other):
                continue
            metres = haversine(s.place, other.place)
            if metres <= radius:
                yield Link("place", (s.node, other.node), {"metres": round(metres, 1), "radius": radius})


def _same_bytes(a: Seen, b: Seen) -> bool:
    """Two copies of one file: the file rule alone says whether they link."""
    return a.file is not None and a.file == b.file


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def set_aside_text(counts: Mapping[str, int]) -> str:
    """``3 shared files set aside: 2 small (under 1024 bytes), 1 blank picture`` for a line of chatter."""
    said = ", ".join(f"{n} {reason}" + (f" (under {MIN_FILE_BYTES} bytes)" if reason == "small" else "")
                     for reason, n in counts.items())
    return f"{sum(counts.values())} shared files set aside (no link): {said}"
