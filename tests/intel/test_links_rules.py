"""The rules that keep links honest, on both stores (SQLite, PostgreSQL): a known-good item makes no
link of any kind (unless it matched a known list); a shared file is one group with every holder,
whichever case is asked about and whatever other cases exist; trivial files (tiny, blank) are set
aside and counted, never linked; the same evidence scanned into two cases is one exhibit link.
Benign generated pictures only."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from exif_pictures import camera_exif, camera_jpeg
from hasher_pictures import picture
from nsrl_db import build_nsrl
from PIL import Image
from sqlalchemy import text

from footprint.cli.main import run

HOME = (51.5, -0.12)


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def evidence(root: Path) -> dict[str, dict[str, bytes]]:
    """Folder → file → bytes; one folder a case (its name the case's, without the ``ev-``)."""
    vendor = camera_jpeg(20, camera_exif(make="Canon", model="EOS 5D", serial="083012345678", position=HOME))
    vendor_near = camera_jpeg(0, camera_exif(serial=None), image=picture(320, 240, seed=20).resize((300, 225)))
    listed = camera_jpeg(21, camera_exif(serial=None))  # known-good and in a known list: a conflict
    shared = camera_jpeg(22, camera_exif(serial=None))
    dark = encoded(Image.fromarray((np.asarray(picture(640, 480, seed=24)) * 0.3).astype(np.uint8)), "JPEG",
                   quality=90)
    trivial = {"spacer.gif": encoded(Image.new("P", (1, 1)), "GIF"),
               "blank.jpg": encoded(Image.new("RGB", (400, 300), (128, 128, 128)), "JPEG", quality=90),
               "tiny.png": encoded(picture(8, 8, seed=5), "PNG"),
               "note.txt": b"hello world\n",
               "data.bin": hashlib.sha256(b"x").digest() * 128,  # 4 KiB, not a picture: it links
               "dark.jpg": dark}  # PDQ quality 27: a dark photo, no blank picture: it links
    (root / "nsrl.db").parent.mkdir(parents=True, exist_ok=True)
    (root / "vendor.jpg").write_bytes(vendor)
    (root / "listed.jpg").write_bytes(listed)
    build_nsrl(root / "nsrl.db", [root / "vendor.jpg", root / "listed.jpg"], filler=20)
    (root / "known.csv").write_text(f"md5,sha256,category,label\n{hashlib.md5(listed).hexdigest()},"
                                    f"{hashlib.sha256(listed).hexdigest()},A,listed\n")
    return {"k-one": {"sample.jpg": vendor, "listed.jpg": listed},
            "k-two": {"Sample Pictures.jpg": vendor, "near.jpg": vendor_near, "listed-copy.jpg": listed},
            "b-multi": {"a.jpg": shared, "sub/b.jpg": shared},
            "s-one": {"x.jpg": shared, **trivial},
            "s-two": {"y.jpg": shared, **trivial},
            "e-one": {"p.jpg": camera_jpeg(23, camera_exif(serial=None)), "q.bin": b"q" * 4096}}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request, tmp_path_factory):
    """The cases above scanned once per store; e-two is e-one's very folder scanned into a second case."""
    root = tmp_path_factory.mktemp("links-rules")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FOOTPRINT_HOME", str(root / "home"))
        env.delenv("FOOTPRINT_DATABASE_URL", raising=False)
        if request.param == "postgresql":
            env.setenv("FOOTPRINT_DATABASE_URL", _schema(request))
        files = evidence(root / "lists")

        def cli(*args: str) -> tuple[int, str, str]:
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                code = run(list(args))
            return code, out.getvalue(), err.getvalue()

        assert cli("knowngood", "import", str(root / "lists" / "nsrl.db"), "--name", "nsrl")[0] == 0
        assert cli("hashset", "import", str(root / "lists" / "known.csv"), "--name", "known")[0] == 0
        for case, folder in [*((c, c) for c in files), ("e-two", "e-one")]:
            for name, data in files[folder].items() if case == folder else ():
                (root / "ev" / folder / name).parent.mkdir(parents=True, exist_ok=True)
                (root / "ev" / folder / name).write_bytes(data)
            assert cli("case", "create", case)[0] == 0
            code, _, err = cli("scan", str(root / "ev" / folder), "--case", case, "-q")
            assert code == 0, err
        yield cli, root


