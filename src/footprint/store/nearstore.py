"""Near copies of matched items kept in the case database (store/schema_review.py, migration 0008).

footprint.intel.newmaterial decides which unmatched items of a case are near copies of its matched
ones; this module reads what that needs (the anchors: matched items with their lists' PDQ threshold;
the candidates: unmatched pictures and videos with a PDQ hash, page by page) and keeps the answer with
the basis it was computed from: the case's item count and newest item, its match count and newest
match (a scan or a re-match adds them), and every list's PDQ threshold. Replacing a case's near copies
is one write transaction that first locks the case's row (PostgreSQL; SQLite's BEGIN IMMEDIATE
serialises writers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from footprint.model import Digests

from . import codec
from .engine import transaction
from .schema import cases, exhibits, hashsets, items, matches
from .schema_review import review_near_copies, review_near_state

IN_LIMIT = 1000
PAGE = 2000
INSERT_CHUNK = 5000
WHAT = "case store: near copies"
_MEDIA = func.substr(items.c.media_type, 1, 6).in_(("image/", "video/"))
_MATCHED = select(matches.c.item_id).where(matches.c.item_id == items.c.id).exists()


@dataclass(frozen=True)
class NearRow:
    item_id: int
    near_item: int
    distance: int
    algorithm: str
    details: Mapping[str, Any]


class NearStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def basis(self, case_id: int, rule: str) -> str:
        """What near copies computed now would rest on: changes when a scan or a re-match adds items or
        matches, when a list's threshold changes, or with ``rule`` (the deciding code's version)."""
        in_case = items.join(exhibits)
        counted = (select(func.count(items.c.id), func.max(items.c.id)).select_from(in_case)
                   .where(exhibits.c.case_id == case_id))
        matched = (select(func.count(matches.c.id), func.max(matches.c.id)).select_from(matches.join(in_case))
                   .where(exhibits.c.case_id == case_id))
        lists = select(hashsets.c.name, hashsets.c.pdq_threshold).order_by(hashsets.c.name)
        with transaction(self.engine, False, WHAT) as conn:
            count, newest = conn.execute(counted).one()
            match_count, newest_match = conn.execute(matched).one()
            thresholds = ",".join(f"{name}={t}" for name, t in conn.execute(lists))
        return f"{rule};items={count}:{newest or 0};matches={match_count}:{newest_match or 0};lists={thresholds}"

    def kept_basis(self, case_id: int) -> str | None:
        query = select(review_near_state.c.basis).where(review_near_state.c.case_id == case_id)
        with transaction(self.engine, False, WHAT) as conn:
            found = conn.execute(query).scalar()
        return str(found) if found is not None else None

    def anchors(self, case_id: int, default_threshold: int) -> list[tuple[int, Digests, int]]:
        """(item id, digests, PDQ threshold) of every matched item of the case that has a PDQ hash: the
        threshold is the smallest of the lists it matched (``default_threshold`` for a list since removed)."""
        threshold = func.min(func.coalesce(hashsets.c.pdq_threshold, default_threshold))
        strictest = (select(matches.c.item_id, threshold.label("threshold"))
                     .select_from(matches.outerjoin(hashsets, hashsets.c.id == matches.c.hashset_id))
                     .group_by(matches.c.item_id).subquery())
        query = (select(items, strictest.c.threshold).join(exhibits).join(strictest, strictest.c.item_id == items.c.id)
                 .where(exhibits.c.case_id == case_id, items.c.pdq.is_not(None)).order_by(items.c.id))
        with transaction(self.engine, False, WHAT) as conn:
            rows = conn.execute(query).mappings().all()
        return [(int(r["id"]), digests, int(r["threshold"])) for r in rows if (digests := _digests(r)) is not None]

    def candidates(self, case_id: int) -> Iterator[tuple[int, Digests]]:
        """(item id, digests) of every unmatched picture or video of the case with a PDQ hash, by id, a
        page per short read."""
        after = 0
        while True:
            query = (select(items).join(exhibits)
                     .where(exhibits.c.case_id == case_id, items.c.id > after, items.c.pdq.is_not(None), _MEDIA,
                            ~_MATCHED).order_by(items.c.id).limit(PAGE))
            with transaction(self.engine, False, WHAT) as conn:
                rows = conn.execute(query).mappings().all()
            for row in rows:
                if (digests := _digests(row)) is not None:
                    yield int(row["id"]), digests
            if len(rows) < PAGE:
                return
            after = int(rows[-1]["id"])

    def replace(self, case_id: int, basis: str, found: Iterable[NearRow]) -> None:
        """Keep ``found`` as the case's near copies, computed from ``basis``."""
        rows = [{"item_id": r.item_id, "case_id": case_id, "near_item": r.near_item, "distance": r.distance,
                 "algorithm": r.algorithm, "details": dict(r.details)} for r in found]
        with transaction(self.engine, True, WHAT) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(cases.c.id).where(cases.c.id == case_id).with_for_update())
            conn.execute(review_near_copies.delete().where(review_near_copies.c.case_id == case_id))
            conn.execute(review_near_state.delete().where(review_near_state.c.case_id == case_id))
            for start in range(0, len(rows), INSERT_CHUNK):
                conn.execute(review_near_copies.insert(), rows[start:start + INSERT_CHUNK])
            conn.execute(review_near_state.insert().values(case_id=case_id, basis=basis, built=codec.now()))

    def of_items(self, case_id: int, item_ids: Sequence[int]) -> dict[int, NearRow]:
        """item id → its near copy row, for those of ``item_ids`` that are near copies (a page's items)."""
        found: dict[int, NearRow] = {}
        with transaction(self.engine, False, WHAT) as conn:
            for chunk in codec.batched(sorted(set(item_ids)), IN_LIMIT):
                query = select(review_near_copies).where(review_near_copies.c.case_id == case_id,
                                                         review_near_copies.c.item_id.in_(chunk))
                found.update((int(r.item_id), _row(r)) for r in conn.execute(query))
        return found

    def all_of(self, case_id: int) -> dict[int, NearRow]:
        """item id → its near copy row, for every near copy of the case."""
        query = select(review_near_copies).where(review_near_copies.c.case_id == case_id)
        with transaction(self.engine, False, WHAT) as conn:
            return {int(r.item_id): _row(r) for r in conn.execute(query)}


def _digests(row: Any) -> Digests | None:
    return codec.item_from_row(row, "", (), ()).digests


def _row(row: Any) -> NearRow:
    return NearRow(int(row.item_id), int(row.near_item), int(row.distance), str(row.algorithm), row.details or {})
