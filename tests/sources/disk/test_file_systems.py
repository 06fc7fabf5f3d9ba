"""File systems inside disk images, built with the real tools: live and deleted files, their bytes,
states, inodes and timestamps, and the refs that say which volume each came from."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..conftest import picture
from .images import (
    collect,
    e01,
    exfat_image,
    ext4_image,
    fat_image,
    iso_image,
    mbr_disk,
    md5,
    ntfs_image,
    open_image,
    run,
)

FILES = {"DCIM/a.jpg": picture(1), "b.png": picture(2, "PNG"), "notes.txt": b"benign notes " * 400}


def test_fat_live_and_deleted_files(tmp_path: Path) -> None:
    gone = picture(3, size=(200, 150))
    image = fat_image(tmp_path / "stick.dd", {**FILES, "gone.jpg": gone}, delete=("gone.jpg",))
    found = collect(open_image(image))
    for name, data in FILES.items():
        ref = f"stick.dd!fs/{name}"
        assert found.md5s[ref] == md5(data)
        assert found.state(ref) == "allocated"
        facts = found.items[ref].facts
        assert facts.inode is not None and facts.modified is not None
        assert facts.modified.tzinfo is not None
    (deleted,) = [r for r in found.items if r.endswith("one.jpg")]  # FAT lost the first letter
    assert found.state(deleted) == "deleted"
    assert found.md5s[deleted] == md5(gone)
    # recovered whole (not fragmented), yet FAT cannot prove it: the one warning says so
    (warning,) = found.warnings
    assert str(warning.ref) == deleted and warning.message.startswith("deleted FAT file over ")


def test_ext4_from_a_folder(tmp_path: Path) -> None:
    image = ext4_image(tmp_path / "card.img", FILES)
    found = collect(open_image(image))
    for name, data in FILES.items():
        assert found.md5s[f"card.img!fs/{name}"] == md5(data)
    assert not [r for r in found.items if "lost+found" in r or r.endswith("/.")]
    assert all(i.facts.changed is not None for i in found.items.values())


def test_ntfs_with_an_alternate_data_stream(tmp_path: Path) -> None:
    hidden = picture(4, "PNG")
    image = ntfs_image(tmp_path / "disk.ntfs", {"a.jpg": picture(1), "notes.txt": FILES["notes.txt"],
                                                "$kept.jpg": picture(7)},
                       streams={"notes.txt:hidden": hidden})
    found = collect(open_image(image))
    assert found.md5s["disk.ntfs!fs/a.jpg"] == md5(picture(1))
    # a user's file named with a $ at the root (as $RECYCLE.BIN is) is no metadata file: it is walked
    assert found.md5s["disk.ntfs!fs/$kept.jpg"] == md5(picture(7))
    assert found.md5s["disk.ntfs!fs/notes.txt"] == md5(FILES["notes.txt"])
    assert found.md5s["disk.ntfs!fs/notes.txt:hidden"] == md5(hidden)
    stream_inode = found.items["disk.ntfs!fs/notes.txt:hidden"].facts.inode
    file_inode = found.items["disk.ntfs!fs/notes.txt"].facts.inode
    assert stream_inode is not None and stream_inode.startswith(f"{file_inode}-128-")
    assert not [r for r in found.items if "$MFT" in r or "$Bad" in r or "$Extend" in r or "$LogFile" in r]


def test_mbr_disk_partitions_are_numbered(tmp_path: Path) -> None:
    fat = fat_image(tmp_path / "one.fat", {"first.jpg": picture(5)})
    ext = ext4_image(tmp_path / "two.ext", {"home/second.png": picture(6, "PNG")}, size="4M")
    disk = tmp_path / "laptop.dd"
    mbr_disk(disk, [(fat, "c"), (ext, "83")])
    found = collect(open_image(disk))
    assert found.md5s["laptop.dd!p1/first.jpg"] == md5(picture(5))
    assert found.md5s["laptop.dd!p2/home/second.png"] == md5(picture(6, "PNG"))
    assert not found.warnings


def _partitioned(disk: Path, script: list[str], sectors: int, fats: dict[int, Path]) -> None:
    """A disk of ``sectors`` partitioned by sfdisk's ``script``; the FAT image fats[n] written into the
    partition sfdisk (as Linux) numbers n."""
    with open(disk, "wb") as f:
        f.truncate(sectors * 512)
    env = {**os.environ, "PATH": os.environ.get("PATH", "") + ":/usr/sbin:/sbin"}
    subprocess.run(["sfdisk", "-q", str(disk)], input=("\n".join(script) + "\n").encode(), check=True,
                   capture_output=True, env=env)
    listed = subprocess.run(["sfdisk", "-J", str(disk)], check=True, capture_output=True, env=env).stdout
    starts = {int(part["node"].removeprefix(str(disk))): part["start"]
              for part in json.loads(listed)["partitiontable"]["partitions"]}
    with open(disk, "r+b") as f:
        for number, fat in fats.items():
            f.seek(starts[number] * 512)
            f.write(fat.read_bytes())


def test_partitions_are_numbered_by_their_slots_as_linux_numbers_them(tmp_path: Path) -> None:
    """Slot 1 of the table lies after slot 2 on the disk, and two logical partitions follow: p1 is the
    first slot's (sda1), the logical ones p5 and p6, whatever the order they lie in."""
    fats = {n: fat_image(tmp_path / f"{n}.fat", {f"in-{n}.jpg": picture(70 + n)}, size_kb=2048) for n in (1, 2, 5, 6)}
    size = fats[1].stat().st_size // 512
    script = ["label: dos", f"start={2048 + size + 2048}, size={size}, type=c",  # slot 1, the later one
              f"start=2048, size={size}, type=c",  # slot 2, first on the disk
              f"start={2 * (size + 2048) + 2048}, type=5",
              f"start={2 * (size + 2048) + 4096}, size={size}, type=c",
              f"start={3 * (size + 2048) + 4096}, size={size}, type=c"]
    _partitioned(tmp_path / "old.dd", script, 5 * (size + 2048) + 4096, fats)
    found = collect(open_image(tmp_path / "old.dd"))
    for n in fats:
        assert found.md5s[f"old.dd!p{n}/in-{n}.jpg"] == md5(picture(70 + n))