def _schema(request) -> str:
    admin = request.getfixturevalue("postgres_admin")
    schema = f"footprint_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    request.addfinalizer(lambda: _drop(admin, schema))
    server = os.environ.get("FOOTPRINT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"  # as tests/conftest.py


def _drop(admin, schema: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def links(cli, *cases: str) -> tuple[list[dict], str]:
    code, out, err = cli("links", *cases)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()], err


def test_a_known_good_item_makes_no_link_of_any_kind(world):
    cli, _ = world
    found, _ = links(cli, "k-one", "k-two")
    # the vendor sample (EXIF camera and GPS) in both cases: no file, picture, camera or place link;
    # its near copy in k-two links to nothing, the known-good end makes none
    assert [(link["kind"], link["cases"]) for link in found] == [("file", {"k-one": 1, "k-two": 1})]
    refs = {item["ref"] for item in found[0]["items"]}
    assert refs == {"k-one/listed.jpg", "k-two/listed-copy.jpg"}  # known-good and matched: it keeps its link


def test_a_shared_file_is_one_group_with_every_holder(world):
    cli, _ = world
    whole = [link for link in links(cli)[0] if link["kind"] == "file" and "b-multi" in link["cases"]]
    assert [link["cases"] for link in whole] == [{"b-multi": 2, "s-one": 1, "s-two": 1}]
    for case in ("s-one", "s-two", "b-multi"):  # whichever case is asked about: the whole group
        assert [link for link in links(cli, case)[0] if "b-multi" in link["cases"]] == whole
    assert whole[0]["items"][0]["ref"] == "b-multi/a.jpg" and whole[0]["cross_case"]


def test_trivial_files_are_set_aside_and_counted(world):
    cli, _ = world
    found, err = links(cli, "s-one")
    files = sorted(tuple(sorted(i["ref"].split("/", 1)[1] for i in link["items"])) for link in found)
    assert files == [("a.jpg", "sub/b.jpg", "x.jpg", "y.jpg"), ("dark.jpg", "dark.jpg"),
                     ("data.bin", "data.bin")]  # no spacer, blank, tiny
    said = " ".join(err.split())  # the line as the terminal may wrap it
    assert "3 links; 4 shared files set aside (no link): 3 small (under 1024 bytes), 1 blank picture" in said


def test_the_same_evidence_in_two_cases_is_one_exhibit_link(world):
    cli, _ = world
    found, _ = links(cli, "e-one")
    assert [(link["kind"], link["cases"]) for link in found] == [("exhibit", {"e-one": 1, "e-two": 1})]
    link = found[0]
    assert [(i["case"], i["ref"], i["item_id"]) for i in link["items"]] == [("e-one", "e-one", None),
                                                                            ("e-two", "e-one", None)]
    assert link["evidence"]["algorithm"] == "manifest-sha256" and len(link["evidence"]["fingerprint"]) == 64


def test_copies_of_one_file_are_never_a_picture_link(world):
    cli, _ = world
    for link in links(cli)[0]:
        if link["kind"] == "picture":
            assert link["evidence"]["bits"] > 0


def test_a_new_case_changes_no_other_case_s_count(world, tmp_path):  # last: it adds a case to the world
    cli, root = world
    folder = tmp_path / "a-new"
    folder.mkdir()
    (folder / "again.jpg").write_bytes((root / "ev" / "s-one" / "x.jpg").read_bytes())
    assert cli("case", "create", "a-new")[0] == 0 and cli("scan", str(folder), "--case", "a-new", "-q")[0] == 0
    (group,) = [link for link in links(cli, "s-two")[0] if "b-multi" in link["cases"]]
    assert group["cases"] == {"a-new": 1, "b-multi": 2, "s-one": 1, "s-two": 1}  # b-multi's two copies, still
