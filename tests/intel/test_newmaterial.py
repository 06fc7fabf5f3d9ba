"""New material against near copies of known material: with a list holding only the MD5/SHA-256 of a
picture p1 (no PDQ), the case's resized, recompressed, rotated and mirrored copies of p1 are near
copies of p1 (not new material), an unrelated picture is new, and a flat picture near a matched flat
picture is new (a flat hash proves nothing). ``footprint new`` and the review queue say the same;
SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from footprint.demo import jpeg_bytes, picture, png_bytes
from footprint.review.queue import QueueFilters, review_queue
from footprint.store import open_store

COPIES = {"p1_small.jpg", "p1_q40.jpg", "p1_rotated.jpg", "p1_mirrored.jpg"}


@pytest.fixture
def case(cli, home, tmp_path, sql_url, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", sql_url)
    p1, other = picture(11), picture(29)
    flat = Image.new("RGB", (300, 200), (120, 120, 120))
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    files = {
        "p1.jpg": jpeg_bytes(p1),
        "p1_small.jpg": jpeg_bytes(p1.resize((320, 240), Image.Resampling.LANCZOS), quality=80),
        "p1_q40.jpg": jpeg_bytes(p1, quality=40),
        "p1_rotated.jpg": jpeg_bytes(p1.transpose(Image.Transpose.ROTATE_90)),
        "p1_mirrored.jpg": jpeg_bytes(p1.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
        "unrelated.jpg": jpeg_bytes(other),
        "flat.png": png_bytes(flat),
        "flat_too.jpg": jpeg_bytes(flat),  # other bytes, the same PDQ (0 bits apart): a flat hash proves nothing
    }
    for name, data in files.items():
        (evidence / name).write_bytes(data)
    known = tmp_path / "known.csv"  # hashes only, as many national lists: p1 and the flat picture
    known.write_text("md5,sha256,category,label\n" + "".join(
        f"{hashlib.md5(files[n]).hexdigest()},{hashlib.sha256(files[n]).hexdigest()},A,{n}\n"
        for n in ("p1.jpg", "flat.png")))
    assert cli("case", "create", "op").code == 0
    assert cli("hashset", "import", str(known), "--name", "national").code == 0
    assert cli("scan", str(evidence), "--case", "op").code == 0
    return sql_url


def _by_name(lines):
    return {line["ref"].rsplit("/", 1)[-1]: line for line in lines}


def test_copies_of_a_hash_only_match_are_near_copies_not_new_material(cli, case):
    result = cli("new", "op")
    assert result.code == 0, result.stderr
    found = _by_name(result.jsonl())
    assert {n for n, line in found.items() if line["material"] == "new"} == {"unrelated.jpg", "flat_too.jpg"}
    assert {n for n, line in found.items() if line["material"] == "near-copy"} == COPIES
    assert [line["material"] for line in result.jsonl()] == ["new"] * 2 + ["near-copy"] * 4  # new first
    for name in COPIES:
        near = found[name]["near_copy"]
        assert near["ref"].endswith("/p1.jpg") and near["algorithm"] in ("pdq", "pdq-regions")
        assert 0 <= near["distance"] <= 31 and found[name]["matches"] == []
        assert [(m["hashset"], m["kind"], m["category"]) for m in near["matches"]] == [("national", "exact", "uk:A")]
    assert found["p1_small.jpg"]["near_copy"]["algorithm"] == "pdq"
    assert found["p1_rotated.jpg"]["near_copy"]["details"]["variant"] != 0  # found by a rotation of its hash
    assert "near_copy" not in found["unrelated.jpg"]
    flats = cli("export", "op", "--format", "jsonl").jsonl()
    assert len({line["pdq"] for line in flats if line["ref"].rsplit("/", 1)[-1].startswith("flat")}) == 1
    assert "2 items of new material, 4 near copies of known material" in result.stderr
    only = cli("new", "op", "--only", "new")
    assert {line["material"] for line in only.jsonl()} == {"new"} and len(only.jsonl()) == 2
    assert cli("new", "op", "--only", "copies").code != 0


def test_the_review_queue_orders_as_footprint_new_says(cli, case):
    lines = cli("new", "op").jsonl()
    store = open_store(case)
    try:
        op = store.get_case("op")
        entries, total = review_queue(store, op)
        groups = [(e.record.ref.rsplit("/", 1)[-1], e.group) for e in entries]
        near_only = review_queue(store, op, QueueFilters(show="near-copy"))[0]
        p1 = next(e.record.id for e in entries if e.record.ref.endswith("/p1.jpg"))
    finally:
        store.close()
    assert groups[:6] == [(line["ref"].rsplit("/", 1)[-1], line["material"]) for line in lines]
    assert [g for _, g in groups[6:]] == ["matched", "matched"] and total == 8
    assert {e.record.ref.rsplit("/", 1)[-1] for e in near_only} == COPIES
    assert all(e.near is not None and e.near.near_item == p1 for e in near_only)
    assert all(e.category is None for e in near_only)  # a near copy gets no category of its own


def test_near_copies_follow_a_new_match(cli, case, tmp_path):
    """A copy of the unrelated picture is new material until a list names that picture: after a re-match
    (no item changes, only matches), the copy is a near copy of it."""
    other = picture(29)
    more = tmp_path / "more"
    more.mkdir()
    (more / "unrelated_small.jpg").write_bytes(jpeg_bytes(other.resize((300, 225))))
    assert cli("scan", str(more), "--case", "op").code == 0
    found = _by_name(cli("new", "op").jsonl())  # near copies kept before the change
    assert found["unrelated_small.jpg"]["material"] == found["unrelated.jpg"]["material"] == "new"
    listed = tmp_path / "second.csv"
    listed.write_text(f"sha256,category\n{hashlib.sha256(jpeg_bytes(other)).hexdigest()},B\n")
    assert cli("hashset", "import", str(listed), "--name", "second").code == 0
    assert cli("case", "rematch", "op").code == 0
    found = _by_name(cli("new", "op").jsonl())
    assert found["unrelated_small.jpg"]["material"] == "near-copy" and "unrelated.jpg" not in found
    assert found["unrelated_small.jpg"]["near_copy"]["ref"].endswith("/unrelated.jpg")
