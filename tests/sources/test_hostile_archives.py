"""Hostile and damaged archives: bombs, traversal names, duplicates, too many members, truncation,
corruption and encryption. Each must end as warnings (and the members that can be read), never a crash."""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import py7zr
import pytest

from footprint.errors import ItemError
from footprint.model import Item, ItemWarning
from footprint.sources.base import Limits
from footprint.sources.members import CorruptMember, MemberTooLarge, safe_member_path
from footprint.sources.registry import open_container
from footprint.sources.tararchive import TarSource

from .conftest import collect, item_of, picture, read, walk_all
from .test_archives import make_7z, make_tar, make_zip, open_items


def make_7z_any_names(members: dict[str, bytes]) -> bytes:
    """A 7z whose names py7zr would refuse to write: written under stand-in names of the same
    length in a plain (unencoded) header, then renamed in place with the header CRCs made right."""
    stand_ins = {name: re.sub(r"[^A-Za-z0-9]", "Q", name) for name in members}
    assert len(set(stand_ins.values())) == len(stand_ins)
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        archive.set_encoded_header_mode(False)
        for name, data in members.items():
            archive.writestr(data, stand_ins[name])
    raw = bytearray(out.getvalue())
    for name, stand_in in stand_ins.items():
        old, new = stand_in.encode("utf-16-le"), name.encode("utf-16-le")
        assert raw.count(old) == 1
        raw[raw.find(old):raw.find(old) + len(old)] = new
    offset, size = struct.unpack_from("<QQ", raw, 12)
    header = bytes(raw[32 + offset:32 + offset + size])
    struct.pack_into("<I", raw, 28, zlib.crc32(header))
    struct.pack_into("<I", raw, 8, zlib.crc32(bytes(raw[12:32])))
    return bytes(raw)


ZEROS = bytes(4 << 20)  # 4 MiB of zeros: compresses about a thousandfold
SMALL = Limits(max_member_size=2 << 20, max_archive_total=8 << 20, max_ratio=50, in_memory=8 << 20,
               ratio_floor=1 << 20)


# ------------------------------------------------------------------------------------------------
# Bombs
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limits", [Limits(ratio_floor=1 << 20), SMALL])
def test_zip_bomb_member_is_a_warning_and_the_rest_is_read(limits: Limits) -> None:
    data = make_zip({"a.jpg": picture(1), "bomb.bin": ZEROS, "z.jpg": picture(2)})
    assert len(data) < 64 << 10
    walk = collect(open_items(data, "b.zip", limits=limits))
    assert set(walk.contents) == {"b.zip!a.jpg", "b.zip!z.jpg"}
    (warning,) = walk.warnings
    assert str(warning.ref) == "b.zip!bomb.bin" and "suspected bomb" in warning.message


def test_a_zipped_sparse_disk_image_is_read_and_a_large_bomb_still_caught() -> None:
    """A mostly empty volume compresses a thousandfold (DFTT's 6 MB images zip to 21 KB): under
    Limits.ratio_floor it is read whole; past the floor the ratio rule still stops a bomb."""
    sparse = bytearray(6 << 20)
    sparse[0x200:0x200 + 4096] = os.urandom(4096)
    data = make_zip({"disk.dd": bytes(sparse), "bomb.bin": bytes(80 << 20)})
    walk = collect(open_items(data, "s.zip", limits=Limits()))
    assert list(walk.contents) == ["s.zip!disk.dd"] and walk.contents["s.zip!disk.dd"] == bytes(sparse)
    (warning,) = walk.warnings
    assert str(warning.ref) == "s.zip!bomb.bin" and "suspected bomb" in warning.message


