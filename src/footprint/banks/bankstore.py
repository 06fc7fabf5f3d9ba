"""Banks in the store: service settings over existing hash sets, the allow-list, bulk add and remove.

Entries are added through the core store (``Store.add_entries``: the same rows, checks and COPY path
as an imported list); removal, the allow-list and the bank settings are this module's own tables and
statements over the same engine. Every method is one short transaction, and every change writes its
entry in the global audit trail (trail.py) in that same transaction, naming ``actor``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from footprint.errors import AlreadyExists, NotFound, UsageError
from footprint.model import KnownEntry
from footprint.store import codec
from footprint.store.base import EntryHit, HashSetRecord, Store
from footprint.store.engine import transaction as store_transaction
from footprint.store.schema import entries, hashsets
from footprint.store.schema_service import service_allowed, service_banks
from footprint.store.sql import SqlStore

from . import trail
from .records import MAX_PDQ_THRESHOLD, Allowed, Bank

IN_LIMIT = 1000
BANK_FORMAT = "bank"  # format name of a hash set created empty for the service


@dataclass(frozen=True)
class BankSource:
    """What an index build needs of one enabled bank: the hash set (with the bank's threshold), the
    highest entry id it may serve, and its allow-listed entries (entry id → why, by whom, when)."""

    hashset: HashSetRecord
    max_entry_id: int
    allowed: Mapping[int, Allowed]


def transaction(engine: Engine, write: bool = False) -> AbstractContextManager[Connection]:
    """One transaction of the service store (see footprint.store.engine.transaction)."""
    return store_transaction(engine, write, "service store")


class BankStore:
    def __init__(self, store: Store, engine: Engine) -> None:
        self.store = store
        self.engine = engine

    # -- banks ------------------------------------------------------------------------------

    def create_bank(self, name: str, pdq_threshold: int | None = None, source: str = "api",
                    actor: str | None = None) -> Bank:
        """A new, empty hash set served as a bank."""
        _check_threshold(pdq_threshold)
        self.store.create_hashset(name, BANK_FORMAT, source, pdq_threshold if pdq_threshold is not None else 31)
        return self._serve(name, None, pdq_threshold, actor, "bank.create")

    def serve(self, name: str, *, enabled: bool | None = None, pdq_threshold: int | None = None,
              actor: str | None = None) -> Bank:
        """Serve an existing hash set as a bank (``bank.serve``), or change a bank's settings (``bank.change``)."""
        return self._serve(name, enabled, pdq_threshold, actor, "bank.serve")

    def _serve(self, name: str, enabled: bool | None, pdq_threshold: int | None, actor: str | None,
               action: str) -> Bank:
        _check_threshold(pdq_threshold)
        hashset = self.store.get_hashset(name)
        now = codec.now()
        with transaction(self.engine, write=True) as conn:
            before = _find_bank(conn, name)
            values: dict[str, Any] = {"changed": now}
            if enabled is not None:
                values["enabled"] = enabled
            if pdq_threshold is not None:
                values["pdq_threshold"] = pdq_threshold
            if before is not None:
                conn.execute(update(service_banks).where(service_banks.c.hashset_id == hashset.id).values(values))
            else:
                conn.execute(service_banks.insert().values({"enabled": True, "pdq_threshold": None, **values,
                                                            "hashset_id": hashset.id, "created": now}))
            after = _find_bank(conn, name)
            assert after is not None
            trail.record(conn, action if before is None else "bank.change", actor,
                         {"bank": name, "from": _settings(before), "to": _settings(after)})
        return after

    def unserve(self, name: str, actor: str | None = None) -> None:
        """Stop serving a hash set; the list itself stays in the store for the scans. Its allow-list goes
        with it (the trail keeps what it held)."""
        with transaction(self.engine, write=True) as conn:
            bank = _find_bank(conn, name)
            if bank is None:
                raise NotFound(f"bank {name!r} not found")
            dropped = _allowed_rows(conn, bank.hashset_id)
            conn.execute(service_banks.delete().where(service_banks.c.hashset_id == bank.hashset_id))
            conn.execute(service_allowed.delete().where(service_allowed.c.hashset_id == bank.hashset_id))
            trail.record(conn, "bank.unserve", actor, {"bank": name, "from": _settings(bank),
                                                       "allowed": [a.as_json() for a in dropped]})

    def list_banks(self) -> list[Bank]:
        with transaction(self.engine) as conn:
            return [_bank(row) for row in conn.execute(_bank_query().order_by(hashsets.c.name))]

    def get_bank(self, name: str) -> Bank:
        with transaction(self.engine) as conn:
            found = _find_bank(conn, name)
        if found is None:
            raise NotFound(f"bank {name!r} not found")
        return found

    # -- entries ----------------------------------------------------------------------------

    def add_entries(self, name: str, new: Iterable[KnownEntry], actor: str | None = None,
                    source: Mapping[str, Any] | None = None) -> int:
        """Add entries (all or nothing, as an imported list: ``SqlStore.add_entries_in``); the trail's
        ``bank.add`` entry gives their count and id range, and ``source`` (the file they came from)."""
        if not isinstance(self.store, SqlStore):
            raise UsageError("banks need a SQL case store (SQLite or PostgreSQL)")
        with transaction(self.engine, write=True) as conn:
            bank = _need_bank(conn, name)
            last = _max_entry(conn, bank.hashset_id)
            count = self.store.add_entries_in(conn, bank.hashset_id, new)
            first, newest = conn.execute(select(func.min(entries.c.id), func.max(entries.c.id)).where(
                entries.c.hashset_id == bank.hashset_id, entries.c.id > last)).one()
            details = {"bank": name, "count": count, "first_entry": first, "last_entry": newest}
            trail.record(conn, "bank.add", actor, {**details, **({"source": dict(source)} if source else {})})
        return count

    def remove_entries(self, name: str, algorithm: str, values: Sequence[str], actor: str | None = None) -> int:
        """Remove every entry of the bank whose ``algorithm`` hash is one of ``values``; the trail's
        ``bank.remove`` entry names each removed entry with its hashes (and any allow-listing it had)."""
        column = entries.c[codec.exact_column(algorithm)] if algorithm != "pdq" else entries.c.pdq
        gone: list[dict[str, Any]] = []
        with transaction(self.engine, write=True) as conn:
            bank = _need_bank(conn, name)
            allowed = {a.entry_id: a for a in _allowed_rows(conn, bank.hashset_id)}
            for chunk in codec.batched(sorted({v.lower() for v in values}), IN_LIMIT):
                where = (entries.c.hashset_id == bank.hashset_id, column.in_(chunk))
                for row in conn.execute(select(entries).where(*where).order_by(entries.c.id)).mappings():
                    note = allowed.get(row["id"])
                    gone.append({"entry": row["id"], **codec.entry_from_row(row).hashes(),
                                 **({"allowed": note.as_json()} if note else {})})
                conn.execute(entries.delete().where(*where))
            conn.execute(update(hashsets).where(hashsets.c.id == bank.hashset_id)
                         .values(entry_count=hashsets.c.entry_count - len(gone)))
            trail.record(conn, "bank.remove", actor, {"bank": name, "algorithm": algorithm, "asked": len(values),
                                                      "count": len(gone), "entries": gone})
        return len(gone)

    def list_entries(self, name: str, after: int = 0, limit: int = 100) -> list[EntryHit]:
        bank = self.get_bank(name)
        hashset = self.store.get_hashset(name)
        with transaction(self.engine) as conn:
            rows = conn.execute(select(entries).where(entries.c.hashset_id == bank.hashset_id, entries.c.id > after)
                                .order_by(entries.c.id).limit(limit)).mappings().all()
        return [EntryHit(hashset, r["id"], codec.entry_from_row(r)) for r in rows]

    # -- allow-list -------------------------------------------------------------------------

    def allow(self, name: str, entry_id: int, reason: str, actor: str | None = None) -> None:
        """Put one entry on the bank's allow-list: a false positive the service never reports again
        (an upload that hits it is answered as ``allow_listed``, naming the reason, who and when)."""
        with transaction(self.engine, write=True) as conn:
            bank = _need_bank(conn, name)
            owner = conn.execute(select(entries.c.hashset_id).where(entries.c.id == entry_id)).scalar()
            if owner != bank.hashset_id:
                raise NotFound(f"entry {entry_id} not found in bank {name!r}")
            try:
                with conn.begin_nested():
                    conn.execute(service_allowed.insert().values(
                        entry_id=entry_id, hashset_id=bank.hashset_id, reason=reason, created=codec.now(),
                        allowed_by=actor))
            except IntegrityError as exc:
                raise AlreadyExists(f"entry {entry_id} is already on the allow-list") from exc
            trail.record(conn, "bank.allow", actor, {"bank": name, "entry": entry_id, "reason": reason,
                                                     "hashes": _hashes(conn, entry_id)})

    def disallow(self, name: str, entry_id: int, actor: str | None = None) -> None:
        """Take an entry off the allow-list; the trail's ``bank.disallow`` entry keeps the allow-listing
        it ends (reason, by whom, since when)."""
        with transaction(self.engine, write=True) as conn:
            bank = _need_bank(conn, name)
            found = _allowed_rows(conn, bank.hashset_id, entry_id)
            if not found:
                raise NotFound(f"entry {entry_id} is not on the allow-list of bank {name!r}")
            conn.execute(service_allowed.delete().where(
                service_allowed.c.entry_id == entry_id, service_allowed.c.hashset_id == bank.hashset_id))
            trail.record(conn, "bank.disallow", actor, {"bank": name, "entry": entry_id, "from": found[0].as_json()})

    def allowed(self, name: str) -> list[dict[str, object]]:
        """The allow-list: entry, reason, when (``created``) and who (``allowed_by``; added)."""
        with transaction(self.engine) as conn:
            return [{"entry_id": a.entry_id, "reason": a.reason, "created": a.created.isoformat(),
                     "allowed_by": a.allowed_by} for a in _allowed_rows(conn, _need_bank(conn, name).hashset_id)]

    # -- what an index build reads ------------------------------------------------------------

    def sources(self) -> list[BankSource]:
        """Every enabled bank, as it is now (one transaction, so one consistent picture)."""
        found = []
        with transaction(self.engine) as conn:
            for row in conn.execute(_bank_query().where(service_banks.c.enabled.is_(True))
                                    .order_by(hashsets.c.name)).mappings():
                max_id = _max_entry(conn, row["hashset_id"])
                allowed = {a.entry_id: a for a in _allowed_rows(conn, row["hashset_id"])}
                hashset = HashSetRecord(id=row["hashset_id"], name=row["name"], format=row["format"],
                                        source=row["source"], imported=row["imported"],
                                        pdq_threshold=_threshold(row), entry_count=row["entry_count"])
                found.append(BankSource(hashset, max_id, allowed))
        return found

    def fingerprint(self) -> tuple[object, ...]:
        """A cheap summary that changes whenever what the index serves may have changed, whoever changed
        it (this server, the CLI, another server on the same store): each bank's switch and thresholds
        (its own and its hash set's), its entry count and highest entry id (ids are never reused, so an
        entry added or removed moves one of them), and a digest of the whole allow-list, every
        (bank, entry, time allowed) triple: a count and a sum of ids would miss a swap of {1, 4} for {2, 3},
        and an entry taken off and put back (with another reason, by someone else) must reach the answers."""
        with transaction(self.engine) as conn:
            banks = conn.execute(select(service_banks.c.hashset_id, service_banks.c.enabled,
                                        service_banks.c.pdq_threshold, hashsets.c.pdq_threshold,
                                        hashsets.c.entry_count)
                                 .join(hashsets, hashsets.c.id == service_banks.c.hashset_id)
                                 .order_by(service_banks.c.hashset_id)).all()
            maxima = [conn.execute(select(func.max(entries.c.id)).where(entries.c.hashset_id == b[0])).scalar()
                      for b in banks]
            allowed = conn.execute(select(service_allowed.c.hashset_id, service_allowed.c.entry_id,
                                          service_allowed.c.created)
                                   .order_by(service_allowed.c.hashset_id, service_allowed.c.entry_id)).all()
        digest = hashlib.sha256(",".join(f"{h}:{e}:{_when(t)}" for h, e, t in allowed).encode("ascii")).hexdigest()
        return tuple(tuple(b) for b in banks), tuple(maxima), (len(allowed), digest)

    def iter_pdq_of(self, entry_ids: Sequence[int]) -> Iterator[tuple[Any, Any]]:
        """(entry ids, PDQ hashes) as ``Store.iter_pdq`` gives them, of these entries only (those with a PDQ)."""
        for chunk in codec.batched(list(entry_ids), IN_LIMIT):
            with transaction(self.engine) as conn:
                rows = conn.execute(select(entries.c.id, entries.c.pdq).where(
                    entries.c.id.in_(chunk), entries.c.pdq.is_not(None)).order_by(entries.c.id)).all()
            if rows:
                yield codec.pdq_arrays([r[0] for r in rows], [r[1] for r in rows])

    def iter_video_entries(self, hashset: HashSetRecord, max_id: int) -> Iterator[EntryHit]:
        """Entries carrying vPDQ frames (kept in ``extra``): the only ones the video matcher wants."""
        with transaction(self.engine) as conn:
            rows = conn.execute(select(entries).where(
                entries.c.hashset_id == hashset.id, entries.c.extra.isnot(None), entries.c.id <= max_id)
                .order_by(entries.c.id)).mappings().all()
        return (EntryHit(hashset, r["id"], codec.entry_from_row(r)) for r in rows)


def _bank_query() -> Any:
    allowed = (select(func.count()).where(service_allowed.c.hashset_id == hashsets.c.id)
               .scalar_subquery().label("allowed_count"))
    return (select(hashsets.c.id.label("hashset_id"), hashsets.c.name, hashsets.c.format, hashsets.c.source,
                   hashsets.c.imported, hashsets.c.entry_count, hashsets.c.pdq_threshold.label("own_threshold"),
                   service_banks.c.enabled, service_banks.c.pdq_threshold, service_banks.c.changed, allowed)
            .join(service_banks, service_banks.c.hashset_id == hashsets.c.id))


def _find_bank(conn: Connection, name: str) -> Bank | None:
    row = conn.execute(_bank_query().where(hashsets.c.name == name)).first()
    return _bank(row) if row is not None else None


def _need_bank(conn: Connection, name: str) -> Bank:
    found = _find_bank(conn, name)
    if found is None:
        raise NotFound(f"bank {name!r} not found")
    return found


def _settings(bank: Bank | None) -> dict[str, Any] | None:
    """What the trail records of a bank's settings, before and after a change."""
    return None if bank is None else {"enabled": bank.enabled, "pdq_threshold": bank.pdq_threshold}


def _max_entry(conn: Connection, hashset_id: int) -> int:
    return conn.execute(select(func.max(entries.c.id)).where(entries.c.hashset_id == hashset_id)).scalar() or 0


def _hashes(conn: Connection, entry_id: int) -> dict[str, str]:
    row = conn.execute(select(entries).where(entries.c.id == entry_id)).mappings().one()
    return codec.entry_from_row(row).hashes()


def _allowed_rows(conn: Connection, hashset_id: int, entry_id: int | None = None) -> list[Allowed]:
    query = select(service_allowed).where(service_allowed.c.hashset_id == hashset_id)
    if entry_id is not None:
        query = query.where(service_allowed.c.entry_id == entry_id)
    return [Allowed(r["entry_id"], r["reason"], codec.utc(r["created"]) or r["created"], r["allowed_by"])
            for r in conn.execute(query.order_by(service_allowed.c.entry_id)).mappings()]


def _when(moment: Any) -> str:
    at = codec.utc(moment)
    return at.isoformat() if at is not None else ""


def _threshold(row: Any) -> int:
    return row["pdq_threshold"] if row["pdq_threshold"] is not None else min(row["own_threshold"], MAX_PDQ_THRESHOLD)


def _bank(row: Any) -> Bank:
    row = row._mapping if hasattr(row, "_mapping") else row
    return Bank(hashset_id=row["hashset_id"], name=row["name"], enabled=bool(row["enabled"]),
                pdq_threshold=_threshold(row), entry_count=row["entry_count"], allowed_count=row["allowed_count"],
                format=row["format"], source=row["source"], changed=codec.utc(row["changed"]))  # type: ignore[arg-type]


def _check_threshold(value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_PDQ_THRESHOLD:
        raise UsageError(f"PDQ threshold {value} is outside 0-{MAX_PDQ_THRESHOLD}")
