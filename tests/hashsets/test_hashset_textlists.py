"""CSV and plain hash lists: headers, delimiters, md5sum/BSD lines, bad lines with line numbers."""

from __future__ import annotations

import io

import pytest

from footprint.errors import FormatError
from footprint.hashsets.csvlist import CsvFormat
from footprint.hashsets.hashlist import HashListFormat, PdqListFormat
from footprint.hashsets.problems import ReadReport
from footprint.hashsets.registry import detect_format
from footprint.model import Category, CategoryScheme, KnownEntry

MD5 = "0123456789abcdef0123456789abcdef"
SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "ab" * 32
PDQ = "f0" * 32


def read_csv(text: str, **options: object) -> list[KnownEntry]:
    return list(CsvFormat(**options).read(io.BytesIO(text.encode("utf-8"))))  # type: ignore[arg-type]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_and_columns(delimiter: str) -> None:
    rows = [["Extra", "MD5", "SHA-1", "sha256", "PDQ", "Category", "Label", "Series"],
            ["x", MD5.upper(), SHA1, SHA256, PDQ, "Cat B", "holiday, 1", "s"],
            ["y", "", "", "", PDQ, "", "", ""]]
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows)
    assert CsvFormat().sniff(text.encode())
    assert read_csv(text) == [
        KnownEntry(md5=MD5, sha1=SHA1, sha256=SHA256, pdq=PDQ, category=Category(CategoryScheme.UK, "B"),
                   label="holiday, 1", series="s"),
        KnownEntry(pdq=PDQ)]


def test_csv_byte_order_mark_blank_rows_and_short_rows() -> None:
    text = "\ufeffsha1,label\n\n" + SHA1 + "\n,\n"
    report = ReadReport()
    assert read_csv(text, on_problem=report) == [KnownEntry(sha1=SHA1)]
    assert report.skipped == 0


def test_csv_numbers_need_a_scheme() -> None:
    text = f"md5,category\n{MD5},1\n"
    with pytest.raises(FormatError, match=r"line 2: .*bare number"):
        read_csv(text)
    assert read_csv(text, categories="vics")[0].category == Category(CategoryScheme.VICS, "1")
    assert read_csv(text, categories="uk")[0].category == Category(CategoryScheme.UK, "A")



@pytest.mark.parametrize("closed_later", [False, True])
def test_a_quote_left_open_refuses_the_list_instead_of_losing_its_rows(closed_later: bool) -> None:
    """csv reads every line after an unclosed quote as one field, up to the next quote (or the end):
    the rows in those lines must not vanish from a list that then imports "successfully"."""
    rows = [f"{i:032x},row {i}" for i in range(50)]
    rows[2] = f'{2:032x},"Holiday, 2019'
    if closed_later:
        rows[40] = f'{40:032x},"row" 40'
    with pytest.raises(FormatError, match=r"^CSV line 4: a quote opened there runs over \d+ lines, and line 5 "):
        read_csv("md5,label\n" + "\n".join(rows) + "\n")


def test_a_quoted_label_may_hold_line_breaks_and_quotes() -> None:
    text = f'md5,label\n{MD5},"first\nsecond, and ""third"""\n{MD5},12" vinyl\n'
    assert [e.label for e in read_csv(text)] == ['first\nsecond, and "third"', '12" vinyl']

def test_csv_bad_rows_are_reported_with_physical_line_numbers() -> None:
    text = f'md5,label\n{MD5},"two\nlines"\n\nnot-hex,x\n{MD5[:-2]},y\n,only a label\n{MD5},ok\n'
    report = ReadReport()
    entries = read_csv(text, on_problem=report)
    assert [e.label for e in entries] == ["two\nlines", "ok"]
    assert [n for n, _ in report.problems] == [5, 6, 7]
    assert "no hash" in report.problems[2][1]


@pytest.mark.parametrize("header", ["name,size\n", "hash;category\n", "", MD5 + "\n"])
def test_csv_without_a_hash_column_is_refused(header: str) -> None:
    assert not CsvFormat().sniff(header.encode())
    with pytest.raises(FormatError, match="no hash column"):
        read_csv(header)


def test_csv_overlong_line_is_refused_without_loading_it() -> None:
    with pytest.raises(FormatError, match="longer than"):
        read_csv("md5,label\n" + MD5 + "," + "x" * 2_000_000)


def read_list(data: bytes, fmt: HashListFormat | None = None) -> list[KnownEntry]:
    return list((fmt or HashListFormat()).read(io.BytesIO(data)))


