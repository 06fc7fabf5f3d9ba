"""Deleted entries against live ones, built with the real tools: every entry an item of its own under a
name no other takes, no live file's bytes under a deleted name, nothing recovered twice."""

from __future__ import annotations

import os
from pathlib import Path

from ..conftest import picture
from .images import collect, ext4_image, fat_image, md5, open_image, run


def _copy(image: Path, data: bytes, name: str) -> None:
    staging = image.parent / "staging"
    staging.write_bytes(data)
    run("mcopy", "-i", image, staging, f"::/{name}")


def test_deleted_fat_names_that_became_one_are_each_an_item(tmp_path: Path) -> None:
    """FAT overwrites a deleted name's first letter: 1.jpg, 2.jpg and 3.jpg all read ``_.jpg``."""
    shots = {f"DCIM/{n}.jpg": picture(20 + n) for n in (1, 2, 3)}
    image = fat_image(tmp_path / "card.dd", shots, delete=tuple(shots))
    found = collect(open_image(image))
    deleted = sorted(ref for ref in found.items if "/DCIM/_.jpg" in ref)
    assert len(deleted) == 3
    assert sorted(found.md5s[ref] for ref in deleted) == sorted(md5(data) for data in shots.values())
    for ref in deleted:  # each named by its own entry, which is its inode
        assert ref.endswith(f"_.jpg (entry {found.items[ref].facts.inode})")
        assert found.state(ref) == "deleted"


def test_a_live_file_keeps_its_name_beside_a_deleted_one_of_the_same(tmp_path: Path) -> None:
    # a live _ne.jpg, and one.jpg deleted: FAT leaves it the name _ne.jpg too
    image = fat_image(tmp_path / "card.dd", {"_ne.jpg": picture(32), "one.jpg": picture(31)}, delete=("one.jpg",))
    found = collect(open_image(image))
    live = "card.dd!fs/_ne.jpg"
    assert found.state(live) == "allocated" and found.md5s[live] == md5(picture(32))
    (other,) = [ref for ref in found.items if ref != live and "_ne.jpg" in ref]
    assert other == f"{live} (entry {found.items[other].facts.inode})"
    assert found.state(other) == "deleted" and found.md5s[other] == md5(picture(31))


def test_a_deleted_file_whose_clusters_a_live_file_took_is_a_warning_not_an_item(tmp_path: Path) -> None:
    image = fat_image(tmp_path / "card.dd", {"old/holiday.jpg": picture(41)}, delete=("old/holiday.jpg",))
    _copy(image, picture(42), "other.jpg")  # FAT hands the freed clusters to the next file
    found = collect(open_image(image))
    assert not [ref for ref in found.items if "oliday" in ref]  # the live file's bytes, not the deleted one's
    (warning,) = [w for w in found.warnings if "oliday" in str(w.ref)]
    assert "first cluster now belongs to a live file" in warning.message
    assert warning.state is not None and warning.state.value == "deleted"
    assert found.md5s["card.dd!fs/other.jpg"] == md5(picture(42))
    assert list(found.md5s.values()).count(md5(picture(42))) == 1


def test_a_deleted_ext4_file_without_data_blocks_is_not_read_as_zeros(tmp_path: Path) -> None:
    image = ext4_image(tmp_path / "card.img", {"x.jpg": picture(43), "keep.jpg": picture(44)})
    for command in ("punch x.jpg 0", "rm x.jpg"):  # its blocks freed, then its name: istat keeps its size
        run("debugfs", "-w", "-R", command, image)
    found = collect(open_image(image))
    assert not [ref for ref in found.items if ref.endswith("/x.jpg")]
    (warning,) = [w for w in found.warnings if str(w.ref).endswith("/x.jpg")]
    assert "keeps no data blocks" in warning.message and "not recoverable" in warning.message


def test_names_that_are_not_utf8_are_not_taken_for_names_that_look_like_their_escape(tmp_path: Path) -> None:
    root = tmp_path / "card.img.root"
    root.mkdir()
    with open(os.path.join(os.fsencode(root), b"bad\xffname.jpg"), "wb") as out:
        out.write(picture(45))
    (root / "bad\\xffname.jpg").write_bytes(picture(46))
    image = ext4_image(tmp_path / "card.img", {})
    found = collect(open_image(image))
    assert found.md5s["card.img!fs/bad%ED%B3%BFname.jpg"] == md5(picture(45))
    assert found.md5s["card.img!fs/bad\\xffname.jpg"] == md5(picture(46))


def test_a_fat_subfolder_pointing_at_its_parents_clusters_is_a_loop_caught_at_once(tmp_path: Path) -> None:
    image = fat_image(tmp_path / "loop.dd", {"a/f.jpg": picture(47), "a/x/g.jpg": picture(48)})
    data = bytearray(image.read_bytes())
    a_entry, x_entry = data.find(b"A          \x10"), data.find(b"X          \x10")
    data[x_entry + 26:x_entry + 28] = data[a_entry + 26:a_entry + 28]
    image.write_bytes(bytes(data))
    found = collect(open_image(image))
    assert [ref for ref in found.items if ref.endswith("f.jpg")] == ["loop.dd!fs/a/f.jpg"]  # once, not twice
    assert [str(w.ref) for w in found.warnings if "folder loop" in w.message] == ["loop.dd!fs/a/x"]
