"""Split images are one image: a later segment (x.E02, x.EAA, x.002) is never opened as an image of its
own, and every segment, past E99 too, is in the exhibit's fingerprint. Built with ewfacquire."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from footprint.pipeline.evidence import exhibit_paths
from footprint.sources.ewf import ewf_segment_number
from footprint.sources.integrity import (
    first_segment,
    hash_evidence,
    segment_extension,
    segment_number,
    segments,
)

from ..conftest import picture
from .images import collect, fat_image, md5, open_image, run

FILES = {"big.bin": bytes(range(256)) * 12000, "DCIM/a.jpg": picture(1)}  # 3 MB: past the first 1 MiB segment


@pytest.fixture(scope="module")
def split_e01(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A FAT image acquired by ewfacquire in 1 MiB segments: usb.E01 … usb.E05."""
    folder = tmp_path_factory.mktemp("split")
    raw = fat_image(folder / "usb.dd", FILES, size_kb=4096)
    (folder / "set").mkdir()
    run("ewfacquire", "-u", "-q", "-t", folder / "set" / "usb", "-f", "encase6", "-c", "none", "-S", "1048576", raw)
    return folder / "set" / "usb.E01"


# -- naming, as libewf's libewf_filename_set_extension does it ------------------------------------


@pytest.mark.parametrize(("lead", "number", "extension"), [
    ("E", 1, "E01"), ("E", 99, "E99"), ("E", 100, "EAA"), ("E", 101, "EAB"), ("E", 126, "EBA"),
    ("E", 775, "EZZ"), ("E", 776, "FAA"), ("E", 14971, "ZZZ"), ("e", 100, "eaa"), ("e", 776, "faa"),
    ("s", 100, "saa"), ("s", 5507, "zzz"), ("Ex", 99, "Ex99"), ("Ex", 100, "ExAA"), ("Ex", 776, "EyAA"),
])
def test_segment_names_continue_past_99_with_letters(lead: str, number: int, extension: str) -> None:
    assert segment_extension(lead, number) == extension
    assert segment_number(lead, extension) == number


def test_segment_names_end_where_libewf_s_do() -> None:
    assert segment_extension("E", 14972) is None  # past ZZZ
    assert segment_extension("s", 5508) is None  # past zzz
    assert segment_extension("Ex", 2128) is None  # past EzZZ
    assert segment_number("E", "e02") is None  # another set's case


def test_first_segment_of_a_later_one_by_its_name() -> None:
    assert first_segment(Path("d/x.E02")) == (Path("d/x.E01"), 2)
    assert first_segment(Path("d/x.EAA")) == (Path("d/x.E01"), 100)
    assert first_segment(Path("d/x.Ex02")) == (Path("d/x.Ex01"), 2)
    assert first_segment(Path("d/disk.003")) == (Path("d/disk.001"), 3)
    for first_or_other in ("x.E01", "disk.001", "photo.jpg", "x.dd"):
        assert first_segment(Path(first_or_other)) is None


def test_segments_and_the_fingerprint_go_past_e99(tmp_path: Path) -> None:
    """145 segments (E01…E99, EAA…EBT) as ewfacquire names a set of more than 99: every one is listed
    and hashed, in order. Empty stand-ins: a real 145-segment acquisition is too slow for the suite."""
    names = [f"big.{segment_extension('E', n)}" for n in range(1, 146)]
    for n, name in enumerate(names):
        (tmp_path / name).write_bytes(f"segment {n + 1}\n".encode())
    (tmp_path / "big.EBV").write_bytes(b"not in the set: EBU is missing")
    assert [p.name for p in segments(tmp_path / "big.E01")] == names
    assert names[99:101] == ["big.EAA", "big.EAB"] and names[-1] == "big.EBT"
    whole = b"".join((tmp_path / name).read_bytes() for name in names)
    assert hash_evidence([tmp_path / "big.E01"])["sha256"] == hashlib.sha256(whole).hexdigest()


# -- a real set from ewfacquire ---------------------------------------------------------------------


def test_each_segment_header_gives_its_number(split_e01: Path) -> None:
    parts = segments(split_e01)
    assert [p.name for p in parts] == ["usb.E01", "usb.E02", "usb.E03", "usb.E04", "usb.E05"]
    for number, part in enumerate(parts, start=1):
        assert ewf_segment_number(part.read_bytes()[:16]) == number
    assert ewf_segment_number(b"EVF\x09\x0d\x0a\xff\x00\x01") is None  # cut before the number
    assert ewf_segment_number(b"\x00" * 16) is None


def test_the_first_segment_reads_the_whole_image(split_e01: Path) -> None:
    found = collect(open_image(split_e01))
    for name, data in FILES.items():
        assert found.md5s[f"usb.E01!fs/{name}"] == md5(data)
    assert not found.warnings


def test_a_later_segment_beside_its_first_is_plain_data(split_e01: Path) -> None:
    for later in ("usb.E02", "usb.E05"):
        found = collect(open_image(split_e01.with_name(later)))
        assert found.items == {} and found.warnings == []  # no second read of the disk, no noise


@pytest.mark.parametrize(("segment", "copy", "number", "first"), [
    ("usb.E03", "usb.E03", 3, "usb.E01"),  # alone: its first segment is not beside it
    ("usb.E02", "evidence.bin", 2, "x.E01 of the set"),  # renamed: known by its header, not its name
])
def test_a_later_segment_alone_is_plain_data_with_a_warning(split_e01: Path, tmp_path: Path, segment: str,
                                                            copy: str, number: int, first: str) -> None:
    alone = tmp_path / copy
    shutil.copyfile(split_e01.with_name(segment), alone)
    found = collect(open_image(alone))
    assert found.items == {}
    [warning] = found.warnings
    assert str(warning.ref) == copy
    assert warning.message.startswith(f"e01: segment {number} of an EWF set, not an image of its own")
    assert warning.message.endswith(f"read through the set's first segment, {first}, which is not beside it")


def test_later_segments_given_with_their_first_are_not_exhibits(split_e01: Path, tmp_path: Path) -> None:
    given = sorted(split_e01.parent.glob("usb.E0*"))  # as the shell expands usb.E0*
    other = tmp_path / "notes.E02"
    other.write_bytes(b"not an EWF segment at all")
    (tmp_path / "notes.E01").write_bytes(b"nor this")
    kept, notes = exhibit_paths([*given, other, tmp_path / "notes.E01"])
    assert kept == [split_e01, other, tmp_path / "notes.E01"]  # notes.E02's header is no EWF one
    assert len(given) == 5 and len(notes) == 4 and "segment 2 of usb.E01" in notes[0]
    assert exhibit_paths([split_e01.with_name("usb.E03")]) == ([split_e01.with_name("usb.E03")], [])


def test_split_raw_later_segments_given_with_the_first_are_not_exhibits(tmp_path: Path) -> None:
    parts = [tmp_path / f"disk.{n:03d}" for n in (1, 2, 3)]
    for part in parts:
        part.write_bytes(b"\x00" * 512)
    assert exhibit_paths(parts) == ([parts[0]], [f"{parts[1]}: segment 2 of disk.001, read as part of it, "
                                                 "not as an exhibit", f"{parts[2]}: segment 3 of disk.001, "
                                                 "read as part of it, not as an exhibit"])
