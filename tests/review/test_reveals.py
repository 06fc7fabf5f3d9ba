"""Reveal grants: one item per session, for a limited time; and the blur buckets pictures are cached in."""

from __future__ import annotations

from footprint.pipeline.thumbnails import blur_bucket
from footprint.review.reveals import RevealGrants


def test_a_grant_is_one_item_of_one_case_for_one_session_and_expires():
    now = [100.0]
    grants = RevealGrants(seconds=300, clock=lambda: now[0])
    assert not grants.allows("s1", 1, 10)
    assert grants.grant("s1", 1, 10) is None
    assert grants.allows("s1", 1, 10)
    assert not grants.allows("s1", 2, 10) and not grants.allows("s1", 1, 11) and not grants.allows("s2", 1, 10)
    now[0] += 299
    assert grants.allows("s1", 1, 10)
    now[0] += 1
    assert not grants.allows("s1", 1, 10) and grants.held("s1") is None


def test_a_second_grant_replaces_the_first_and_withdraw_ends_it():
    now = [0.0]
    grants = RevealGrants(seconds=60, clock=lambda: now[0])
    grants.grant("s1", 1, 10)
    grants.grant("s2", 1, 10)
    replaced = grants.grant("s1", 1, 11)
    assert (replaced.case_id, replaced.item_id) == (1, 10)
    assert not grants.allows("s1", 1, 10) and grants.allows("s1", 1, 11) and grants.allows("s2", 1, 10)
    grants.withdraw("s1")
    assert grants.held("s1") is None and grants.allows("s2", 1, 10)


def test_blur_buckets_are_never_weaker_than_asked():
    assert [blur_bucket(s) for s in (1, 4, 5, 12, 13, 39, 40, 400)] == [8, 8, 8, 12, 16, 40, 40, 40]
