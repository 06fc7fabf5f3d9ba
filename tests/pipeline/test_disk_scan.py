"""Disk images through the whole scan: a FAT image with a live and a deleted known picture, wrapped
as E01, is scanned; both are found and reported apart, and the E01's acquisition hash is verified."""

from __future__ import annotations

import shutil
import zlib

import pytest
from disk_images import run_tool

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("mkfs.fat", "mcopy", "mdel", "ewfacquire")),
                                reason="needs dosfstools, mtools and ewf-tools (make test installs them)")


def test_raw_fat_image_live_and_deleted_found_apart(cli, tmp_path, fat_image):
    cli("case", "create", "usb")
    assert cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known").code == 0
    result = cli("scan", str(fat_image), "--case", "usb")
    assert result.code == 0, result.stderr
    items = cli("export", "usb", "--format", "jsonl").jsonl()
    matched = {i["matches"][0]["label"]: i for i in items if i["matches"]}
    assert set(matched) == {"live.jpg", "gone.jpg"}
    assert matched["live.jpg"]["state"] == "allocated" and matched["gone.jpg"]["state"] == "deleted"
    assert matched["live.jpg"]["ref"].startswith("usb.dd!")
    counts = cli("case", "show", "usb").json()["counts"]
    assert counts["matched_by_state"] == {"allocated": 1, "deleted": 1}


def test_e01_verified_and_scanned(cli, tmp_path, fat_image):
    target = tmp_path / "usb"
    run_tool("ewfacquire", "-u", "-t", str(target), "-f", "encase6", "-c", "none", "-S", "0", "-C", "OP-42/7",
             "-E", "EXH <3>", "-e", "DC Smith", "-N", "seized at the address", str(fat_image))
    cli("case", "create", "usb")
    cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known")
    result = cli("scan", str(tmp_path / "usb.E01"), "--case", "usb")
    assert result.code == 0, result.stderr
    assert "usb.E01: E01 verified: acquisition hash agrees" in result.stderr
    shown = cli("case", "show", "usb").json()
    (exhibit,) = shown["exhibits"]
    assert exhibit["details"]["ewf_verification"]["verified"] is True
    acquisition = exhibit["details"]["ewf_acquisition"]  # the chain of custody as the image's header has it
    assert {k: acquisition[k] for k in ("case_number", "evidence_number", "examiner_name", "notes")} == {
        "case_number": "OP-42/7", "evidence_number": "EXH <3>", "examiner_name": "DC Smith",
        "notes": "seized at the address"}
    assert exhibit["status"] == "complete" and exhibit["hashes_before"] == exhibit["hashes_after"]
    assert shown["counts"]["matched_by_state"] == {"allocated": 1, "deleted": 1}
    assert cli("report", "usb", "-o", str(tmp_path / "report.html")).code == 0
    checked = exhibit["details"]["ewf_verification"]["chunk_checksums"].startswith("checked")
    wording = "verified: acquisition hash agrees" + (" and every chunk checksum holds" if checked else "")
    page = (tmp_path / "report.html").read_text()
    assert wording in page
    assert "E01 acquisition" in page and "EXH &lt;3&gt;" in page and "DC Smith" in page


