"""Virtual disks made by qemu-img from a raw disk built with the real tools (an MBR disk with a FAT
partition holding a deleted picture, and an ext4 one): each kind and subformat gives exactly the items
of the raw disk, with the same bytes and states; the fingerprint covers every file of the disk; a
truncated or incomplete disk is a warning and never a crash."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from footprint.model import Item, ItemRef
from footprint.sources.base import Limits
from footprint.sources.detect import HEAD_SIZE
from footprint.sources.integrity import hash_evidence
from footprint.sources.registry import open_container, sniff
from footprint.sources.virtual import VhdFormat, VmdkFormat

from ..conftest import item_of, picture, walk_all
from .images import Found, collect, ext4_image, fat_image, mbr_disk, md5, open_image, run, tool

FILES = {"a.jpg": picture(1), "DCIM/b.jpg": picture(2), "gone.jpg": picture(3)}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tool("qemu-img")
    folder = tmp_path_factory.mktemp("virtual")
    fat = fat_image(folder / "fat.img", FILES, delete=("gone.jpg",), size_kb=2048)
    ext = ext4_image(folder / "ext.img", {"c.png": picture(4, "PNG")}, size="2M")
    mbr_disk(folder / "disk.raw", [(fat, "c"), (ext, "83")])
    return folder / "disk.raw"


@pytest.fixture(scope="module")
def expected(raw: Path) -> Found:
    found = collect(open_image(raw))
    assert not found.warnings
    return found


def convert(raw: Path, target: Path, fmt: str, subformat: str | None = None) -> Path:
    run("qemu-img", "convert", "-f", "raw", "-O", fmt, *(["-o", f"subformat={subformat}"] if subformat else []),
        raw, target)
    return target


def inside(found: Found) -> dict[str, tuple[str, str]]:
    """Each item by its address inside the disk (the exhibit's name dropped), with MD5 and state."""
    return {ref.split("!", 1)[1]: (found.md5s[ref], found.state(ref)) for ref in found.items}


@pytest.mark.parametrize(("fmt", "subformat", "kind"), [
    ("vmdk", None, "vmdk"),  # monolithicSparse
    ("vmdk", "monolithicFlat", "vmdk"),
    ("vmdk", "twoGbMaxExtentSparse", "vmdk"),
    ("vmdk", "twoGbMaxExtentFlat", "vmdk"),
    ("vmdk", "streamOptimized", "vmdk"),
    ("vpc", None, "vhd"),  # dynamic
    ("vpc", "fixed", "raw"),  # footer at the end only: its head is the disk's, read as the raw disk it is
    ("vhdx", None, "vhdx"),
    ("vhdx", "fixed", "vhdx"),
])
def test_virtual_disk_yields_the_raw_disks_items(raw: Path, expected: Found, tmp_path: Path, fmt: str,
                                                 subformat: str | None, kind: str) -> None:
    disk = convert(raw, tmp_path / f"disk.{ {'vpc': 'vhd'}.get(fmt, fmt) }", fmt, subformat)
    source = open_image(disk)
    assert getattr(source, "kind", None) == kind
    found = collect(source)
    assert not found.warnings, [w.message for w in found.warnings]
    assert inside(found) == inside(expected)
    assert found.state(f"{disk.name}!p1/_one.jpg") == "deleted"  # FAT keeps the deleted name less its first letter
    assert found.md5s[f"{disk.name}!p1/_one.jpg"] == md5(FILES["gone.jpg"])
    assert found.md5s[f"{disk.name}!p2/c.png"] == md5(picture(4, "PNG"))


def _hashes(*parts: Path) -> dict[str, str]:
    data = b"".join(p.read_bytes() for p in parts)
    return {name: hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha256")}


@pytest.mark.parametrize(("subformat", "extent"), [("monolithicFlat", "disk-flat.vmdk"),
                                                   ("twoGbMaxExtentSparse", "disk-s001.vmdk")])
def test_fingerprint_covers_the_descriptor_and_its_extents(raw: Path, tmp_path: Path, subformat: str,
                                                           extent: str) -> None:
    descriptor = convert(raw, tmp_path / "disk.vmdk", "vmdk", subformat)
    assert descriptor.stat().st_size < 4096  # the descriptor alone holds no data
    before = hash_evidence([descriptor])
    assert before == _hashes(descriptor, tmp_path / extent)
    middle = (tmp_path / extent).stat().st_size // 2
    with open(tmp_path / extent, "r+b") as f:  # one byte of the extent changed: the fingerprint says so
        f.seek(middle)
        byte = f.read(1)
        f.seek(middle)
        f.write(bytes([byte[0] ^ 1]))
    assert hash_evidence([descriptor]) != before


def test_single_file_disks_are_fingerprinted_as_themselves(raw: Path, tmp_path: Path) -> None:
    for name, fmt in (("d.vmdk", "vmdk"), ("d.vhd", "vpc"), ("d.vhdx", "vhdx")):
        disk = convert(raw, tmp_path / name, fmt)
        assert hash_evidence([disk]) == _hashes(disk)


def test_missing_extent_is_a_warning_naming_it(raw: Path, tmp_path: Path) -> None:
    descriptor = convert(raw, tmp_path / "disk.vmdk", "vmdk", "monolithicFlat")
    (tmp_path / "disk-flat.vmdk").unlink()
    found = collect(open_image(descriptor))
    assert not found.items
    (warning,) = found.warnings
    assert "extent 'disk-flat.vmdk' is missing" in warning.message


def test_differencing_vmdk_reads_through_its_parent_and_says_when_it_is_missing(
        raw: Path, expected: Found, tmp_path: Path) -> None:
    parent = convert(raw, tmp_path / "base.vmdk", "vmdk")
    run("qemu-img", "create", "-q", "-f", "vmdk", "-b", parent.name, "-F", "vmdk", tmp_path / "snap.vmdk")
    child = tmp_path / "snap.vmdk"
    assert child.stat().st_size < parent.stat().st_size  # the child holds no data of its own yet
    found = collect(open_image(child))
    assert not found.warnings and inside(found) == inside(expected)
    assert hash_evidence([child]) == _hashes(child, parent)  # the fingerprint covers the parent too
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.move(child, moved / child.name)
    found = collect(open_image(moved / child.name))
    assert found.warnings[0].message.startswith("vmdk: cannot open the image: EvidenceError: a differencing "
                                                "disk, whose parent cannot be read: its parent disk 'base.vmdk' "
                                                "is missing")
    assert not any(ref.endswith(".jpg") and "!p1/" in ref for ref in found.items)  # nothing made up


def test_truncated_sparse_vmdk_reads_what_is_there_and_warns(raw: Path, tmp_path: Path) -> None:
    disk = convert(raw, tmp_path / "disk.vmdk", "vmdk")
    data = disk.read_bytes()
    cut = tmp_path / "cut.vmdk"
    cut.write_bytes(data[:len(data) // 2])
    found = collect(open_image(cut))  # finishes
    messages = [w.message for w in found.warnings]
    assert any("chunk(s) of the image could not be read (missing or damaged) and were read as zeros" in m
               for m in messages), messages
    assert found.md5s.get("cut.vmdk!p1/a.jpg") == md5(FILES["a.jpg"])  # the first partition is whole


@pytest.mark.parametrize(("fmt", "keep", "said"), [
    ("vhdx", 3, "chunk(s) of the image could not be read (missing or damaged) and were read as zeros"),
    ("vhdx", 200, "cannot open the image: EvidenceError: not a readable VHDX disk: "),  # headers cut
    ("vpc", 3, "cannot open the image: EvidenceError: not a readable VHD disk: "),  # its footer is gone
])
def test_truncated_vhdx_and_vhd_warn_and_finish(raw: Path, tmp_path: Path, fmt: str, keep: int, said: str) -> None:
    disk = convert(raw, tmp_path / "whole.img", fmt)
    data = disk.read_bytes()
    cut = tmp_path / "cut.img"
    cut.write_bytes(data[:len(data) // keep])
    found = collect(open_image(cut))
    assert any(said in w.message for w in found.warnings), [w.message for w in found.warnings]
    assert not any(found.items[ref].facts.state.value in ("allocated", "deleted") for ref in found.items)


def test_lone_sparse_extent_of_a_split_vmdk_says_so(raw: Path, tmp_path: Path) -> None:
    convert(raw, tmp_path / "disk.vmdk", "vmdk", "twoGbMaxExtentSparse")
    found = collect(open_image(tmp_path / "disk-s001.vmdk"))
    assert "a sparse extent of a split VMDK, with no descriptor of its own" in found.warnings[0].message


def _member(name: str, data: bytes) -> Item:
    """A member of some container: bytes only, no file on the examiner's disk."""
    return Item(ItemRef.root("box.zip").enter(name), len(data), lambda: io.BytesIO(data))


@pytest.mark.parametrize(("fmt", "name"), [("vmdk", "d.vmdk"), ("vpc", "d.vhd"), ("vhdx", "d.vhdx")])
def test_self_contained_disk_inside_another_container_is_opened(raw: Path, expected: Found, tmp_path: Path,
                                                                fmt: str, name: str) -> None:
    data = convert(raw, tmp_path / name, fmt).read_bytes()
    source = open_container(_member(name, data), data[:HEAD_SIZE], Limits())
    assert source is not None
    found = collect(source)
    assert not found.warnings
    assert {r.split("!", 2)[2]: v for r, v in found.md5s.items()} == {
        r.split("!", 1)[1]: v for r, v in expected.md5s.items()}


def test_descriptor_inside_another_container_says_its_extents_are_out_of_reach(raw: Path, tmp_path: Path) -> None:
    data = convert(raw, tmp_path / "d.vmdk", "vmdk", "monolithicFlat").read_bytes()
    found = collect(open_container(_member("d.vmdk", data), data, Limits()))  # type: ignore[arg-type]
    assert "its extent 'd-flat.vmdk' is a separate file, which cannot be reached from inside another " \
           "container" in found.warnings[0].message


def test_sniffing_by_signature() -> None:
    assert sniff(b"KDMV\x01\x00\x00\x00" + bytes(504)).name == "vmdk"  # type: ignore[union-attr]
    assert sniff(b"# Disk DescriptorFile\nversion=1\n").name == "vmdk"  # type: ignore[union-attr]
    assert sniff(b"conectix" + bytes(504)).name == "vhd"  # type: ignore[union-attr]
    assert sniff(b"vhdxfile" + bytes(504)).name == "vhdx"  # type: ignore[union-attr]
    assert not VmdkFormat().sniff(b"# Disk notes, not a descriptor\n")
    assert not VhdFormat().sniff(bytes(512) + b"conectix")  # a fixed VHD's footer is not in its head


def test_a_zip_holding_a_vmdk_is_walked_into(raw: Path, expected: Found, tmp_path: Path) -> None:
    data = convert(raw, tmp_path / "d.vmdk", "vmdk").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("vm/d.vmdk", data)
    walk = walk_all(item_of(buffer.getvalue(), "box.zip"))
    assert walk.containers == ["zip:box.zip", "disk:box.zip!vm/d.vmdk"] and not walk.warnings
    assert hashlib.md5(walk.contents["box.zip!vm/d.vmdk!p1/a.jpg"]).hexdigest() == md5(FILES["a.jpg"])


def test_a_parent_changed_since_the_snapshot_is_refused_by_name(raw: Path, tmp_path: Path) -> None:
    parent = convert(raw, tmp_path / "base.vmdk", "vmdk")
    run("qemu-img", "create", "-q", "-f", "vmdk", "-b", parent.name, "-F", "vmdk", tmp_path / "snap.vmdk")
    assert not collect(open_image(tmp_path / "snap.vmdk")).warnings
    convert(raw, parent, "vmdk")  # made again: the same content, but a new content ID (CID)
    found = collect(open_image(tmp_path / "snap.vmdk"))
    assert found.warnings[0].message.startswith(
        "vmdk: cannot open the image: EvidenceError: a differencing disk whose parent 'base.vmdk' is not the "
        "disk it was made from (its content ID differs")
    assert not [ref for ref in found.items if "!p1/" in ref]


def test_a_descriptor_cannot_make_the_scan_read_files_outside_its_folder(raw: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    descriptor = convert(raw, tmp_path / "disk.vmdk", "vmdk", "monolithicFlat")  # its extent lies outside
    text = descriptor.read_text().replace('"disk-flat.vmdk"', f'"{tmp_path / "disk-flat.vmdk"}"')
    (evidence / "disk.vmdk").write_text(text)
    found = collect(open_image(evidence / "disk.vmdk"))
    assert not [ref for ref in found.items if ref.endswith(".jpg")]
    assert "is missing (looked for disk-flat.vmdk beside disk.vmdk, and nowhere else)" in found.warnings[0].message
    assert hash_evidence([evidence / "disk.vmdk"]) == _hashes(evidence / "disk.vmdk")
