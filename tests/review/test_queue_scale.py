"""The review queue of a 5,000-item case (items saved straight through the store, no pictures): every
filter's pages, walked to the end, give the entries and totals that reading the whole case and
filtering it in Python gives, with the kept clusters and current decisions of each entry; the kept
clusters follow when items are added."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict

import pytest

from footprint.model import Category, CategoryScheme, Digests, ItemFacts, ItemState, Match, MatchKind
from footprint.review import accounts, decisions
from footprint.review.clusters import build_clusters
from footprint.review.queue import GROUPS, QueueFilters, group_of, review_queue
from footprint.store.base import ItemRecord, KnownGoodMark
from footprint.store.knowngood import KnownGoodStore

ITEMS = 5000
PAGE = 700  # pages end in the middle of groups and of exhibits
TYPES = ["image/jpeg"] * 14 + ["image/png"] * 3 + ["video/mp4", "text/plain", "application/pdf"]
STATES = [ItemState.ALLOCATED] * 6 + [ItemState.DELETED, ItemState.CARVED]


def _record(rng: random.Random, n: int) -> ItemRecord:
    media = rng.choice(TYPES)
    copy_of = rng.randrange(300) if rng.random() < 0.15 else None  # copies of 300 files: clusters by SHA-256
    sha256 = hashlib.sha256(f"{'copy' if copy_of is not None else 'item'}-{copy_of if copy_of is not None else n}"
                            .encode()).hexdigest()
    matches = [Match("known", n, MatchKind.EXACT, "sha256", 0, f"k{n}", Category(CategoryScheme.UK, "B"))] \
        if rng.random() < 0.12 else []
    marks = [KnownGoodMark("nsrl", "sha256")] if rng.random() < 0.1 else []
    digests = Digests(size=1000 + n, crypto={"sha256": sha256}, media_type=media)
    folder = rng.choice(["DCIM", "Downloads", "Pictures/old", "tmp"])
    return ItemRecord(ref=f"{folder}/f{n:05d}.bin", size=1000 + n, status="ok",
                      facts=ItemFacts(state=rng.choice(STATES)), digests=digests, matches=matches, known_good=marks)


@pytest.fixture
def big(store):
    rng = random.Random(5)
    case = store.create_case("big", CategoryScheme.UK)
    store.create_hashset("known", "csv", "test")
    KnownGoodStore(store.engine).add_list("nsrl", "/nowhere", "nsrl.db", "0" * 64, 1, {"sha256": 1})
    for name, count in (("laptop", 3000), ("phone", ITEMS - 3000)):
        exhibit = store.add_exhibit(case.id, name, f"/evidence/{name}", "folder", None, {})
        store.save_items(exhibit.id, [_record(rng, len(name) * 10_000 + n) for n in range(count)])
    boss = accounts.add_user(store, "boss", "correct horse battery", "admin")
    ids = sorted(r.id for r in store.iter_items(case.id))
    picked = rng.sample(ids, 600)
    decisions.decide(store, boss, case, picked[:400], "uk:A")
    decisions.decide(store, boss, case, picked[300:600], "uk:C")  # 100 of the uk:A ones changed
    return store, case


def _expected(whole, decided, clusters, filters: QueueFilters) -> list[tuple[int, str]]:
    """(item id, group) in queue order, from every item read whole (the queue's meaning, in Python)."""
    rows = []
    for record in whole:
        group = group_of(record)
        if group is None:
            continue
        category = decided[record.id].category if record.id in decided else "none"
        keep = {"new-first": True, "new": group == "new", "matched": group == "matched",
                "unmatched": group != "matched", "all": True}[filters.show]
        keep = keep and (not filters.category or category == filters.category)
        keep = keep and (not filters.exhibit or record.exhibit == filters.exhibit)
        keep = keep and (not filters.state or record.facts.state.value == filters.state)
        keep = keep and (filters.cluster is None or clusters.of.get(record.id) == filters.cluster)
        if keep:
            rows.append(((record.exhibit, record.ref), record.id, group))
    rows.sort(key=lambda row: ((GROUPS.index(row[2]),) if filters.show != "all" else ()) + row[0])
    return [(item_id, group) for _, item_id, group in rows]


def _walk(store, case, filters: QueueFilters):
    entries, offset = [], 0
    while True:
        page, total = review_queue(store, case, filters, offset, PAGE)
        entries.extend(page)
        offset += PAGE
        if offset >= total:
            assert len(page) == total - (offset - PAGE)
            return entries, total


def test_pages_and_totals_of_a_5000_item_case(big):
    store, case = big
    whole = list(store.iter_items(case.id))
    clusters = build_clusters((r.id, r.digests.crypto.get("sha256"), None, None) for r in whole)
    largest = max(clusters.members, key=lambda c: len(clusters.members[c]))
    decided = decisions.current_all(store, case)
    every = [QueueFilters(), QueueFilters(show="new"), QueueFilters(show="matched"), QueueFilters(show="unmatched"),
             QueueFilters(show="all"), QueueFilters(category="uk:A"), QueueFilters(category="uk:C", show="all"),
             QueueFilters(category="none", exhibit="phone"), QueueFilters(state="deleted", show="new"),
             QueueFilters(state="carved", exhibit="laptop", show="matched"), QueueFilters(cluster=largest)]
    totals = {}
    for filters in every:
        entries, total = _walk(store, case, filters)
        expected = _expected(whole, decided, clusters, filters)
        assert total == len(expected) and [(e.record.id, e.group) for e in entries] == expected, filters
        for entry in entries:
            item_id = entry.record.id
            assert (entry.cluster, entry.cluster_size) == clusters.cluster_of(item_id)
            assert entry.category == (decided[item_id].category if item_id in decided else None)
        totals[filters] = total
    assert totals[QueueFilters(show="all")] > 4000 and totals[QueueFilters(cluster=largest)] >= 3
    assert totals[QueueFilters(show="new")] + totals[QueueFilters(show="matched")] < totals[QueueFilters()]
    assert review_queue(store, case, QueueFilters(), 10_000, PAGE) == ([], totals[QueueFilters()])


def test_kept_clusters_follow_new_items(big):
    store, case = big
    (first,), _ = review_queue(store, case, QueueFilters(show="all"), 0, 1)
    sha256 = first.record.digests.crypto["sha256"]
    before = first.cluster_size
    exhibit = store.find_exhibit(case.id, "phone")
    store.save_items(exhibit.id, [ItemRecord(ref=f"late/copy{n}.jpg", size=1, status="ok",
                                             digests=Digests(size=1, crypto={"sha256": sha256},
                                                             media_type="image/jpeg")) for n in range(2)])
    (again,), _ = review_queue(store, case, QueueFilters(show="all"), 0, 1)
    assert again.record.id == first.record.id and again.cluster_size == before + 2
    members = defaultdict(list)
    for entry in _walk(store, case, QueueFilters(cluster=again.cluster, show="all"))[0]:
        members[entry.cluster].append(entry.record.ref)
    assert list(members) == [again.cluster] and {"late/copy0.jpg", "late/copy1.jpg"} <= set(members[again.cluster])
