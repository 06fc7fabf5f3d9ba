"""The benign demo case end to end: every expected match, no false match, a warning per broken file."""

from __future__ import annotations

from footprint.demo import KNOWN
from footprint.review import accounts, decisions
from footprint.settings import Settings
from footprint.store import open_store


def _by_ref(cli) -> dict[str, dict]:
    result = cli("export", "demo", "--format", "jsonl")
    assert result.code == 0, result.stderr
    return {item["ref"]: item for item in result.jsonl()}


def test_every_expected_match_and_no_other(cli, demo_scanned):
    items = _by_ref(cli)
    expected = {f"evidence/{e.ref}": e for e in demo_scanned.expected}
    missing = sorted(set(expected) - set(items))
    assert not missing, f"items not reported: {missing}"
    for ref, want in expected.items():
        labels = {(m["label"], m["kind"]) for m in items[ref]["matches"]}
        if want.entry is None:
            assert not labels, f"false match on {ref}: {labels}"
        else:
            assert (want.entry, want.kind) in labels, f"{ref}: wanted {want.entry} ({want.kind}), got {labels}"
            assert len(labels) == 1, f"{ref} matched more than its own entry: {labels}"
    unexpected = {ref: item["matches"] for ref, item in items.items() if ref not in expected and item["matches"]}
    assert not unexpected


def test_every_known_picture_is_found(cli, demo_scanned):
    found = {m["label"] for item in _by_ref(cli).values() for m in item["matches"]}
    assert found == {f"demo-known-{i}" for i in range(KNOWN)}


def test_broken_files_warn_and_the_scan_goes_on(cli, demo_scanned):
    items = _by_ref(cli)
    for want in demo_scanned.expected:
        item = items[f"evidence/{want.ref}"]
        if want.warning:
            assert item["warnings"], f"{want.ref} should carry a warning"
    assert items["evidence/Broken/empty.jpg"]["status"] == "skipped"
    assert items["evidence/Broken/truncated.jpg"]["status"] == "skipped"
    assert "pdq" in items["evidence/Broken/truncated.jpg"]["reason"]


def test_flat_pictures_never_near_match(cli, demo_scanned):
    items = _by_ref(cli)
    for name in ("white.png", "grey.jpg", "gradient.png"):
        item = items[f"evidence/Camera/{name}"]
        assert item["matches"] == []
        assert item["status"] == "skipped" and "quality" in item["reason"]


def test_match_states_how_it_was_made(cli, demo_scanned):
    items = _by_ref(cli)
    exact = items["evidence/Pictures/holiday-001.jpg"]["matches"][0]
    assert exact["kind"] == "exact" and exact["distance"] == 0 and exact["hashset"] == "known"
    assert exact["algorithm"] == "sha256"
    near = items["evidence/Pictures/mirrored.png"]["matches"][0]
    assert near["kind"] == "near" and near["algorithm"] == "pdq" and 0 <= near["distance"] <= 31
    assert near["details"]["variant"] != 0  # found through a flip, not the plain hash
    assert near["category"] == "uk:B"  # the UK profile list gave known-4 category 2


def test_hashes_are_those_of_the_bytes(cli, demo_scanned):
    import hashlib

    item = _by_ref(cli)["evidence/Pictures/holiday-001.jpg"]
    data = (demo_scanned.evidence / "Pictures" / "holiday-001.jpg").read_bytes()
    assert item["md5"] == hashlib.md5(data).hexdigest()
    assert item["sha1"] == hashlib.sha1(data).hexdigest()
    assert item["sha256"] == hashlib.sha256(data).hexdigest()
    assert item["size"] == len(data) and item["state"] == "allocated"


def test_case_counts_and_html_report(cli, demo_scanned, tmp_path):
    counts = cli("case", "show", "demo").json()["counts"]
    assert counts["items"] == len(demo_scanned.expected)
    assert counts["matched_by_state"] == {"allocated": 9}
    assert counts["by_kind"] == {"exact": 4, "near": 5}
    assert sum(sum(v.values()) for v in counts["by_category"].values()) == 9
    report = tmp_path / "report.html"
    assert cli("report", "demo", "-o", str(report)).code == 0
    html = report.read_text()
    for text in ("evidence/Downloads.zip!more.tar.gz!deep/copy.jpg", "demo-known-4", "Broken/empty.jpg",
                 "unchanged: hashes before and after the scan agree", "manifest-sha256"):
        assert text in html
    assert "<script" not in html and "<img" not in html  # self-contained, and shows no picture


def test_vics_export_round_trip(cli, demo_scanned, tmp_path, monkeypatch):
    """The list shared holds the 4 files matched exactly and the near copy a reviewer confirmed; the
    4 near copies nobody reviewed stay out (a near match is not a known file until someone looked)."""
    store = open_store(Settings.from_env().database_url)
    case = store.get_case("demo")
    confirmed = next(r for r in store.iter_items(case.id) if r.ref == "evidence/Pictures/recompressed.jpg")
    boss = accounts.add_user(store, "boss", "correct horse battery staple", "admin")
    decisions.decide(store, boss, case, [confirmed.id], "A")
    store.close()
    shared = tmp_path / "shared.json"
    exported = cli("export", "demo", "--format", "vics", "-o", str(shared))
    assert exported.code == 0 and "4 near match no reviewer confirmed" in " ".join(exported.stderr.split())
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path / "other-force"))
    assert cli("hashset", "import", str(shared), "--name", "from-demo").code == 0
    assert cli("hashset", "show", "from-demo").json()["entry_count"] == 5  # distinct files: 4 exact, 1 confirmed
    cli("case", "create", "again")
    assert cli("scan", str(demo_scanned.evidence), "--case", "again").code == 0
    items = {i["ref"]: i for i in cli("export", "again", "--format", "jsonl").jsonl()}
    exact = items["evidence/Pictures/recompressed.jpg"]["matches"]
    assert [(m["kind"], m["category"]) for m in exact] == [("exact", "uk:A")]  # the reviewer's A → 1 → A
    assert items["evidence/Pictures/small.jpg"]["matches"] == []  # unconfirmed: its hashes were not shared
    assert not any("path" in line or "evidence/" in line for line in shared.read_text().splitlines())
