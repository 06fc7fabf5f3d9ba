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
