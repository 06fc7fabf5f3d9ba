"""Exports, reports and links written on the command line join the case's audit trail: who, what, where,
how many, and the SHA-256 of the very bytes written; the chain still verifies."""

from __future__ import annotations

import hashlib
import json


def _trail(cli, case: str) -> list[dict]:
    result = cli("audit", "show", case)
    assert result.code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_export_to_a_file_and_to_stdout_are_recorded_with_their_hashes(cli, demo_scanned, tmp_path):
    out = tmp_path / "items.csv"
    assert cli("export", "demo", "--format", "csv", "-o", str(out)).code == 0
    piped = cli("export", "demo", "--format", "jsonl")
    assert piped.code == 0
    exports = [e for e in _trail(cli, "demo") if e["action"] == "export"]
    assert len(exports) == 2
    to_file, to_stdout = (e["details"] for e in exports)
    assert to_file["output"] == str(out.resolve()) and to_file["format"] == "csv"
    assert to_file["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert to_stdout["output"] == "stdout" and to_stdout["count"] == len(piped.stdout.splitlines())
    assert to_stdout["sha256"] == hashlib.sha256(piped.stdout.encode()).hexdigest()
    assert all(e["user"].startswith("cli") for e in exports)
    assert cli("audit", "verify", "demo").code == 0


def test_report_and_links_are_recorded(cli, demo_case, tmp_path):
    for case in ("first", "second"):
        assert cli("case", "create", case).code == 0
        assert cli("scan", str(demo_case.evidence), "--case", case, "--quiet").code == 0
    report = tmp_path / "report.html"
    assert cli("report", "first", "-o", str(report)).code == 0
    links = tmp_path / "links.jsonl"
    assert cli("links", "-o", str(links)).code == 0
    first = _trail(cli, "first")
    (made,) = [e["details"] for e in first if e["action"] == "report"]
    assert made["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest() and made["format"] == "html"
    for case in ("first", "second"):  # the same files in both cases: links touch both
        (linked,) = [e["details"] for e in _trail(cli, case) if e["action"] == "export.links"]
        assert linked["cases"] == ["first", "second"] and linked["count"] == len(links.read_text().splitlines())
        assert linked["sha256"] == hashlib.sha256(links.read_bytes()).hexdigest()
        assert cli("audit", "verify", case).code == 0


def test_a_finished_scan_is_in_the_trail_with_its_fingerprints_and_lists(cli, tmp_path):
    """Who read which evidence, how it ended and against which lists: an entry each exhibit, written as
    its scan finishes (one already finished and not read again writes none)."""
    evidence = tmp_path / "usb"
    evidence.mkdir()
    (evidence / "a.txt").write_bytes(b"a benign file\n" * 40)
    (tmp_path / "known.csv").write_text(f"md5,category\n{hashlib.md5(b'x').hexdigest()},A\n")
    assert cli("hashset", "import", str(tmp_path / "known.csv"), "--name", "known").code == 0
    assert cli("case", "create", "s").code == 0
    assert cli("scan", str(evidence), "--case", "s").code == 0
    assert cli("scan", str(evidence), "--case", "s").code == 0  # finished before: nothing read, no entry
    scans = [e for e in _trail(cli, "s") if e["action"] == "scan"]
    assert len(scans) == 1 and scans[0]["user"].startswith("cli")
    facts = scans[0]["details"]
    assert facts["exhibit"] == "usb" and facts["status"] == "complete" and facts["kind"] == "folder"
    assert facts["hashes_before"] == facts["hashes_after"] != {} and facts["hash_sets"] == ["known"]
    assert cli("audit", "verify", "s").code == 0
