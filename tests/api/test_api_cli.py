"""The CLI side of the service: keys shown once and stored hashed, banks filled from hash-set files,
the allow-list, and reports exported as JSON."""

from __future__ import annotations

import hashlib

from sqlalchemy import text

from footprint.banks.inputs import HashQuery
from footprint.banks.service import DetectionService, Submission
from footprint.cli.user import actor
from footprint.store import open_store


def test_apikey_add_prints_the_token_once_and_keeps_only_its_hash(cli, home):
    made = cli("apikey", "add", "platform", "--scope", "query", "--scope", "curate", "--rate", "5")
    assert made.code == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("fpk_") and "platform" in made.stderr
    listed = cli("apikey", "list")
    assert "platform\tcurate query\t5.0\t40" in listed.stdout and token not in listed.stdout
    store = open_store(f"sqlite:///{home / 'footprint.db'}")
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM service_keys"))]
    store.close()
    assert token not in str(rows) and hashlib.sha256(token.encode()).hexdigest() in str(rows)
    assert cli("apikey", "add", "bad", "--scope", "root").code == 2
    assert cli("apikey", "revoke", "platform").code == 0 and cli("apikey", "revoke", "platform").code == 2


def test_bank_commands_and_report_export(cli, home, tmp_path):
    hashes = [hashlib.md5(str(i).encode()).hexdigest() for i in range(5)]
    (tmp_path / "list.txt").write_text("\n".join(hashes) + "\n")
    (tmp_path / "gone.txt").write_text(hashes[4] + "\n")
    assert cli("bank", "create", "ncmec", "--threshold", "10").code == 0
    assert cli("bank", "add", "ncmec", str(tmp_path / "list.txt")).code == 0
    assert cli("bank", "remove", "ncmec", str(tmp_path / "gone.txt"), "--algorithm", "md5").code == 0
    assert cli("bank", "serve", "ncmec", "--threshold", "40").code == 2
    assert cli("bank", "list").stdout.splitlines()[1] == "ncmec\tyes\t10\t4\t0\tbank"
    service = DetectionService(open_store(f"sqlite:///{home / 'footprint.db'}"))
    service.start()
    try:
        found = service.match_hashes(None, HashQuery(md5=hashes[1]), Submission(reference="r-9"))
        gone = service.match_hashes(None, HashQuery(md5=hashes[4]), Submission())
    finally:
        service.stop()
    assert found["matched"] and not gone["matched"]
    entry_id = found["matches"][0]["entry_id"]
    assert cli("bank", "allow", "ncmec", str(entry_id), "--reason", "test").code == 0
    assert cli("bank", "allow", "ncmec", "99999", "--reason", "test").code == 3
    exported = cli("bank", "reports").json()
    assert [(r["reference"], r["status"], r["matches"][0]["entry_id"]) for r in exported] == [("r-9", "new", entry_id)]
    assert cli("bank", "report-status", str(exported[0]["id"]), "closed", "--notes", "checked").code == 0
    assert cli("bank", "reports", "--status", "closed").json()[0]["notes"] == "checked"
    exports = [e for e in cli("audit", "show", "--global").jsonl() if e["action"] == "report.export"]
    assert [(e["user"], e["details"]["reports"], e["details"]["status"]) for e in exports] == [
        (actor(), [exported[0]["id"]], None), (actor(), [exported[0]["id"]], "closed")]
    assert cli("bank", "webhook-add", "hook", "ftp://x").code == 2
    assert cli("bank", "webhook-add", "hook", "http://127.0.0.1:9/h").stdout.strip()
    assert cli("bank", "webhook-remove", "hook").code == 0 and cli("bank", "unserve", "ncmec").code == 0


def test_bank_and_key_commands_are_in_the_audit_trail_naming_the_os_user(cli, home, tmp_path):
    (tmp_path / "list.txt").write_text("\n".join(["a" * 32, "b" * 32]) + "\n")
    assert cli("bank", "create", "ncmec").code == 0
    assert cli("bank", "add", "ncmec", str(tmp_path / "list.txt")).code == 0
    assert cli("bank", "serve", "ncmec", "--disable").code == 0
    assert cli("bank", "allow", "ncmec", "1", "--reason", "a test card").code == 0
    assert cli("apikey", "add", "platform", "--scope", "query").code == 0
    assert cli("bank", "serve", "ncmec", "--threshold", "40").code == 2  # refused: no entry
    shown = cli("audit", "show", "--global").jsonl()
    user = actor()
    assert [(e["action"], e["user"]) for e in shown] == [
        ("bank.create", user), ("bank.add", user), ("bank.change", user), ("bank.allow", user), ("apikey.add", user)]
    assert user.startswith("cli:")
    added = shown[1]["details"]
    assert added["source"] == {"file": "list.txt", "format": "hashlist",
                               "file_sha256": hashlib.sha256((tmp_path / "list.txt").read_bytes()).hexdigest()}
    assert shown[2]["details"]["to"]["enabled"] is False and shown[3]["details"]["reason"] == "a test card"
    assert cli("audit", "verify", "--global").code == 0