def test_hashlist_lengths_and_md5sum_output() -> None:
    data = (f"# exported list\n\n{MD5.upper()}\n{SHA1}  photos/a b.jpg\n{SHA256} *bin.dat\n"
            f"\\{MD5}  back\\\\slash\\nname\nMD5 (x.jpg) = {MD5}\nSHA256 (y) = {SHA256}\n").encode()
    assert HashListFormat().sniff(data)
    assert read_list(data) == [
        KnownEntry(md5=MD5), KnownEntry(sha1=SHA1, label="photos/a b.jpg"),
        KnownEntry(sha256=SHA256, label="bin.dat"), KnownEntry(md5=MD5, label="back\\slash\nname"),
        KnownEntry(md5=MD5, label="x.jpg"), KnownEntry(sha256=SHA256, label="y")]


def test_hashlist_bad_lines_have_line_numbers() -> None:
    data = f"{MD5}\n{MD5}0\nhello\nSHA1 (x) = {MD5}\n\xff\xfe\n{SHA1}\n".encode("latin-1")
    with pytest.raises(FormatError, match="line 2: 33 hex digits"):
        read_list(data)
    report = ReadReport()
    assert read_list(data, HashListFormat(on_problem=report)) == [KnownEntry(md5=MD5), KnownEntry(sha1=SHA1)]
    assert [n for n, _ in report.problems] == [2, 3, 4, 5]


def test_hashlist_overlong_line_is_skipped_and_reading_goes_on() -> None:
    report = ReadReport()
    data = b"a" * 200_000 + b"\n" + MD5.encode() + b"\n"
    assert read_list(data, HashListFormat(on_problem=report)) == [KnownEntry(md5=MD5)]
    assert [n for n, _ in report.problems] == [1]


def test_hashlist_sniff_refuses_other_text() -> None:
    fmt = HashListFormat()
    assert not fmt.sniff(b"md5\n" + MD5.encode())
    assert not fmt.sniff(b"# only a comment\n\n")
    assert not fmt.sniff(b'{"value": []}')
    head = (MD5 + "\n").encode() * 2000
    assert fmt.sniff(head[: 64 * 1024])  # the cut last line is ignored


def test_64_digit_lines_are_sha256_unless_pdqlist_is_chosen() -> None:
    data = f"{PDQ}\n{PDQ.upper()}  q90\n{PDQ},label\n".encode()
    assert read_list(data.splitlines(keepends=True)[0]) == [KnownEntry(sha256=PDQ)]
    assert read_list(data, PdqListFormat()) == [
        KnownEntry(pdq=PDQ), KnownEntry(pdq=PDQ, label="q90"), KnownEntry(pdq=PDQ, label="label")]
    assert not PdqListFormat().sniff(data)
    with pytest.raises(FormatError, match="line 1"):
        read_list(MD5.encode(), PdqListFormat())


def test_a_hash_list_with_a_few_bad_lines_is_still_recognised_and_they_are_reported() -> None:
    data = f"{MD5}\nzzzz\n{SHA1}  holiday.jpg\n".encode()
    fmt = detect_format(data)
    assert isinstance(fmt, HashListFormat)
    report = ReadReport()
    assert read_list(data, HashListFormat(on_problem=report)) == [KnownEntry(md5=MD5),
                                                                   KnownEntry(sha1=SHA1, label="holiday.jpg")]
    assert [n for n, _ in report.problems] == [2]
    with pytest.raises(FormatError):  # mostly not hash lines: not taken for a hash list
        detect_format(f"{MD5}\nzzzz\nyyyy\n".encode())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_csv_column_names_as_tools_export_them_and_unicode_text(encoding: str) -> None:
    """ "MD5 Hash", "SHA-1 Value", "File Name" (forensic tools' exports), in a spreadsheet's "Unicode
    text" (UTF-16 with its byte order mark) as well as UTF-8; found by detection too."""
    text = f"File Name,MD5 Hash,SHA-1 Value,PDQ Digest\nholiday.jpg,{MD5.upper()},{SHA1},{PDQ}\n"
    data = text.encode(encoding)
    assert data.startswith(b"\xff\xfe") == (encoding == "utf-16")
    fmt = detect_format(data)
    assert fmt.name == "csv"
    assert list(fmt.read(io.BufferedReader(io.BytesIO(data)))) == [  # type: ignore[arg-type]
        KnownEntry(md5=MD5, sha1=SHA1, pdq=PDQ, label="holiday.jpg")]
