"""The explicit list of formats: unique permanent names, lookup by name, detection in a fixed order."""

from __future__ import annotations

import json

import pytest

from footprint.errors import FormatError, UsageError
from footprint.hashsets import registry
from footprint.hashsets.problems import ReadReport

MD5 = "0123456789abcdef0123456789abcdef"


def test_names_are_unique_and_permanent() -> None:
    assert registry.format_names() == ("vics", "csv", "hashlist", "pdqlist", "vpdq")


def test_get_format_passes_options() -> None:
    report = ReadReport()
    fmt = registry.get_format("csv", on_problem=report, categories="vics")
    assert fmt.name == "csv" and fmt.on_problem is report  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match="known: vics, csv, hashlist, pdqlist"):
        registry.get_format("nsrl")


@pytest.mark.parametrize(("head", "name"), [
    (json.dumps({"@odata.context": "x", "value": [{"MD5": MD5}]}).encode(), "vics"),
    (b"md5,label\n" + MD5.encode() + b",x\n", "csv"),
    (b"md5\n" + MD5.encode() + b"\n", "csv"),
    (MD5.encode() + b"  a.jpg\n", "hashlist"),
    (("ab" * 32).encode() + b"\n", "hashlist"),
])
def test_detect_format(head: bytes, name: str) -> None:
    assert registry.detect_format(head).name == name
    assert registry.detect_format(head, categories="vics", on_problem=ReadReport()).name == name


@pytest.mark.parametrize("head", [b"", b"hello\n", b"\x89PNG\r\n\x1a\n", b'{"a": 1}'])
def test_unknown_content_names_the_formats_tried(head: bytes) -> None:
    with pytest.raises(FormatError, match=r"tried: vics, csv, hashlist"):
        registry.detect_format(head)


def test_duplicate_names_are_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "HASHSET_FORMATS", (*registry.HASHSET_FORMATS, registry.CsvFormat))
    with pytest.raises(RuntimeError, match="not unique"):
        registry.format_names()
