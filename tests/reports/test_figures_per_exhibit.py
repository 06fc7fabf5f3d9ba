"""The figures for the court per exhibit, as files and as distinct images (identical content once), through
a real scan of two exhibits (SQLite and PostgreSQL): `case show` and the HTML report state the same
figures, the exhibits' files add up to the case's, and no figure of distinct images exceeds its files.

The case (benign generated pictures and a generated video):

* exhibit ``laptop`` (a folder): the known picture p1 in two folders (a reviewer confirmed one copy as A;
  the list says A), the known picture p2 (B) and a resized copy of it (a near match, B), a known video
  (A) in two folders, and a picture in no list a reviewer categorised C;
* exhibit ``usb.dd`` (a FAT16 image): p1 again inside ``p1.zip``, a deleted copy of p1, and the deleted
  known picture p3 (B).

A second list holds p1 and p3 again: a file counts once however many lists matched it.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from footprint.demo import jpeg_bytes, picture
from footprint.hashers.compute import hash_image_bytes
from footprint.hashers.pdq import PdqHasher
from footprint.reports import court
from footprint.reports.casereport import gather_report
from footprint.reports.distinct import Breakdown, Counted, image_of
from footprint.reports.html import render_html
from footprint.review import accounts, decisions
from footprint.settings import Settings
from footprint.store import open_store

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("mkfs.fat", "mcopy", "mdel")),
                                reason="needs dosfstools and mtools (make test installs them)")

P1, P2, P3, NEW = (jpeg_bytes(picture(seed)) for seed in (301, 302, 303, 304))
P2_SMALL = jpeg_bytes(Image.open(io.BytesIO(P2)).resize((320, 240), Image.Resampling.LANCZOS))


def _video(path: Path) -> bytes:
    """Two seconds of moving bars over a gradient (MPEG-4 in AVI)."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 128, 96, "yuv420p"
        yy, xx = np.mgrid[0:96, 0:128]
        for n in range(20):
            frame = np.stack([(xx * 2 + n * 9) % 256, (yy * 2) % 256, ((xx + yy + n * 5) % 64) * 4], axis=-1)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame.astype(np.uint8), format="rgb24")))
        container.mux(stream.encode())
    return path.read_bytes()


def _run(*args: str) -> None:
    import subprocess

    subprocess.run(args, check=True, capture_output=True)