def lie_about_size(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite a member's declared uncompressed size in its local and central headers."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = out.find(signature + b"")
        while at >= 0:
            name_len = int.from_bytes(out[at + (26 if signature == b"PK\x03\x04" else 28):][:2], "little")
            start = at + (30 if signature == b"PK\x03\x04" else 46)
            if out[start:start + name_len] == name:
                out[at + offset:at + offset + 4] = size.to_bytes(4, "little")
            at = out.find(signature, at + 4)
    return bytes(out)


def test_zip_header_that_lies_about_its_size_is_caught_while_reading() -> None:
    data = lie_about_size(make_zip({"liar.bin": ZEROS}), b"liar.bin", 1000)
    (item,) = open_items(data, "l.zip", limits=SMALL)
    assert isinstance(item, Item) and item.size == 1000
    with pytest.raises(ItemError):
        read(item)


def test_bare_gzip_bomb_is_counted_while_reading() -> None:
    data = gzip.compress(ZEROS)
    (item,) = open_items(data, "bomb.gz", limits=SMALL)
    assert isinstance(item, Item) and item.size is None  # a gzip does not say its size truthfully
    with item.open() as stream, pytest.raises(MemberTooLarge, match="bomb or lying header"):
        while stream.read(1 << 16):
            pass


def test_gzip_of_harmless_text_is_not_a_bomb() -> None:
    text = b" " * 300_000  # compresses past the ratio, but is small: under the ratio floor
    (item,) = open_items(gzip.compress(text), "spaces.txt.gz", limits=SMALL)
    assert read(item) == text


@pytest.mark.parametrize("seekable", [True, False])
def test_tar_gz_bomb_stops_the_archive(seekable: bool) -> None:
    data = make_tar({"a.jpg": picture(3), "bomb.bin": ZEROS, "after.jpg": picture(4)}, "w:gz")
    walk = collect(open_items(data, "b.tgz", seekable, SMALL))
    assert set(walk.contents) == {"b.tgz!a.jpg"}
    assert [str(w.ref) for w in walk.warned("suspected bomb")] == ["b.tgz"]


def test_7z_bomb_block_is_a_warning() -> None:
    data = make_7z({"bomb.bin": ZEROS})
    walk = collect(open_items(data, "b.7z", limits=SMALL))
    assert walk.contents == {}
    (warning,) = walk.warnings
    assert str(warning.ref) == "b.7z!bomb.bin" and "suspected bomb" in warning.message


def test_archive_total_limit() -> None:
    noise = [os.urandom(300_000) for _ in range(4)]  # random bytes do not compress
    data = make_zip({f"{i}.bin": n for i, n in enumerate(noise)})
    walk = collect(open_items(data, "t.zip", limits=Limits(max_archive_total=700_000)))
    assert set(walk.contents) == {"t.zip!0.bin", "t.zip!1.bin"}
    assert [str(w.ref) for w in walk.warned("expands beyond 700000")] == ["t.zip"]


@pytest.mark.parametrize("make", [make_zip, make_tar, make_7z])
def test_too_many_members(make) -> None:  # type: ignore[no-untyped-def]
    data = make({f"{i}.txt": b"x" for i in range(6)})
    walk = collect(open_items(data, "many", limits=Limits(max_members=4)))
    assert len(walk.contents) == 4
    assert len(walk.warned("more than 4 members")) == 1


# ------------------------------------------------------------------------------------------------
# Names
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "path", "problem"), [
    ("a/b.jpg", "a/b.jpg", None),
    ("./a//b.jpg", "a/b.jpg", None),
    ("../../etc/passwd", "(dotdot)/(dotdot)/etc/passwd", "path traversal"),
    ("/etc/passwd", "(root)/etc/passwd", "absolute path"),
    ("C:\\Windows\\x.dll", "(root)/C:/Windows/x.dll", "absolute path"),
    ("a\\..\\..\\b", "a/(dotdot)/(dotdot)/b", "path traversal"),
    ("a\0b.jpg", "a(nul)b.jpg", "NUL byte"),
    ("", "(unnamed)", None),
])
def test_safe_member_path(name: str, path: str, problem: str | None) -> None:
    got, problems = safe_member_path(name)
    assert got == path
    assert (problem is None and problems == []) or (problem is not None and problem in " ".join(problems))


