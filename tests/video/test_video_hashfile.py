"""The "vpdq" hash-set format: one reference vPDQ file becomes one known entry carrying its frames."""

from __future__ import annotations

import io

import pytest

from conftest import SAMPLE_HASHES
from footprint.errors import FormatError
from footprint.hashers.vpdq import frames_from_text
from footprint.hashsets.problems import ReadReport
from footprint.hashsets.vpdqfile import VpdqFileFormat
from footprint.matching.video import compare
from footprint.model import Category, CategoryScheme

LINES = ("0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n"
         "30,97,C0F11178372C6AACCDDEA259648FBFD62F434C89C9E99B249772BE216C8D055C,1.000\n")


def test_reads_a_reference_file_as_one_entry() -> None:
    path = SAMPLE_HASHES / "chair-19-sd-bar.txt"
    if not path.exists():
        pytest.skip(f"reference data {path} is absent")
    fmt = VpdqFileFormat()
    assert fmt.sniff(path.read_bytes()[:65536])
    with path.open("rb") as stream:
        entries = list(fmt.read(stream))
    assert len(entries) == 1 and entries[0].label is None and entries[0].hashes() == {}
    frames = frames_from_text(entries[0].extra["vpdq"])
    original = frames_from_text(path.read_text())
    assert len(frames) == len(original) == 564
    assert compare(frames, original).rule() == "full"


def test_header_comments_fill_the_entry() -> None:
    text = "# name: known video 12\n# category: uk:a\n# series: blue room\n" + LINES
    (entry,) = VpdqFileFormat().read(io.BytesIO(text.encode()))
    assert entry.label == "known video 12" and entry.series == "blue room"
    assert entry.category == Category(CategoryScheme.UK, "A")
    frames = frames_from_text(entry.extra["vpdq"])
    assert [f.number for f in frames] == [0, 30] and frames[1].pdq.islower() and frames[1].quality == 97


def test_sniff_rejects_other_lists() -> None:
    fmt = VpdqFileFormat()
    assert not fmt.sniff(b"d41d8cd98f00b204e9800998ecf8427e  empty.txt\n")
    assert not fmt.sniff(b"md5,category\nd41d8cd98f00b204e9800998ecf8427e,1\n")
    assert not fmt.sniff(b"# only a comment\n")
    assert fmt.sniff(LINES.encode() + b"12,100,e27101")  # a head may end inside a line


def test_bad_line_names_its_number() -> None:
    text = LINES + "60,100,not-a-hash,2.000\n"
    with pytest.raises(FormatError, match="line 3"):
        list(VpdqFileFormat().read(io.BytesIO(text.encode())))
    report = ReadReport()
    (entry,) = VpdqFileFormat(on_problem=report).read(io.BytesIO(text.encode()))
    assert report.skipped == 1 and len(frames_from_text(entry.extra["vpdq"])) == 2


def test_quality_out_of_range_and_empty_file_are_format_errors() -> None:
    with pytest.raises(FormatError, match="quality"):
        list(VpdqFileFormat().read(io.BytesIO(LINES.replace(",97,", ",170,").encode())))
    with pytest.raises(FormatError, match="no frame"):
        list(VpdqFileFormat().read(io.BytesIO(b"# name: x\n\n")))
