"""Which category an item counts under when its matches carry several, of one scheme or of both."""

from __future__ import annotations

from collections import Counter

import pytest

from footprint.hashsets.categories import SEVERITY, category_note
from footprint.model import Category, CategoryScheme, Match, MatchKind
from footprint.reports.summary import count_items, most_serious
from footprint.store.base import ItemRecord

UK, VICS = CategoryScheme.UK, CategoryScheme.VICS


def _matches(*categories: str | None) -> list[Match]:
    return [Match(f"list{n}", n, MatchKind.EXACT, "md5", 0, category=Category.parse(c) if c else None)
            for n, c in enumerate(categories)]


@pytest.mark.parametrize(("categories", "expected"), [
    (("uk:C", "uk:A", "uk:B"), "uk:A"),
    (("vics:2", "vics:1", "vics:0"), "vics:1"),
    (("vics:1", "uk:N"), "vics:1"),  # an indecent category of either scheme before "not indecent"
    (("vics:4", "uk:A"), "uk:A"),  # whatever the case's scheme: "ignorable" never outweighs A
    (("uk:C", "vics:1"), "uk:C"),  # graded before ungraded
    (("vics:1", None), "vics:1"),  # no category of the case's scheme: the other's, never "uncategorised"
    ((None, None), None),
])
def test_the_most_serious_category(categories: tuple[str | None, ...], expected: str | None) -> None:
    found = most_serious(_matches(*categories))
    assert (str(found) if found else None) == expected


@pytest.mark.parametrize(("categories", "disagree"), [
    (("uk:A", "vics:4"), True), (("vics:1", "uk:N"), True), (("uk:A", "uk:C"), True), (("vics:1", "vics:2"), True),
    (("uk:C", "vics:1"), False), (("uk:A", "uk:A", None), False), (("vics:2", "uk:N"), False),
])
def test_lists_disagree_on_an_item(categories: tuple[str | None, ...], disagree: bool) -> None:
    note = category_note(_matches(*categories))
    assert (note is not None) is disagree
    if note is not None:
        assert note.startswith("lists disagree on this item's category: ") and "uk:A > uk:B > uk:C > vics:1" in note


def test_every_category_of_both_schemes_has_one_severity() -> None:
    every = {Category(UK, c) for c in "ABCN"} | {Category(VICS, c) for c in "01234"}
    assert set(SEVERITY) == every and len(set(SEVERITY.values())) == len(every)


def test_the_case_counts_the_most_serious_across_schemes_whatever_its_own() -> None:
    records = [ItemRecord("a", 1, "ok", matches=_matches("vics:1", "uk:N")),
               ItemRecord("b", 1, "ok", matches=_matches("vics:4", "uk:A")),
               ItemRecord("c", 1, "ok", matches=_matches("vics:2")),
               ItemRecord("d", 1, "ok", matches=_matches(None))]
    for scheme in (UK, VICS):
        counts = count_items(records, scheme)
        totals = {k: sum(v.values()) for k, v in counts.by_category.items()}
        assert totals == {"vics:1": 1, "uk:A": 1, "vics:2": 1, "uncategorised": 1}
        assert counts.category_disagreements == 2


def test_a_vics_export_numbers_one_scheme_and_counts_the_files_it_cannot():
    import io
    import json

    from footprint.model import Digests
    from footprint.reports.vics_export import write_case_vics

    def record(ref: str, *categories: str) -> ItemRecord:
        digests = Digests(size=1, crypto={"md5": ref * 32, "sha1": ref * 40, "sha256": ref * 64})
        return ItemRecord(ref, 1, "ok", digests=digests, matches=_matches(*categories))

    records = [record("a", "vics:1"), record("b", "uk:C", "vics:1"), record("c", "uk:N"),
               record("d", "vics:4", "uk:A")]  # "ignorable" is never shared for a file a list calls A
    for profile, numbered, without in (("uk", ["<none>", 3, 4, 1], {"vics:1": 1}),
                                       ("us", [1, 1, "<none>", "<none>"], {"uk:N": 1, "uk:A": 1})):
        out, other = io.StringIO(), Counter()
        assert write_case_vics(records, out, profile, other_scheme=other) == 4
        media = json.loads(out.getvalue())["value"]
        assert [m.get("Category", "<none>") for m in media] == numbered
        assert [m["MediaID"] for m in media] == [1, 2, 3, 4]  # one integer a record, not a known entry's label
        assert other == without


def test_byte_identical_copies_are_one_vics_record_with_the_most_serious_category_of_all_copies() -> None:
    import io
    import json

    from footprint.model import Digests
    from footprint.reports.vics_export import write_case_vics

    digests = Digests(size=1, crypto={"md5": "a" * 32, "sha1": "a" * 40, "sha256": "a" * 64})
    records = [ItemRecord("e1/a.jpg", 1, "ok", digests=digests, matches=_matches("uk:C")),  # before the new list
               ItemRecord("e2/copy.jpg", 1, "ok", digests=digests, matches=_matches("uk:A"))]
    out = io.StringIO()
    assert write_case_vics(records, out, "uk") == 1
    assert [m["Category"] for m in json.loads(out.getvalue())["value"]] == [1]


def test_a_reviewer_disagrees_with_the_lists_by_the_same_rule_as_lists_between_themselves() -> None:
    """uk:C beside a list's vics:1 agrees (one ungraded, one graded); uk:N beside vics:1 does not; a
    category given to an item the list left uncategorised disagrees with nothing."""
    records = [ItemRecord("a", 1, "ok", id=1, matches=_matches("vics:1")),
               ItemRecord("b", 1, "ok", id=2, matches=_matches("vics:1")),
               ItemRecord("c", 1, "ok", id=3, matches=_matches(None)),
               ItemRecord("d", 1, "ok", id=4, matches=_matches("uk:B"))]
    counts = count_items(records, UK, {1: "uk:C", 2: "uk:N", 3: "uk:A"})
    assert counts.reviewer_disagreements == 1
    assert {k: dict(v) for k, v in counts.court_by_basis.items()} == {
        "uk:C": {"reviewer_verified": 1}, "uk:N": {"reviewer_verified": 1}, "uk:A": {"reviewer_verified": 1},
        "uk:B": {"list_only": 1}}