@pytest.fixture(scope="module")
def evidence(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("figures")
    video = _video(root / "v.avi")
    laptop = root / "laptop"
    for name, data in (("Pictures/p1.jpg", P1), ("Backup/p1.jpg", P1), ("p2.jpg", P2), ("p2-small.jpg", P2_SMALL),
                       ("Videos/v.avi", video), ("Backup/v.avi", video), ("new.jpg", NEW)):
        (laptop / name).parent.mkdir(parents=True, exist_ok=True)
        (laptop / name).write_bytes(data)
    (root / "p1.zip").write_bytes(_zip("p1.jpg", P1))
    (root / "old.jpg").write_bytes(P1)
    (root / "gone.jpg").write_bytes(P3)
    usb = root / "usb.dd"
    _run("dd", "if=/dev/zero", f"of={usb}", "bs=1M", "count=16")
    _run("mkfs.fat", "-F", "16", str(usb))
    for name in ("p1.zip", "old.jpg", "gone.jpg"):
        _run("mcopy", "-i", str(usb), str(root / name), f"::/{name.upper()}")
    for name in ("OLD.JPG", "GONE.JPG"):
        _run("mdel", "-i", str(usb), f"::/{name}")
    pdq = hash_image_bytes(P2, (PdqHasher(),))["pdq"].value  # type: ignore[union-attr]
    rows = [("p1", P1, "", "A"), ("p2", P2, pdq, "B"), ("p3", P3, "", "B"), ("v", video, "", "A")]
    (root / "known.csv").write_text("sha256,pdq,label,category\n" + "".join(
        f"{hashlib.sha256(data).hexdigest()},{p},{label},{category}\n" for label, data, p, category in rows))
    (root / "other.csv").write_text("sha256,label,category\n" + "".join(  # a second list holding p1 and p3
        f"{hashlib.sha256(data).hexdigest()},{label},{category}\n" for label, data, _, category in rows[::2]))
    return root


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def scanned(cli, monkeypatch, sql_url, evidence):
    """The two exhibits scanned into case jb; rita confirmed one copy of p1 as A and called new.jpg C."""
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", sql_url)
    assert cli("case", "create", "jb").code == 0
    assert cli("hashset", "import", str(evidence / "known.csv"), "--name", "known").code == 0
    assert cli("hashset", "import", str(evidence / "other.csv"), "--name", "other").code == 0
    result = cli("scan", str(evidence / "laptop"), str(evidence / "usb.dd"), "--case", "jb", "--jobs", "1")
    assert result.code == 0, result.stderr
    store = open_store(sql_url)
    case = store.get_case("jb")
    ids = {r.ref: r.id for r in store.iter_items(case.id)}
    rita = accounts.add_user(store, "rita", "correct horse battery staple", "reviewer")
    accounts.grant(store, "rita", "jb")
    decisions.decide(store, rita, case, [ids["laptop/Pictures/p1.jpg"]], "A")
    decisions.decide(store, rita, case, [ids["laptop/new.jpg"]], "C")
    yield store
    store.close()


def _split(all_: int, state: tuple[int, int, int], media: tuple[int, int, int],
           basis: tuple[int, int, int]) -> dict[str, object]:
    """all; allocated, deleted, carved; picture, video, other; reviewer verified, list only, reviewer only."""
    return {"all": all_, "by_state": dict(zip(("allocated", "deleted", "carved"), state, strict=True)),
            "by_media": dict(zip(("picture", "video", "other"), media, strict=True)),
            "by_basis": dict(zip(("reviewer_verified", "list_only", "reviewer_only"), basis, strict=True))}


LAPTOP = {
    "uk:A": {"files": _split(4, (4, 0, 0), (2, 2, 0), (1, 3, 0)),  # p1 twice (one confirmed), the video twice
             "distinct": _split(2, (2, 0, 0), (1, 1, 0), (1, 1, 0))},  # p1 (as its confirmed copy), the video
    "uk:B": {"files": _split(2, (2, 0, 0), (2, 0, 0), (0, 2, 0)),  # p2 and its resized copy
             "distinct": _split(2, (2, 0, 0), (2, 0, 0), (0, 2, 0))},  # a near copy is another image
    "uk:C": {"files": _split(1, (1, 0, 0), (1, 0, 0), (0, 0, 1)),
             "distinct": _split(1, (1, 0, 0), (1, 0, 0), (0, 0, 1))},
}
USB = {
    "uk:A": {"files": _split(2, (1, 1, 0), (2, 0, 0), (0, 2, 0)),  # p1 in the zip, and deleted
             "distinct": _split(1, (1, 0, 0), (1, 0, 0), (0, 1, 0))},  # live: one copy is
    "uk:B": {"files": _split(1, (0, 1, 0), (1, 0, 0), (0, 1, 0)),  # p3, deleted
             "distinct": _split(1, (0, 1, 0), (1, 0, 0), (0, 1, 0))},
}
CASE = {
    "uk:A": {"files": _split(6, (5, 1, 0), (4, 2, 0), (1, 5, 0)),
             "distinct": _split(2, (2, 0, 0), (1, 1, 0), (1, 1, 0))},  # p1 once for the whole case
    "uk:B": {"files": _split(3, (2, 1, 0), (3, 0, 0), (0, 3, 0)),
             "distinct": _split(3, (2, 1, 0), (3, 0, 0), (0, 3, 0))},
    "uk:C": {"files": _split(1, (1, 0, 0), (1, 0, 0), (0, 0, 1)),
             "distinct": _split(1, (1, 0, 0), (1, 0, 0), (0, 0, 1))},
}


def test_case_show_gives_files_and_distinct_images_per_exhibit(cli, scanned):
    shown = cli("case", "show", "jb")
    assert shown.code == 0, shown.stderr
    figures = shown.json()["counts"]["court"]
    assert sorted(figures["by_exhibit"]) == ["laptop", "usb.dd"]
    assert figures["by_exhibit"]["laptop"]["by_category"] == LAPTOP
    assert figures["by_exhibit"]["usb.dd"]["by_category"] == USB
    assert figures["case"]["by_category"] == CASE
    assert figures["case"]["all"] == {"files": _split(10, (8, 2, 0), (8, 2, 0), (1, 8, 1)),
                                      "distinct": _split(6, (5, 1, 0), (5, 1, 0), (1, 4, 1))}
    assert figures["on_several_exhibits"] == 1 and figures["split_categories"] == 0  # p1, on both
    assert figures["distinct_means"].startswith("identical content (the same SHA-256) counted once")
    # the earlier figures are unchanged, and the same files
    assert figures["by_category"] == {"uk:A": {"allocated": 5, "deleted": 1}, "uk:B": {"allocated": 2, "deleted": 1},
                                      "uk:C": {"allocated": 1}}
    assert figures["by_basis"] == {"reviewer_verified": 1, "list_only": 8, "reviewer_only": 1}


def _cells(split: dict) -> list[int]:
    return [split["all"], *(v for key in ("by_state", "by_media", "by_basis") for v in split[key].values())]


def test_the_figures_add_up(cli, scanned):
    figures = cli("case", "show", "jb").json()["counts"]["court"]
    exhibits = list(figures["by_exhibit"].values())
    for category, whole in figures["case"]["by_category"].items():
        parts = [e["by_category"][category] for e in exhibits if category in e["by_category"]]
        # the exhibits' files add up to the case's; their distinct images to at least the case's
        assert [sum(c) for c in zip(*(_cells(p["files"]) for p in parts), strict=True)] == _cells(whole["files"])
        assert whole["distinct"]["all"] <= sum(p["distinct"]["all"] for p in parts)
    for table in [figures["case"], *exhibits]:
        for row in [*table["by_category"].values(), table["all"]]:
            assert all(d <= f for d, f in zip(_cells(row["distinct"]), _cells(row["files"]), strict=True))
            for kind in ("files", "distinct"):  # every split adds up to its total
                splits = ("by_state", "by_media", "by_basis")
                assert all(sum(row[kind][key].values()) == row[kind]["all"] for key in splits)
        for kind in ("files", "distinct"):
            assert sum(r[kind]["all"] for r in table["by_category"].values()) == table["all"][kind]["all"]
    # a file counts once however many lists matched it (both lists hold p1 and p3): 9 matched, 1 decided
    counts = cli("case", "show", "jb").json()["counts"]
    assert sum(counts["matched_by_state"].values()) == 9 and figures["case"]["all"]["files"]["all"] == 9 + 1


def _row(html: str, header: str) -> list[int]:
    section = html.split('id="court-exhibits"')[1].split("</table>")[0]
    (row,) = re.findall(rf"<tr><th>{re.escape(header)}</th>(.*?)</tr>", section)
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]


