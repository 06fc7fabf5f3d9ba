"""The review queue: new material first, then matched items, then known-good pictures; non-pictures out;
filters by show, category, exhibit, state and cluster; pages."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reviewdata import pictures, seed

from footprint.errors import UsageError
from footprint.intel.newmaterial import near_copies
from footprint.model import Category, CategoryScheme, ItemFacts, ItemState, Match, MatchKind
from footprint.review import accounts, decisions
from footprint.review.queue import QueueFilters, group_of, review_queue
from footprint.store.base import KnownGoodMark
from footprint.store.knowngood import KnownGoodStore


def _case(store):
    records = pictures()
    by_ref = {r.ref: r for r in records}
    matched = Match("known", 1, MatchKind.EXACT, "sha256", 0, "k1", Category(CategoryScheme.UK, "A"))
    by_ref["ex/b.jpg"] = replace(by_ref["ex/b.jpg"], matches=[matched])
    by_ref["ex/white.png"] = replace(by_ref["ex/white.png"], known_good=[KnownGoodMark("nsrl", "sha256")])
    text = replace(by_ref["ex/grey.png"], ref="ex/notes.txt", digests=replace(by_ref["ex/grey.png"].digests,
                                                                              media_type="text/plain"))
    carved = replace(by_ref["ex/a-recompressed.jpg"], facts=ItemFacts(state=ItemState.CARVED))
    by_ref["ex/a-recompressed.jpg"] = carved
    store.create_hashset("known", "csv", "test")
    KnownGoodStore(store.engine).add_list("nsrl", "/nowhere", "nsrl.db", "0" * 64, 1, {"sha256": 1})
    return seed(store, "op", [*by_ref.values(), text])


def _refs(entries):
    return [e.record.ref for e in entries]


def test_new_material_first_then_matched_then_known_good(store):
    found = _case(store)
    entries, total = review_queue(store, found.case)
    assert _refs(entries) == ["ex/a-recompressed.jpg", "ex/a-small.jpg", "ex/a.jpg", "ex/grey.png",  # new
                              "ex/b.jpg",  # matched
                              "ex/white.png"]  # known-good
    assert total == 6 and [e.group for e in entries] == ["new"] * 4 + ["matched", "other"]
    assert "ex/notes.txt" not in _refs(review_queue(store, found.case, QueueFilters(show="all"))[0])


def test_filters(store):
    found = _case(store)
    case = found.case

    def refs(**kw):
        return _refs(review_queue(store, case, QueueFilters(**kw))[0])

    assert refs(show="matched") == ["ex/b.jpg"]
    assert refs(show="new") == ["ex/a-recompressed.jpg", "ex/a-small.jpg", "ex/a.jpg", "ex/grey.png"]
    assert refs(show="unmatched")[-1] == "ex/white.png" and "ex/b.jpg" not in refs(show="unmatched")
    assert refs(state="deleted") == ["ex/b.jpg"] and refs(state="carved") == ["ex/a-recompressed.jpg"]
    assert refs(exhibit="nope") == [] and len(refs(exhibit="ex")) == 6
    cluster = found.ids["ex/a.jpg"]
    assert refs(cluster=cluster) == ["ex/a-recompressed.jpg", "ex/a-small.jpg", "ex/a.jpg"]
    (first,), _ = review_queue(store, case, QueueFilters(cluster=cluster), 0, 1)
    assert (first.cluster, first.cluster_size) == (cluster, 3)


def test_category_filter_follows_the_current_decision(store):
    found = _case(store)
    boss = accounts.add_user(store, "boss", "correct horse battery", "admin")
    decisions.decide(store, boss, found.case, [found.ids["ex/a.jpg"], found.ids["ex/grey.png"]], "uk:C")
    decisions.decide(store, boss, found.case, [found.ids["ex/grey.png"]], "uk:N")

    def pick(category):
        return _refs(review_queue(store, found.case, QueueFilters(category=category))[0])

    assert pick("uk:C") == ["ex/a.jpg"] and pick("uk:N") == ["ex/grey.png"]
    assert "ex/a.jpg" not in pick("none") and len(pick("none")) == 4
    entries, _ = review_queue(store, found.case, QueueFilters(category="uk:C"))
    assert entries[0].category == "uk:C" and entries[0].decision.decided_by == "boss"


def test_pages_and_bad_requests(store):
    found = _case(store)
    every, total = review_queue(store, found.case, limit=100)
    pages = [review_queue(store, found.case, offset=o, limit=4)[0] for o in (0, 4)]
    assert _refs(pages[0] + pages[1]) == _refs(every) and total == 6
    with pytest.raises(UsageError):
        review_queue(store, found.case, QueueFilters(show="everything"))
    with pytest.raises(UsageError):
        review_queue(store, found.case, limit=0)


def test_entries_carry_the_complete_item_and_the_group_it_would_have_read_whole(store):
    found = _case(store)
    base = pictures()[0]
    matched = Match("known", 2, MatchKind.EXACT, "sha256", 0, "k2", None)
    typed = {kind: replace(base.digests, media_type=kind) for kind in ("video/mp4", "text/plain", "imagex/y")}
    extra = [replace(base, ref="ex/clip.mp4", digests=typed["video/mp4"]),
             replace(base, ref="ex/list.txt", digests=typed["text/plain"], matches=[matched]),
             replace(base, ref="ex/unread", digests=None, status="error"),
             replace(base, ref="ex/imagery.bin", digests=typed["imagex/y"])]
    store.save_items(store.find_exhibit(found.case.id, "ex").id, extra)
    whole = {r.id: r for r in store.iter_items(found.case.id)}
    entries, _ = review_queue(store, found.case, QueueFilters(show="all"))
    near = near_copies(store, found.case)  # list.txt matched and has a.jpg's PDQ: a's copies are near it
    assert [e.record for e in entries] == [r for r in whole.values() if group_of(r, near) is not None]
    assert all(e.group == group_of(whole[e.record.id], near) for e in entries)
    assert {e.record.ref for e in entries if e.group == "near-copy"} >= {"ex/a.jpg", "ex/a-small.jpg", "ex/clip.mp4"}
    by_ref = {e.record.ref: e.record for e in entries}
    assert by_ref["ex/b.jpg"].matches[0].hashset == "known" and by_ref["ex/white.png"].known_good[0].list_name == "nsrl"
    assert {"ex/clip.mp4", "ex/list.txt"} <= set(by_ref) and not {"ex/unread", "ex/imagery.bin"} & set(by_ref)
    assert review_queue(store, found.case, QueueFilters(cluster=999_999)) == ([], 0)
