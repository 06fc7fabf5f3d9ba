"""footprint case rematch: a list imported after a scan is matched against the stored hashes on the
command line; data on stdout, what happened on stderr, the scan's note points at it, the report and
export show the match, the audit trail records it, and a second run adds nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from footprint.demo import jpeg_bytes, picture

BENIGN = b"a benign file\n"


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.stderr.split())


def test_rematch_on_the_command_line(cli, tmp_path: Path) -> None:
    evidence = tmp_path / "e5"
    evidence.mkdir()
    (evidence / "a.txt").write_bytes(BENIGN)
    (evidence / "b.jpg").write_bytes(jpeg_bytes(picture(31)))
    assert cli("case", "create", "c").code == 0
    assert cli("scan", str(evidence), "--case", "c", "-q").code == 0
    (tmp_path / "new.csv").write_text(f"MD5,Category\n{hashlib.md5(BENIGN).hexdigest()},A\n")
    assert cli("hashset", "import", str(tmp_path / "new.csv"), "--name", "newlist").code == 0
    note = cli("scan", str(evidence), "--case", "c", "-q")
    assert "NOT applied to its items: newlist (to match its stored hashes against them without reading the " \
           "evidence again: footprint case rematch c --exhibit e5)" in _said(note)

    done = cli("case", "rematch", "c")
    assert done.code == 0, done.stderr
    assert done.json() == {"case": "c", "exhibits": [{
        "exhibit": "e5", "lists": ["newlist"], "items": 2, "matched_items": 1, "also_matched": 0,
        "new_matches": {"newlist": 1},
        "warnings": 0, "upright_only": 0, "known_good_marks": 0}]}
    assert ("e5: re-matched 2 items against newlist: 1 item matched for the first time, 0 items matched before "
            "gained a match; new matches per list: newlist 1") in _said(done)
    rows = {row["ref"]: row for row in cli("export", "c", "--format", "jsonl").jsonl()}
    assert [(m["hashset"], m["kind"], m["algorithm"]) for m in rows["e5/a.txt"]["matches"]] == \
        [("newlist", "exact", "md5")]
    assert rows["e5/b.jpg"]["matches"] == []
    report = tmp_path / "report.html"
    assert cli("report", "c", "-o", str(report)).code == 0
    assert "re-matched: the stored hashes of every item matched against it" in report.read_text()
    trail = cli("audit", "show", "c").jsonl()
    assert [e["details"]["exhibits"][0]["new_matches"] for e in trail if e["action"] == "rematch"] == \
        [{"newlist": 1}]
    assert cli("audit", "verify", "c").code == 0
    assert "every list in the store was applied" in _said(cli("scan", str(evidence), "--case", "c", "-q"))

    again = cli("case", "rematch", "c", "--exhibit", "e5")
    assert again.code == 0 and "e5: every hash set in the store was already applied" in _said(again)
    assert again.json()["exhibits"][0]["new_matches"] == {}
    assert len(cli("export", "c", "--format", "jsonl").jsonl()[0]["matches"]) == 1
    assert [e["action"] for e in cli("audit", "show", "c").jsonl()].count("rematch") == 1


def test_rematch_errors_are_one_line(cli, tmp_path: Path) -> None:
    assert cli("case", "create", "c").code == 0
    missing = cli("case", "rematch", "c", "--exhibit", "nope")
    assert missing.code == 3 and missing.stderr == "footprint: error: case c has no exhibit named nope\n"
    assert cli("case", "rematch", "nocase").code == 3
