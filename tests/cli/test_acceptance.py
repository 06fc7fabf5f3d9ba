"""Defects found in an acceptance pass run as an investigator would: each test pins the fixed outcome."""

from __future__ import annotations

import pytest

from footprint.errors import NotFound


def _one_line_error(result) -> bool:
    return (result.stderr.startswith("footprint: error: ") and result.stderr.count("\n") == 1
            and "Traceback" not in result.stderr and "internal error" not in result.stderr)


def test_a_missing_input_file_is_not_found(cli, tmp_path):
    result = cli("hashset", "import", str(tmp_path / "absent.txt"), "--name", "x")
    assert result.code == NotFound.exit_code and _one_line_error(result)
    assert "absent.txt" in result.stderr and "does not exist" in result.stderr
    assert cli("hashset", "list").stdout.splitlines()[1:] == []
    folder = cli("hashset", "build", str(tmp_path / "no-folder"), "--name", "x")
    assert folder.code == NotFound.exit_code and _one_line_error(folder) and "no-folder" in folder.stderr


def test_an_output_in_a_missing_folder_is_one_line_not_an_internal_error(cli, tmp_path):
    cli("case", "create", "c")
    target = tmp_path / "no-such-folder" / "out"
    for args in (("export", "c", "-o", f"{target}.jsonl"), ("report", "c", "-o", f"{target}.html"),
                 ("links", "c", "-o", f"{target}.json")):
        result = cli(*args)
        assert result.code == NotFound.exit_code and _one_line_error(result), (args, result.stderr)
        assert "no-such-folder" in result.stderr and result.stdout == ""
    assert not target.parent.exists()


def test_an_output_that_cannot_be_written_is_one_line(cli, tmp_path):
    cli("case", "create", "c")
    result = cli("export", "c", "-o", str(tmp_path))  # a folder, not a file
    assert result.code == 1 and _one_line_error(result), result.stderr
    assert str(tmp_path) in result.stderr


def test_a_case_name_must_be_printable_and_not_empty(cli):
    for bad in ("", "   ", " padded", "tab\there", "line\nbreak"):
        result = cli("case", "create", bad)
        assert result.code == 2 and _one_line_error(result), repr(bad)
    assert cli("case", "list").stdout.splitlines()[1:] == []
    assert cli("case", "create", "op-lexus 2026/01").code == 0


def test_user_add_with_an_unknown_role_fails_before_asking_for_a_password(cli, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal, no password: must not be needed
    result = cli("user", "add", "rita", "--role", "boss")
    assert result.code == 2 and _one_line_error(result) and "unknown role 'boss'" in result.stderr
    assert "Password" not in result.stderr
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password-1\n"))
    assert cli("user", "add", "rita", "--role", "reviewer", "--password-stdin").code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    again = cli("user", "add", "rita", "--role", "reviewer")
    assert again.code == 4 and _one_line_error(again) and "Password" not in again.stderr


def test_json_output_times_are_iso_8601_utc_as_in_the_exports(cli, tmp_path):
    from datetime import datetime

    cli("case", "create", "c")
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "a.txt").write_text("benign")
    assert cli("scan", str(tmp_path / "ev"), "--case", "c").code == 0
    shown = cli("case", "show", "c").json()
    exhibit = shown["exhibits"][0]
    for text in (shown["case"]["created"], exhibit["started"], exhibit["finished"]):
        assert "T" in text and text.endswith("+00:00"), text
        assert datetime.fromisoformat(text).utcoffset().total_seconds() == 0


def test_knowngood_import_says_how_many_rows_it_left_out(cli, tmp_path):
    import hashlib
    import sqlite3

    db = tmp_path / "rds.db"
    with sqlite3.connect(db) as conn:  # an NSRL RDS v3 "minimal" table, two good rows and a bad one
        conn.execute("CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, file_name TEXT, file_size INTEGER, "
                     "package_id INTEGER)")
        for data in (b"benign one", b"benign two"):
            conn.execute("INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?)",
                         (hashlib.sha256(data).hexdigest().upper(), hashlib.sha1(data).hexdigest().upper(),
                          hashlib.md5(data).hexdigest().upper(), "f.dll", len(data), 1))
        conn.execute("INSERT INTO FILE VALUES ('NOT-HEX', ?, ?, 'bad.dll', 1, 7)", ("0" * 40, "0" * 32))
    conn.close()
    result = cli("knowngood", "import", str(db), "--name", "nsrl", "--algorithms", "sha256,md5")
    assert result.code == 0, result.stderr
    said = " ".join(result.stderr.split())  # the console wraps long lines
    assert "imported 3 rows" in said and said.endswith("left out, missing or malformed: 1 sha256")


