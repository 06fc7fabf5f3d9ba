"""Decisions: validated against the case's scheme, append-only history, audited, and never lost when two
reviewers decide at the same time."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from reviewdata import PASSWORD, pictures, seed
from sqlalchemy import delete, insert, select, update

from footprint.errors import AccessDenied, AuditError, NotFound, UsageError
from footprint.model import CategoryScheme
from footprint.review import accounts, audit, decisions
from footprint.store import open_store
from footprint.store.schema_review import review_decisions


def test_history_keeps_every_decision_and_the_newest_is_current(seeded, reviewer):
    item = seeded.ids["ex/a.jpg"]
    assert decisions.current(seeded.store, item) is None
    decisions.decide(seeded.store, reviewer, seeded.case, [item], "uk:C")
    decisions.decide(seeded.store, reviewer, seeded.case, [item], "B")  # the code alone: the case's scheme
    found = decisions.history(seeded.store, item)
    assert [d.category for d in found] == ["uk:C", "uk:B"] and {d.decided_by for d in found} == {"rita"}
    assert found[0].decided_at <= found[1].decided_at
    assert decisions.current(seeded.store, item).category == "uk:B"
    assert {i: d.category for i, d in decisions.current_all(seeded.store, seeded.case).items()} == {item: "uk:B"}


def test_deciding_many_is_one_audited_step(seeded, reviewer):
    ids = sorted(seeded.ids.values())[:3]
    made = decisions.decide(seeded.store, reviewer, seeded.case, ids, "uk:A")
    assert [d.item_id for d in made] == ids
    entries = list(audit.iter_entries(seeded.store, seeded.case.id))
    last = entries[-1]
    assert (last.action, last.user, last.details) == ("decide", "rita", {"category": "uk:A", "items": ids})
    assert audit.verify(seeded.store, seeded.case.id).ok


def test_categories_outside_the_case_scheme_are_refused(seeded, reviewer):
    item = seeded.ids["ex/a.jpg"]
    for wrong in ("vics:3", "3", "uk:D", "", "uk:"):
        with pytest.raises(UsageError):
            decisions.decide(seeded.store, reviewer, seeded.case, [item], wrong)
    assert decisions.history(seeded.store, item) == []


def test_vics_cases_take_vics_categories(store):
    found = seed(store, "vicsop", pictures()[:1], CategoryScheme.VICS)
    boss = accounts.add_user(store, "boss", PASSWORD, "admin")
    decisions.decide(store, boss, found.case, list(found.ids.values()), "vics:0")
    with pytest.raises(UsageError):
        decisions.decide(store, boss, found.case, list(found.ids.values()), "uk:A")


def test_items_of_another_case_and_cases_not_mine_are_not_found(seeded, reviewer):
    store = seeded.store
    other = seed(store, "elsewhere", pictures()[:2], exhibit="ex2")
    mine = seeded.ids["ex/a.jpg"]
    with pytest.raises(NotFound):
        decisions.decide(store, reviewer, seeded.case, [mine, *other.ids.values()], "uk:A")
    assert decisions.history(store, mine) == []  # all or nothing
    with pytest.raises(NotFound):
        decisions.decide(store, reviewer, other.case, list(other.ids.values()), "uk:A")


def test_an_auditor_may_not_decide(seeded):
    auditor = accounts.add_user(seeded.store, "ann", PASSWORD, "auditor")
    accounts.grant(seeded.store, "ann", "op")
    with pytest.raises(AccessDenied):
        decisions.decide(seeded.store, auditor, seeded.case, [seeded.ids["ex/a.jpg"]], "uk:A")


def test_two_reviewers_deciding_at_once_lose_nothing(seeded, reviewer):
    store, case = seeded.store, seeded.case
    sam = accounts.add_user(store, "sam", PASSWORD, "reviewer")
    accounts.grant(store, "sam", "op")
    ids = sorted(seeded.ids.values())
    start, failures = threading.Barrier(2), []

    def work(user, category):
        try:
            start.wait()
            for i in range(15):
                decisions.decide(store, user, case, ids if i % 2 else ids[:1], category)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=a) for a in ((reviewer, "uk:A"), (sam, "uk:C"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    first = decisions.history(store, ids[0])
    assert len(first) == 30 and sorted(d.decided_by for d in first) == ["rita"] * 15 + ["sam"] * 15
    assert all(len(decisions.history(store, i)) == 14 for i in ids[1:])  # 7 whole-case calls each
    result = audit.verify(store, case.id)
    assert result.ok and [e.action for e in audit.iter_entries(store, case.id)].count("decide") == 30


def _decided(seeded, reviewer):
    """Three decisions: a.jpg uk:C, then a.jpg and b.jpg uk:B (one entry for both)."""
    store, case, ids = seeded.store, seeded.case, seeded.ids
    decisions.decide(store, reviewer, case, [ids["ex/a.jpg"]], "uk:C")
    decisions.decide(store, reviewer, case, [ids["ex/a.jpg"], ids["ex/b.jpg"]], "uk:B")
    assert audit.verify(store, case.id).ok
    with store.engine.connect() as conn:
        return list(conn.execute(select(review_decisions.c.id).order_by(review_decisions.c.id)).scalars())


def test_a_decision_altered_in_the_database_fails_the_audit_check(seeded, reviewer):
    store, case = seeded.store, seeded.case
    rows = _decided(seeded, reviewer)
    with store.engine.begin() as conn:  # the current category of a.jpg, changed behind footprint's back
        conn.execute(update(review_decisions).where(review_decisions.c.id == rows[1]).values(category="uk:A"))
    result = audit.verify(store, case.id)
    assert not result.ok and result.bad_decision == rows[1] and "outside footprint" in result.problem
    with pytest.raises(AuditError, match=f"decision {rows[1]} "):
        audit.check(store, case.id)


@pytest.mark.parametrize("change", ["decided_by", "decided_at", "item_id"])
def test_every_field_of_a_decision_is_checked(seeded, reviewer, change):
    store, ids = seeded.store, seeded.ids
    rows = _decided(seeded, reviewer)
    value = {"decided_by": "mallory", "decided_at": datetime(2020, 1, 1, tzinfo=UTC),
             "item_id": ids["ex/a-small.jpg"]}[change]
    with store.engine.begin() as conn:
        conn.execute(update(review_decisions).where(review_decisions.c.id == rows[0]).values({change: value}))
    assert audit.verify(store, seeded.case.id).bad_decision == rows[0]


def test_a_forged_decision_row_fails_the_audit_check(seeded, reviewer):
    store, ids = seeded.store, seeded.ids
    rows = _decided(seeded, reviewer)
    latest = decisions.history(store, ids["ex/b.jpg"])[-1]
    with store.engine.begin() as conn:  # an exact copy of a real decision, on another item
        conn.execute(insert(review_decisions).values(item_id=ids["ex/white.png"], scheme="uk", category="uk:B",
                                                     decided_by="rita", decided_at=latest.decided_at))
    result = audit.verify(store, seeded.case.id)
    assert not result.ok and result.bad_decision not in (None, *rows)


def test_a_removed_decision_fails_the_audit_check_naming_its_entry(seeded, reviewer):
    store, case = seeded.store, seeded.case
    rows = _decided(seeded, reviewer)
    with store.engine.begin() as conn:  # a.jpg's uk:B removed: its earlier uk:C would read as current
        conn.execute(delete(review_decisions).where(review_decisions.c.id == rows[1]))
    result = audit.verify(store, case.id)
    seqs = [e.seq for e in audit.iter_entries(store, case.id) if e.action == "decide"]
    assert not result.ok and result.first_bad == seqs[1] and result.bad_decision is None
    assert "no longer in the decisions" in result.problem


def test_decisions_of_another_case_do_not_count(seeded, reviewer):
    other = seed(seeded.store, "elsewhere", pictures()[:1], exhibit="ex2")
    boss = accounts.add_user(seeded.store, "boss", PASSWORD, "admin")
    _decided(seeded, reviewer)
    decisions.decide(seeded.store, boss, other.case, list(other.ids.values()), "uk:A")
    assert audit.verify(seeded.store, seeded.case.id).ok and audit.verify(seeded.store, other.case.id).ok


def test_two_stores_on_one_database_deciding_at_once_lose_nothing(seeded, reviewer, sql_url):
    """As two web workers would: each reviewer through a store (engine, connection pool) of their own."""
    accounts.add_user(seeded.store, "sam", PASSWORD, "reviewer")
    accounts.grant(seeded.store, "sam", "op")
    ids = sorted(seeded.ids.values())
    stores = [open_store(sql_url), open_store(sql_url)]
    start, failures = threading.Barrier(2), []

    def work(store, name, category):
        try:
            user, case = accounts.get_user(store, name), store.get_case("op")
            start.wait()
            for _ in range(10):
                decisions.decide(store, user, case, ids, category)
                audit.append(store, "view", user=name, case_id=case.id, item_id=ids[0])
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(s, n, c)) for s, n, c in zip(stores, ("rita", "sam"),
                                                                                  ("uk:A", "uk:C"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert failures == []
    assert all(sorted(d.decided_by for d in decisions.history(seeded.store, i)) == ["rita"] * 10 + ["sam"] * 10
               for i in ids)
    result = audit.verify(seeded.store, seeded.case.id)
    actions = [e.action for e in audit.iter_entries(seeded.store, seeded.case.id)]
    assert result.ok and actions.count("decide") == 20 and actions.count("view") == 20


def test_deciding_a_cluster_decides_what_was_shown_and_refuses_a_grown_one(seeded, reviewer):
    store, case, ids = seeded.store, seeded.case, seeded.ids
    copies = sorted(ids[r] for r in ("ex/a.jpg", "ex/a-small.jpg", "ex/a-recompressed.jpg"))
    made = decisions.decide_cluster(store, reviewer, case, ids["ex/a-small.jpg"], "uk:B", seen_size=3)
    assert [d.item_id for d in made] == copies
    last = list(audit.iter_entries(store, case.id))[-1]
    assert last.details == {"category": "uk:B", "items": copies, "cluster": copies[0]}
    alone = decisions.decide_cluster(store, reviewer, case, ids["ex/b.jpg"], "uk:C", seen_size=1)
    assert [d.item_id for d in alone] == [ids["ex/b.jpg"]]
    store.save_items(store.find_exhibit(case.id, "ex").id, [replace(pictures()[0], ref="ex/a-again.jpg")])
    with pytest.raises(UsageError, match="now holds 4 items, not the 3 shown"):
        decisions.decide_cluster(store, reviewer, case, ids["ex/a.jpg"], "uk:A", seen_size=3)
    assert [d.category for d in decisions.history(store, ids["ex/a.jpg"])] == ["uk:B"]
    assert audit.verify(store, case.id).ok
