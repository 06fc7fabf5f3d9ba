"""A folder's fingerprint lists every file by its path under the folder and its lstat, in os.walk's order
(a folder's files by name, then its subfolders by name; a link to a folder neither a file nor entered), so a
fingerprint taken by earlier code compares: each path as os.path.relpath gives it, whatever form the
folder's own path is given in (relative, with a trailing slash, through '..')."""

from __future__ import annotations

import os
from pathlib import Path

from footprint.pipeline.evidence import _manifest


def _walked(root: str) -> list[str]:
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        found += [os.path.relpath(os.path.join(folder, name), root) for name in sorted(files)]
    return found  # a link to a folder is among os.walk's folders (not entered): no file of the manifest


def test_the_manifest_lists_what_os_walk_lists_by_relpath(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "ev"
    (root / "a" / "c").mkdir(parents=True)
    (root / "b").mkdir()
    for name in ("z.jpg", "a/x y.jpg", "a/c/deep.txt", "b/1", "a.txt"):
        (root / name).write_bytes(name.encode())
    os.symlink(root / "b", root / "a" / "link-to-b")
    odd = os.fsdecode(b"caf\xe9.jpg")  # a name that is not UTF-8
    (root / "a" / odd).write_bytes(b"odd")
    monkeypatch.chdir(tmp_path)
    for given in (root, tmp_path / "ev" / "a" / "..", Path("ev"), "ev/"):
        listed = [rel for rel, _ in _manifest(Path(given) if not isinstance(given, str) else given)]
        ordered = _walked(str(given))
        assert listed == ordered and "a/" + odd in listed and "a/link-to-b" not in listed, given
        assert listed[:2] == ["a.txt", "z.jpg"]  # the folder's own files first, by name