def test_scan_summary_counts_agree_with_case_show_and_the_export(cli, demo_scanned, tmp_path):
    import json

    summary = cli("scan", str(demo_scanned.evidence), "--case", "demo").json()  # again: nothing new
    assert summary["items"] == 0
    counts = summary["case_counts"]
    assert counts == cli("case", "show", "demo").json()["counts"]
    rows = [json.loads(line) for line in cli("export", "demo").stdout.splitlines()]
    assert counts["items"] == len(rows) and counts["warnings"] == sum(len(r["warnings"]) for r in rows)
    assert counts["by_state"] == {"allocated": len(rows)}
    assert counts["matched_by_state"] == {"allocated": sum(1 for r in rows if r["matches"])}
    assert sum(n for by in counts["by_category"].values() for n in by.values()) == \
        counts["matched_by_state"]["allocated"]


def test_serve_on_a_port_in_use_is_one_line_exit_1(home):
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "footprint", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "FOOTPRINT_HOME": str(home)})
    assert done.returncode == 1, done.stderr  # uvicorn's own exit code 3 read as "not found"
    assert done.stderr == f"footprint: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert done.stdout == ""


def test_a_bad_batch_size_setting_is_a_usage_error_not_an_internal_one(cli, monkeypatch):
    for bad in ("abc", "0", "-4", "2.5"):
        monkeypatch.setenv("FOOTPRINT_BATCH_SIZE", bad)
        result = cli("case", "list")
        assert result.code == 2 and _one_line_error(result), (bad, result.stderr)
        assert "FOOTPRINT_BATCH_SIZE" in result.stderr and result.stdout == ""
    monkeypatch.setenv("FOOTPRINT_BATCH_SIZE", "8")
    assert cli("case", "list").code == 0


def test_two_evidence_paths_of_one_name_are_refused_before_any_scan(cli, tmp_path):
    from footprint.errors import EvidenceError

    for side in ("a", "b"):
        (tmp_path / side / "usb").mkdir(parents=True)
        (tmp_path / side / "usb" / f"{side}.txt").write_text(side)
    cli("case", "create", "c")
    result = cli("scan", str(tmp_path / "a" / "usb"), str(tmp_path / "b" / "usb"), "--case", "c")
    assert result.code == EvidenceError.exit_code and _one_line_error(result)
    assert "nothing was scanned" in result.stderr
    assert cli("case", "show", "c").json()["exhibits"] == []  # refused before the first was scanned
    assert cli("scan", str(tmp_path / "a" / "usb"), "--case", "c").code == 0
    again = cli("scan", str(tmp_path / "a" / "usb"), str(tmp_path / "b" / "usb"), "--case", "c")
    assert again.code == EvidenceError.exit_code and str(tmp_path / "a" / "usb") in again.stderr
    assert cli("scan", str(tmp_path / "a" / "usb"), "--case", "c").code == 0  # the same path resumes


def test_outputs_never_overwrite_evidence(cli, tmp_path):
    evidence = tmp_path / "usb"
    evidence.mkdir()
    (evidence / "a.txt").write_text("benign")
    image = tmp_path / "card.dd"
    image.write_bytes(b"\0" * 4096)
    cli("case", "create", "c")
    assert cli("scan", str(evidence), str(image), "--case", "c").code == 0
    for args in (("export", "c", "-o", str(image)), ("export", "c", "-o", str(evidence / "out.jsonl")),
                 ("report", "c", "-o", str(evidence / "sub" / ".." / "r.html")),
                 ("links", "c", "-o", str(image))):
        result = cli(*args)
        assert result.code == 2 and _one_line_error(result) and "is evidence" in result.stderr, args
    assert image.read_bytes() == b"\0" * 4096 and sorted(p.name for p in evidence.iterdir()) == ["a.txt"]
    assert cli("export", "c", "-o", str(tmp_path / "out.jsonl")).code == 0


def test_a_table_row_stays_one_line_whatever_a_description_holds(cli):
    assert cli("case", "create", "c", "--description", "seized 3 May\nexhibit\tKL/1").code == 0
    lines = cli("case", "list").stdout.splitlines()
    assert len(lines) == 2 and len(lines[1].split("\t")) == len(lines[0].split("\t")) == 5
    assert lines[1].split("\t")[4] == "seized 3 May\\nexhibit\\tKL/1"
    assert cli("case", "show", "c").json()["case"]["description"] == "seized 3 May\nexhibit\tKL/1"


