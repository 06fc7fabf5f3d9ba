"""One case's links as a given user may see them: the case view's Links page (web/), computed by
intel/links.find_links and nothing else.

What a user sees (cases are need-to-know; decided here, not in the web layer):

* A link whose every item is in cases the user may open (a member of both cases, or an admin, who
  sees every case) is shown in full: the items on both sides, their exhibits and addresses (each a
  link to its own item page, pictures through the ordinary picture routes, blurred by default), and
  the link's evidence (hash, PDQ distance, camera, metres).
* A link to a case the user is not a member of shows that the link exists, its kind, how many of that
  case's items are in it, the user's own items (they are of the user's case) and only the evidence
  that is the user's own item's (the shared hash, the camera's make, model and serial). Never the
  other case's items, exhibits, addresses, thumbnails or timestamps, never the PDQ distance or the
  metres between two places (they describe the other item). The other case is "another case" with
  a reference (its number) to quote when asking an administrator for access; its name is shown only
  when the installation's policy allows it (``show_names``, off by default: a case's name often names
  an operation or a suspect). This is how deconfliction works between teams: you learn that someone
  else holds the same material and whom to ask, not what they hold.

Links come as groups and pairs (links.py): a shared file or camera is one group with every item
holding it, so a case sees every other case holding the same file and how many copies each holds;
the same evidence scanned into two cases is one ``exhibit`` link whose nodes are the exhibits (the
other case's exhibit is withheld like its items). Shared files set aside (known-good, empty, small,
blank pictures) are counted for the case, by reason, never listed. Computing the links reads every
case, so a ``LinkCache`` keeps them
until the store's items or known-good marks change (a new scan, a known-good apply): a page of links
costs the first request after a change, and a lookup after that.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from footprint.intel.links import DEFAULT_RADIUS, KINDS, Found, Link, Node, SetAside, link_report
from footprint.store.base import CaseRecord, Store
from footprint.store.engine import transaction
from footprint.store.schema import items, matches
from footprint.store.schema_knowngood import knowngood_marks

OWN_EVIDENCE = {"exhibit": ("algorithm", "fingerprint"), "file": ("algorithm", "hash"),
                "camera": ("make", "model", "serial"), "picture": ("algorithm", "radius"),
                "place": ("radius",)}  # what a restricted link keeps: the viewer's own item's (or exhibit's)


@dataclass(frozen=True)
class Group:
    """Items joined by one link: a shared file or camera (any number), a near picture or place (two);
    for the same evidence, exhibits (nodes without an item id)."""

    kind: str
    evidence: Mapping[str, object]
    nodes: tuple[Node, ...]  # sorted by case, exhibit, ref


@dataclass(frozen=True)
class OtherSide:
    """The items of one other case in a link, as far as the viewer may see them."""

    case_id: int
    case_name: str | None  # None when withheld by policy
    visible: bool  # the viewer may open that case: items listed
    count: int  # that case's items in the link
    items: tuple[Node, ...] = ()  # empty when not visible


@dataclass(frozen=True)
class CaseLink:
    kind: str
    evidence: Mapping[str, object]  # only what the viewer may see
    mine: tuple[Node, ...]  # the items of the case being viewed
    others: tuple[OtherSide, ...]  # the other cases' items, by case id

    @property
    def restricted(self) -> bool:
        return any(not side.visible for side in self.others)


@dataclass(frozen=True)
class Summary:
    """Per other case: how many links of each kind join it to the case being viewed."""

    case_id: int
    case_name: str | None
    visible: bool
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseLinks:
    links: list[CaseLink]
    summary: list[Summary]
    set_aside: dict[str, int] = field(default_factory=dict)  # shared files of the case left out, by reason


def groups_of(links: Sequence[Link]) -> list[Group]:
    """The links as groups, in the links' order (links.py already gives every holder of a file)."""
    return [Group(link.kind, dict(link.evidence), link.nodes) for link in links]


