"""Exhibit integrity (evidence hashes over all segments, an E01's stored acquisition hash) and bad
input: a changed or truncated E01, a corrupt partition table, an unknown file system, a folder loop.
Each gives a clear warning or a failed verification, and carving as the fallback; never a crash."""

from __future__ import annotations

import hashlib
import re
import shutil
import zlib
from pathlib import Path

import pytest

from footprint.errors import ItemError
from footprint.hashers.compute import hash_stream
from footprint.hashers.registry import CRYPTO_HASHERS
from footprint.model import Item
from footprint.sources.integrity import NO_EWFVERIFY, hash_evidence, verify_ewf

from ..conftest import picture
from .images import collect, e01, ext4_image, fat_image, mbr_disk, md5, open_image, run, write_at
from .test_carving import noise

FILES = {"a.jpg": picture(1), "notes.txt": b"benign notes " * 20000}


def test_evidence_hashes_cover_every_segment(tmp_path: Path) -> None:
    data = noise(1, 300_000)
    (tmp_path / "x.001").write_bytes(data[:100_000])
    (tmp_path / "x.002").write_bytes(data[100_000:])
    hashes = hash_evidence([tmp_path / "x.001"])
    assert hashes == {"md5": md5(data), "sha1": hashlib.sha1(data).hexdigest(),
                      "sha256": hashlib.sha256(data).hexdigest()}
    assert hash_evidence([tmp_path / "x.001", tmp_path / "x.002"]) == hashes  # each segment read once


def test_e01_acquisition_hash_verified(tmp_path: Path) -> None:
    raw = fat_image(tmp_path / "usb.dd", FILES, size_kb=1024)
    result = verify_ewf(e01(raw, tmp_path / "usb"))
    assert result["verified"] is True
    assert result["stored_md5"] == md5(raw.read_bytes())
    assert result["stored_sha1"] == hashlib.sha1(raw.read_bytes()).hexdigest()
    assert result["computed_md5"] == result["stored_md5"] and result["reason"] is None
    assert result["chunk_checksums"] == "checked by ewfverify" and result["sector_errors"] is None


