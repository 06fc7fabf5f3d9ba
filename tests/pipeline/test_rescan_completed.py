"""Scanning a completed exhibit again reads nothing, and says so: which lists imported since were not
applied to its items; and evidence changed since a completed scan is refused in words that fit."""

from __future__ import annotations

import hashlib
from pathlib import Path

BENIGN = b"a benign file\n"


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.stderr.split())


def _scanned_once(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A folder exhibit e5, scanned to the end into case c."""
    evidence = tmp_path / "e5"
    evidence.mkdir()
    (evidence / "a.txt").write_bytes(BENIGN)
    assert cli("case", "create", "c").code == 0
    assert cli("scan", str(evidence), "--case", "c", "-q").code == 0
    return evidence


def test_a_completed_exhibit_scanned_again_names_the_lists_imported_since(cli, tmp_path: Path) -> None:
    evidence = _scanned_once(cli, tmp_path)
    again = cli("scan", str(evidence), "--case", "c", "-q")
    assert "exhibit e5 was scanned before (complete): nothing read again; every list in the store was applied" \
        in _said(again)
    (tmp_path / "new.csv").write_text(f"MD5,Category\n{hashlib.md5(BENIGN).hexdigest()},A\n")
    assert cli("hashset", "import", str(tmp_path / "new.csv"), "--name", "newlist").code == 0
    again = cli("scan", str(evidence), "--case", "c", "-q")
    assert again.code == 0
    assert "lists imported since were NOT applied to its items: newlist" in _said(again)


def test_evidence_changed_after_a_completed_scan_is_not_called_an_interrupted_scan(cli, tmp_path: Path) -> None:
    evidence = _scanned_once(cli, tmp_path)
    (evidence / "b.txt").write_bytes(b"added after the scan\n")
    refused = cli("scan", str(evidence), "--case", "c", "-q")
    assert refused.code != 0
    said = _said(refused)
    assert "interrupted" not in said and "changed since exhibit e5 of case c was scanned (complete)" in said
