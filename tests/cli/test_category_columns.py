"""No category is lost at import without a word: common category column names are read, a column that
looks like a category but is not read is warned of, and the numbering used (UK or VICS) is said on
stderr and kept in the set's details."""

from __future__ import annotations

import hashlib
import json

import pytest

BENIGN = b"a benign test file\n"
MD5 = hashlib.md5(BENIGN).hexdigest()


def _said(result) -> str:  # type: ignore[no-untyped-def]
    """stderr with its wrapping undone."""
    return " ".join(result.stderr.split())


@pytest.mark.parametrize("column", ["UK Category", "Cat", "CAID Category", "category"])
def test_a_category_column_under_a_common_name_is_read(cli, tmp_path, column: str) -> None:
    listfile = tmp_path / "list.csv"
    listfile.write_text(f"MD5,{column}\n{MD5},A\n")
    imported = cli("hashset", "import", str(listfile), "--name", "l")
    assert imported.code == 0
    assert f"categories from column {column!r}: UK letters" in _said(imported)
    assert "(entries by scheme: 1 uk)" in _said(imported)
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "f.txt").write_bytes(BENIGN)
    assert cli("case", "create", "c").code == 0
    assert cli("scan", str(tmp_path / "ev"), "--case", "c", "-q").code == 0
    (row,) = map(json.loads, cli("export", "c").stdout.splitlines())
    assert [m["category"] for m in row["matches"]] == ["uk:A"]


def test_a_column_that_looks_like_a_category_but_is_not_read_is_warned_of(cli, tmp_path) -> None:
    listfile = tmp_path / "list.csv"
    listfile.write_text(f"MD5,Severity Grade\n{MD5},A\n")
    imported = cli("hashset", "import", str(listfile), "--name", "l")
    assert imported.code == 0
    assert "warning: column 'Severity Grade' looks like a category but is not read" in _said(imported)
    assert "no category column: entries have no category (entries by scheme: 1 uncategorised)" in _said(imported)
    details = cli("hashset", "show", "l").json()["details"]
    assert details["warnings"][0].startswith("warning: column 'Severity Grade'")


def test_a_vics_file_says_which_numbering_its_context_url_chose(cli, tmp_path) -> None:
    caid = tmp_path / "caid.json"
    caid.write_text(json.dumps({"odata.metadata": "https://caid.police.uk/odata/$metadata#Media",
                                "value": [{"MediaID": 1, "MD5": MD5, "Category": 2}]}))
    imported = cli("hashset", "import", str(caid), "--name", "caid")
    assert imported.code == 0
    assert "Category numbers read as VICS (Project VIC 0-4" in _said(imported)
    assert "does not name the UK profile" in _said(imported) and "--categories uk" in _said(imported)
    assert "looks like a UK source" in _said(imported)
    details = cli("hashset", "show", "caid").json()["details"]
    assert details["category_numbering"].startswith("Category numbers read as VICS")
    uk = tmp_path / "uk.json"
    context = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media"
    uk.write_text(json.dumps({"@odata.context": context, "value": [{"MediaID": 1, "MD5": MD5, "Category": 2}]}))
    said = _said(cli("hashset", "import", str(uk), "--name", "uk"))
    assert "read as UK-numeric (1-4 = UK A, B, C, N): the context URL" in said and "(entries by scheme: 1 uk)" in said