@pytest.mark.skipif(shutil.which("ewfverify") is None, reason="ewfverify (ewf-tools) is not installed")
def test_damaged_chunk_of_zeros_fails_although_the_hash_agrees(tmp_path: Path) -> None:
    # libewf reads a chunk whose checksum fails as zeros: damage a chunk that held zeros and the media
    # hash still agrees; the chunk checksum does not, and that must fail the verification
    raw = fat_image(tmp_path / "usb.dd", FILES, size_kb=1024)
    image = e01(raw, tmp_path / "usb")  # deflate:fast is zlib level 1
    zero_chunk = zlib.compress(bytes(32 << 10), 1)  # a 32 KiB chunk of zeros, as ewfacquire stores it
    data = image.read_bytes()
    where = data.find(zero_chunk, len(data) // 2)
    assert where > 0
    before = raw.read_bytes()
    write_at(image, where + len(zero_chunk) // 2, b"\xaa" * 16)
    result = verify_ewf(image)
    assert result["computed_md5"] == result["stored_md5"] == md5(before)  # the hash alone misses it
    assert result["verified"] is False
    first, last = (int(n) for n in str(result["sector_errors"]).split("-"))
    assert last - first + 1 == 64 and first % 64 == 0  # exactly one 32 KiB chunk
    assert before[first * 512:(last + 1) * 512] == bytes(32 << 10)  # and it held zeros
    assert f"sectors {first}-{last}" in str(result["reason"])
    assert image.read_bytes()[where + len(zero_chunk) // 2:][:16] == b"\xaa" * 16  # evidence untouched
    found = collect(open_image(image))  # a damaged image is data: it is still read
    assert found.md5s["usb.E01!fs/a.jpg"] == md5(FILES["a.jpg"])


def test_without_ewfverify_the_chunks_are_said_unchecked(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    raw = fat_image(tmp_path / "usb.dd", FILES, size_kb=1024)
    image = e01(raw, tmp_path / "usb")
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without ewf-tools
    result = verify_ewf(image)
    assert result["verified"] is True and result["sector_errors"] is None
    assert result["chunk_checksums"] == NO_EWFVERIFY


def test_one_changed_byte_fails_verification(tmp_path: Path) -> None:
    raw = fat_image(tmp_path / "usb.dd", FILES, size_kb=1024)
    image = e01(raw, tmp_path / "usb", compression="none")
    where = image.read_bytes().find(FILES["notes.txt"][:4096])  # the file's bytes, stored as they are
    assert where > 0
    before = hash_evidence([image])
    write_at(image, where + 150_000, b"X")  # well inside the file, away from the file system's records
    assert hash_evidence([image]) != before
    result = verify_ewf(image)
    assert result["verified"] is False and "differs" in str(result["reason"])
    assert result["sector_errors"] and "chunk checksum errors" in str(result["reason"])
    found = collect(open_image(image))  # still read; libewf gives the failed chunk as zeros
    assert found.md5s["usb.E01!fs/a.jpg"] == md5(FILES["a.jpg"])
    assert found.md5s["usb.E01!fs/notes.txt"] != md5(FILES["notes.txt"])
    # verified before it was opened (as a scan does), the failing chunk is known: the file on it fails its
    # read, rather than give the hashes of the zeros libewf handed back for it; the picture reads
    assert _hashed_or_why(found.items["usb.E01!fs/a.jpg"]) == md5(FILES["a.jpg"])
    assert _hashed_or_why(found.items["usb.E01!fs/notes.txt"]).startswith(
        "32768 of its 260000 bytes lie in chunks of the image that could not be read")


def test_truncated_e01_warns_and_never_crashes(tmp_path: Path) -> None:
    raw = fat_image(tmp_path / "usb.dd", FILES, size_kb=1024)
    image = e01(raw, tmp_path / "usb", compression="none")
    data = image.read_bytes()
    cut = tmp_path / "cut.E01"
    cut.write_bytes(data[: len(data) // 2])
    result = verify_ewf(cut)
    assert result["verified"] is False and result["reason"]
    assert set(result) == {"verified", "stored_md5", "computed_md5", "stored_sha1", "computed_sha1", "reason",
                           "sector_errors", "chunk_checksums"}
    (tmp_path / "empty.E01").write_bytes(b"")
    for bad in (tmp_path / "missing.E01", tmp_path / "empty.E01"):
        outcome = verify_ewf(bad)
        assert outcome["verified"] is False and "cannot read" in str(outcome["reason"])
    found = collect(open_image(cut))
    assert any("could not be read" in w.message for w in found.warnings)
    assert all(w.stage == "source" for w in found.warnings)



def test_a_file_in_missing_segments_is_unreadable_not_hashed_as_zeros(tmp_path: Path) -> None:
    """libewf hands back a chunk of a missing segment as zeros: a file whose data lies there must fail its
    read (an error item, without hashes), never give the hashes of zeros as the file's."""
    big = noise(5, 3_000_000)
    raw = fat_image(tmp_path / "usb.dd", {"a.jpg": picture(1), "big.bin": big})
    run("ewfacquire", "-u", "-q", "-t", tmp_path / "usb", "-f", "encase6", "-c", "none", "-S", "1MiB", raw)
    segments = sorted(tmp_path.glob("usb.E0*"))
    assert len(segments) >= 4
    for later in segments[2:]:
        later.unlink()
    found = collect(open_image(segments[0]))
    read = {ref: _hashed_or_why(item) for ref, item in found.items.items()}
    assert read["usb.E01!fs/a.jpg"] == md5(picture(1))
    assert re.fullmatch(r"\d+ of its 3000000 bytes lie in chunks of the image that could not be read \(missing "
                        r"or damaged\) and read as zeros: its content and hashes would not be the file's",
                        read["usb.E01!fs/big.bin"])
    intact = collect(open_image(e01(raw, tmp_path / "whole", compression="none")))
    assert _hashed_or_why(intact.items["whole.E01!fs/big.bin"]) == md5(big)


def _hashed_or_why(item: Item) -> str:
    try:
        return hash_stream(item.open(), CRYPTO_HASHERS, keep=0).crypto["md5"]
    except ItemError as exc:
        return str(exc)

def test_unknown_file_system_in_a_partition_is_carved(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(noise(2, 3000) + picture(3) + noise(4, 1 << 20))
    disk = tmp_path / "disk.dd"
    (start,) = mbr_disk(disk, [(junk, "83")])
    found = collect(open_image(disk))
    assert any("no file system" in w.message and str(w.ref) == "disk.dd!p1" for w in found.warnings)
    assert found.md5s[f"disk.dd!p1!volume@0x{3000:x}"] == md5(picture(3))
    assert found.items[f"disk.dd!p1!volume@0x{3000:x}"].facts.offset == 3000
    assert start > 0


def test_partition_beyond_the_end_of_the_disk(tmp_path: Path) -> None:
    fat = fat_image(tmp_path / "one.fat", {"a.jpg": picture(1)})
    disk = tmp_path / "disk.dd"
    mbr_disk(disk, [(fat, "c")])
    write_at(disk, 446 + 8, (10_000_000).to_bytes(4, "little"))  # the entry now starts past the end
    write_at(disk, 8192, picture(5))  # in the gap before where the partition was
    found = collect(open_image(disk))
    assert found.warnings  # TSK refuses the table: said so, and the whole disk is carved
    carved = [r for r in found.items if found.state(r) == "carved"]
    # the lost file system's picture is carved with the hidden one
    assert sorted(found.md5s[r] for r in carved) == sorted([md5(picture(5)), md5(picture(1))])


def test_image_with_no_table_and_no_file_system(tmp_path: Path) -> None:
    image = tmp_path / "mystery.dd"
    data = bytearray(noise(6, 1 << 20))
    data[0:512] = bytes(512)
    data[510:512] = b"\x55\xaa"
    data[446:462] = bytes([0x80, 0, 0, 0, 0x83, 0, 0, 0]) + (1).to_bytes(4, "little") + (10).to_bytes(4, "little")
    data[100_000:100_000 + len(picture(7))] = picture(7)
    image.write_bytes(bytes(data))
    found = collect(open_image(image))
    assert found.warnings
    assert md5(picture(7)) in found.md5s.values()


def test_folder_loop_is_a_warning(tmp_path: Path) -> None:
    image = fat_image(tmp_path / "loop.dd", {"a/b/c.jpg": picture(8)})
    data = bytearray(image.read_bytes())
    # find the entries of "b" (in a's cluster) and of "a" (in the root): point b at a's cluster
    a_entry = data.find(b"A          \x10")
    b_entry = data.find(b"B          \x10")
    assert a_entry > 0 and b_entry > 0
    data[b_entry + 26:b_entry + 28] = data[a_entry + 26:a_entry + 28]
    image.write_bytes(bytes(data))
    found = collect(open_image(image))
    # caught at b, whose content is a's (FAT numbers b by its own entry, so only its clusters tell): a's
    # files are listed once, not again as b's
    assert [str(w.ref) for w in found.warnings if "folder loop" in w.message] == ["loop.dd!fs/a/b"]
    assert all("c.jpg" not in r for r in found.items)
    # b's own cluster, now referenced by nothing, is free space: c.jpg is carved from it
    assert md5(picture(8)) in [found.md5s[r] for r in found.items if "!unallocated@" in r]


def test_volume_slack_past_the_file_system_is_carved(tmp_path: Path) -> None:
    """A file system smaller than its volume (made smaller, or over an older, larger one) leaves the
    older data past its end: carved as the volume's slack, offsets counted from the volume's start."""
    image = ext4_image(tmp_path / "card.img", {"a.jpg": picture(1)}, size="2M")
    hidden = picture(2)
    with open(image, "r+b") as f:
        f.truncate(3 << 20)
        f.seek((2 << 20) + 4096)
        f.write(hidden)
    found = collect(open_image(image))
    slack = f"card.img!fs!slack@0x{(2 << 20) + 4096:x}"
    assert found.md5s[slack] == md5(hidden) and found.state(slack) == "carved"
    assert found.md5s["card.img!fs/a.jpg"] == md5(picture(1))
    assert not found.warnings


def test_an_image_shorter_than_its_file_system_or_partition_says_so(tmp_path: Path) -> None:
    image = ext4_image(tmp_path / "card.img", {"a.jpg": picture(1)}, size="4M")
    with open(image, "r+b") as f:
        f.truncate(3 << 20)
    (warning,) = collect(open_image(image)).warnings
    assert str(warning.ref) == "card.img!fs" and warning.message.startswith(
        f"the file system declares {4 << 20} bytes but the image holds {3 << 20} of it ({1 << 20} fewer): cut short")
    disk = tmp_path / "disk.dd"
    starts = mbr_disk(disk, [(fat_image(tmp_path / "one.fat", {"b.jpg": picture(3)}, size_kb=1024), "c")])
    end = starts[0] + (1 << 20)
    with open(disk, "r+b") as f:
        f.truncate(end - 4096)
    table, volume = [w.message for w in collect(open_image(disk)).warnings if str(w.ref) == "disk.dd!p1"]
    assert table.startswith(f"partition of {1 << 20} bytes from byte {starts[0]}, but the image ends at byte "
                            f"{end - 4096}: its last 4096 bytes are missing")
    assert volume.startswith(f"the file system declares {1 << 20} bytes but the image holds {(1 << 20) - 4096}")


def test_a_later_piece_of_a_split_image_is_read_once_through_its_first(tmp_path: Path) -> None:
    """x.002 beside x.001 (a folder holding a split image) has no items of its own: its bytes are read,
    walked and carved as part of x.001's image, so nothing in it is found twice; alone it is a file."""
    image = ext4_image(tmp_path / "whole.img", {"a.jpg": picture(1)}, size="2M")
    hidden = picture(2)
    data = image.read_bytes() + bytes(4096) + hidden + bytes((1 << 20) - 4096 - len(hidden))
    half = len(data) // 2
    (tmp_path / "x.001").write_bytes(data[:half])
    (tmp_path / "x.002").write_bytes(data[half:])
    whole = collect(open_image(tmp_path / "x.001"))
    assert whole.md5s["x.001!fs/a.jpg"] == md5(picture(1))
    assert whole.md5s[f"x.001!fs!slack@0x{(2 << 20) + 4096:x}"] == md5(hidden)
    later = collect(open_image(tmp_path / "x.002"))  # carved again before, as content of no known type
    assert not later.items and not later.warnings
    (tmp_path / "x.001").unlink()
    assert list(collect(open_image(tmp_path / "x.002")).items) == [f"x.002!content@0x{(2 << 20) + 4096 - half:x}"]


def test_a_disk_image_whose_file_system_is_unrecognisable_says_so_while_carved(tmp_path: Path) -> None:
    image = ext4_image(tmp_path / "card.img", {"a.jpg": picture(1)}, size="2M")
    write_at(image, 1024, bytes(1024))  # the superblock gone: nothing says ext4 any more
    found = collect(open_image(image))
    assert [w.message.split(":")[0] for w in found.warnings] == [
        "named as a disk or volume image, but no partition table or file system was recognised in its first "
        "sectors (a damaged boot sector or superblock?)"]
    assert [found.md5s[r] for r in found.items] == [md5(picture(1))]  # still carved
    other = tmp_path / "blob.bin"
    other.write_bytes(image.read_bytes())
    assert not collect(open_image(other)).warnings  # a file of no such name: carved without a word
