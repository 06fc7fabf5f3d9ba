"""A signed VICS export shared with another force: export → verify → import keeps every hash,
category and series; a flipped byte or a wrong key is refused with exit code 8, importing nothing."""

from __future__ import annotations

import pytest

from footprint.hashsets.vics import VicsFormat
from footprint.store import open_store


@pytest.fixture
def shared(cli, demo_scanned, home, tmp_path):
    keys = cli("key", "generate", "--name", "force-a", "--dir", str(tmp_path / "keys"))
    assert keys.code == 0, keys.stderr
    export = tmp_path / "shared.json"
    result = cli("export", "demo", "--format", "vics", "-o", str(export), "--sign", keys.json()["private_key"])
    assert result.code == 0, result.stderr
    assert (tmp_path / "shared.json.sig").exists()
    return export, keys.json()


def _other_force(monkeypatch, tmp_path):
    home = tmp_path / "force-b"
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    return home


def test_round_trip_keeps_every_hash_category_and_series(cli, shared, tmp_path, monkeypatch):
    export, keys = shared
    with export.open("rb") as stream:
        written = sorted(VicsFormat().read(stream), key=lambda e: e.sha256 or "")
    # the demo's 4 files matched exactly (its 5 near copies, unreviewed, are not shared), series carried
    assert len(written) == 4 and all(e.series and e.category for e in written)
    home = _other_force(monkeypatch, tmp_path)
    assert cli("key", "trust", keys["public_key"]).code == 0
    result = cli("hashset", "import", str(export), "--name", "from-a", "--trusted")
    assert result.code == 0, result.stderr
    assert "signature verified: signed by force-a" in result.stderr
    shown = cli("hashset", "show", "from-a").json()
    assert shown["source"] == "force-a"
    assert shown["details"]["issuer"]["key"] == keys["fingerprint"]
    store = open_store(f"sqlite:///{home / 'footprint.db'}")
    imported = sorted((hit.entry for hit in store.iter_entries(store.get_hashset("from-a").id)),
                      key=lambda e: e.sha256 or "")
    store.close()
    fields = ("md5", "sha1", "sha256", "pdq", "category", "series", "label")
    assert [[getattr(e, f) for f in fields] for e in imported] == [[getattr(e, f) for f in fields] for e in written]


def test_a_flipped_byte_is_refused(cli, shared, tmp_path, monkeypatch):
    export, keys = shared
    data = bytearray(export.read_bytes())
    data[len(data) // 2] ^= 0x04
    export.write_bytes(bytes(data))
    _other_force(monkeypatch, tmp_path)
    result = cli("hashset", "import", str(export), "--name", "from-a", "--verify-key", keys["public_key"])
    assert result.code == 8
    assert result.stderr.startswith("footprint: error: shared.json was altered after it was signed")
    assert result.stderr.count("\n") == 1
    assert cli("hashset", "list").stdout.splitlines()[1:] == []


def test_a_wrong_key_is_refused(cli, shared, tmp_path, monkeypatch):
    export, _ = shared
    _other_force(monkeypatch, tmp_path)
    other = cli("key", "generate", "--name", "force-c").json()
    result = cli("hashset", "import", str(export), "--name", "from-a", "--verify-key", other["public_key"])
    assert result.code == 8 and "not a trusted key" in result.stderr
    assert cli("hashset", "import", str(export), "--name", "from-a", "--trusted").code == 3  # none trusted yet
    assert cli("hashset", "list").stdout.splitlines()[1:] == []


def test_unverified_import_says_the_signature_was_not_checked(cli, shared, tmp_path, monkeypatch):
    export, _ = shared
    _other_force(monkeypatch, tmp_path)
    result = cli("hashset", "import", str(export), "--name", "plain")
    assert result.code == 0 and "shared.json.sig is present but not checked" in result.stderr


def test_sign_needs_a_vics_file(cli, shared, tmp_path):
    _, keys = shared
    assert cli("export", "demo", "--format", "vics", "--sign", keys["private_key"]).code == 2
    assert cli("export", "demo", "-o", str(tmp_path / "x.jsonl"), "--sign", keys["private_key"]).code == 2
    assert cli("key", "generate", "--name", "force-a", "--dir", str(tmp_path / "keys")).code == 4
