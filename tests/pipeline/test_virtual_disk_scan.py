"""A virtual disk found inside a folder exhibit, through the whole scan: a VHDX (made by qemu-img from a
FAT image holding a live and a deleted known picture) lying among other files is opened as a disk,
and both pictures are found, reported apart, at addresses that step into the disk; a VMDK given as
the exhibit itself is fingerprinted over its descriptor and extent, which its details name."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from disk_images import run_tool

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("mkfs.fat", "mcopy", "mdel", "qemu-img")),
                                reason="needs dosfstools, mtools and qemu-utils (make test installs them)")


def test_folder_holding_a_vhdx_finds_the_pictures_inside_it(cli, tmp_path, fat_image):
    seized = tmp_path / "seized"
    (seized / "VMs").mkdir(parents=True)
    (seized / "notes.txt").write_text("benign notes\n")
    run_tool("qemu-img", "convert", "-f", "raw", "-O", "vhdx", str(fat_image), str(seized / "VMs" / "guest.vhdx"))
    cli("case", "create", "vm")
    assert cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known").code == 0
    result = cli("scan", str(seized), "--case", "vm")
    assert result.code == 0, result.stderr
    items = cli("export", "vm", "--format", "jsonl").jsonl()
    matched = {i["matches"][0]["label"]: i for i in items if i["matches"]}
    assert set(matched) == {"live.jpg", "gone.jpg"}
    assert matched["live.jpg"]["ref"] == "seized/VMs/guest.vhdx!fs/LIVE.JPG"
    assert matched["live.jpg"]["state"] == "allocated" and matched["gone.jpg"]["state"] == "deleted"
    (disk,) = [i for i in items if i["ref"] == "seized/VMs/guest.vhdx"]
    assert disk["warnings"] == []  # opened as a disk, not carved


def test_split_vmdk_exhibit_is_scanned_and_fingerprinted_over_its_extent(cli, tmp_path, fat_image):
    descriptor = tmp_path / "guest.vmdk"
    run_tool("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat", str(fat_image),
         str(descriptor))
    cli("case", "create", "vm")
    cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known")
    result = cli("scan", str(descriptor), "--case", "vm")
    assert result.code == 0, result.stderr
    shown = cli("case", "show", "vm").json()
    (exhibit,) = shown["exhibits"]
    whole = descriptor.read_bytes() + (tmp_path / "guest-flat.vmdk").read_bytes()
    assert exhibit["hashes_before"]["sha256"] == hashlib.sha256(whole).hexdigest()
    assert exhibit["status"] == "complete" and exhibit["hashes_before"] == exhibit["hashes_after"]
    assert exhibit["details"]["evidence_files"] == ["guest.vmdk", "guest-flat.vmdk"]
    assert shown["counts"]["matched_by_state"] == {"allocated": 1, "deleted": 1}
