"""The CLI's public forms, its one-line errors and its exit codes."""

from __future__ import annotations

from footprint.errors import AlreadyExists, NotFound, UsageError


def test_case_lifecycle(cli):
    assert cli("case", "create", "op-lexus", "--description", "test").code == 0
    listing = cli("case", "list")
    assert listing.stdout.splitlines()[0].split("\t")[0] == "name"
    assert listing.stdout.splitlines()[1].split("\t")[:2] == ["op-lexus", "uk"]
    shown = cli("case", "show", "op-lexus").json()
    assert shown["case"]["name"] == "op-lexus" and shown["exhibits"] == []
    assert shown["counts"]["items"] == 0


def test_errors_are_one_line_with_the_kind_s_exit_code(cli):
    missing = cli("case", "show", "nope")
    assert missing.code == NotFound.exit_code
    assert missing.stderr.startswith("footprint: error: ") and missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr and missing.stdout == ""
    cli("case", "create", "twice")
    again = cli("case", "create", "twice")
    assert again.code == AlreadyExists.exit_code and again.stderr.count("\n") == 1


def test_bad_usage_is_one_line(cli, tmp_path):
    result = cli("export", "x", "--format", "xml")
    assert result.code == UsageError.exit_code
    assert result.stderr.startswith("footprint: error: ") and result.stderr.count("\n") == 1
    unknown_option = cli("scan", str(tmp_path), "--case", "x", "--frobnicate")
    assert unknown_option.code == 2 and unknown_option.stderr.count("\n") == 1


def test_debug_shows_the_traceback(cli):
    result = cli("--debug", "case", "show", "nope")
    assert result.code == NotFound.exit_code and "Traceback" in result.stderr


def test_scan_of_missing_evidence_fails_cleanly(cli, tmp_path):
    cli("case", "create", "c")
    result = cli("scan", str(tmp_path / "absent"), "--case", "c")
    assert result.code != 0 and result.stderr.startswith("footprint: error: ")


def test_hashset_lifecycle(cli, tmp_path):
    listfile = tmp_path / "list.txt"
    listfile.write_text("d41d8cd98f00b204e9800998ecf8427e  empty\n# comment\n"
                        "900150983cd24fb0d6963f7d28e17f72  abc\n")
    assert cli("hashset", "import", str(listfile), "--name", "md5s").code == 0
    shown = cli("hashset", "show", "md5s").json()
    assert shown["format"] == "hashlist" and shown["entry_count"] == 2 and shown["pdq_threshold"] == 31
    assert shown["details"]["file_sha256"]
    rows = cli("hashset", "list").stdout.splitlines()
    assert rows[1].startswith("md5s\thashlist\t2\t31\t")
    assert cli("hashset", "remove", "md5s").code == 0
    assert cli("hashset", "show", "md5s").code == NotFound.exit_code


def test_version(cli):
    result = cli("--version")
    assert result.code == 0 and result.stdout.startswith("footprint ")



def test_the_command_loads_what_a_command_needs_only():
    """The web stack (FastAPI, uvicorn: half a second to import), the detection service, networkx and the
    Argon2 dummy hash are loaded by the commands that use them, not by every command as it starts."""
    import subprocess
    import sys

    probe = """
import sys
import typer
from footprint.cli.main import app
typer.main.get_command(app)  # every command registered, with its options
from footprint.review import accounts
heavy = ("fastapi", "uvicorn", "networkx", "footprint.web.app", "footprint.banks.service")
print(*[name for name in heavy if name in sys.modules], accounts._dummy_hash.cache_info().currsize)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0"]


def test_an_interrupted_scan_says_so_and_exits_130(cli, tmp_path, monkeypatch):
    """Ctrl-C (and SIGTERM, made the same) mid-scan: one line and exit 130, so that `scan && report` stops
    there; typer hands the interrupt back as an exit code, which once read as success."""
    from footprint.pipeline.scan import Scanner

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "a.txt").write_text("benign")
    assert cli("case", "create", "c").code == 0
    monkeypatch.setattr(Scanner, "scan", interrupted)
    result = cli("scan", str(tmp_path / "ev"), "--case", "c", "-q")
    assert result.code == 130 and result.stdout == ""
    assert result.stderr == ("footprint: error: interrupted; finished items are saved: run the same command "
                             "again to resume\n")
