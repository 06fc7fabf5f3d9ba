"""The case view's Links page: a member of both cases sees a link in full, a member of one case sees
that it exists (kind, count, "another case" and its number) and nothing of the other case's items;
every view is in the case's audit trail. Through the real app (FastAPI's TestClient) on two benign
cases that share a file, a camera, a place and a near copy (test_links.write_cases)."""

from __future__ import annotations

import hashlib
import re
import warnings
from datetime import UTC, datetime

import pytest
from test_links import write_cases

from footprint.intel.caseview import LinkCache, case_view, groups_of
from footprint.intel.links import Link, Node
from footprint.model import CategoryScheme
from footprint.review import accounts, audit
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.base import CaseRecord
from footprint.web.app import WebConfig, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def linked(cli, tmp_path, home):
    phone, laptop = write_cases(tmp_path / "evidence")
    for case, folder in (("alpha", phone), ("beta", laptop)):
        assert cli("case", "create", case).code == 0
        assert cli("scan", str(folder), "--case", case).code == 0
    store = open_store(Settings.from_env().database_url)
    accounts.add_user(store, "both", PASSWORD, "reviewer")
    accounts.add_user(store, "one", PASSWORD, "reviewer")
    for name, case in (("both", "alpha"), ("both", "beta"), ("one", "alpha")):
        accounts.grant(store, name, case)
    yield store
    store.close()


def client_for(name: str, config: WebConfig | None = None) -> TestClient:
    client = TestClient(create_app(Settings.from_env(), config), base_url="http://127.0.0.1")
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def ids(store):
    alpha, beta = store.get_case("alpha"), store.get_case("beta")
    beta_items = {r.ref: r.id for r in store.iter_items(beta.id)}
    return alpha.id, beta.id, beta_items


def test_a_member_of_both_cases_sees_every_link_in_full(linked):
    alpha, beta, beta_items = ids(linked)
    with client_for("both") as client:
        page = client.get(f"/cases/{alpha}/links").text
    for ref in ("laptop/copy-of-shared.jpg", "laptop/other.jpg", "laptop/place.jpg", "laptop/near.jpg"):
        assert f'href="/cases/{beta}/items/{beta_items[ref]}">{ref}</a>' in page
    for ref in ("phone/shared.jpg", "phone/own.jpg", "phone/place.jpg", "phone/near.jpg"):
        assert f">{ref}</a>" in page
    assert f'<a href="/cases/{beta}/grid">beta</a>' in page
    assert "metres: <code>50." in page and "bits: <code>" in page and "serial: <code>sn-777</code>" in page
    assert "another case" not in page and 'class="link file restricted"' not in page


def test_a_member_of_one_case_sees_that_links_exist_and_nothing_of_the_other_case(linked):
    alpha, beta, beta_items = ids(linked)
    with client_for("one") as client:
        page = client.get(f"/cases/{alpha}/links").text
        assert client.get(f"/cases/{beta}/links").status_code == 404  # not a member: as if it did not exist
        assert client.get(f"/cases/{beta}/items/{beta_items['laptop/near.jpg']}/thumbnail").status_code == 404
    summary = re.search(r'<tr data-case="(\d+)" data-visible="no">(.*?)</tr>', page, re.S)
    assert summary and int(summary.group(1)) == beta
    assert re.findall(r"<td>(\d+)</td>", summary.group(2)) == ["0", "1", "1", "1", "1"]  # exhibit, file, ...
    assert f"another case (case {beta})" in page and "ask an administrator" in page
    assert "beta" not in page and "laptop" not in page  # neither its name nor its exhibit or items
    assert f"/cases/{beta}/" not in page  # no item page, picture or thumbnail of it
    assert "metres" not in page and "bits" not in page  # they would describe the other item
    assert "serial: <code>sn-777</code>" in page and "phone/shared.jpg</a>" in page  # own items and evidence
    assert page.count('class="link ') == 4 and page.count("restricted") >= 4


