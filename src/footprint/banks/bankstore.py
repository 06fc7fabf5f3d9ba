"""Banks in the store: service settings over existing hash sets, the allow-list, bulk add and remove.

Entries are added through the core store (``Store.add_entries``: the same rows, checks and COPY path
as an imported list); removal, the allow-list and the bank settings are this module's own tables and
statements over the same engine. Every method is one short transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
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

from .records import MAX_PDQ_THRESHOLD, Bank

IN_LIMIT = 1000
BANK_FORMAT = "bank"  # format name of a hash set created empty for the service


@dataclass(frozen=True)
class BankSource:
    """What an index build needs of one enabled bank: the hash set (with the bank's threshold), the
    highest entry id it may serve, and its allow-listed entries."""

    hashset: HashSetRecord
    max_entry_id: int
    allowed: frozenset[int]


def transaction(engine: Engine, write: bool = False) -> AbstractContextManager[Connection]:
    """One transaction of the service store (see footprint.store.engine.transaction)."""
    return store_transaction(engine, write, "service store")


class BankStore:
    def __init__(self, store: Store, engine: Engine) -> None:
        self.store = store
        self.engine = engine

    # -- banks ------------------------------------------------------------------------------

    def create_bank(self, name: str, pdq_threshold: int | None = None, source: str = "api") -> Bank:
        """A new, empty hash set served as a bank."""
        _check_threshold(pdq_threshold)
        self.store.create_hashset(name, BANK_FORMAT, source, pdq_threshold if pdq_threshold is not None else 31)
        return self.serve(name, pdq_threshold=pdq_threshold)

    def serve(self, name: str, *, enabled: bool | None = None, pdq_threshold: int | None = None) -> Bank:
        """Serve an existing hash set as a bank, or change a bank's settings."""
        _check_threshold(pdq_threshold)
        hashset = self.store.get_hashset(name)
        now = codec.now()
        with transaction(self.engine, write=True) as conn:
            exists = conn.execute(select(service_banks.c.hashset_id)
                                  .where(service_banks.c.hashset_id == hashset.id)).first()
            values: dict[str, Any] = {"changed": now}
            if enabled is not None:
                values["enabled"] = enabled
            if pdq_threshold is not None:
                values["pdq_threshold"] = pdq_threshold
            if exists:
                conn.execute(update(service_banks).where(service_banks.c.hashset_id == hashset.id).values(values))
            else:
                conn.execute(service_banks.insert().values({"enabled": True, "pdq_threshold": None, **values,
                                                            "hashset_id": hashset.id, "created": now}))
        return self.get_bank(name)

    def unserve(self, name: str) -> None:
        """Stop serving a hash set; the list itself stays in the store for the scans."""
        bank = self.get_bank(name)
        with transaction(self.engine, write=True) as conn:
            conn.execute(service_banks.delete().where(service_banks.c.hashset_id == bank.hashset_id))
            conn.execute(service_allowed.delete().where(service_allowed.c.hashset_id == bank.hashset_id))

    def list_banks(self) -> list[Bank]:
        with transaction(self.engine) as conn:
            return [_bank(row) for row in conn.execute(_bank_query().order_by(hashsets.c.name))]

    def get_bank(self, name: str) -> Bank:
        with transaction(self.engine) as conn:
            row = conn.execute(_bank_query().where(hashsets.c.name == name)).first()
        if row is None:
            raise NotFound(f"bank {name!r} not found")
        return _bank(row)

    # -- entries ----------------------------------------------------------------------------

    def add_entries(self, name: str, new: Iterable[KnownEntry]) -> int:
        return self.store.add_entries(self.get_bank(name).hashset_id, new)

    def remove_entries(self, name: str, algorithm: str, values: Sequence[str]) -> int:
        """Remove every entry of the bank whose ``algorithm`` hash is one of ``values``."""
        bank = self.get_bank(name)
        column = entries.c[codec.exact_column(algorithm)] if algorithm != "pdq" else entries.c.pdq
        removed = 0
        with transaction(self.engine, write=True) as conn:
            for chunk in codec.batched(sorted({v.lower() for v in values}), IN_LIMIT):
                removed += conn.execute(entries.delete().where(
                    entries.c.hashset_id == bank.hashset_id, column.in_(chunk))).rowcount
            conn.execute(update(hashsets).where(hashsets.c.id == bank.hashset_id)
                         .values(entry_count=hashsets.c.entry_count - removed))
        return removed

    def list_entries(self, name: str, after: int = 0, limit: int = 100) -> list[EntryHit]:
        bank = self.get_bank(name)
        hashset = self.store.get_hashset(name)
        with transaction(self.engine) as conn:
            rows = conn.execute(select(entries).where(entries.c.hashset_id == bank.hashset_id, entries.c.id > after)
                                .order_by(entries.c.id).limit(limit)).mappings().all()
        return [EntryHit(hashset, r["id"], codec.entry_from_row(r)) for r in rows]

    # -- allow-list -------------------------------------------------------------------------

    def allow(self, name: str, entry_id: int, reason: str) -> None:
        """Put one entry on the bank's allow-list: a false positive the service never reports again."""
        bank = self.get_bank(name)
        with transaction(self.engine, write=True) as conn:
            owner = conn.execute(select(entries.c.hashset_id).where(entries.c.id == entry_id)).scalar()
            if owner != bank.hashset_id:
                raise NotFound(f"entry {entry_id} not found in bank {name!r}")
            try:
                with conn.begin_nested():
                    conn.execute(service_allowed.insert().values(
                        entry_id=entry_id, hashset_id=bank.hashset_id, reason=reason, created=codec.now()))
            except IntegrityError as exc:
                raise AlreadyExists(f"entry {entry_id} is already on the allow-list") from exc

    def disallow(self, name: str, entry_id: int) -> None:
        bank = self.get_bank(name)
        with transaction(self.engine, write=True) as conn:
            gone = conn.execute(service_allowed.delete().where(
                service_allowed.c.entry_id == entry_id, service_allowed.c.hashset_id == bank.hashset_id)).rowcount
        if not gone:
            raise NotFound(f"entry {entry_id} is not on the allow-list of bank {name!r}")

    def allowed(self, name: str) -> list[dict[str, object]]:
        bank = self.get_bank(name)
        with transaction(self.engine) as conn:
            rows = conn.execute(select(service_allowed).where(service_allowed.c.hashset_id == bank.hashset_id)
                                .order_by(service_allowed.c.entry_id)).mappings().all()
        return [{"entry_id": r["entry_id"], "reason": r["reason"], "created": r["created"].isoformat()}
                for r in rows]

    # -- what an index build reads ------------------------------------------------------------

    def sources(self) -> list[BankSource]:
        """Every enabled bank, as it is now (one transaction, so one consistent picture)."""
        found = []
        with transaction(self.engine) as conn:
            for row in conn.execute(_bank_query().where(service_banks.c.enabled.is_(True))
                                    .order_by(hashsets.c.name)).mappings():
                max_id = conn.execute(select(func.max(entries.c.id))
                                      .where(entries.c.hashset_id == row["hashset_id"])).scalar() or 0
                allowed = conn.execute(select(service_allowed.c.entry_id)
                                       .where(service_allowed.c.hashset_id == row["hashset_id"])).scalars()
                hashset = HashSetRecord(id=row["hashset_id"], name=row["name"], format=row["format"],
                                        source=row["source"], imported=row["imported"],
                                        pdq_threshold=_threshold(row), entry_count=row["entry_count"])
                found.append(BankSource(hashset, max_id, frozenset(allowed)))
        return found

    def fingerprint(self) -> tuple[object, ...]:
        """A cheap summary that changes whenever what the index serves may have changed, whoever changed
        it (this server, the CLI, another server on the same store): each bank's switch and thresholds
        (its own and its hash set's), its entry count and highest entry id (ids are never reused, so an
        entry added or removed moves one of them), and a digest of the whole allow-list, every
        (bank, entry) pair: a count and a sum of ids would miss a swap of {1, 4} for {2, 3}."""
        with transaction(self.engine) as conn:
            banks = conn.execute(select(service_banks.c.hashset_id, service_banks.c.enabled,
                                        service_banks.c.pdq_threshold, hashsets.c.pdq_threshold,
                                        hashsets.c.entry_count)
                                 .join(hashsets, hashsets.c.id == service_banks.c.hashset_id)
                                 .order_by(service_banks.c.hashset_id)).all()
            maxima = [conn.execute(select(func.max(entries.c.id)).where(entries.c.hashset_id == b[0])).scalar()
                      for b in banks]
            allowed = conn.execute(select(service_allowed.c.hashset_id, service_allowed.c.entry_id)
                                   .order_by(service_allowed.c.hashset_id, service_allowed.c.entry_id)).all()
        digest = hashlib.sha256(",".join(f"{h}:{e}" for h, e in allowed).encode("ascii")).hexdigest()
        return tuple(tuple(b) for b in banks), tuple(maxima), (len(allowed), digest)

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
