"""An item one list calls vics:4 (ignorable) and another uk:A counts under uk:A in a case of either
scheme, says on the item that the lists disagree, and is never shared as VICS Category 4."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hashers"))
from hasher_pictures import picture

US = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"


@pytest.mark.parametrize("scheme", ["vics", "uk"])
def test_the_most_serious_category_of_either_scheme_counts_and_the_item_says_the_lists_disagree(
        cli, tmp_path: Path, scheme: str) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    picture(320, 240, seed=4).save(evidence / "a.png")
    md5 = hashlib.md5((evidence / "a.png").read_bytes()).hexdigest()
    (tmp_path / "us4.json").write_text(json.dumps(
        {"@odata.context": US, "value": [{"MediaID": 1, "MD5": md5, "Category": 4}]}))
    (tmp_path / "ukA.csv").write_text(f"MD5,Category\n{md5},A\n")
    assert cli("hashset", "import", str(tmp_path / "us4.json"), "--name", "us4").code == 0
    assert cli("hashset", "import", str(tmp_path / "ukA.csv"), "--name", "ukA").code == 0
    assert cli("case", "create", "c", "--scheme", scheme).code == 0
    scanned = cli("scan", str(evidence), "--case", "c", "-q")
    assert scanned.code == 0
    assert json.loads(scanned.stdout)["case_counts"]["by_category"] == {"uk:A": {"allocated": 1}}
    (row,) = map(json.loads, cli("export", "c").stdout.splitlines())
    (said,) = [w for w in row["warnings"] if w.startswith("lists disagree")]
    assert "uk:A (ukA), vics:4 (us4)" in said and "counts under the most serious, uk:A" in said
    shared = json.loads(cli("export", "c", "--format", "vics", "--profile", "us").stdout)["value"]
    assert [m.get("Category") for m in shared] == [None]
