"""A benign demo case set up for review: a reviewer and an auditor who are members of it, and a second
case ("elsewhere") neither of them is a member of. Built with the review core's own functions."""

from __future__ import annotations

from dataclasses import dataclass, field

from footprint.demo import jpeg_bytes, picture
from footprint.review import accounts, clusters, decisions
from footprint.store import open_store
from footprint.store.base import Store

PASSWORD = "correct horse battery"


@dataclass
class Reviewing:
    store: Store
    case_id: int
    cluster_id: int
    cluster: tuple[int, list[int]]  # an item with a picture, and every item of its cluster
    foreign_item: tuple[int, int]  # (case id, item id) of a case the users are not members of
    users: dict[str, str] = field(default_factory=dict)


def setup_review(cli, settings, tmp_path) -> Reviewing:
    store = open_store(settings.database_url)
    accounts.add_user(store, "rita", PASSWORD, "reviewer")
    accounts.add_user(store, "audrey", PASSWORD, "auditor")
    for name in ("rita", "audrey"):
        accounts.grant(store, name, "demo")
    case = store.get_case("demo")
    found = clusters.case_clusters(store, case)
    cluster_id, members = next((c, m) for c, m in sorted(found.members.items()) if len(m) >= 2)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.jpg").write_bytes(jpeg_bytes(picture(77)))
    assert cli("case", "create", "elsewhere").code == 0
    assert cli("scan", str(elsewhere), "--case", "elsewhere").code == 0
    other = store.get_case("elsewhere")
    (other_item,) = [r.id for r in store.iter_items(other.id)]
    return Reviewing(store, case.id, cluster_id, (members[0], members), (other.id, other_item),
                     {"rita": "reviewer", "audrey": "auditor"})


def decisions_of(reviewing: Reviewing, item_ids: list[int]) -> dict[int, str | None]:
    found = {i: decisions.current(reviewing.store, i) for i in item_ids}
    return {i: d.category if d else None for i, d in found.items()}