def case_view(groups: Sequence[Group], case: CaseRecord, case_ids: Mapping[str, int], visible: Collection[int],
              show_names: bool = False, set_aside: Sequence[SetAside] = ()) -> CaseLinks:
    """The links of ``case`` as a user who may open the cases ``visible`` (ids) sees them;
    ``set_aside``: the store's shared files left out (links.Found.set_aside), counted for the case."""
    shown: list[CaseLink] = []
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for group in groups:
        mine = tuple(n for n in group.nodes if n.case == case.name)
        if not mine:
            continue
        by_case: dict[str, list[Node]] = defaultdict(list)
        for node in group.nodes:
            if node.case != case.name:
                by_case[node.case].append(node)
        others = tuple(_side(name, nodes, case_ids, visible, show_names) for name, nodes in sorted(by_case.items()))
        for side in others:
            counts[side.case_id][group.kind] += 1
        evidence = group.evidence
        if any(not side.visible for side in others):
            evidence = {k: v for k, v in group.evidence.items() if k in OWN_EVIDENCE[group.kind]}
        shown.append(CaseLink(group.kind, evidence, mine, others))
    summary = [Summary(cid, _name(cid, case_ids, visible, show_names), cid in visible,
                       {k: n for k, n in kinds.items() if n}) for cid, kinds in sorted(counts.items())]
    aside = Counter(s.reason for s in set_aside if any(n.case == case.name for n in s.nodes))
    return CaseLinks(shown, summary, dict(sorted(aside.items())))


def _side(name: str, nodes: list[Node], case_ids: Mapping[str, int], visible: Collection[int],
          show_names: bool) -> OtherSide:
    case_id = case_ids[name]
    seen = case_id in visible
    return OtherSide(case_id, _name(case_id, case_ids, visible, show_names), seen, len(nodes),
                     tuple(nodes) if seen else ())


def _name(case_id: int, case_ids: Mapping[str, int], visible: Collection[int], show_names: bool) -> str | None:
    if case_id not in visible and not show_names:
        return None
    return next(name for name, cid in case_ids.items() if cid == case_id)


# -- kept between requests ----------------------------------------------------------------------


class LinkCache:
    """Every group of links in the store, computed again only when its items, their matches or known-good
    marks changed (items are never edited; a scan adds items, a re-match adds matches to saved items and
    flags marks as conflicts, an apply adds marks: a matched file is never trivial, a matched known-good
    item links). A store without an engine (the in-memory test store) has no stamp: its links are
    computed every time."""

    def __init__(self, store: Store, radius: float = DEFAULT_RADIUS) -> None:
        self.store = store
        self.radius = radius
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._found = Found([])
        self._groups: list[Group] = []

    def groups(self) -> list[Group]:
        return self.snapshot()[0]

    def set_aside(self) -> list[SetAside]:
        return self.snapshot()[1].set_aside

    def snapshot(self) -> tuple[list[Group], Found]:
        stamp = self.stamp()
        with self._lock:
            if stamp is None or stamp != self._stamp:
                self._found = link_report(self.store, self.radius)
                self._groups = groups_of(self._found.links)
                self._stamp = stamp
            return self._groups, self._found

    def stamp(self) -> tuple[int, ...] | None:
        engine = getattr(self.store, "engine", None)
        if engine is None:
            return None
        with transaction(engine, False, "case store: links") as conn:
            count, newest = conn.execute(select(func.count(items.c.id), func.max(items.c.id))).one()
            marks, last, conflicts = conn.execute(select(
                func.count(knowngood_marks.c.id), func.max(knowngood_marks.c.id),
                func.count(knowngood_marks.c.id).filter(knowngood_marks.c.conflict))).one()
            found, latest = conn.execute(select(func.count(matches.c.id), func.max(matches.c.id))).one()
        return (int(count), int(newest or 0), int(marks), int(last or 0), int(conflicts), int(found),
                int(latest or 0))
