"""New material first: a case's pictures and videos that are in no known list and not known-good, told
apart from the near copies of the case's known material.

New material is what nobody has seen before, so possibly a child at risk now: the first thing a
reviewer should look at. A known-good mark takes an item out; a mark that conflicts with a match does
not matter here, since a matched item is not new anyway.

A near copy of known material ("near-copy") is such an item that is a near copy of a matched item of
the same case (a resized, recompressed, rotated or mirrored copy: matching/nearcopy.py, by the rules
the list matcher applies to a list's entries, its thresholds, quality gate and refusals of flat and
smooth pictures). Hash-only lists (MD5/SHA) match only the exact file, so without this every copy of
known material would flood the new material and hide what is truly new. A near copy ranks after the
new material and before the matched items: it is not a match and gets no category from any list (a
reviewer categorises it like any other unmatched item: a near match never becomes a court category on
its own), but what it shows is probably known already. Near copies of another case's items do not
count here: what is new is decided within the case (intel/links.py finds pictures shared across cases).

The near copies are kept in the case database with the basis they were computed from, and computed
again when the case's items or matches, or a list's threshold, change (store/nearstore.py): the CLI's
``footprint new`` and the review queue (review/queue.py, the web grid) read the same kept answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from footprint.matching.nearcopy import Anchor, AnchorIndex
from footprint.matching.regions import FULL_DISTANCE
from footprint.sources.detect import is_image, is_video
from footprint.store.base import CaseRecord, ItemRecord, Store
from footprint.store.nearstore import NearRow, NearStore
from footprint.store.reviewstore import review_store

NEW, NEAR_COPY = "new", "near-copy"
RULE = "near-copy-1"  # the deciding code's version: a change computes every case's near copies again
DEFAULT_THRESHOLD = FULL_DISTANCE  # a match whose list was since removed: the lists' default, 31


def is_new_material(record: ItemRecord) -> bool:
    """In no known list and not known-good (new material or a near copy of known material)."""
    media_type = record.digests.media_type if record.digests else None
    if not (is_image(media_type) or is_video(media_type)):
        return False
    return not record.matches and not record.known_good


def material_of(record: ItemRecord, near: Mapping[int, NearRow]) -> str | None:
    """``new``, ``near-copy`` or None (matched, known-good, or not a picture or video)."""
    if not is_new_material(record):
        return None
    return NEAR_COPY if record.id is not None and record.id in near else NEW


@dataclass(frozen=True)
class Material:
    record: ItemRecord
    kind: str  # new | near-copy
    near: NearRow | None  # for a near copy: the matched item it is near, how far, by which rule
    near_record: ItemRecord | None  # that matched item, with its matches


_locks = threading.Lock()
_refreshing: dict[int, threading.Lock] = {}  # one computation of a case at a time in this process (others
# find it done); one case's long computation holds back no other case's pages


def _refreshing_lock(case_id: int) -> threading.Lock:
    with _locks:
        return _refreshing.setdefault(case_id, threading.Lock())


def kept_near_copies(store: Store, case: CaseRecord) -> NearStore:
    """The case's near copies as kept in the database, computed again first when their basis changed."""
    kept = NearStore(review_store(store).engine)
    if kept.kept_basis(case.id) == kept.basis(case.id, RULE):
        return kept
    with _refreshing_lock(case.id):
        basis = kept.basis(case.id, RULE)
        if kept.kept_basis(case.id) != basis:
            kept.replace(case.id, basis, find_near_copies(kept, case.id))
    return kept


def find_near_copies(kept: NearStore, case_id: int) -> list[NearRow]:
    """Every unmatched picture or video of the case that is a near copy of a matched one (computed afresh)."""
    anchors = [Anchor(item_id, digests, threshold)
               for item_id, digests, threshold in kept.anchors(case_id, DEFAULT_THRESHOLD)]
    index = AnchorIndex(anchors)
    if not index:
        return []
    return [NearRow(n.item_id, n.near_item, n.distance, n.algorithm, n.details)
            for n in index.search(kept.candidates(case_id))]


def near_copies(store: Store, case: CaseRecord) -> dict[int, NearRow]:
    """item id → its near copy, for every near copy of known material in the case."""
    return kept_near_copies(store, case).all_of(case.id)


def new_material(store: Store, case_name: str, kinds: tuple[str, ...] = (NEW, NEAR_COPY)) -> Iterator[Material]:
    """The case's new material, then its near copies of known material (``kinds`` chooses), each in the
    store's order (exhibit, then ref), as the review queue orders them."""
    case = store.get_case(case_name)
    near = near_copies(store, case)
    anchors = review_store(store).records(case.id, sorted({n.near_item for n in near.values()})) if near else {}
    for kind in (k for k in (NEW, NEAR_COPY) if k in kinds):
        for record in store.iter_items(case.id):
            if material_of(record, near) == kind:
                found = near.get(record.id) if record.id is not None else None
                yield Material(record, kind, found, anchors.get(found.near_item) if found else None)


def material_fields(found: Material) -> dict[str, object]:
    """What ``footprint new`` adds to an item's JSON: ``material`` (new or near-copy) and, for a near
    copy, ``near_copy``: the matched item it is near (exhibit, ref, and the lists it matched), the
    distance in bits, the rule (pdq or pdq-regions) and the rule's details. The lists' categories there
    are the matched item's; the near copy itself has none until a reviewer decides."""
    if found.near is None:
        return {"material": found.kind}
    anchor = found.near_record
    matched = [{"hashset": m.hashset, "entry": m.entry_id, "kind": m.kind.value, "algorithm": m.algorithm,
                "category": str(m.category) if m.category else None} for m in (anchor.matches if anchor else ())]
    return {"material": found.kind, "near_copy": {
        "exhibit": anchor.exhibit if anchor else None, "ref": anchor.ref if anchor else None,
        "matches": matched, "distance": found.near.distance, "algorithm": found.near.algorithm,
        "details": dict(found.near.details)}}