@pytest.mark.parametrize("make", [make_zip, make_tar, make_7z_any_names])
def test_traversal_names_are_flagged_and_still_hashed(make) -> None:  # type: ignore[no-untyped-def]
    members = {"../../evil.jpg": picture(5), "/abs/x.jpg": picture(6), "fine.jpg": picture(7)}
    walk = collect(open_items(make(members), "h.arc"))
    assert walk.contents == {
        "h.arc!(dotdot)/(dotdot)/evil.jpg": picture(5),
        "h.arc!(root)/abs/x.jpg": picture(6),
        "h.arc!fine.jpg": picture(7),
    }
    flagged = {str(w.ref): w.message for w in walk.warned("unsafe member name")}
    assert set(flagged) == {"h.arc!(dotdot)/(dotdot)/evil.jpg", "h.arc!(root)/abs/x.jpg"}
    assert "'../../evil.jpg'" in flagged["h.arc!(dotdot)/(dotdot)/evil.jpg"]


@pytest.mark.parametrize("make", [make_zip, make_tar, make_7z_any_names])
def test_a_name_warning_comes_right_after_its_item(make) -> None:  # type: ignore[no-untyped-def]
    """The pipeline files a warning with the item yielded just before it under the same ref."""
    members = {"a.jpg": picture(1), "../up.jpg": picture(2), "b.jpg": picture(3)}
    found = open_items(make(members), "o.arc")
    shape = [(type(f).__name__, str(f.ref)) for f in found]
    assert shape == [("Item", "o.arc!a.jpg"), ("Item", "o.arc!(dotdot)/up.jpg"),
                     ("ItemWarning", "o.arc!(dotdot)/up.jpg"), ("Item", "o.arc!b.jpg")]


def test_a_member_not_read_is_warned_under_the_ref_it_would_have_had() -> None:
    found = open_items(make_zip({"../bomb.bin": ZEROS}), "w.zip", limits=SMALL)
    assert all(isinstance(f, ItemWarning) for f in found)
    assert {str(f.ref) for f in found} == {"w.zip!(dotdot)/bomb.bin"}
    assert [m for f in found for m in ("suspected bomb", "unsafe member name") if m in f.message] == [
        "suspected bomb", "unsafe member name"]


def test_nul_in_a_zip_name_is_flagged() -> None:
    data = make_zip({"innocent.txt": picture(8)}).replace(b"innocent.txt", b"inno\0ent.jpg")
    walk = collect(open_items(data, "n.zip"))
    assert walk.contents == {"n.zip!inno(nul)ent.jpg": picture(8)}
    assert len(walk.warned("NUL byte")) == 1


@pytest.mark.parametrize("make", [make_tar, make_7z_any_names])
def test_a_hostile_name_cannot_take_an_honest_members_address(make) -> None:  # type: ignore[no-untyped-def]
    members = {"(dotdot)/x.jpg": picture(9), "../x.jpg": picture(10)}
    walk = collect(open_items(make(members), "c.arc"))
    assert walk.contents == {"c.arc!(dotdot)/x.jpg": picture(9), "c.arc!(dotdot)/x.jpg#2": picture(10)}


def test_duplicate_names_get_distinct_refs() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, pytest.warns(UserWarning):
        for seed in (11, 12, 13):
            archive.writestr("same.jpg", picture(seed))
    walk = collect(open_items(out.getvalue(), "d.zip"))
    assert walk.contents == {"d.zip!same.jpg": picture(11), "d.zip!same.jpg#2": picture(12),
                             "d.zip!same.jpg#3": picture(13)}
    duplicates = [str(w.ref) for w in walk.warned("duplicate member name")]
    assert duplicates == ["d.zip!same.jpg#2", "d.zip!same.jpg#3"]


# ------------------------------------------------------------------------------------------------
# Truncated and corrupt
# ------------------------------------------------------------------------------------------------


