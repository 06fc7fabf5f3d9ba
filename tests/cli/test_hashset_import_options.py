"""hashset import from the command line: numeric categories (--categories), the PDQ-list hint, the
vPDQ label, and one match per list for a hash the list names in several rows."""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from footprint.errors import FormatError, UsageError
from footprint.hashsets.csvlist import CsvFormat
from footprint.hashsets.vics import VicsFormat
from footprint.matching.explain import explain
from footprint.model import Match, MatchKind

BENIGN = b"a benign test file\n"
MD5 = hashlib.md5(BENIGN).hexdigest()


def _error_line(result) -> str:
    assert result.stderr.startswith("footprint: error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_csv_bare_number_is_refused_naming_the_option_then_read_with_it(cli, tmp_path):
    listfile = tmp_path / "numcat.csv"
    listfile.write_text(f"md5,category\n{MD5},1\n")
    refused = cli("hashset", "import", str(listfile), "--name", "n")
    assert refused.code == FormatError.exit_code
    assert "--categories vics or --categories uk" in _error_line(refused)
    assert cli("hashset", "show", "n").code != 0  # nothing half-imported

    assert cli("hashset", "import", str(listfile), "--name", "uk", "--categories", "uk").code == 0
    assert cli("hashset", "import", str(listfile), "--name", "vics", "--categories", "vics").code == 0
    assert cli("hashset", "show", "uk").json()["details"]["categories"] == "uk"
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "f.txt").write_bytes(BENIGN)
    cli("case", "create", "c")
    assert cli("scan", str(tmp_path / "ev"), "--case", "c").code == 0
    [row] = [json.loads(line) for line in cli("export", "c").stdout.splitlines()]
    assert {(m["hashset"], m["category"]) for m in row["matches"]} == {("uk", "uk:A"), ("vics", "vics:1")}


def test_vics_without_context_needs_categories_and_takes_them(cli, tmp_path):
    listfile = tmp_path / "nocontext.json"
    listfile.write_text(json.dumps({"value": [{"MD5": MD5, "Category": "1"}]}))
    refused = cli("hashset", "import", str(listfile), "--name", "v")
    assert refused.code == FormatError.exit_code and "--categories vics" in _error_line(refused)
    assert "categories='vics'" in refused.stderr  # still right for a Python caller
    assert cli("hashset", "import", str(listfile), "--name", "v", "--categories", "uk").code == 0
    shown = cli("hashset", "show", "v").json()
    assert shown["format"] == "vics" and shown["entry_count"] == 1 and shown["details"]["categories"] == "uk"


def test_categories_other_than_vics_or_uk_are_a_usage_error(cli, tmp_path):
    listfile = tmp_path / "l.csv"
    listfile.write_text(f"md5\n{MD5}\n")
    result = cli("hashset", "import", str(listfile), "--name", "x", "--categories", "none")
    assert result.code == UsageError.exit_code and "--categories must be vics or uk" in _error_line(result)


def test_categories_mean_nothing_to_a_plain_hash_list_and_do_not_break_it(cli, tmp_path):
    listfile = tmp_path / "l.txt"
    listfile.write_text(f"{MD5}  f\n")
    for forced in ((), ("--format", "hashlist")):
        name = f"h{len(forced)}"
        assert cli("hashset", "import", str(listfile), "--name", name, "--categories", "uk", *forced).code == 0
        assert cli("hashset", "show", name).json()["entry_count"] == 1


def test_python_callers_are_told_the_parameter_too():
    with pytest.raises(FormatError, match=r"categories='vics' or 'uk' in Python"):
        list(CsvFormat().read(_stream(f"md5,category\n{MD5},2\n")))
    with pytest.raises(FormatError, match=r"--categories vics .*categories='vics'"):
        list(VicsFormat().read(_stream(json.dumps({"value": [{"MD5": MD5, "Category": 2}]}))))