def test_the_policy_may_name_the_other_case(linked):
    alpha, beta, _ = ids(linked)
    with client_for("one", WebConfig(link_case_names=True)) as client:
        page = client.get(f"/cases/{alpha}/links").text
    assert f"beta (case {beta})" in page and "laptop" not in page and f"/cases/{beta}/" not in page


def test_viewing_links_is_audited(linked):
    alpha, beta, _ = ids(linked)
    for name in ("one", "both"):
        with client_for(name) as client:
            assert client.get(f"/cases/{alpha}/links").status_code == 200
    entries = [e for e in audit.entries(linked, alpha, 0, 20) if e.action == "view.links"]
    assert [(e.user, dict(e.details)) for e in entries] == [
        ("both", {"links": 4, "cases": {str(beta): "full"}}),
        ("one", {"links": 4, "cases": {str(beta): "restricted"}})]
    assert audit.verify(linked, alpha).ok


def test_the_links_are_kept_until_the_items_change(linked, cli, tmp_path):
    cache = LinkCache(linked)
    first = cache.groups()
    assert cache.groups() is first  # nothing changed: not computed again
    more = tmp_path / "more"
    more.mkdir()
    (more / "again.jpg").write_bytes((tmp_path / "evidence" / "phone" / "shared.jpg").read_bytes())
    assert cli("case", "create", "gamma").code == 0 and cli("scan", str(more), "--case", "gamma").code == 0
    after = cache.groups()
    shared = next(g for g in after if g.kind == "file")
    assert after is not first and sorted(n.case for n in shared.nodes) == ["alpha", "beta", "gamma"]


def test_the_links_follow_a_rematch_which_adds_matches_not_items(cli, tmp_path, home):
    """A small file two cases share is set aside as trivial until a list names it; a re-match then
    matches it in both cases, adding no item: the kept links must be computed again (a matched file is
    never trivial)."""
    note = b"benign small shared note\n" * 10  # 250 bytes: under MIN_FILE_BYTES
    for case in ("a", "b"):
        (tmp_path / case).mkdir()
        (tmp_path / case / "note.txt").write_bytes(note)
        assert cli("case", "create", case).code == 0 and cli("scan", str(tmp_path / case), "--case", case).code == 0
    store = open_store(Settings.from_env().database_url)
    cache = LinkCache(store)
    assert cache.groups() == [] and [s.reason for s in cache.set_aside()] == ["small"]
    (tmp_path / "later.csv").write_text(f"md5,category\n{hashlib.md5(note).hexdigest()},A\n")
    assert cli("hashset", "import", str(tmp_path / "later.csv"), "--name", "later").code == 0
    for case in ("a", "b"):
        assert cli("case", "rematch", case).code == 0
    assert [(g.kind, sorted(n.case for n in g.nodes)) for g in cache.groups()] == [("file", ["a", "b"])]
    store.close()


def test_a_shared_file_shows_every_case_holding_it_not_only_the_first():
    hub, b, c = (Node(case, case, f"{case}/x.jpg", i) for i, case in enumerate(("a", "b", "c"), 1))
    evidence = {"algorithm": "sha256", "hash": "ab" * 32}
    groups = groups_of([Link("file", (hub, b, c), evidence)])
    case_b = CaseRecord(id=2, name="b", scheme=CategoryScheme.UK, created=datetime.now(UTC))
    view = case_view(groups, case_b, {"a": 1, "b": 2, "c": 3}, visible={2, 3})
    (link,) = view.links
    assert [(s.case_id, s.visible, s.count, [n.ref for n in s.items]) for s in link.others] == [
        (1, False, 1, []), (3, True, 1, ["c/x.jpg"])]
    assert [(s.case_id, s.case_name, s.kinds) for s in view.summary] == [(1, None, {"file": 1}), (3, "c", {"file": 1})]
    assert link.evidence == evidence  # the hash is the viewer's own item's