def test_truncated_zip_gives_the_members_before_the_cut() -> None:
    members = {f"{i}.jpg": picture(20 + i) for i in range(4)}
    data = make_zip(members)
    cut = data[: data.find(b"PK\x03\x04", data.find(b"2.jpg")) + 40]  # inside the fourth member
    walk = collect(open_items(cut, "cut.zip"))
    assert walk.contents == {f"cut.zip!{i}.jpg": picture(20 + i) for i in range(3)}
    assert len(walk.warned("central directory unreadable")) == 1
    assert len(walk.warned("'3.jpg' truncated")) == 1


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:xz"])
@pytest.mark.parametrize("seekable", [True, False])
def test_truncated_tar(mode: str, seekable: bool) -> None:
    members = {f"{i}.jpg": picture(30 + i) for i in range(4)}
    data = make_tar(members, mode)
    walk = collect(open_items(data[: int(len(data) * 0.6)], "cut.tar", seekable))
    assert 1 <= len(walk.contents) <= 3
    assert all(walk.contents[k] == members[k.split("!")[1]] for k in walk.contents)
    assert [str(w.ref) for w in walk.warnings] == ["cut.tar"]  # about the container as a whole


def test_truncated_7z_is_one_warning() -> None:
    data = make_7z({"a.jpg": picture(40)})
    walk = collect(open_items(data[:-20], "cut.7z"))
    assert walk.contents == {}
    assert len(walk.warned("7z: cannot read the header")) == 1


def test_corrupt_zip_member_data_fails_on_read() -> None:
    data = bytearray(make_zip({"a.jpg": picture(41)}, zipfile.ZIP_STORED))
    at = data.find(picture(41)[100:120])
    data[at:at + 8] = b"XXXXXXXX"
    (item,) = open_items(bytes(data), "c.zip")
    with pytest.raises(CorruptMember, match=re.escape("c.zip!a.jpg")):
        read(item)


def test_corrupt_7z_data_is_a_warning() -> None:
    data = bytearray(make_7z({f"{i}.jpg": picture(50 + i) for i in range(3)}))
    data[40:60] = bytes(20)  # inside the compressed block
    walk = collect(open_items(bytes(data), "c.7z"))
    assert len(walk.warned("7z: stopped reading")) == 1
    unread = {str(w.ref) for w in walk.warned("7z: not read: the archive's reading stopped before this member")}
    assert unread | set(walk.contents) == {f"c.7z!{i}.jpg" for i in range(3)}  # each member read or named


