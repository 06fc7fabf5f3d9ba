"""Each archive kind opened through the registry, from seekable and streaming parents, and nested."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
from datetime import UTC, datetime

import py7zr
import pytest

from footprint.model import Item
from footprint.sources.base import Limits
from footprint.sources.registry import open_container

from .conftest import collect, item_of, picture, walk_all


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def make_tar(members: dict[str, bytes], mode: str = "w", mtime: int = 1_700_000_000) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), mtime
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def make_7z(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return out.getvalue()


def open_items(data: bytes, name: str, seekable: bool = True, limits: Limits | None = None) -> list:
    item = item_of(data, name, seekable)
    source = open_container(item, data[:65536], limits or Limits())
    assert source is not None, f"{name} was not recognised as a container"
    return list(source.items())


@pytest.fixture
def members() -> dict[str, bytes]:
    return {"holiday/1.jpg": picture(1), "holiday/2.png": picture(2, "PNG"), "notes.txt": b"text " * 100}


# ------------------------------------------------------------------------------------------------
# zip
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                    zipfile.ZIP_LZMA])
@pytest.mark.parametrize("seekable", [True, False])
def test_zip(members: dict[str, bytes], method: int, seekable: bool) -> None:
    found = open_items(make_zip(members, method), "x.zip", seekable)
    walk = collect(found)
    assert walk.warnings == []
    assert walk.contents == {f"x.zip!{k}": v for k, v in members.items()}
    assert [f.size for f in found] == [len(v) for v in members.values()]


def test_zip_member_opens_fresh_each_time(members: dict[str, bytes]) -> None:
    first = open_items(make_zip(members), "x.zip")[0]
    with first.open() as a, first.open() as b:
        assert a.read(10) == members["holiday/1.jpg"][:10]
        assert b.read() == members["holiday/1.jpg"]
        assert a.read() == members["holiday/1.jpg"][10:]


def test_zip_modified_time_only_from_the_utc_field() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        with_ut = zipfile.ZipInfo("ut.jpg", (2020, 1, 2, 3, 4, 6))
        with_ut.extra = struct.pack("<HHBi", 0x5455, 5, 1, 1_600_000_000)
        archive.writestr(with_ut, picture(3))
        archive.writestr(zipfile.ZipInfo("dos.jpg", (2020, 1, 2, 3, 4, 6)), picture(4))
    ut, dos = open_items(out.getvalue(), "t.zip")
    assert ut.facts.modified == datetime.fromtimestamp(1_600_000_000, UTC)
    assert dos.facts.modified is None  # DOS time is local time of an unknown zone


# ------------------------------------------------------------------------------------------------
# tar
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
@pytest.mark.parametrize("seekable", [True, False])
def test_tar(members: dict[str, bytes], mode: str, seekable: bool) -> None:
    found = open_items(make_tar(members, mode), "x.tar.any", seekable)
    walk = collect(found)
    assert walk.warnings == []
    assert walk.contents == {f"x.tar.any!{k}": v for k, v in members.items()}
    assert all(f.facts.modified == datetime.fromtimestamp(1_700_000_000, UTC) for f in found)
    again = found[0]
    assert again.open().read() == again.open().read() == members["holiday/1.jpg"]


def test_tar_member_without_a_time_has_none_not_1970() -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, mtime in (("unset.txt", 0), ("set.txt", 1_700_000_000)):
            info = tarfile.TarInfo(name)  # a TarInfo's mtime is 0 unless the writer sets one
            info.size, info.mtime = 5, mtime
            archive.addfile(info, io.BytesIO(b"hello"))
    found = {str(f.ref): f for f in open_items(out.getvalue(), "t.tar", True)}
    assert found["t.tar!unset.txt"].facts.modified is None
    assert found["t.tar!set.txt"].facts.modified == datetime.fromtimestamp(1_700_000_000, UTC)


def test_tar_links_and_dot_slash_names() -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        info = tarfile.TarInfo("./dir/a.jpg")
        info.size = len(picture(5))
        archive.addfile(info, io.BytesIO(picture(5)))
        for kind, name in ((tarfile.SYMTYPE, "./sym.jpg"), (tarfile.LNKTYPE, "./hard.jpg")):
            link = tarfile.TarInfo(name)
            link.type, link.linkname = kind, "./dir/a.jpg"
            archive.addfile(link)
    walk = collect(open_items(out.getvalue(), "l.tar"))
    assert walk.contents == {"l.tar!dir/a.jpg": picture(5)}
    assert {str(w.ref): w.message for w in walk.warnings} == {
        "l.tar!sym.jpg": "symbolic link to './dir/a.jpg': not followed",
        "l.tar!hard.jpg": "hard link to './dir/a.jpg': not followed",
    }


def test_big_member_of_compressed_tar_is_reopened_when_the_parent_can_seek(members: dict[str, bytes]) -> None:
    data = make_tar(members, "w:gz")
    small = Limits(in_memory=1000)
    walk = collect(open_items(data, "x.tgz", True, small))
    assert walk.contents == {f"x.tgz!{k}": v for k, v in members.items()}
    streamed = collect(open_items(data, "x.tgz", False, small))
    big = [f"x.tgz!{k}" for k, v in members.items() if len(v) > 1000]
    assert sorted(str(w.ref) for w in streamed.warned("over the in-memory limit")) == big
    assert set(streamed.contents) == {f"x.tgz!{k}" for k, v in members.items() if len(v) <= 1000}


# ------------------------------------------------------------------------------------------------
# 7z
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seekable", [True, False])
def test_7z(members: dict[str, bytes], seekable: bool) -> None:
    found = open_items(make_7z({**members, "empty.bin": b""}), "x.7z", seekable)
    walk = collect(found)
    assert walk.warnings == []
    assert walk.contents == {f"x.7z!{k}": v for k, v in {**members, "empty.bin": b""}.items()}
    assert all(isinstance(f, Item) and f.facts.modified is not None for f in found)


def test_7z_consumer_may_stop_early(members: dict[str, bytes]) -> None:
    many = {f"{i}.jpg": picture(i) for i in range(12)}
    item = item_of(make_7z(many), "x.7z")
    source = open_container(item, item.open().read(64), Limits())
    assert source is not None
    stream = source.items()
    first = next(stream)
    assert isinstance(first, Item)
    stream.close()  # the worker thread must notice and end; join() in the generator proves it
    assert first.open().read() in many.values()


# ------------------------------------------------------------------------------------------------
# Bare compression
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("compress", "outer", "inner"), [
    (gzip.compress, "photo.jpg.gz", "photo.jpg"),
    (bz2.compress, "photo.jpg.bz2", "photo.jpg"),
    (lzma.compress, "photo.jpg.xz", "photo.jpg"),
    (gzip.compress, "mystery", "content"),
    (lzma.compress, "PHOTO.JPG.XZ", "PHOTO.JPG"),
])
def test_bare_compression(compress, outer: str, inner: str) -> None:  # type: ignore[no-untyped-def]
    (item,) = open_items(compress(picture(6)), outer)
    assert str(item.ref) == f"{outer}!{inner}"
    assert item.open().read() == picture(6)


def test_compressed_tar_is_one_step_whatever_its_name(members: dict[str, bytes]) -> None:
    for name in ("x.tgz", "x.tar.gz", "renamed.bin"):
        walk = walk_all(item_of(make_tar(members, "w:gz"), name))
        assert walk.containers == [f"tar:{name}"]
        assert set(walk.contents) == {f"{name}!{k}" for k in members}


# ------------------------------------------------------------------------------------------------
# Nesting
# ------------------------------------------------------------------------------------------------


def test_zip_in_tar_in_7z() -> None:
    inner_zip = make_zip({"deep/photo.jpg": picture(7)})
    tar = make_tar({"mail/attachment.zip": inner_zip, "mail/body.txt": b"hi"})
    outer = make_7z({"backup/mail.tar": tar, "top.png": picture(8, "PNG")})
    walk = walk_all(item_of(outer, "seized.7z"))
    assert walk.warnings == []
    assert walk.contents == {
        "seized.7z!backup/mail.tar!mail/attachment.zip!deep/photo.jpg": picture(7),
        "seized.7z!backup/mail.tar!mail/body.txt": b"hi",
        "seized.7z!top.png": picture(8, "PNG"),
    }


WRAPPERS = [
    lambda data: make_zip({"z.bin": data}),
    lambda data: make_tar({"t.bin": data}),
    lambda data: make_7z({"s.bin": data}),
    lambda data: gzip.compress(data),
    lambda data: make_tar({"c.bin": data}, "w:bz2"),
]


def test_twenty_levels_each_open() -> None:
    data = picture(9)
    for level in range(20):
        data = WRAPPERS[level % len(WRAPPERS)](data)
    walk = walk_all(item_of(data, "russian-doll"), Limits(max_depth=30))
    assert walk.warnings == []
    assert len(walk.containers) == 20
    (ref, content), = walk.contents.items()
    assert content == picture(9)
    assert ref.count("!") == 20


def test_depth_limit_is_the_walkers() -> None:
    data = picture(10)
    for _ in range(5):
        data = make_zip({"z.bin": data})
    walk = walk_all(item_of(data, "doll.zip"), Limits(max_depth=3))
    assert len(walk.containers) == 3
    (ref,) = walk.contents
    assert ref.count("!") == 3 and walk.contents[ref] != picture(10)


def test_not_a_container() -> None:
    assert open_container(item_of(picture(11), "a.jpg"), picture(11)[:4096], Limits()) is None
    assert open_container(item_of(b"", "empty"), b"", Limits()) is None

