"""The review workspace in Debian's Chromium (Playwright), against a real uvicorn server on 127.0.0.1:
log in, see the grid blurred by default, categorise a near-duplicate cluster with the keyboard, reveal
one item and find the reveal in the audit view, and fail to open a picture of someone else's case."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from reviewing import PASSWORD, decisions_of, setup_review

pytestmark = pytest.mark.browser


@pytest.fixture
def reviewing(cli, demo_scanned, settings, tmp_path):
    return setup_review(cli, settings, tmp_path)


def log_in(page, name: str = "rita") -> None:
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/cases$"))


def computed_filter(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).filter")


def test_login_shows_only_my_cases_and_a_blurred_grid(page, reviewing):
    log_in(page)
    assert page.locator("table.list a", has_text="demo").count() == 1
    assert page.locator("table.list a", has_text="elsewhere").count() == 0
    page.goto(f"/cases/{reviewing.case_id}/grid")
    first = page.locator(".tile img").first
    first.wait_for()
    expect(first).to_have_js_property("complete", True)
    shown = computed_filter(page, ".tile img")
    assert re.fullmatch(r"blur\(\d+px\) grayscale\(1\)", shown), shown
    assert page.locator(".tile").first.get_attribute("class").find("revealed") == -1


def test_categorise_a_cluster_with_the_keyboard(page, reviewing):
    log_in(page)
    item_id, members = reviewing.cluster
    page.goto(f"/cases/{reviewing.case_id}/grid?cluster={reviewing.cluster_id}&show=all")
    page.locator(f'.tile[data-item="{item_id}"]').focus()
    page.keyboard.press("Shift+KeyB")
    expect(page.locator("#status")).to_have_text(f"uk:B applied to {len(members)} items.")
    for member in members:
        expect(page.locator(f'.tile[data-item="{member}"] [data-decision]')).to_have_text("uk:B")
    assert decisions_of(reviewing, members) == {m: "uk:B" for m in members}


def test_reveal_one_item_is_in_the_audit_trail_the_auditor_sees(page, reviewing):
    log_in(page)
    page.goto(f"/cases/{reviewing.case_id}/grid?show=all")
    tiles = page.locator(".tile.matched")  # matched items are decodable pictures
    first, second = tiles.nth(0), tiles.nth(1)
    first_id, second_id = first.get_attribute("data-item"), second.get_attribute("data-item")
    thumbnail = f"/cases/{reviewing.case_id}/items/{{}}/thumbnail"
    assert page.request.get(thumbnail.format(first_id)).headers["x-footprint-picture"] == "blurred"
    first.focus()
    page.keyboard.press("r")
    page.wait_for_selector(".tile.revealed")
    assert computed_filter(page, ".tile.revealed img") == "none"
    assert page.request.get(thumbnail.format(first_id)).headers["x-footprint-picture"] == "plain"
    second.focus()
    page.keyboard.press("r")
    expect(page.locator(".tile.revealed")).to_have_attribute("data-item", second_id)
    expect(page.locator(".tile.revealed")).to_have_count(1)  # one at a time
    sent = {i: page.request.get(thumbnail.format(i)).headers["x-footprint-picture"] for i in (first_id, second_id)}
    assert sent == {first_id: "blurred", second_id: "plain"}  # the server withdrew the first reveal too
    expect(second.locator("img")).to_have_attribute("src", re.compile(r"/thumbnail\?t=\d+$"))  # fetched again
    assert page.request.get(f"/cases/{reviewing.case_id}/audit").status == 403  # a reviewer's role has no audit
    page.context.clear_cookies()
    log_in(page, "audrey")  # the case's auditor
    page.goto(f"/cases/{reviewing.case_id}/audit")
    rows = page.locator('tr[data-action="reveal"]')
    assert rows.count() == 2
    for item_id in (first_id, second_id):
        assert rows.locator(f'a[href$="/items/{item_id}"]').count() == 1
    assert rows.first.locator("td").nth(2).text_content() == "rita"
    assert "verified" in page.locator("#chain-status").text_content()


def test_no_picture_of_a_case_i_am_not_in(page, reviewing):
    log_in(page)
    other_case, other_item = reviewing.foreign_item
    for path in (f"/cases/{other_case}/items/{other_item}/thumbnail", f"/cases/{other_case}/items/{other_item}/picture",
                 f"/cases/{reviewing.case_id}/items/{other_item}/thumbnail"):
        response = page.request.get(path)
        assert response.status == 404, path
    own = page.request.get(f"/cases/{reviewing.case_id}/items/{reviewing.cluster[0]}/thumbnail")
    assert own.status == 200 and own.headers["cache-control"] == "no-store"
    page.goto(f"/cases/{other_case}/items/{other_item}")
    assert page.locator("h1").text_content().startswith("404")


def test_break_reminder_appears_after_the_configured_minutes(page, reviewing, app):
    minutes = app.state.workspace.config.break_minutes
    page.clock.install()  # Date and timers under the test's control, before any page script runs
    log_in(page)
    page.goto(f"/cases/{reviewing.case_id}/grid")
    banner = page.locator("#break-reminder")
    expect(banner).to_be_hidden()
    page.clock.fast_forward((minutes * 60 - 30) * 1000)  # 30 s short of the break
    expect(banner).to_be_hidden()
    page.clock.fast_forward(31 * 1000)
    expect(banner).to_be_visible()
    page.click("#break-dismiss")  # "Later": the count starts again
    expect(banner).to_be_hidden()
    page.clock.fast_forward((minutes * 60 - 30) * 1000)
    expect(banner).to_be_hidden()
    page.reload()  # the time counted survives moving between pages of the session
    page.clock.fast_forward(31 * 1000)
    expect(banner).to_be_visible()


def test_links_page_shows_a_link_to_a_case_i_am_not_in_without_its_items(page, reviewing, cli, demo_case, tmp_path):
    copied = tmp_path / "seized"
    copied.mkdir()
    (copied / "copy.jpg").write_bytes((demo_case.evidence / "Camera" / "IMG_0000.jpg").read_bytes())
    assert cli("case", "create", "seized-2").code == 0 and cli("scan", str(copied), "--case", "seized-2").code == 0
    other = reviewing.store.get_case("seized-2").id
    log_in(page)
    page.goto(f"/cases/{reviewing.case_id}/grid")
    page.click("nav >> text=Links")
    page.wait_for_url(re.compile(rf"/cases/{reviewing.case_id}/links$"))
    row = page.locator(f'#link-summary tr[data-case="{other}"]')
    expect(row).to_contain_text(f"another case (case {other})")
    expect(row).to_contain_text("ask an administrator")
    expect(page.locator(f'.link.file .side.other[data-case="{other}"]')).to_contain_text("its items are not shown")
    expect(page.locator(".link.file .side.mine")).to_contain_text("IMG_0000.jpg")
    body = page.content()
    assert "seized" not in body and "copy.jpg" not in body and f"/cases/{other}/" not in body
    assert page.locator("img").count() == 0  # no pictures on the links page at all


def _plain_in(page, item_id: str) -> None:
    tile = page.locator(f'.tile[data-item="{item_id}"]')
    page.wait_for_selector(f'.tile.revealed[data-item="{item_id}"]')
    assert computed_filter(page, f'.tile[data-item="{item_id}"] img') == "none"
    expect(tile.locator("img")).not_to_have_attribute("src", re.compile(r"blurred=1"))


def _blurred_again_in(page, item_id: str) -> None:
    """Within a few seconds: no longer marked revealed, blurred by CSS, and its blurred URL fetched."""
    tile = page.locator(f'.tile[data-item="{item_id}"]')
    expect(tile).not_to_have_class(re.compile(r"\brevealed\b"), timeout=5000)
    assert re.fullmatch(r"blur\(\d+px\) grayscale\(1\)", computed_filter(page, f'.tile[data-item="{item_id}"] img'))
    expect(tile.locator("img")).to_have_attribute("src", re.compile(r"\?blurred=1&t=\d+$"), timeout=5000)


def test_a_reveal_the_server_withdrew_is_blurred_again_in_every_tab(page, reviewing):
    """Two tabs of one browser (one session): a reveal in tab B withdraws tab A's, and tab A blurs its
    picture again within seconds; so does a reveal ended by a membership withdrawn elsewhere (the page
    asks the server), and a logout in the other tab."""
    from footprint.review import accounts

    log_in(page)
    grid = f"/cases/{reviewing.case_id}/grid?show=all"
    other = page.context.new_page()
    page.goto(grid)
    other.goto(grid)
    tiles = page.locator(".tile.matched")
    x, y = tiles.nth(0).get_attribute("data-item"), tiles.nth(1).get_attribute("data-item")
    page.locator(f'.tile[data-item="{x}"]').focus()
    page.keyboard.press("r")
    _plain_in(page, x)
    other.locator(f'.tile[data-item="{y}"]').focus()
    other.keyboard.press("r")
    _plain_in(other, y)
    _blurred_again_in(page, x)  # withdrawn by the server when tab B revealed Y
    thumbnail = f"/cases/{reviewing.case_id}/items/{x}/thumbnail"
    assert page.request.get(thumbnail).headers["x-footprint-picture"] == "blurred"

    page.reload()  # tab A now shows Y plain (the session's live reveal), drawn so by the server
    _plain_in(page, y)
    assert accounts.revoke(reviewing.store, "rita", "demo") and accounts.grant(reviewing.store, "rita", "demo")
    _blurred_again_in(page, y)  # no message from any tab: the page asked the server
    _blurred_again_in(other, y)

    page.locator(f'.tile[data-item="{x}"]').focus()
    page.keyboard.press("r")
    _plain_in(page, x)
    other.click("form.logout-form button")
    other.wait_for_url(re.compile(r"/login$"))
    _blurred_again_in(page, x)
    other.close()