def _stream(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_a_detected_list_of_64_digit_values_names_format_pdqlist_once(cli, tmp_path):
    pdq = "f" * 16 + "0" * 16 + "a5" * 16
    listfile = tmp_path / "pdq.txt"
    listfile.write_text(f"{pdq} lady\n{pdq[::-1]} other\n")
    result = cli("hashset", "import", str(listfile), "--name", "p")
    assert result.code == 0
    hints = [line for line in result.stderr.splitlines() if "--format pdqlist" in line]
    assert len(hints) == 1 and "SHA-256" in hints[0]
    assert cli("hashset", "show", "p").json()["format"] == "hashlist"  # behaviour kept: never detected

    forced = cli("hashset", "import", str(listfile), "--name", "p2", "--format", "hashlist")
    assert forced.code == 0 and "--format pdqlist" not in forced.stderr  # the user chose SHA-256
    md5s = tmp_path / "md5.txt"
    md5s.write_text(f"{MD5}\n")
    assert "--format pdqlist" not in cli("hashset", "import", str(md5s), "--name", "m").stderr
    as_pdq = cli("hashset", "import", str(listfile), "--name", "p3", "--format", "pdqlist")
    assert as_pdq.code == 0 and "--format pdqlist" not in as_pdq.stderr


def test_a_vpdq_file_without_a_name_is_labelled_with_its_file_name(cli, tmp_path):
    frames = "".join(f"{n},100,{'f0' * 16}{'0f' * 16},{n / 10:.3f}\n" for n in range(3))
    (tmp_path / "plain.txt").write_text(frames)
    (tmp_path / "named.txt").write_text("# name: holiday video\n" + frames)
    assert cli("hashset", "import", str(tmp_path / "plain.txt"), "--name", "a", "--format", "vpdq").code == 0
    assert cli("hashset", "import", str(tmp_path / "named.txt"), "--name", "b", "--format", "vpdq").code == 0
    assert _labels() == {"a": ["plain.txt"], "b": ["holiday video"]}


def _labels() -> dict[str, list[str | None]]:
    from footprint.settings import Settings
    from footprint.store import open_store

    store = open_store(Settings.from_env().database_url)
    return {hs.name: [hit.entry.label for hit in store.iter_entries(hs.id)] for hs in store.list_hashsets()}


def test_one_hash_named_in_several_rows_matches_the_list_once(cli, tmp_path):
    other = hashlib.md5(b"something else").hexdigest()
    listfile = tmp_path / "dups.csv"
    listfile.write_text(f"md5,label,category\n{MD5},dup0,A\n{MD5},dup1,A\n{MD5},dup2,A\n{other},x,A\n"
                        f"{MD5},graver?,B\n")
    imported = cli("hashset", "import", str(listfile), "--name", "dups")
    assert imported.code == 0 and "imported 5 entries" in imported.stderr  # every row, as the file has them
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "f.txt").write_bytes(BENIGN)
    cli("case", "create", "c")
    assert cli("scan", str(tmp_path / "ev"), "--case", "c").code == 0
    [row] = [json.loads(line) for line in cli("export", "c").stdout.splitlines()]
    by_category = {m["category"]: m for m in row["matches"]}
    assert len(row["matches"]) == 2 and set(by_category) == {"uk:A", "uk:B"}  # a second category stays
    assert by_category["uk:A"]["label"] == "dup0"
    assert "3 rows" in by_category["uk:A"]["how"] and "3 rows" not in by_category["uk:B"]["how"]


def test_explain_names_the_folded_rows():
    match = Match(hashset="s", entry_id=4, kind=MatchKind.EXACT, algorithm="md5", distance=0,
                  details={"algorithms": ["md5"], "same_hash_entries": [7, 9]})
    assert explain(match) == "exact: MD5 equal; the list names this hash in 3 rows (entries 4, 7, 9)"
    plain = Match(hashset="s", entry_id=4, kind=MatchKind.EXACT, algorithm="md5", distance=0,
                  details={"algorithms": ["md5"]})
    assert explain(plain) == "exact: MD5 equal"


def test_damaged_rows_refuse_the_list_unless_skipped_then_each_is_recorded(cli, tmp_path):
    rows = [f"{i:032x},row {i}" for i in range(6)]
    rows[2], rows[4] = "zzzz,truncated", f"{4:031x},one digit short"
    listfile = tmp_path / "damaged.csv"
    listfile.write_text("md5,label\n" + "\n".join(rows) + "\n")
    refused = cli("hashset", "import", str(listfile), "--name", "d")
    assert refused.code == FormatError.exit_code and "line 4: md5 value 'zzzz'" in _error_line(refused)
    done = cli("hashset", "import", str(listfile), "--name", "d", "--skip-bad-rows")
    assert done.code == 0
    assert "skipped 2 bad rows (by line or record number: 4: md5 value 'zzzz'" in " ".join(done.stderr.split())
    shown = cli("hashset", "show", "d").json()
    assert shown["entry_count"] == 4 and shown["details"]["skipped_rows"] == 2
    assert [line.split(":")[0] for line in shown["details"]["skipped"]] == ["4", "6"]
    assert cli("case", "create", "c").code == 0
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "f.txt").write_bytes(BENIGN)
    assert cli("scan", str(tmp_path / "ev"), "--case", "c", "-q").code == 0  # matched against the list
    assert cli("report", "c", "-o", str(tmp_path / "report.html")).code == 0
    assert "4 (2 damaged rows of the file skipped)" in (tmp_path / "report.html").read_text()


def test_importing_and_removing_a_list_are_in_the_global_audit_trail(cli, tmp_path):
    """What a scan matches against changed, and who changed it: both in the global trail, with the
    list's file and its SHA-256, and the chain still verifies."""
    listed = tmp_path / "known.csv"
    listed.write_text(f"md5,category\n{MD5},A\n")
    assert cli("hashset", "import", str(listed), "--name", "known").code == 0
    assert cli("hashset", "remove", "known").code == 0
    shown = cli("audit", "show", "--global")
    entries = [json.loads(line) for line in shown.stdout.splitlines()]
    changes = [e for e in entries if e["action"].startswith("hashset.")]
    assert [e["action"] for e in changes] == ["hashset.import", "hashset.remove"]
    for entry in changes:
        assert entry["user"].startswith("cli") and entry["details"]["hashset"] == "known"
        assert entry["details"]["entries"] == 1 and entry["details"]["format"] == "csv"
        assert entry["details"]["file_sha256"] == hashlib.sha256(listed.read_bytes()).hexdigest()
    assert cli("audit", "verify", "--global").code == 0