def test_gpt_partitions_are_numbered_by_their_entries(tmp_path: Path) -> None:
    """Entry 3 lies first on the disk, entry 1 after it: p3 and p1, as sfdisk and Linux name them."""
    fats = {n: fat_image(tmp_path / f"{n}.fat", {f"in-{n}.jpg": picture(80 + n)}, size_kb=2048) for n in (1, 3)}
    size = fats[1].stat().st_size // 512
    script = ["label: gpt", f"1: start={2048 + size + 2048}, size={size}", f"3: start=2048, size={size}"]
    _partitioned(tmp_path / "gpt.dd", script, 3 * (size + 2048) + 4096, fats)
    found = collect(open_image(tmp_path / "gpt.dd"))
    assert found.md5s["gpt.dd!p1/in-1.jpg"] == md5(picture(81))
    assert found.md5s["gpt.dd!p3/in-3.jpg"] == md5(picture(83))


def test_gpt_disk_partitions_are_numbered(tmp_path: Path) -> None:
    fat = fat_image(tmp_path / "one.fat", {"first.jpg": picture(5)})
    ext = ext4_image(tmp_path / "two.ext", {"second.png": picture(6, "PNG")}, size="4M")
    disk = tmp_path / "gpt.dd"
    mbr_disk(disk, [(fat, "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"), (ext, "0FC63DAF-8483-4772-8E79-3D69D8477DE4")],
             label="gpt")
    found = collect(open_image(disk))
    assert found.md5s["gpt.dd!p1/first.jpg"] == md5(picture(5))
    assert found.md5s["gpt.dd!p2/second.png"] == md5(picture(6, "PNG"))
    assert not found.warnings


def test_iso9660_disc_with_long_names(tmp_path: Path) -> None:
    files = {"DCIM/holiday picture with a long name.jpg": picture(7), "notes.txt": FILES["notes.txt"]}
    found = collect(open_image(iso_image(tmp_path / "disc.iso", files)))
    for name, data in files.items():
        assert found.md5s[f"disc.iso!fs/{name}"] == md5(data)
    assert len(found.items) == len(files) and not found.warnings


def test_exfat_special_entries_are_not_items(tmp_path: Path) -> None:
    found = collect(open_image(exfat_image(tmp_path / "card.img", "CARD")))
    assert found.items == {} and not found.warnings  # no $ALLOC_BITMAP, $UPCASE_TABLE or label


def test_split_raw_reads_as_one_disk(tmp_path: Path) -> None:
    whole = fat_image(tmp_path / "whole.dd", FILES)
    data = whole.read_bytes()
    cut = len(data) // 3 + 4321  # not on a sector boundary: reads must cross segments
    (tmp_path / "split.001").write_bytes(data[:cut])
    (tmp_path / "split.002").write_bytes(data[cut:2 * cut])
    (tmp_path / "split.003").write_bytes(data[2 * cut:])
    found = collect(open_image(tmp_path / "split.001"))
    for name, content in FILES.items():
        assert found.md5s[f"split.001!fs/{name}"] == md5(content)


def test_e01_reads_like_its_raw_image(tmp_path: Path) -> None:
    raw = fat_image(tmp_path / "usb.dd", FILES, size_kb=2048)
    image = e01(raw, tmp_path / "usb")
    found = collect(open_image(image))
    assert open_image(image).name == "disk"
    for name, data in FILES.items():
        assert found.md5s[f"usb.E01!fs/{name}"] == md5(data)


def test_split_e01_reads_every_segment(tmp_path: Path) -> None:
    big = {"big.bin": bytes(range(256)) * 12000, **FILES}  # 3 MB: past the first 1 MiB segment
    raw = fat_image(tmp_path / "usb.dd", big, size_kb=4096)
    run("ewfacquire", "-u", "-q", "-t", tmp_path / "split", "-f", "encase6", "-c", "none", "-S", "1048576", raw)
    assert (tmp_path / "split.E03").is_file()
    found = collect(open_image(tmp_path / "split.E01"))
    for name, data in big.items():
        assert found.md5s[f"split.E01!fs/{name}"] == md5(data)
    assert not found.warnings


def test_fat_times_do_not_depend_on_the_examiners_time_zone(tmp_path: Path, monkeypatch) -> None:
    image = fat_image(tmp_path / "stick.dd", {"a.jpg": picture(1)})
    seen = {}
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        seen[zone] = collect(open_image(image)).items["stick.dd!fs/a.jpg"].facts.modified
    monkeypatch.delenv("TZ")
    time.tzset()
    assert len(set(seen.values())) == 1
    written = datetime.fromtimestamp((tmp_path / "stick.dd").stat().st_mtime, UTC)  # mtools wrote now
    assert abs(seen["UTC"] - written) < timedelta(minutes=5)