def test_garbage_after_a_valid_signature() -> None:
    for head in (b"PK\x03\x04", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b\x08", b"\xfd7zXZ\x00", b"BZh91AY&SY"):
        walk = walk_all(item_of(head + os.urandom(2000), "junk"))
        assert walk.warnings, head


# ------------------------------------------------------------------------------------------------
# Encrypted (made with the 7z command-line tool)
# ------------------------------------------------------------------------------------------------


def seven_zip(tmp_path: Path, archive: str, *options: str) -> bytes:
    if shutil.which("7z") is None:
        pytest.skip("the 7z command (p7zip-full) is not installed")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "secret.jpg").write_bytes(picture(60))
    (tmp_path / "in" / "other.jpg").write_bytes(picture(61))
    subprocess.run(["7z", "a", *options, str(tmp_path / archive), "secret.jpg", "other.jpg"],
                   cwd=tmp_path / "in", check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return (tmp_path / archive).read_bytes()


def test_encrypted_zip(tmp_path: Path) -> None:
    walk = collect(open_items(seven_zip(tmp_path, "e.zip", "-tzip", "-pSECRET"), "e.zip"))
    assert walk.contents == {}
    assert sorted(str(w.ref) for w in walk.warned("encrypted: not readable")) == ["e.zip!other.jpg",
                                                                                  "e.zip!secret.jpg"]


def test_encrypted_7z_content(tmp_path: Path) -> None:
    walk = collect(open_items(seven_zip(tmp_path, "e.7z", "-pSECRET"), "e.7z"))
    assert walk.contents == {}
    assert len(walk.warned("encrypted: not readable")) == 2


def test_encrypted_7z_names(tmp_path: Path) -> None:
    walk = collect(open_items(seven_zip(tmp_path, "h.7z", "-pSECRET", "-mhe=on"), "h.7z"))
    assert walk.contents == {}
    assert [w.message for w in walk.warnings] == ["7z: encrypted (names and all): not readable"]


def test_damaged_tar_header_after_the_first_is_reported() -> None:
    members = {f"{i}.jpg": picture(70 + i) for i in range(3)}
    data = bytearray(make_tar(members))
    second = data.find(b"1.jpg")
    data[second:second + 512] = os.urandom(512)  # garbage where the second header was
    walk = collect(open_items(bytes(data), "d.tar"))
    assert walk.contents == {"d.tar!0.jpg": members["0.jpg"]}
    assert [w.message for w in walk.warnings] == ["tar: a damaged header ends the walk, after 1 members"]


@pytest.mark.parametrize(("mode", "compression"), [("w", None), ("w:gz", "gz")])
def test_empty_tar_is_not_damaged(mode: str, compression: str | None) -> None:
    """An empty tar is all zeros, which nothing can recognise as a tar; opened as one, it is empty."""
    source = TarSource(item_of(make_tar({}, mode), "empty.tar"), Limits(), compression)
    assert list(source.items()) == []


def _items_read(found: list) -> dict[str, bytes | str]:
    """Each member's bytes, or why its read failed; the warnings aside."""
    out: dict[str, bytes | str] = {}
    for f in found:
        if isinstance(f, Item):
            try:
                out[str(f.ref)] = read(f)
            except ItemError as exc:
                out[str(f.ref)] = str(exc)
    return out


def test_a_member_with_a_damaged_header_fails_alone_and_the_rest_is_read() -> None:
    data = bytearray(make_zip({f"m{i}.jpg": picture(i) for i in range(4)}))
    second = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[1].header_offset
    data[second:second + 30] = bytes(30)  # its local header zeroed, the central directory intact
    found = _items_read(open_items(bytes(data), "z.zip"))
    assert found["z.zip!m1.jpg"] == "zip member unreadable: Bad magic number for file header"
    assert [found[f"z.zip!m{i}.jpg"] for i in (0, 2, 3)] == [picture(i) for i in (0, 2, 3)]


def test_one_member_listed_many_times_is_read_once() -> None:
    """The overlapping-entries zip bomb: a small file whose central directory lists one large member's
    local header again and again. Read once, under its first name; the others are that warning."""
    one = make_zip({"kernel.bin": ZEROS})
    archive = zipfile.ZipFile(io.BytesIO(one))
    info = archive.infolist()[0]
    directory_at = struct.unpack_from("<I", one, len(one) - 6)[0]
    entry = one[directory_at:len(one) - 22]
    bomb = one[:directory_at] + entry * 20 + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 20, 20, len(entry) * 20,
                                                        directory_at, 0)
    found = open_items(bomb, "bomb.zip")
    read_once = [f for f in found if isinstance(f, Item)]
    assert [str(f.ref) for f in read_once] == ["bomb.zip!kernel.bin"] and read(read_once[0]) == ZEROS
    overlaps = [w for w in found if isinstance(w, ItemWarning) and "the same data as bomb.zip!kernel.bin" in w.message]
    assert len(overlaps) == 19 and info.file_size == len(ZEROS)


def test_a_folder_entry_holding_data_is_read_as_a_file_and_said() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("hidden/"), picture(3))  # a folder's name, a picture's bytes
        archive.writestr("shown.jpg", picture(4))
    found = open_items(out.getvalue(), "d.zip")
    assert _items_read(found) == {"d.zip!hidden": picture(3), "d.zip!shown.jpg": picture(4)}
    (said,) = [w for w in found if isinstance(w, ItemWarning)]
    assert str(said.ref) == "d.zip!hidden" and "a folder entry holding" in said.message


