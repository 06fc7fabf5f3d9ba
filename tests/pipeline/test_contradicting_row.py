"""A list row whose hashes name two different files (MD5 of one, SHA-256 of another) is not an exact
match on the weaker hash: the item whose SHA-256 differs from the row's is refused, and both items say
which entry of which list contradicts itself."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hashers"))
from hasher_pictures import picture


def test_a_row_with_hashes_of_two_files_is_no_exact_match_on_its_weaker_hash(cli, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    picture(320, 240, seed=1).save(evidence / "a.png")
    picture(320, 240, seed=2).save(evidence / "b.png")
    a, b = (evidence / "a.png").read_bytes(), (evidence / "b.png").read_bytes()
    listed = tmp_path / "coll.csv"
    listed.write_text(f"MD5,SHA256,Category\n{hashlib.md5(a).hexdigest()},{hashlib.sha256(b).hexdigest()},A\n")
    assert cli("hashset", "import", str(listed), "--name", "coll").code == 0
    assert cli("case", "create", "c").code == 0
    assert cli("scan", str(evidence), "--case", "c", "-q").code == 0
    rows = {Path(r["ref"]).name: r for r in map(json.loads, cli("export", "c").stdout.splitlines())}
    assert rows["a.png"]["matches"] == []
    (said,) = [w for w in rows["a.png"]["warnings"] if "coll" in w]
    assert said.startswith("not a match: entry ") and "of 'coll' gives this item's MD5 but a different SHA256" in said
    (kept,) = rows["b.png"]["matches"]
    assert (kept["kind"], kept["algorithm"]) == ("exact", "sha256")
    (said,) = [w for w in rows["b.png"]["warnings"] if "coll" in w]
    assert said.startswith("match kept on SHA256: entry ") and "a different MD5" in said