def test_the_report_gives_files_and_distinct_images_per_exhibit(cli, scanned, tmp_path):
    report = gather_report(scanned, "jb", Settings.from_env(), datetime(2024, 1, 2, tzinfo=UTC),
                           decided_by=court.reviewers_decisions)
    out = tmp_path / "jb.html"
    assert cli("report", "jb", "-o", str(out)).code == 0
    for html in (out.read_text(), render_html(report, paged=True)):  # the PDF is the paged page
        # files: live, deleted, carved, all; pictures, videos, other;
        # then distinct images: live, deleted, carved, all; pictures, videos, other
        assert _row(html, "laptop: category uk:A") == [4, 0, 0, 4, 2, 2, 0, 2, 0, 0, 2, 1, 1, 0]
        assert _row(html, "laptop: category uk:B") == [2, 0, 0, 2, 2, 0, 0, 2, 0, 0, 2, 2, 0, 0]
        assert _row(html, "laptop: all categories") == [7, 0, 0, 7, 5, 2, 0, 5, 0, 0, 5, 4, 1, 0]
        assert _row(html, "usb.dd: category uk:A") == [1, 1, 0, 2, 2, 0, 0, 1, 0, 0, 1, 1, 0, 0]
        assert _row(html, "usb.dd: category uk:B") == [0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0]
        assert _row(html, "whole case: category uk:A") == [5, 1, 0, 6, 4, 2, 0, 2, 0, 0, 2, 1, 1, 0]
        assert _row(html, "whole case: all categories") == [8, 2, 0, 10, 8, 2, 0, 5, 1, 0, 6, 5, 1, 0]
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        assert "distinct images and videos (identical content counted once)" in text
        assert "1 distinct image or video is held on more than one exhibit" in text
        assert "copies counted under different categories" not in text


def test_a_distinct_image_counts_as_live_if_a_copy_is_and_under_the_newest_decision():
    """The rule for copies that differ (IMAGE_RULE), without a store: a confirmed deleted copy and a live
    copy only a list categorised are one live image, confirmed by a reviewer; a later decision on a third
    copy moves the image (not the files) to its category, and the case says its copies were split."""
    jan, feb = "2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00"
    deleted = Counted("e1", "x", 1, "uk:A", "deleted", "picture", "reviewer_verified", jan)
    live = Counted("e1", "x", 2, "uk:A", "allocated", "picture", "list_only")
    assert image_of([deleted, live]) == replace(deleted, state="allocated")
    later = Counted("e2", "x", 3, "uk:B", "carved", "picture", "reviewer_verified", feb)
    breakdown = Breakdown()
    for copy in (deleted, live, later):
        breakdown.add(copy)
    whole = breakdown.as_dict()
    case = whole["case"]
    assert isinstance(case, dict)
    assert {c: (r["files"]["all"], r["distinct"]["all"]) for c, r in case["by_category"].items()} == {
        "uk:A": (2, 0), "uk:B": (1, 1)}
    assert case["by_category"]["uk:B"]["distinct"]["by_state"] == {"allocated": 0, "deleted": 0, "carved": 1}
    assert whole["split_categories"] == 1 and whole["on_several_exhibits"] == 1
    by_exhibit = whole["by_exhibit"]
    assert isinstance(by_exhibit, dict)
    assert by_exhibit["e1"]["all"]["distinct"]["by_state"]["allocated"] == 1
