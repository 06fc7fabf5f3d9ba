"""The audit trail: who logged in, viewed, revealed, decided, exported or changed a setting, and when.

Each case has its own hash chain (and one ``global`` chain holds events of no case: logins, accounts).
An entry's hash is the SHA-256 of a canonical JSON of its content together with the previous entry's
hash, so editing, removing or inserting any entry breaks every hash after it; ``verify`` walks the
chain and names the first entry that does not fit. The head hash goes in the court report, so the
trail handed over later can be checked against the one the report was made from.

The decisions table is what the court report prints, so a case's check covers it too: every decision
row must be one that a ``decide`` entry records (item, category, who, and the same moment), and every
decision a ``decide`` entry records must still be a row. A category changed, added or removed in the
database behind footprint's back therefore fails ``footprint audit verify`` like an edited entry does.

Canonical JSON: keys sorted, no spaces, UTF-8, the time as ISO 8601 in UTC with microseconds. An
entry's content is: chain, seq, at, user, action, case, item, details, prev.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from footprint.errors import AuditError, UsageError
from footprint.store import codec
from footprint.store.base import Store
from footprint.store.reviewstore import GENESIS, AuditRow, DecisionRow, ReviewStore, review_store

GLOBAL = "global"
MAX_ACTION = 64


@dataclass(frozen=True)
class Verification:
    """The result of checking one chain. ``first_bad``: the seq of the first entry that does not fit;
    ``bad_decision``: the id of a decision row that no entry records (added or altered behind our back)."""

    chain: str
    ok: bool
    entries: int
    head: str | None  # the hash of the last entry that verified (None: an empty chain)
    first_bad: int | None = None
    problem: str | None = None
    bad_decision: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "ok": self.ok, "entries": self.entries, "head": self.head,
                "first_bad": self.first_bad, "problem": self.problem, "bad_decision": self.bad_decision}


def chain_name(case_id: int | None) -> str:
    return GLOBAL if case_id is None else f"case:{case_id}"


def canonical(row: AuditRow) -> bytes:
    content = {"chain": row.chain, "seq": row.seq, "at": _when(row.at), "user": row.user, "action": row.action,
               "case": row.case_id, "item": row.item_id, "details": row.details, "prev": row.prev_hash}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def entry_hash(row: AuditRow) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def _when(moment: datetime) -> str:
    at = codec.utc(moment)
    assert at is not None
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _plain(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """Details as they will read back from the database's JSON (so the hash checks out later)."""
    try:
        found = json.loads(json.dumps(dict(details or {}), sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"audit details are not plain JSON: {exc}") from exc
    assert isinstance(found, dict)
    return found


# -- writing ------------------------------------------------------------------------------------


def append(store: Store, action: str, *, user: str | None = None, case_id: int | None = None,
           item_id: int | None = None, details: Mapping[str, Any] | None = None) -> AuditRow:
    """Append one entry to the case's chain (the global chain when ``case_id`` is None), in its own
    write transaction."""
    reviews = review_store(store)
    with reviews.tx(write=True) as conn:
        return append_in(reviews, conn, action, user=user, case_id=case_id, item_id=item_id, details=details)


def append_in(reviews: ReviewStore, conn: Connection, action: str, *, user: str | None = None,
              case_id: int | None = None, item_id: int | None = None,
              details: Mapping[str, Any] | None = None, at: datetime | None = None) -> AuditRow:
    """Append inside the caller's write transaction: what is audited and its entry commit together.
    ``at`` (default now) lets the entry carry the very moment stamped on what it records."""
    if not action or len(action) > MAX_ACTION:
        raise UsageError(f"an audit action is 1 to {MAX_ACTION} characters, not {action!r}")
    chain, plain, at = chain_name(case_id), _plain(details), codec.utc(at) or codec.now()

    def make(seq: int, prev: str) -> AuditRow:
        row = AuditRow(chain=chain, seq=seq, at=at, user=user, action=action, case_id=case_id, item_id=item_id,
                       details=plain, prev_hash=prev)
        return AuditRow(**{**row.__dict__, "hash": entry_hash(row)})

    return reviews.append_audit(conn, chain, case_id, make)


# -- reading and checking ---------------------------------------------------------------------


def head(store: Store, case_id: int | None) -> str | None:
    """The hash of the chain's newest entry, as recorded; None when the case has no trail yet."""
    found = review_store(store).chain_head(chain_name(case_id))
    return found[1] if found else None


def entries(store: Store, case_id: int | None, offset: int = 0, limit: int = 200,
            newest_first: bool = True) -> list[AuditRow]:
    """A page of the chain's entries, newest first by default (as the audit page shows them)."""
    reviews = review_store(store)
    chain = chain_name(case_id)
    if offset < 0 or limit < 1:
        raise UsageError("a page of the audit trail is 1 entry or more from offset 0 or more")
    if newest_first:
        return reviews.audit_rows(chain, offset, limit, newest_first=True)
    return reviews.audit_rows(chain, offset, limit)  # seq is 1, 2, 3 ...: the offset is a seq


def iter_entries(store: Store, case_id: int | None) -> Iterator[AuditRow]:
    """Every entry, oldest first (streamed: a long trail is never in memory at once)."""
    return review_store(store).iter_audit(chain_name(case_id))


def verify(store: Store, case_id: int | None) -> Verification:
    """Walk the chain from its first entry: every seq in turn, every prev the hash before it, every hash
    its content's; and the recorded head is the last entry (so removing the newest entries shows too)."""
    reviews = review_store(store)
    chain = chain_name(case_id)
    prev, count = GENESIS, 0
    recorded_decisions: list[AuditRow] = []
    for row in reviews.iter_audit(chain):
        expected = count + 1
        problem = _problem(row, expected, prev, chain)
        if problem:
            return Verification(chain, False, count, prev if count else None, min(row.seq, expected), problem)
        prev, count = row.hash, expected
        if row.action == DECIDE:
            recorded_decisions.append(row)
    recorded = reviews.chain_head(chain)
    if recorded is not None and recorded != (count, prev):
        seq = count + 1 if recorded[0] > count else recorded[0]
        return Verification(chain, False, count, prev if count else None, seq,
                            f"the chain's recorded head is entry {recorded[0]} {recorded[1][:16]}..., "
                            f"but its last entry is {count}: entries were removed or the head was changed")
    if recorded is None and count:
        return Verification(chain, False, count, prev, 1, "the chain has entries but no recorded head")
    if case_id is not None:
        found = _check_decisions(recorded_decisions, reviews.case_decisions(case_id))
        if found is not None:
            bad_seq, decision_id, problem = found
            return Verification(chain, False, count, prev if count else None, bad_seq, problem, decision_id)
    return Verification(chain, True, count, prev if count else None)


def verify_all(store: Store) -> list[tuple[str, Verification]]:
    """Every case's trail by case name, then the global trail (named ""): each verified in full."""
    results = [(case.name, verify(store, case.id)) for case in sorted(store.list_cases(), key=lambda c: c.name)]
    return [*results, ("", verify(store, None))]


def _problem(row: AuditRow, expected: int, prev: str, chain: str) -> str | None:
    if row.seq != expected:
        return f"entry {expected} is missing (found {row.seq} after {expected - 1})"
    if row.chain != chain or chain_name(row.case_id) != chain:
        return f"entry {row.seq} belongs to another chain"
    if row.prev_hash != prev:
        return f"entry {row.seq} does not follow the entry before it (prev hash differs)"
    if entry_hash(row) != row.hash:
        return f"entry {row.seq} was altered (its content does not give its hash)"
    return None


# -- decisions against the trail -----------------------------------------------------------------

DECIDE = "decide"  # the action of the entry that records decisions: details {"category", "items"}

DecisionKey = tuple[int, str, str, str]  # item, category, who, when


def decision_details(category: str, item_ids: Iterable[int]) -> dict[str, Any]:
    """The details of a ``decide`` entry (decisions.decide writes them; verify reads them back)."""
    return {"category": category, "items": sorted(item_ids)}


def _check_decisions(entries: list[AuditRow], rows: list[DecisionRow]) -> tuple[int | None, int | None, str] | None:
    """(entry seq, decision id, problem) for the first mismatch between the decide entries and the
    decision rows; None when they are the same decisions."""
    recorded: Counter[DecisionKey] = Counter()
    first_entry: dict[DecisionKey, int] = {}
    for entry in entries:
        items = entry.details.get("items")
        for item_id in items if isinstance(items, list) else []:
            key = (int(item_id), str(entry.details.get("category")), entry.user or "", _when(entry.at))
            recorded[key] += 1
            first_entry.setdefault(key, entry.seq)
    for row in rows:  # oldest first: the first row that no entry records is named
        key = (row.item_id, row.category, row.decided_by, _when(row.decided_at))
        if recorded[key] <= 0:
            return None, row.id, (f"decision {row.id} (item {row.item_id}, {row.category} by {row.decided_by}) is in "
                                  "no audit entry: it was added or altered outside footprint")
        recorded[key] -= 1
    missing = sorted((first_entry[key], key) for key, left in recorded.items() if left > 0)
    if missing:
        seq, (item_id, category, _, _) = missing[0]
        return seq, None, (f"entry {seq} records a decision (item {item_id}, {category}) that is no longer in "
                           "the decisions: it was removed or altered outside footprint")
    return None


def check(store: Store, case_id: int | None) -> Verification:
    """``verify``, raising AuditError naming the first bad entry (or decision) when the trail does not verify."""
    result = verify(store, case_id)
    if not result.ok:
        raise AuditError(f"audit trail {result.chain} does not verify: {result.problem}")
    return result


def as_dict(row: AuditRow) -> dict[str, Any]:
    """One entry as JSON (``footprint audit show``, the audit page)."""
    return {"chain": row.chain, "seq": row.seq, "at": _when(row.at), "user": row.user, "action": row.action,
            "case": row.case_id, "item": row.item_id, "details": dict(row.details), "prev_hash": row.prev_hash,
            "hash": row.hash}
