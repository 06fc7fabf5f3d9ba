"""The audit trail: a hash chain per case; any edit, removal or insertion is found, and the first bad
entry named; concurrent appenders never fork a chain."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import delete, insert, select, update

from footprint.errors import AuditError, UsageError
from footprint.review import audit
from footprint.store.reviewstore import GENESIS
from footprint.store.schema_review import audit_chains, audit_log


def _fill(store, case_id, n=5):
    return [audit.append(store, "view", user="rita", case_id=case_id, item_id=i, details={"n": i, "why": "é"})
            for i in range(1, n + 1)]


def test_entries_chain_each_to_the_one_before(seeded):
    rows = _fill(seeded.store, seeded.case.id)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    result = audit.verify(seeded.store, seeded.case.id)
    assert result.ok and result.entries == 5 and result.head == rows[-1].hash
    assert audit.head(seeded.store, seeded.case.id) == rows[-1].hash
    assert audit.verify(seeded.store, None).ok  # the global chain is a chain of its own
    assert audit.head(seeded.store, 424242) is None and audit.verify(seeded.store, 424242).ok


def test_the_hash_covers_every_field(seeded):
    row = _fill(seeded.store, seeded.case.id, 1)[0]
    assert audit.entry_hash(row) == row.hash
    for field, value in {"user": "mallory", "action": "reveal", "item_id": 2, "details": {"n": 2},
                         "case_id": 9, "seq": 2, "prev_hash": "1" * 64}.items():
        assert audit.entry_hash(type(row)(**{**row.__dict__, field: value})) != row.hash, field


@pytest.mark.parametrize("change", [{"user_name": "mallory"}, {"details": {"n": 99, "why": "é"}},
                                    {"action": "view2"}, {"item_id": 42}])
def test_an_altered_entry_is_found(seeded, change):
    store, case_id = seeded.store, seeded.case.id
    _fill(store, case_id)
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(**change))
    result = audit.verify(store, case_id)
    assert not result.ok and result.first_bad == 3 and "altered" in result.problem
    with pytest.raises(AuditError, match="entry 3"):
        audit.check(store, case_id)


def test_a_removed_entry_is_found(seeded):
    store, case_id = seeded.store, seeded.case.id
    _fill(store, case_id)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    result = audit.verify(store, case_id)
    assert not result.ok and result.first_bad == 2 and "missing" in result.problem


def test_removing_the_newest_entries_is_found(seeded):
    store, case_id = seeded.store, seeded.case.id
    _fill(store, case_id)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 4))
    result = audit.verify(store, case_id)
    assert not result.ok and result.first_bad == 4 and "removed" in result.problem


def test_an_inserted_entry_is_found(seeded):
    store, case_id = seeded.store, seeded.case.id
    rows = _fill(store, case_id)
    with store.engine.begin() as conn:  # make room after entry 2 and slip one in, chained to entry 2
        for seq in (5, 4, 3):
            conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(seq=seq + 1))
        fake = type(rows[0])(**{**rows[2].__dict__, "seq": 3, "prev_hash": rows[1].hash, "action": "reveal"})
        conn.execute(insert(audit_log).values(chain=fake.chain, seq=3, at=fake.at, user_name=fake.user,
                                              action=fake.action, case_id=case_id, item_id=fake.item_id,
                                              details=dict(fake.details), prev_hash=fake.prev_hash,
                                              hash=audit.entry_hash(fake)))
    result = audit.verify(store, case_id)
    assert not result.ok and result.first_bad == 4


def test_a_moved_head_is_found(seeded):
    store, case_id = seeded.store, seeded.case.id
    _fill(store, case_id)
    with store.engine.begin() as conn:
        conn.execute(update(audit_chains).values(head_hash="f" * 64))
    assert not audit.verify(store, case_id).ok


def test_details_must_be_plain_json(seeded):
    with pytest.raises(UsageError):
        audit.append(seeded.store, "view", case_id=seeded.case.id, details={"x": object()})
    with pytest.raises(UsageError):
        audit.append(seeded.store, "", case_id=seeded.case.id)


def test_two_appenders_at_once_never_fork_the_chain(seeded):
    store, case_id = seeded.store, seeded.case.id
    start, failures = threading.Barrier(2), []

    def work(name):
        try:
            start.wait()
            for i in range(25):
                audit.append(store, "view", user=name, case_id=case_id, item_id=i)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("rita", "sam")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    result = audit.verify(store, case_id)
    assert result.ok and result.entries == 50
    with store.engine.connect() as conn:
        users = conn.execute(select(audit_log.c.user_name).where(audit_log.c.chain == f"case:{case_id}")).scalars()
        assert sorted(users) == ["rita"] * 25 + ["sam"] * 25


def test_entries_page_both_ways(seeded):
    store, case_id = seeded.store, seeded.case.id
    _fill(store, case_id, 7)
    assert [e.seq for e in audit.entries(store, case_id, 0, 3)] == [7, 6, 5]
    assert [e.seq for e in audit.entries(store, case_id, 3, 3)] == [4, 3, 2]
    assert [e.seq for e in audit.entries(store, case_id, 2, 3, newest_first=False)] == [3, 4, 5]
    assert [e.seq for e in audit.entries(store, case_id, 6, 3, newest_first=False)] == [7]
    with pytest.raises(UsageError):
        audit.entries(store, case_id, -1, 3)