@pytest.mark.skipif(shutil.which("ewfverify") is None, reason="ewfverify (ewf-tools) is not installed")
def test_damaged_e01_is_scanned_and_reported_not_verified_with_its_sectors(cli, tmp_path, fat_image):
    target = tmp_path / "usb"
    run_tool("ewfacquire", "-u", "-t", str(target), "-f", "encase6", "-c", "deflate:fast", "-S", "0", str(fat_image))
    image = tmp_path / "usb.E01"
    data = image.read_bytes()
    zero_chunk = zlib.compress(bytes(32 << 10), 1)  # a chunk of zeros as ewfacquire stores it
    where = data.find(zero_chunk, len(data) // 2)
    assert where > 0
    with image.open("r+b") as handle:  # the damage is made here, before the exhibit is taken in
        handle.seek(where + len(zero_chunk) // 2)
        handle.write(b"\xaa" * 16)
    cli("case", "create", "usb")
    scanned = cli("scan", str(image), "--case", "usb", "--quiet")
    assert scanned.code == 0  # a damaged image is data, not a crash; and it is said even when quiet
    assert "usb.E01: E01 verification FAILED: chunk checksum errors at sectors" in scanned.stderr
    (exhibit,) = cli("case", "show", "usb").json()["exhibits"]
    check = exhibit["details"]["ewf_verification"]
    assert check["verified"] is False and check["computed_md5"] == check["stored_md5"]
    assert cli("report", "usb", "-o", str(tmp_path / "report.html")).code == 0
    assert f"NOT verified: chunk checksum errors at sectors {check['sector_errors']}" in (
        tmp_path / "report.html").read_text()


def test_split_e01_exhibit_reads_every_segment(cli, tmp_path, fat_image):
    target = tmp_path / "split"
    run_tool("ewfacquire", "-u", "-t", str(target), "-f", "encase6", "-c", "none", "-S", "1MiB", str(fat_image))
    assert (tmp_path / "split.E02").exists()
    cli("case", "create", "usb")
    cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known")
    assert cli("scan", str(tmp_path / "split.E01"), "--case", "usb").code == 0
    shown = cli("case", "show", "usb").json()
    assert shown["exhibits"][0]["details"]["ewf_verification"]["verified"] is True
    assert shown["counts"]["matched_by_state"] == {"allocated": 1, "deleted": 1}


@pytest.mark.parametrize("cluster_sectors", [128, 4])
def test_members_of_a_deleted_zip_are_deleted_and_not_carved_again(cli, tmp_path, cluster_sectors):
    """A deleted zip's members are no more within reach than the zip: counted as deleted. In one 64 KiB
    cluster the zip is surely all there, and the stored pictures inside it, in free space, are not carved
    a second time; over several 2 KiB clusters FAT's contiguous guess may be wrong, and what lies past
    the first cluster is carved as well (a wrong guess must not hide a picture)."""
    import hashlib
    import zipfile

    from footprint.demo import jpeg_bytes, picture

    image = tmp_path / "card.dd"
    run_tool("dd", "if=/dev/zero", f"of={image}", "bs=1M", "count=16")
    run_tool("mkfs.fat", "-s", str(cluster_sectors), str(image))  # FAT12 or FAT16, as the cluster count allows
    pictures = {f"p{seed}.jpg": jpeg_bytes(picture(seed, (320, 240))) for seed in (61, 62)}  # ~20 KiB each
    with zipfile.ZipFile(tmp_path / "in.zip", "w", zipfile.ZIP_STORED) as archive:
        for name, data in pictures.items():
            archive.writestr(name, data)
    run_tool("mcopy", "-i", str(image), str(tmp_path / "in.zip"), "::/IN.ZIP")
    run_tool("mdel", "-i", str(image), "::/IN.ZIP")
    lines = ["sha256,label,category", *(f"{hashlib.sha256(d).hexdigest()},{n},A" for n, d in pictures.items())]
    (tmp_path / "known.csv").write_text("\n".join(lines) + "\n")
    cli("case", "create", "card")
    assert cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known").code == 0
    assert cli("scan", str(image), "--case", "card").code == 0
    matched = [i for i in cli("export", "card", "--format", "jsonl").jsonl() if i["matches"]]
    members = sorted(i["ref"] for i in matched if "!fs/" in i["ref"])
    assert members == ["card.dd!fs/_N.ZIP!p61.jpg", "card.dd!fs/_N.ZIP!p62.jpg"]
    assert {i["state"] for i in matched if "!fs/" in i["ref"]} == {"deleted"}
    carved = [i for i in matched if "!unallocated@" in i["ref"]]
    assert not carved if cluster_sectors == 128 else carved


def test_evidence_whose_path_is_not_utf8_is_refused_in_one_line(cli, tmp_path):
    import os

    folder = os.path.join(os.fsencode(tmp_path), b"seized-\xe9")
    os.mkdir(folder)
    cli("case", "create", "c")
    result = cli("scan", os.fsdecode(folder), "--case", "c")
    assert result.code != 0
    assert result.stderr.startswith("footprint: error: evidence path ") and "is not UTF-8" in result.stderr
    assert "seized-\\xe9" in result.stderr and len(result.stderr.splitlines()) == 1
