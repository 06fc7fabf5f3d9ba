"""The review workspace's rows in the case database: accounts, memberships, sessions, decisions and the
audit chains, over the SQL store's engine (store/schema_review.py).

Only storage lives here; what a role may do, how a password or an audit entry is hashed and what a
valid chain is belong to footprint.review. Each method is one short transaction, except the audit
append, which runs inside the caller's write transaction so that a decision and its audit entry are
saved together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, case, exists, func, literal, null, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from footprint.errors import AlreadyExists, NotFound, StoreError

from . import codec
from .base import ItemRecord, Store
from .engine import transaction
from .schema import cases, exhibits, items, matches
from .schema_knowngood import knowngood_marks
from .schema_review import (
    audit_chains,
    audit_log,
    review_clusters,
    review_decisions,
    review_members,
    review_near_copies,
    review_sessions,
    review_users,
)
from .sql_items import read_item_page

GENESIS = "0" * 64  # prev_hash of a chain's first entry
IN_LIMIT = 1000
BUMP_AFTER = timedelta(minutes=1)
WHAT = "case store: review"


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    password_hash: str
    role: str
    active: bool
    created: datetime
    blur: int | None = None


QUEUE_GROUPS = ("new", "near-copy", "matched", "other")  # the review queue's order


@dataclass(frozen=True)
class QueueQuery:
    """Which items of a case's review queue (footprint.review.queue turns its filters into this)."""

    groups: tuple[str, ...] = ()  # only these groups (none: all)
    groups_first: bool = True  # order by group (QUEUE_GROUPS) before the store's order
    category: str = ""  # the current decision's category; "none": undecided
    exhibit: str = ""
    state: str = ""
    item_ids: tuple[int, ...] | None = None  # only these items
    cluster: int | None = None  # only the items of this kept near-duplicate cluster (review_clusters)


_MEDIA = func.substr(items.c.media_type, 1, 6).in_(("image/", "video/"))
_QUEUE_GROUP = case(
    (exists().where(matches.c.item_id == items.c.id), literal("matched")),
    (_MEDIA & exists().where(knowngood_marks.c.item_id == items.c.id), literal("other")),
    (_MEDIA & exists().where(review_near_copies.c.item_id == items.c.id), literal("near-copy")),
    (_MEDIA, literal("new")),
    else_=null())


def _queue_filters(query: QueueQuery, case_id: int) -> list[Any]:
    where: list[Any] = []
    if query.exhibit:
        where.append(exhibits.c.name == query.exhibit)
    if query.state:
        where.append(items.c.state == query.state)
    if query.item_ids is not None:
        where.append(items.c.id.in_(query.item_ids))
    if query.cluster is not None:
        kept = select(review_clusters.c.item_id).where(review_clusters.c.case_id == case_id,
                                                       review_clusters.c.cluster_id == query.cluster)
        where.append(items.c.id.in_(kept))
    if query.category:
        newest = (select(review_decisions.c.category).where(review_decisions.c.item_id == items.c.id)
                  .order_by(review_decisions.c.id.desc()).limit(1).scalar_subquery())
        where.append(newest.is_(None) if query.category == "none" else newest == query.category)
    return where


@dataclass(frozen=True)
class DecisionRow:
    id: int
    item_id: int
    scheme: str
    category: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class AuditRow:
    chain: str
    seq: int
    at: datetime
    user: str | None
    action: str
    case_id: int | None
    item_id: int | None
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""


def review_store(store: Store) -> ReviewStore:
    """The review tables of a SQL case store (the in-memory test store has none)."""
    engine = getattr(store, "engine", None)
    if engine is None:
        raise StoreError("the review workspace needs a SQL case store (SQLite or PostgreSQL)")
    return ReviewStore(engine)


class ReviewStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def tx(self, write: bool = False) -> Any:
        return transaction(self.engine, write, WHAT)

    # -- users ------------------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, role: str) -> UserRow:
        values = {"name": name, "password_hash": password_hash, "role": role, "active": True,
                  "created": codec.now()}
        try:
            with self.tx(write=True) as conn:
                return _user(conn.execute(review_users.insert().values(values).returning(*review_users.c)).one())
        except IntegrityError as exc:
            raise AlreadyExists(f"user {name!r} already exists") from exc

    def find_user(self, name: str) -> UserRow | None:
        with self.tx() as conn:
            row = conn.execute(select(review_users).where(review_users.c.name == name)).first()
        return _user(row) if row else None

    def get_user(self, name: str) -> UserRow:
        found = self.find_user(name)
        if found is None:
            raise NotFound(f"user {name!r} not found")
        return found

    def list_users(self) -> list[UserRow]:
        with self.tx() as conn:
            return [_user(r) for r in conn.execute(select(review_users).order_by(review_users.c.name))]

    def update_user(self, user_id: int, **values: Any) -> None:
        with self.tx(write=True) as conn:
            conn.execute(update(review_users).where(review_users.c.id == user_id).values(**values))

    # -- memberships ------------------------------------------------------------------------

    def add_member(self, user_id: int, case_id: int) -> bool:
        """True when newly added; False when the user was already a member."""
        dialect = {"sqlite": sqlite, "postgresql": postgresql}[self.engine.dialect.name]
        query = (dialect.insert(review_members).values(user_id=user_id, case_id=case_id, added=codec.now())
                 .on_conflict_do_nothing(index_elements=["user_id", "case_id"]))
        with self.tx(write=True) as conn:
            return bool(conn.execute(query).rowcount)

    def remove_member(self, user_id: int, case_id: int) -> bool:
        with self.tx(write=True) as conn:
            return bool(conn.execute(review_members.delete().where(
                (review_members.c.user_id == user_id) & (review_members.c.case_id == case_id))).rowcount)

    def is_member(self, user_id: int, case_id: int) -> bool:
        query = select(review_members.c.user_id).where(
            (review_members.c.user_id == user_id) & (review_members.c.case_id == case_id))
        with self.tx() as conn:
            return conn.execute(query).first() is not None

    def member_since(self, user_id: int, case_id: int) -> datetime | None:
        """When the user was (last) made a member of the case; None when not a member."""
        query = select(review_members.c.added).where(
            (review_members.c.user_id == user_id) & (review_members.c.case_id == case_id))
        with self.tx() as conn:
            row = conn.execute(query).first()
        return row.added if row is not None else None

    def member_case_ids(self, user_id: int) -> list[int]:
        query = select(review_members.c.case_id).where(review_members.c.user_id == user_id)
        with self.tx() as conn:
            return sorted(conn.execute(query).scalars())

    def members(self, case_id: int) -> list[str]:
        query = (select(review_users.c.name).join(review_members)
                 .where(review_members.c.case_id == case_id).order_by(review_users.c.name))
        with self.tx() as conn:
            return list(conn.execute(query).scalars())

    # -- sessions ---------------------------------------------------------------------------

    def add_session(self, token_sha256: str, user_id: int, expires: datetime) -> None:
        now = codec.now()
        with self.tx(write=True) as conn:
            conn.execute(review_sessions.insert().values(token_sha256=token_sha256, user_id=user_id,
                                                         created=now, expires=expires, last_seen=now))

    def session_user(self, token_sha256: str, now: datetime, idle_expires: datetime,
                     created_after: datetime) -> UserRow | None:
        """The active user of a live session, whose expiry moves on to ``idle_expires`` (sliding);
        None for an unknown or expired session, one created before ``created_after``, or a disabled
        account."""
        query = (select(review_users, review_sessions.c.expires.label("session_expires"),
                        review_sessions.c.created.label("session_created"))
                 .join(review_sessions, review_sessions.c.user_id == review_users.c.id)
                 .where(review_sessions.c.token_sha256 == token_sha256))
        with self.tx() as conn:
            row = conn.execute(query).first()
        if row is None or not row.active or row.session_expires <= now or row.session_created < created_after:
            return None
        if idle_expires - row.session_expires > BUMP_AFTER:  # a write only once a minute per session
            with self.tx(write=True) as conn:
                conn.execute(update(review_sessions).where(review_sessions.c.token_sha256 == token_sha256)
                             .values(last_seen=now, expires=idle_expires))
        return _user(row)

    def remove_session(self, token_sha256: str) -> None:
        with self.tx(write=True) as conn:
            conn.execute(review_sessions.delete().where(review_sessions.c.token_sha256 == token_sha256))

    def remove_sessions(self, *, user_id: int | None = None, expired_before: datetime | None = None) -> int:
        where = []
        if user_id is not None:
            where.append(review_sessions.c.user_id == user_id)
        if expired_before is not None:
            where.append(review_sessions.c.expires < expired_before)
        with self.tx(write=True) as conn:
            return int(conn.execute(review_sessions.delete().where(*where)).rowcount)

    # -- items of a case --------------------------------------------------------------------

    def case_item_ids(self, conn: Connection, case_id: int, item_ids: Sequence[int]) -> set[int]:
        """Those of ``item_ids`` that are items of the case."""
        found: set[int] = set()
        for chunk in codec.batched(sorted(set(item_ids)), IN_LIMIT):
            query = (select(items.c.id).join(exhibits).where(exhibits.c.case_id == case_id)
                     .where(items.c.id.in_(chunk)))
            found.update(conn.execute(query).scalars())
        return found

    def case_exists(self, case_id: int) -> bool:
        with self.tx() as conn:
            return conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is not None

    def item_stamp(self, case_id: int) -> tuple[int, int]:
        """(number of items, newest item id) of the case: changes whenever a scan adds items (items are
        never edited), so what was computed from the items can be kept until it does."""
        query = (select(func.count(items.c.id), func.max(items.c.id)).select_from(items.join(exhibits))
                 .where(exhibits.c.case_id == case_id))
        with self.tx() as conn:
            count, newest = conn.execute(query).one()
        return int(count), int(newest or 0)

    def item_hashes(self, case_id: int) -> list[Row[Any]]:
        """(id, sha256, pdq, pdq_quality) of every item of the case, by id: what clustering reads."""
        query = (select(items.c.id, items.c.sha256, items.c.pdq, items.c.pdq_quality).join(exhibits)
                 .where(exhibits.c.case_id == case_id).order_by(items.c.id))
        with self.tx() as conn:
            return list(conn.execute(query))

    def queue_page(self, case_id: int, query: QueueQuery, offset: int, limit: int) -> tuple[list[tuple[int, str]], int]:
        """(item id, group) of one page of the case's review queue, and how many items the query leaves
        in all. Grouping, filters, order and paging are one SQL query: a page costs the same however
        large the case. The groups: ``matched`` (any match), else a picture or video is ``other`` with
        a known-good mark, ``near-copy`` when it is a kept near copy of a matched item
        (review_near_copies, kept fresh by the caller: intel/newmaterial.py) and ``new`` otherwise;
        anything else is not in the queue."""
        listed = select(items.c.id, exhibits.c.name.label("exhibit"), items.c.ref,
                        _QUEUE_GROUP.label("grp")).select_from(items.join(exhibits))
        listed = listed.where(exhibits.c.case_id == case_id, *_queue_filters(query, case_id))
        inner = listed.subquery()
        where = [inner.c.grp.is_not(None)] + ([inner.c.grp.in_(query.groups)] if query.groups else [])
        order = [case(*((inner.c.grp == g, n) for n, g in enumerate(QUEUE_GROUPS)))] if query.groups_first else []
        page = (select(inner.c.id, inner.c.grp).where(*where)
                .order_by(*order, inner.c.exhibit, inner.c.ref).offset(offset).limit(limit))
        total = select(func.count()).select_from(inner).where(*where)
        with self.tx() as conn:
            return [(int(r.id), str(r.grp)) for r in conn.execute(page)], int(conn.execute(total).scalar_one())

    def records(self, case_id: int, item_ids: Sequence[int]) -> dict[int, ItemRecord]:
        """The complete items (matches, warnings, marks, camera) of a page of the queue, in one read
        (a few queries per exhibit, not per item); ids not of the case are left out."""
        found: dict[int, ItemRecord] = {}
        with self.tx() as conn:
            for chunk in codec.batched(sorted(set(item_ids)), IN_LIMIT):
                query = (select(items.c.id, exhibits.c.id.label("exhibit_id"), exhibits.c.name)
                         .select_from(items.join(exhibits))
                         .where(exhibits.c.case_id == case_id, items.c.id.in_(chunk)))
                by_exhibit: dict[tuple[int, str], list[int]] = {}
                for row in conn.execute(query).all():
                    by_exhibit.setdefault((row.exhibit_id, row.name), []).append(row.id)
                for (exhibit_id, name), ids in by_exhibit.items():
                    for record in read_item_page(conn, exhibit_id, name, None, len(ids), item_ids=ids):
                        found[record.id or 0] = record
        return found

    # -- decisions --------------------------------------------------------------------------

    def insert_decisions(self, conn: Connection, item_ids: Sequence[int], scheme: str, category: str,
                         user: str, at: datetime) -> None:
        conn.execute(review_decisions.insert(), [
            {"item_id": i, "scheme": scheme, "category": category, "decided_by": user, "decided_at": at}
            for i in item_ids])

    def history(self, item_id: int) -> list[DecisionRow]:
        """Every decision on the item, oldest first."""
        query = select(review_decisions).where(review_decisions.c.item_id == item_id).order_by(review_decisions.c.id)
        with self.tx() as conn:
            return [_decision(r) for r in conn.execute(query)]

    def current_decisions(self, case_id: int) -> dict[int, DecisionRow]:
        """item id → its newest decision, for every decided item of the case."""
        newest = (select(func.max(review_decisions.c.id)).select_from(review_decisions.join(items).join(exhibits))
                  .where(exhibits.c.case_id == case_id).group_by(review_decisions.c.item_id))
        query = select(review_decisions).where(review_decisions.c.id.in_(newest.scalar_subquery()))
        with self.tx() as conn:
            return {r.item_id: _decision(r) for r in conn.execute(query)}

    def current_of(self, item_ids: Sequence[int]) -> dict[int, DecisionRow]:
        """item id → its newest decision, for those of ``item_ids`` that have one (a page of the queue)."""
        found: dict[int, DecisionRow] = {}
        with self.tx() as conn:
            for chunk in codec.batched(sorted(set(item_ids)), IN_LIMIT):
                newest = (select(func.max(review_decisions.c.id)).where(review_decisions.c.item_id.in_(chunk))
                          .group_by(review_decisions.c.item_id))
                query = select(review_decisions).where(review_decisions.c.id.in_(newest.scalar_subquery()))
                found.update((r.item_id, _decision(r)) for r in conn.execute(query))
        return found

    def case_decisions(self, case_id: int) -> list[DecisionRow]:
        """Every decision on the case's items, oldest first (what the audit check compares)."""
        query = (select(review_decisions).select_from(review_decisions.join(items).join(exhibits))
                 .where(exhibits.c.case_id == case_id).order_by(review_decisions.c.id))
        with self.tx() as conn:
            return [_decision(r) for r in conn.execute(query)]

    # -- audit chains -----------------------------------------------------------------------

    def append_audit(self, conn: Connection, chain: str, case_id: int | None,
                     make: Callable[[int, str], AuditRow]) -> AuditRow:
        """Append to ``chain`` inside the caller's write transaction: lock the chain's head row, let
        ``make(seq, prev_hash)`` build the hashed entry, insert it and move the head. The lock (and
        the unique (chain, seq)) make concurrent appenders queue: a chain never forks."""
        seq, prev = self._lock_head(conn, chain, case_id)
        row = make(seq + 1, prev)
        conn.execute(audit_log.insert().values(
            chain=row.chain, seq=row.seq, at=row.at, user_name=row.user, action=row.action, case_id=row.case_id,
            item_id=row.item_id, details=dict(row.details), prev_hash=row.prev_hash, hash=row.hash))
        conn.execute(update(audit_chains).where(audit_chains.c.name == chain)
                     .values(head_seq=row.seq, head_hash=row.hash))
        return row

    def _lock_head(self, conn: Connection, chain: str, case_id: int | None) -> tuple[int, str]:
        dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
        conn.execute(dialect.insert(audit_chains).values(name=chain, case_id=case_id, head_seq=0, head_hash=GENESIS)
                     .on_conflict_do_nothing(index_elements=["name"]))
        query = select(audit_chains.c.head_seq, audit_chains.c.head_hash).where(audit_chains.c.name == chain)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        found = conn.execute(query).one()
        return int(found.head_seq), str(found.head_hash)

    def chain_head(self, chain: str) -> tuple[int, str] | None:
        """(seq, hash) recorded as the chain's head; None for a chain with no entry yet."""
        query = select(audit_chains.c.head_seq, audit_chains.c.head_hash).where(audit_chains.c.name == chain)
        with self.tx() as conn:
            found = conn.execute(query).first()
        return (int(found.head_seq), str(found.head_hash)) if found and found.head_seq else None

    def audit_rows(self, chain: str, after_seq: int = 0, limit: int | None = None,
                   newest_first: bool = False) -> list[AuditRow]:
        query = select(audit_log).where(audit_log.c.chain == chain)
        if newest_first:
            query = query.order_by(audit_log.c.seq.desc())
        else:
            query = query.where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq)
        if limit is not None:
            query = query.limit(limit).offset(after_seq if newest_first else 0)
        with self.tx() as conn:
            return [_audit(r) for r in conn.execute(query)]

    def iter_audit(self, chain: str, page: int = 5000) -> Iterator[AuditRow]:
        """Every row of the chain in seq order, a page per short read."""
        after = 0
        while True:
            found = self.audit_rows(chain, after, page)
            yield from found
            if len(found) < page:
                return
            after = found[-1].seq


def _user(row: Row[Any]) -> UserRow:
    return UserRow(id=row.id, name=row.name, password_hash=row.password_hash, role=row.role,
                   active=bool(row.active), created=row.created, blur=row.blur)


def _decision(row: Row[Any]) -> DecisionRow:
    return DecisionRow(id=row.id, item_id=row.item_id, scheme=row.scheme, category=row.category,
                       decided_by=row.decided_by, decided_at=row.decided_at)


def _audit(row: Row[Any]) -> AuditRow:
    return AuditRow(chain=row.chain, seq=int(row.seq), at=row.at, user=row.user_name, action=row.action,
                    case_id=row.case_id, item_id=row.item_id, details=row.details or {},
                    prev_hash=row.prev_hash, hash=row.hash)
