"""SqlStore.get_item: one item of a case by id, complete; an item of another case is NotFound."""

from __future__ import annotations

import pytest

from footprint.errors import NotFound
from footprint.model import CategoryScheme, ItemFacts, ItemState, Match, MatchKind
from footprint.store.base import ItemRecord
from footprint.store.sql import SqlStore


def test_get_item_by_id_within_its_case(sql_url):
    store = SqlStore(sql_url)
    try:
        mine = store.create_case("mine", CategoryScheme.UK)
        other = store.create_case("other", CategoryScheme.UK)
        ex_mine = store.add_exhibit(mine.id, "ev", "/ev", "folder", None, {})
        ex_other = store.add_exhibit(other.id, "ev", "/ev2", "folder", None, {})
        match = Match("known", 1, MatchKind.EXACT, "sha256", 0, label="x")
        store.save_items(ex_mine.id, [ItemRecord("ev/a.jpg", 3, "ok"),
                                      ItemRecord("ev/b.jpg", 4, "ok", ItemFacts(ItemState.DELETED),
                                                 matches=[match], warnings=["read: odd"])])
        store.save_items(ex_other.id, [ItemRecord("ev/c.jpg", 5, "ok")])
        by_ref = {r.ref: r for r in store.iter_items(mine.id)}
        found = store.get_item(mine.id, by_ref["ev/b.jpg"].id)
        assert found == by_ref["ev/b.jpg"]
        assert found.exhibit == "ev" and found.facts.state is ItemState.DELETED
        assert list(found.warnings) == ["read: odd"]
        (foreign,) = store.iter_items(other.id)
        with pytest.raises(NotFound):
            store.get_item(mine.id, foreign.id)
        with pytest.raises(NotFound):
            store.get_item(mine.id, 10_000)
    finally:
        store.close()