def test_export_profile_without_vics_is_a_usage_error(cli):
    cli("case", "create", "c")
    result = cli("export", "c", "--format", "csv", "--profile", "us")
    assert result.code == 2 and _one_line_error(result) and "--format vics" in result.stderr
    assert result.stdout == ""
    assert cli("export", "c", "--format", "vics", "--profile", "us").code == 0


def test_a_bad_profile_leaves_an_existing_output_file_alone(cli, tmp_path):
    cli("case", "create", "c")
    kept = tmp_path / "keep.vics"
    kept.write_text("an earlier export")
    result = cli("export", "c", "--format", "vics", "--profile", "xx", "-o", str(kept))
    assert result.code == 2 and _one_line_error(result) and "uk or us" in result.stderr
    assert kept.read_text() == "an earlier export"


def test_hashset_build_with_a_vics_path_in_no_folder_builds_nothing(cli, tmp_path):
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "a.txt").write_text("benign")
    result = cli("hashset", "build", str(pictures), "--name", "built", "--vics", str(tmp_path / "no" / "x.json"))
    assert result.code == NotFound.exit_code and _one_line_error(result)
    assert cli("hashset", "list").stdout.splitlines()[1:] == []  # not half done: the set was not saved
    assert cli("hashset", "build", str(pictures), "--name", "built", "--vics", str(tmp_path / "x.json")).code == 0


def test_export_with_a_bad_signing_key_writes_nothing(cli, tmp_path):
    from footprint.errors import FormatError

    cli("case", "create", "c")
    key = tmp_path / "unit.key"
    key.write_text("not a key\n")
    target = tmp_path / "list.json"
    result = cli("export", "c", "--format", "vics", "-o", str(target), "--sign", str(key))
    assert result.code == FormatError.exit_code and _one_line_error(result)
    assert not target.exists() and not (tmp_path / "list.json.sig").exists()


def test_names_a_command_creates_are_never_empty_or_padded(cli, tmp_path):
    listfile = tmp_path / "list.txt"
    listfile.write_text("900150983cd24fb0d6963f7d28e17f72  abc\n")
    for args in (("hashset", "import", str(listfile), "--name", ""),
                 ("hashset", "build", str(tmp_path), "--name", " x"),
                 ("bank", "create", ""), ("apikey", "add", "a\tb", "--scope", "query")):
        result = cli(*args)
        assert result.code == 2 and _one_line_error(result) and "name is 1-200 printable" in result.stderr, args
        assert result.stdout == ""  # no API token printed for a refused key
    assert cli("hashset", "list").stdout.splitlines()[1:] == []
    assert cli("apikey", "list").stdout.splitlines()[1:] == []


def test_report_named_pdf_without_pdf_is_refused_not_html_in_disguise(cli, tmp_path):
    cli("case", "create", "c")
    result = cli("report", "c", "-o", str(tmp_path / "court.PDF"))
    assert result.code == 2 and _one_line_error(result) and "--pdf" in result.stderr
    assert not (tmp_path / "court.PDF").exists()
    assert cli("report", "c", "-o", str(tmp_path / "court.html")).code == 0


def test_export_and_report_of_an_unfinished_scan_say_so_on_stderr(cli, demo_case, tmp_path):
    from footprint.pipeline.scan import Scanner
    from footprint.settings import Settings
    from footprint.store import open_store

    class StopAfterTen:
        left = 10

        def exhibit_started(self, *args) -> None: ...
        def exhibit_finished(self, *args) -> None: ...

        def item_done(self, *args) -> None:
            self.left -= 1
            if self.left < 0:
                raise KeyboardInterrupt

    cli("case", "create", "demo")
    settings = Settings.from_env(batch_size=2)
    with pytest.raises(KeyboardInterrupt):
        Scanner(open_store(settings.database_url), settings, StopAfterTen()).scan("demo", [demo_case.evidence])
    exported = cli("export", "demo")
    assert exported.code == 0 and exported.stdout.count("\n") >= 1
    said = " ".join(exported.stderr.split())
    assert "the scan of exhibit evidence is not finished: only the items saved so far" in said
    reported = cli("report", "demo", "-o", str(tmp_path / "r.html"))
    assert reported.code == 0 and "is not finished" in reported.stderr
    assert cli("scan", str(demo_case.evidence), "--case", "demo").code == 0
    assert "not finished" not in cli("export", "demo").stderr
