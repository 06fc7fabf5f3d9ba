"""Reveal enforced by the server: a picture fetched without a reveal is blurred and greyscale in its
pixels (not only by CSS), the plain one is sent only to the session that revealed that item, one item at
a time, and every reveal is in the case's audit trail."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from reviewing import PASSWORD, setup_review

from footprint.pipeline.thumbnails import picture_for
from footprint.review import audit

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def reviewing(cli, demo_scanned, settings, tmp_path):
    return setup_review(cli, settings, tmp_path)


def log_in(client, name="rita"):
    token = CSRF.search(client.get("/login").text).group(1)
    client.post("/login", data={"username": name, "password": PASSWORD, "csrf": token})
    return CSRF.search(client.get("/cases").text).group(1)


def pixels(content: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(content))
    image.load()
    if image.mode != "L":
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
        assert (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all(), "not greyscale"
        return rgb[..., 0].astype(np.float64)
    return np.asarray(image, dtype=np.float64)


def detail(grey: np.ndarray) -> float:
    """High-frequency energy: mean squared difference of neighbouring pixels."""
    return float(np.mean(np.diff(grey, axis=0) ** 2) + np.mean(np.diff(grey, axis=1) ** 2))


def plain_file(reviewing, settings, item_id: int, size: str = "small") -> bytes:
    record = reviewing.store.get_item(reviewing.case_id, item_id)
    exhibit = reviewing.store.find_exhibit(reviewing.case_id, record.exhibit)
    return picture_for(settings, exhibit, record, size).read_bytes()


def matched_items(reviewing) -> list[int]:
    return sorted(r.id for r in reviewing.store.iter_items(reviewing.case_id) if r.matches)


def picture(client, reviewing, item_id: int, kind: str = "thumbnail"):
    response = client.get(f"/cases/{reviewing.case_id}/items/{item_id}/{kind}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    return response


def test_pictures_are_blurred_and_greyscale_until_revealed(client, reviewing, settings):
    log_in(client)
    item = matched_items(reviewing)[0]
    for kind, size in (("thumbnail", "small"), ("picture", "large")):
        sent = picture(client, reviewing, item, kind)
        assert sent.headers["x-footprint-picture"] == "blurred"
        plain_bytes = plain_file(reviewing, settings, item, size)
        assert sent.content != plain_bytes
        blurred = pixels(sent.content)
        plain = np.asarray(Image.open(io.BytesIO(plain_bytes)).convert("L"), dtype=np.float64)
        assert Image.open(io.BytesIO(plain_bytes)).mode == "RGB"  # the plain picture is in colour
        assert blurred.shape == plain.shape
        assert detail(blurred) < 0.1 * detail(plain), (kind, detail(blurred), detail(plain))


def test_a_reveal_sends_the_plain_picture_to_that_session_only(app, client, reviewing, settings):
    from fastapi.testclient import TestClient

    token = log_in(client)
    item = matched_items(reviewing)[0]
    response = client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal",
                           headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert response.json() == {"revealed": item, "seconds": 300.0}
    for kind, size in (("thumbnail", "small"), ("picture", "large")):
        sent = picture(client, reviewing, item, kind)
        assert sent.headers["x-footprint-picture"] == "plain"
        assert sent.content == plain_file(reviewing, settings, item, size)
    other = matched_items(reviewing)[1]
    assert picture(client, reviewing, other).headers["x-footprint-picture"] == "blurred"
    assert 'class="viewer tile revealed"' in client.get(f"/cases/{reviewing.case_id}/items/{item}").text
    with TestClient(app, base_url="http://127.0.0.1") as second:  # the same user, another session
        log_in(second)
        assert picture(second, reviewing, item).headers["x-footprint-picture"] == "blurred"


def test_a_second_reveal_withdraws_the_first_and_both_are_audited(client, reviewing):
    token = log_in(client)
    first, second = matched_items(reviewing)[:2]
    for item in (first, second):
        client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": token})
    assert picture(client, reviewing, first).headers["x-footprint-picture"] == "blurred"
    assert picture(client, reviewing, second).headers["x-footprint-picture"] == "plain"
    reveals = [e for e in audit.iter_entries(reviewing.store, reviewing.case_id) if e.action == "reveal"]
    assert [(e.user, e.item_id) for e in reveals] == [("rita", first), ("rita", second)]
    assert "withdraws" not in reveals[0].details
    assert reveals[1].details["withdraws"] == {"case": reviewing.case_id, "item": first}
    assert audit.verify(reviewing.store, reviewing.case_id).ok


def test_no_plain_picture_without_a_recorded_reveal(client, reviewing):
    token = log_in(client, "audrey")  # an auditor may not reveal
    item = matched_items(reviewing)[0]
    refused = client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": token})
    assert refused.status_code == 403
    assert picture(client, reviewing, item).headers["x-footprint-picture"] == "blurred"
    no_csrf = log_in(client)
    assert no_csrf and client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal").status_code == 403
    assert picture(client, reviewing, item).headers["x-footprint-picture"] == "blurred"
    assert not [e for e in audit.iter_entries(reviewing.store, reviewing.case_id) if e.action == "reveal"]


def test_logging_out_ends_the_reveal(app, reviewing):
    from fastapi.testclient import TestClient

    item = matched_items(reviewing)[0]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        token = log_in(client)
        client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": token})
        assert app.state.workspace.reveals.held(client.cookies["footprint_session"]) is not None
        session = client.cookies["footprint_session"]
        client.post("/logout", data={"csrf": token})
    assert app.state.workspace.reveals.held(session) is None


def test_the_server_blur_follows_the_users_strength(client, reviewing, home):
    token = log_in(client)
    item = matched_items(reviewing)[0]
    energy = {}
    for strength in (8, 40):
        client.post("/settings/blur", data={"strength": str(strength), "csrf": token})
        energy[strength] = detail(pixels(picture(client, reviewing, item).content))
    assert energy[40] < 0.5 * energy[8]
    sha256 = reviewing.store.get_item(reviewing.case_id, item).digests.crypto["sha256"]
    assert {p.name for p in (home / "thumbnails").glob(f"{sha256}*")} == {
        f"{sha256}.jpg", f"{sha256}-blur8.jpg", f"{sha256}-blur40.jpg"}


def test_a_reveal_made_before_a_membership_was_withdrawn_shows_nothing_plain_after(client, reviewing):
    """Access revoked, then given again within the reveal's minutes: the old grant was made under the
    withdrawn access, and the picture comes blurred until a new, recorded reveal."""
    from footprint.review import accounts

    token = log_in(client)
    item = matched_items(reviewing)[0]
    client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": token})
    assert picture(client, reviewing, item).headers["x-footprint-picture"] == "plain"
    assert accounts.revoke(reviewing.store, "rita", "demo") and accounts.grant(reviewing.store, "rita", "demo")
    assert picture(client, reviewing, item).headers["x-footprint-picture"] == "blurred"
    for page in (f"/cases/{reviewing.case_id}/items/{item}", f"/cases/{reviewing.case_id}/grid?show=all"):
        shown = client.get(page).text  # the pages agree with the picture: nothing marked revealed
        assert f'data-item="{item}"' in shown and "data-reveal-left" not in shown and " revealed" not in shown
    client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": token})
    assert picture(client, reviewing, item).headers["x-footprint-picture"] == "plain"
    assert "data-reveal-left" in client.get(f"/cases/{reviewing.case_id}/items/{item}").text


def test_a_page_drawn_during_a_reveal_knows_when_it_ends(client, reviewing):
    """review.js ends the reveal on the page when the server's grant ends: the revealed tile carries the
    seconds left, and only that tile."""
    token = log_in(client)
    item, other = matched_items(reviewing)[:2]
    client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": token})
    page = client.get(f"/cases/{reviewing.case_id}/items/{item}").text
    left = int(re.search(rf'data-item="{item}"[^>]*data-reveal-left="(\d+)"', page).group(1))
    assert 0 < left <= 300
    assert "data-reveal-left" not in client.get(f"/cases/{reviewing.case_id}/items/{other}").text


def test_the_page_can_ask_the_server_which_item_is_revealed(client, reviewing):
    """GET /cases/N/revealed: the session's live reveal as the pictures follow it; another reveal, a
    membership ended or a logout end it there (and the page, asking, blurs again)."""
    from footprint.review import accounts

    token = log_in(client)
    first, second = matched_items(reviewing)[:2]
    asked = f"/cases/{reviewing.case_id}/revealed"
    assert client.get(asked).json() == {"item": None, "seconds": 0}
    client.post(f"/cases/{reviewing.case_id}/items/{first}/reveal", data={"csrf": token})
    trail = len(audit.entries(reviewing.store, reviewing.case_id, 0, 10_000))
    live = client.get(asked).json()
    assert live["item"] == first and 290 <= live["seconds"] <= 300
    assert len(audit.entries(reviewing.store, reviewing.case_id, 0, 10_000)) == trail  # a read: not audited
    client.post(f"/cases/{reviewing.case_id}/items/{second}/reveal", data={"csrf": token})
    assert client.get(asked).json()["item"] == second
    assert accounts.revoke(reviewing.store, "rita", "demo")
    assert client.get(asked, headers={"Accept": "application/json"}).status_code == 404
    assert accounts.grant(reviewing.store, "rita", "demo")
    assert client.get(asked).json() == {"item": None, "seconds": 0}
    client.post(f"/cases/{reviewing.case_id}/items/{first}/reveal", data={"csrf": token})
    client.post("/logout", data={"csrf": token})
    assert client.get(asked, headers={"Accept": "application/json"}).status_code == 401


def test_blurred_asks_for_the_blurred_picture_even_of_the_revealed_item(client, reviewing):
    token = log_in(client)
    item = matched_items(reviewing)[0]
    client.post(f"/cases/{reviewing.case_id}/items/{item}/reveal", data={"csrf": token})
    for kind in ("thumbnail", "picture"):
        assert picture(client, reviewing, item, kind).headers["x-footprint-picture"] == "plain"
        forced = client.get(f"/cases/{reviewing.case_id}/items/{item}/{kind}?blurred=1")
        assert forced.headers["x-footprint-picture"] == "blurred"
        pixels(forced.content)  # greyscale in its pixels


def test_without_script_a_page_showing_a_plain_picture_reloads_when_the_reveal_ends(client, reviewing):
    refresh = re.compile(r'<meta http-equiv="refresh" content="(\d+)">')
    token = log_in(client)
    item, other = matched_items(reviewing)[:2]
    page, grid = f"/cases/{reviewing.case_id}/items/{item}", f"/cases/{reviewing.case_id}/grid?show=all"
    assert not refresh.search(client.get(page).text) and not refresh.search(client.get(grid).text)
    shown = client.post(f"{page}/reveal", data={"csrf": token})  # a plain form: redirected to the item page
    assert shown.url.path == page and "revealed" in shown.text
    assert 295 <= int(refresh.search(shown.text).group(1)) <= 301
    assert 295 <= int(refresh.search(client.get(grid).text).group(1)) <= 301
    assert not refresh.search(client.get(f"/cases/{reviewing.case_id}/items/{other}").text)  # shows it blurred


def test_the_weakest_blur_a_user_may_choose_is_8(client, reviewing):
    """Below 8 (a 4 px radius on the 320 px thumbnail) figures' outlines stay recognisable: refused, and a
    weaker strength saved before the floor rose is shown and served as 8."""
    from footprint.review import accounts
    from footprint.store.reviewstore import review_store

    token = log_in(client)
    for weak in (4, 6, 7):
        assert client.post("/settings/blur", data={"strength": str(weak), "csrf": token}).status_code == 422
    assert 'min="8"' in client.get("/cases").text
    user = accounts.get_user(reviewing.store, "rita")
    review_store(reviewing.store).update_user(user.id, blur=4)  # saved by an older version
    assert 'data-blur="8"' in client.get("/cases").text
    item = matched_items(reviewing)[0]
    client.post("/settings/blur", data={"strength": "8", "csrf": token})
    at_floor = picture(client, reviewing, item).content
    review_store(reviewing.store).update_user(user.id, blur=4)
    assert picture(client, reviewing, item).content == at_floor


def test_the_workspace_narrows_the_copies_an_older_version_left_readable(home, settings):
    import os
    import stat

    from footprint.web.app import WebConfig, create_app

    for folder in ("storyboards", "thumbnails"):
        (home / folder).mkdir(parents=True)
        (home / folder / "old.jpg").write_bytes(b"\xff\xd8")
        os.chmod(home / folder / "old.jpg", 0o644)
        os.chmod(home / folder, 0o755)
    os.chmod(home, 0o755)
    create_app(settings, WebConfig())
    for path in (home, home / "storyboards", home / "thumbnails"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o700, path
    for path in (home / "storyboards" / "old.jpg", home / "thumbnails" / "old.jpg", home / "footprint.db"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