def test_a_gzip_with_bytes_after_its_stream_gives_its_file_and_says_where_they_start() -> None:
    """gzip -d reads the members and ignores what follows ("trailing garbage"); Python's gzip refused the
    whole file, and the picture in it was lost. Members one after another, and zero padding, still read."""
    packed = gzip.compress(picture(5))
    for data in (packed + b"trailer of some tool", packed + bytes(3 << 20) + b"after zero padding"):
        source = open_container(item_of(data, "p.jpg.gz"), data[:65536], Limits())
        assert source is not None
        got, said = {}, []
        for found in source.items():  # each item read as it comes, as the scan reads it
            if isinstance(found, Item):
                got[str(found.ref)] = read(found)
            else:
                said.append(found)
        assert got == {"p.jpg.gz!p.jpg": picture(5)}
        (warning,) = said
        assert str(warning.ref) == "p.jpg.gz" and f"from byte {len(packed)}" in warning.message
    two = gzip.compress(picture(5)[:1000]) + gzip.compress(picture(5)[1000:]) + bytes(4096)
    found = open_items(two, "q.jpg.gz")
    assert _items_read(found) == {"q.jpg.gz!q.jpg": picture(5)} and not [w for w in found if isinstance(w, ItemWarning)]
    cut = open_items(packed[:-40], "r.jpg.gz")
    assert "ended before the end-of-stream marker" in str(_items_read(cut)["r.jpg.gz!r.jpg"])


def test_a_zip_member_its_directory_renames_is_read_and_the_disagreement_said() -> None:
    """The central directory calls the second member ``renamed.txt``, its local header ``b.jpg``: zipfile
    refuses to open it, unzip and 7z extract it. Its bytes are read, and the two names are said."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.jpg", picture(81))
        archive.writestr("b.jpg", picture(82))
    data = bytearray(out.getvalue())
    central = data.rfind(b"PK\x01\x02")  # the second member's directory entry: its name is 5 bytes long
    assert data[central + 46:central + 51] == b"b.jpg"
    data[central + 46:central + 51] = b"c.txt"
    walk = collect(open_container(item_of(bytes(data), "x.zip"), bytes(data[:4096]), Limits()).items())
    assert walk.contents == {"x.zip!a.jpg": picture(81), "x.zip!c.txt": picture(82)}
    (said,) = [w for w in walk.warnings if str(w.ref) == "x.zip!c.txt"]
    assert said.message == ("zip: its local header names it 'b.jpg', the central directory 'c.txt': read under "
                            "the directory's name")


def test_a_zip_member_left_out_of_the_central_directory_is_found_and_said() -> None:
    """The directory lists a.jpg only; b.jpg's local header and data are still in the file, where no
    listed member lies (unzip, 7z and zipfile list one member)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.jpg", picture(83))
        archive.writestr("b.jpg", picture(84))
    data = out.getvalue()
    directory = data.index(b"PK\x01\x02")
    second = data.index(b"PK\x01\x02", directory + 4)
    end = data.index(b"PK\x05\x06")
    listed_one = data[directory:second]
    eocd = bytearray(data[end:])
    struct.pack_into("<HHI", eocd, 8, 1, 1, len(listed_one))  # one entry, the directory's new size
    hidden = data[:directory] + listed_one + bytes(eocd)
    assert len(zipfile.ZipFile(io.BytesIO(hidden)).infolist()) == 1
    walk = collect(open_container(item_of(hidden, "x.zip"), hidden[:4096], Limits()).items())
    assert walk.contents == {"x.zip!a.jpg": picture(83), "x.zip!b.jpg": picture(84)}
    (said,) = [w.message for w in walk.warnings if str(w.ref) == "x.zip!b.jpg"]
    assert said.startswith("zip: not listed in the central directory: found behind a local header at byte ")
    plain = collect(open_container(item_of(data, "y.zip"), data[:4096], Limits()).items())
    assert set(plain.contents) == {"y.zip!a.jpg", "y.zip!b.jpg"} and not plain.warnings
