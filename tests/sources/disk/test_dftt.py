"""The Digital Forensics Tool Testing undelete images (Brian Carrier), checked against the answer
tables on their own index.html pages, parsed here rather than copied."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from .images import collect, open_image

DFTT = Path(__file__).resolve().parents[4] / "shared" / "data" / "dftt"  # ../shared/data beside the repo
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S | re.I)


def answers(html: str) -> dict[str, str]:
    """``\\path`` → MD5 from the page's table of files to recover (the first table with an MD5)."""
    table: dict[str, str] = {}
    for row in _ROW.findall(html):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in _CELL.findall(row)]
        names = [c for c in cells if c.startswith("\\")]
        md5s = [c for c in cells if re.fullmatch(r"[0-9a-f]{32}", c)]
        if names and md5s and names[0] not in table:
            table[names[0]] = md5s[0]
    return table


def unpack(name: str, tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    if not (DFTT / f"{name}.zip").is_file():
        pytest.skip(f"reference image {DFTT / name}.zip is absent (see ../shared/data/README.md)")
    with zipfile.ZipFile(DFTT / f"{name}.zip") as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / name
    html = (folder / "index.html").read_text("latin-1")
    (image,) = folder.glob("*.dd")
    return image, answers(html), html


def test_fat_undelete(tmp_path: Path) -> None:
    image, _, html = unpack("6-undel-fat", tmp_path)
    recover, _, rest = html.partition("Incorrect MD5")
    expected = answers(recover)
    naive = {p.rsplit("\\", 1)[-1]: md5 for p, md5 in answers(rest.partition("Layout")[0]).items()}
    assert len(expected) == 6 and len(naive) == 3
    found = collect(open_image(image))
    for path, md5 in expected.items():
        # FAT overwrites a deleted name's first letter; TSK shows it as "_" (folders too)
        tail = "/".join("_" + p[1:] for p in path.strip("\\").split("\\")[:1]) + \
            "".join("/" + p for p in path.strip("\\").split("\\")[1:])
        refs = [r for r in found.items if r.endswith("!fs/" + tail)]
        assert len(refs) == 1, path
        assert found.state(refs[0]) == "deleted"
        # TSK assumes contiguous clusters for a deleted FAT file: a fragmented one reads as the
        # page's "incorrect" answer, which will never match a hash set entry for the real file
        assert found.md5s[refs[0]] == naive.get(path.rsplit("\\", 1)[-1], md5), path
    assert not [r for r in found.items if found.state(r) == "carved"]


def test_ntfs_undelete_with_fragments_and_the_stream(tmp_path: Path) -> None:
    image, expected, _ = unpack("7-undel-ntfs", tmp_path)
    assert "\\mult1.dat:ADS" in expected and len(expected) == 9
    found = collect(open_image(image))
    got = {ref.split("!fs/", 1)[1]: md5 for ref, md5 in found.md5s.items()}
    for path, md5 in expected.items():
        name = path.strip("\\").replace("\\", "/")
        # sing2.dat's folder entry was reused: TSK finds it as an orphan
        key = name if name in got else f"$OrphanFiles/{name.rsplit('/', 1)[-1]}"
        assert got.get(key) == md5, path
        assert found.state(f"{image.name}!fs/{key}") == "deleted"
    res1 = found.items[f"{image.name}!fs/res1.dat"].facts
    assert res1.inode == "37" and res1.created is not None and (res1.created.month, res1.created.day) == (2, 29)


def test_fat_deleted_files_over_one_cluster_warn_that_they_may_be_fragmented(tmp_path: Path) -> None:
    image, _, _ = unpack("6-undel-fat", tmp_path)
    found = collect(open_image(image))
    (volume,) = [w.message for w in found.warnings if str(w.ref).endswith("!fs")]
    # the image is one sector shorter than its boot sector's 12,033 (nothing of the data area lay there)
    assert volume.startswith("the file system declares 6160896 bytes but the image holds 6160384 of it (512 fewer)")
    warned = {str(w.ref).split("!fs/", 1)[1]: w.message for w in found.warnings if "!fs/" in str(w.ref)}
    # 1 KiB clusters: sing.dat (780 bytes) is whole in one; every other deleted file spans several,
    # and three of them were fragmented (the page's "incorrect MD5" ones)
    assert sorted(warned) == ["_ir1/dir2/frag3.dat", "_ir1/mult2.dat", "_rag1.dat", "_rag2.dat", "_ult1.dat"]
    assert warned["_rag2.dat"].startswith("deleted FAT file over 4 clusters: read as if they followed")
    assert all("not the original file's" in m for m in warned.values())


def test_dftt_answers_reach_the_export_with_consistent_counts(cli, tmp_path: Path) -> None:
    import json

    fat, fat_answers, _ = unpack("6-undel-fat", tmp_path)
    ntfs, ntfs_answers, _ = unpack("7-undel-ntfs", tmp_path)
    assert cli("case", "create", "dftt").code == 0
    scanned = cli("scan", str(fat), str(ntfs), "--case", "dftt")
    assert scanned.code == 0, scanned.stderr
    out = tmp_path / "dftt.jsonl"
    assert cli("export", "dftt", "-o", str(out)).code == 0
    rows = {r["ref"]: r for r in map(json.loads, out.read_text().splitlines())}
    for path, md5 in ntfs_answers.items():  # every NTFS answer, the stream and the orphan included
        name = path.strip("\\").replace("\\", "/")
        ref = next(r for r in (f"{ntfs.name}!fs/{name}", f"{ntfs.name}!fs/$OrphanFiles/{name.rsplit('/', 1)[-1]}")
                   if r in rows)
        assert rows[ref]["md5"] == md5 and rows[ref]["state"] == "deleted", path
        assert rows[ref]["modified"].startswith("2004-02-29T") and rows[ref]["modified"].endswith("+00:00")
    assert rows[f"{ntfs.name}!fs/mult1.dat:ADS"]["inode"] == "32-128-6"
    assert rows[f"{fat.name}!fs/_ing.dat"]["md5"] == fat_answers["\\sing.dat"]
    warnings = sum(len(r["warnings"]) for r in rows.values())
    summary, shown = scanned.json(), cli("case", "show", "dftt").json()["counts"]
    assert summary["warnings"] == shown["warnings"] == warnings == 6  # 5 deleted files, the short FAT image
    assert summary["items"] == shown["items"] == len(rows)
    states = {s: sum(1 for r in rows.values() if r["state"] == s) for s in ("allocated", "deleted")}
    assert shown["by_state"] == {k: v for k, v in states.items() if v}


def test_dftt_zip_as_published_is_scanned_into_its_disk_image(cli, tmp_path: Path) -> None:
    """The zip as DFTT publishes it (a 6 MB FAT image packed 284-fold) is evidence, not a suspected bomb."""
    import json

    _, _, html = unpack("6-undel-fat", tmp_path / "page")
    answers_ = answers(html.partition("Incorrect MD5")[0])  # the right answers, not the naive ones
    assert len(answers_) == 6
    assert cli("case", "create", "z").code == 0
    scanned = cli("scan", str(DFTT / "6-undel-fat.zip"), "--case", "z")
    assert scanned.code == 0, scanned.stderr
    rows = [json.loads(line) for line in cli("export", "z").stdout.splitlines()]
    assert not [r for r in rows if any("bomb" in w for w in r["warnings"])]
    deleted = [r for r in rows if "!fs/" in r["ref"] and r["state"] == "deleted"]
    assert len(deleted) == 6
    for path, md5 in answers_.items():
        (row,) = [r for r in deleted if r["ref"].endswith(path.rsplit("\\", 1)[-1][1:])]
        fragmented = path.rsplit("\\", 1)[-1].startswith("frag")  # read as contiguous: wrong, and says so
        assert (row["md5"] == md5) is not fragmented, path
        assert any(w.startswith("source: deleted FAT file over") for w in row["warnings"]) or path == "\\sing.dat"
