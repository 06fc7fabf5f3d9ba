"""footprint user and footprint audit, through the command line (the ``cli`` fixture): accounts made
without a password argument, and an audit trail tampered with in the database that verify refuses."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3

import pytest

from footprint.review import accounts, decisions
from footprint.settings import Settings
from footprint.store import open_store

PASSWORD = "correct horse battery staple"


@pytest.fixture
def with_stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def _add(cli, with_stdin, name, role):
    with_stdin(PASSWORD + "\n")
    return cli("user", "add", name, "--role", role, "--password-stdin")


def test_user_add_list_grant(cli, demo_scanned, with_stdin):
    assert _add(cli, with_stdin, "rita", "reviewer").code == 0
    assert _add(cli, with_stdin, "ann", "auditor").code == 0
    again = _add(cli, with_stdin, "rita", "admin")
    assert again.code == 4 and again.stderr.startswith("footprint: error: user 'rita' already exists")
    assert cli("user", "grant", "rita", "demo").code == 0
    assert cli("user", "grant", "nobody", "demo").code == 3
    rows = [line.split("\t") for line in cli("user", "list").stdout.splitlines()]
    assert rows[0] == ["name", "role", "active", "created", "cases"]
    assert [(r[0], r[1], r[2], r[4]) for r in rows[1:]] == [("ann", "auditor", "yes", ""),
                                                             ("rita", "reviewer", "yes", "demo")]
    store = open_store(Settings.from_env().database_url)
    assert accounts.check_password(store, "rita", PASSWORD).role == "reviewer"


def test_bad_role_and_empty_password_are_usage_errors(cli, home, with_stdin):
    with_stdin(PASSWORD + "\n")
    assert cli("user", "add", "rita", "--role", "chief", "--password-stdin").code == 2
    with_stdin("\n")
    result = cli("user", "add", "rita", "--role", "reviewer", "--password-stdin")
    assert result.code == 2 and "no password" in result.stderr


def _decide_some(settings):
    store = open_store(settings.database_url)
    case = store.get_case("demo")
    boss = accounts.add_user(store, "boss", PASSWORD, "admin")
    ids = [r.id for r in store.iter_items(case.id)][:3]
    for category in ("uk:A", "uk:B", "uk:C"):
        decisions.decide(store, boss, case, ids, category)
    store.close()


def test_audit_verify_prints_the_head_and_fails_on_a_tampered_row(cli, demo_scanned, home):
    settings = Settings.from_env()
    _decide_some(settings)
    intact = cli("audit", "verify", "demo")
    assert intact.code == 0, intact.stderr
    head = intact.stdout.strip()
    shown = cli("audit", "show", "demo").jsonl()
    assert [e["seq"] for e in shown] == [1, 2, 3, 4] and shown[-1]["hash"] == head
    assert [e["action"] for e in shown] == ["scan", "decide", "decide", "decide"]  # the demo's scan, then three
    assert [e["details"]["category"] for e in shown[1:]] == ["uk:A", "uk:B", "uk:C"]
    database = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:  # someone changes a decision's category in the trail
        conn.execute("UPDATE audit_log SET details = ? WHERE seq = 3 AND chain LIKE 'case:%'",
                     ('{"category": "uk:C", "items": [1, 2, 3]}',))
    tampered = cli("audit", "verify", "demo")
    assert tampered.code == 9 and tampered.stdout == ""
    lines = tampered.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("footprint: error: audit trail case:") and "entry 3" in lines[0]


def test_audit_of_a_case_without_a_trail_and_the_global_trail(cli, demo_scanned, with_stdin):
    assert cli("case", "create", "unscanned").code == 0
    empty = cli("audit", "verify", "unscanned")
    assert empty.code == 0 and empty.stdout == "\n"
    assert cli("audit", "show", "unscanned").stdout == ""
    assert [e["action"] for e in cli("audit", "show", "demo").jsonl()] == ["scan"]  # the demo's one scan
    _add(cli, with_stdin, "rita", "reviewer")
    shown = cli("audit", "show", "--global").jsonl()
    assert [e["action"] for e in shown] == ["hashset.import", "user.add"]  # the demo's list, then rita
    assert shown[-1]["details"] == {"name": "rita", "role": "reviewer"}
    assert shown[-1]["user"].startswith("cli")
    assert cli("audit", "verify", "--global").code == 0
    assert cli("audit", "verify").code == 2
    assert cli("audit", "verify", "nope").code == 3


def test_the_court_report_shows_decisions_apart_from_list_matches(cli, demo_scanned, tmp_path):
    settings = Settings.from_env()
    store = open_store(settings.database_url)
    case = store.get_case("demo")
    boss = accounts.add_user(store, "boss", PASSWORD, "admin")
    records = list(store.iter_items(case.id))
    matched = next(r for r in records if r.matches)
    new = next(r for r in records if not r.matches and r.digests and (r.digests.media_type or "").startswith("image/"))
    decisions.decide(store, boss, case, [matched.id, new.id], "uk:B")
    store.close()
    out = tmp_path / "report.html"
    assert cli("report", "demo", "-o", str(out)).code == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("category uk:B, decided by boss at ") == 2
    assert "Items categorised by reviewers, in no list (1)" in html
    section = html.split('id="decided"')[1]
    assert new.ref in section and matched.ref not in section
    # the report quotes the trail's head as it was written; the trail's next entry records the report itself
    trail = [json.loads(line) for line in cli("audit", "show", "demo").stdout.splitlines()]
    assert trail[-1]["action"] == "report" and trail[-1]["prev_hash"] in html
    assert trail[-1]["details"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert cli("audit", "verify", "demo").stdout.strip() == trail[-1]["hash"]


def test_audit_verify_fails_on_a_decision_changed_in_the_database(cli, demo_scanned, home):
    settings = Settings.from_env()
    _decide_some(settings)
    assert cli("audit", "verify", "demo").code == 0
    database = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:  # the newest decision on the first item, made a category A
        conn.execute("UPDATE review_decisions SET category = 'uk:A' WHERE id = (SELECT max(id) FROM review_decisions)")
    tampered = cli("audit", "verify", "demo")
    assert tampered.code == 9 and tampered.stdout == ""
    line = tampered.stderr.strip()
    assert "\n" not in line and line.startswith("footprint: error: audit trail case:") and "decision " in line


def test_audit_verify_all_lists_every_trail_and_fails_if_one_does_not_verify(cli, demo_scanned, home, with_stdin):
    settings = Settings.from_env()
    _decide_some(settings)
    _add(cli, with_stdin, "rita", "reviewer")
    intact = cli("audit", "verify", "--all")
    assert intact.code == 0, intact.stderr
    lines = [line.split("\t") for line in intact.stdout.splitlines()]
    # the demo's scan and three decisions; the demo's list imported, boss and rita added
    assert [(f[0], f[1], f[3]) for f in lines] == [("demo", "4", "ok"), ("", "3", "ok")]
    assert lines[0][2] == cli("audit", "verify", "demo").stdout.strip()
    assert cli("audit", "verify", "demo", "--all").code == 2
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as conn:
        conn.execute("DELETE FROM audit_log WHERE chain = 'global' AND seq = 1")
    broken = cli("audit", "verify", "--all")
    assert broken.code == 9 and broken.stdout.splitlines()[-1].endswith("FAILED")
    assert broken.stderr.strip().startswith("footprint: error: 1 of 2 audit trails do not verify; the first, global")


def test_user_password_replaces_the_hash_and_ends_sessions(cli, home, with_stdin):
    from footprint.review import sessions

    _add(cli, with_stdin, "rita", "reviewer")
    store = open_store(Settings.from_env().database_url)
    token = sessions.login(store, "rita", PASSWORD)
    assert sessions.session_user(store, token).name == "rita"
    with_stdin("a new long passphrase\n")
    assert cli("user", "password", "rita", "--password-stdin").code == 0
    assert sessions.session_user(store, token) is None
    assert accounts.check_password(store, "rita", PASSWORD) is None
    assert accounts.check_password(store, "rita", "a new long passphrase").name == "rita"
    with_stdin("short\n")
    assert cli("user", "password", "rita", "--password-stdin").code == 2
    assert cli("user", "password", "nobody", "--password-stdin").code == 3
    shown = cli("audit", "show", "--global").jsonl()
    assert [e["action"] for e in shown].count("user.password") == 1
    store.close()
