"""What the grid and the item page show and offer: file names escaped as addresses are, pages past the
end, and no category or reveal for an item with no picture to look at."""

from __future__ import annotations

import re

import pytest
from reviewing import setup_review
from test_routes import csrf_of, log_in

from footprint.demo import picture, png_bytes
from footprint.review import accounts, decisions

JSON = {"Accept": "application/json"}
RTL = "rtl\u202egnp.exe.png"  # shows as "rtlpng.exe.png" unless the override is escaped


@pytest.fixture
def reviewing(cli, demo_scanned, settings, tmp_path):
    return setup_review(cli, settings, tmp_path)


@pytest.fixture
def odd_case(cli, reviewing, tmp_path):
    """A case "odd" rita is a member of: a picture whose name holds a right-to-left override, and a text file."""
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / RTL).write_bytes(png_bytes(picture(41)))
    (folder / "notes.txt").write_text("not a picture\n", encoding="utf-8")
    assert cli("case", "create", "odd").code == 0
    assert cli("scan", str(folder), "--case", "odd").code == 0
    accounts.grant(reviewing.store, "rita", "odd")
    case = reviewing.store.get_case("odd")
    items = {r.ref.rsplit("/", 1)[-1]: r.id for r in reviewing.store.iter_items(case.id)}
    return case.id, items


def test_names_show_bidi_overrides_escaped_as_the_address_does(client, odd_case):
    case_id, items = odd_case
    (rtl,) = [i for name, i in items.items() if name.startswith("rtl")]
    assert log_in(client).status_code == 303
    grid = client.get(f"/cases/{case_id}/grid?show=all").text
    caption = re.search(rf'data-item="{rtl}".*?<span class="name" title="([^"]*)">([^<]*)</span>', grid, re.S)
    assert caption.group(1).endswith("rtl%E2%80%AEgnp.exe.png")
    assert caption.group(2) == "rtl%E2%80%AEgnp.exe.png"
    page = client.get(f"/cases/{case_id}/items/{rtl}").text
    assert re.search(r"<title>(.*?)</title>", page).group(1).startswith("rtl%E2%80%AEgnp.exe.png ")
    assert "\u202e" not in grid and "\u202e" not in page


def test_an_item_with_no_picture_cannot_be_categorised_or_revealed(client, odd_case, reviewing):
    case_id, items = odd_case
    text = items["notes.txt"]
    assert log_in(client).status_code == 303
    page = client.get(f"/cases/{case_id}/items/{text}").text
    assert "/decision" not in page and "/reveal" not in page  # no buttons offered
    token = csrf_of(client)
    for action, data in (("decision", {"category": "uk:A"}), ("decision", {"category": "uk:A", "scope": "cluster",
                                                                          "seen": "1"}), ("reveal", {})):
        answer = client.post(f"/cases/{case_id}/items/{text}/{action}", data={**data, "csrf": token}, headers=JSON)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "bad_request"
    assert decisions.current(reviewing.store, text) is None
    picture_item = next(i for name, i in items.items() if name != "notes.txt")
    answer = client.post(f"/cases/{case_id}/items/{picture_item}/decision", data={"category": "uk:N", "csrf": token},
                         headers=JSON)
    assert answer.status_code == 200


def test_a_page_past_the_end_shows_the_last_page(client, reviewing):
    assert log_in(client).status_code == 303
    grid = f"/cases/{reviewing.case_id}/grid"
    last = client.get(grid, params={"show": "all"}).text
    pages = int(re.search(r"page 1 of (\d+)", last).group(1))
    if pages > 1:
        last = client.get(grid, params={"show": "all", "page": pages}).text
    beyond = client.get(grid, params={"show": "all", "page": pages + 8}).text
    assert f"page {pages} of {pages}" in beyond and 'rel="next"' not in beyond
    shown = re.findall(r'<li class="tile[^"]*"[^>]*data-item="(\d+)"', beyond)
    assert shown and shown == re.findall(r'<li class="tile[^"]*"[^>]*data-item="(\d+)"', last)
    assert ('rel="prev"' in beyond) == (pages > 1)
    empty = client.get(grid, params={"show": "all", "exhibit": "no such exhibit", "page": 3}).text
    assert "page 1 of 1" in empty and 'rel="prev"' not in empty and "No items match these filters." in empty


def test_a_picture_too_small_to_hash_is_no_picture_at_its_picture_urls_either(client, cli, reviewing, tmp_path):
    """A 40x30 PNG decodes, but its PDQ is skipped: the grid says "no picture" and a reveal is refused, so
    its thumbnail and picture are 404 too (one rule, reveals.has_picture), never a blurred JPEG."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "tiny.png").write_bytes(png_bytes(picture(22).resize((40, 30))))
    assert cli("case", "create", "tiny").code == 0 and cli("scan", str(folder), "--case", "tiny").code == 0
    accounts.grant(reviewing.store, "rita", "tiny")
    case = reviewing.store.get_case("tiny")
    (record,) = reviewing.store.iter_items(case.id)
    assert record.digests.media_type == "image/png" and record.status == "skipped"
    assert log_in(client).status_code == 303
    grid = client.get(f"/cases/{case.id}/grid?show=all").text
    assert f"/items/{record.id}/thumbnail" not in grid and "<img" not in grid
    reveal = client.post(f"/cases/{case.id}/items/{record.id}/reveal", data={"csrf": csrf_of(client)}, headers=JSON)
    assert reveal.status_code == 400
    for kind in ("thumbnail", "picture"):
        answer = client.get(f"/cases/{case.id}/items/{record.id}/{kind}")
        assert answer.status_code == 404 and not answer.headers["content-type"].startswith("image/")


def test_the_auditor_is_offered_no_reveal_and_no_category(client, reviewing):
    item = next(r.id for r in reviewing.store.iter_items(reviewing.case_id) if r.matches)
    for name, offered in (("audrey", False), ("rita", True)):
        client.cookies.clear()
        assert log_in(client, name).status_code == 303
        page = client.get(f"/cases/{reviewing.case_id}/items/{item}").text
        assert ("Reveal this item" in page) is offered and (f"/items/{item}/reveal" in page) is offered, name
        assert (f"/items/{item}/decision" in page) is offered, name
        assert 'src="/cases/' in page  # the picture itself is shown (blurred) to both
    client.cookies.clear()
    log_in(client, "audrey")
    answer = client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": csrf_of(client)},
                         headers=JSON)
    assert answer.status_code == 403  # the server's check stays
