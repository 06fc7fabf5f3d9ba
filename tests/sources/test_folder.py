"""Folder evidence: stable order, refs, facts, links never followed, unreadable entries as warnings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from footprint.errors import EvidenceError
from footprint.model import Item, ItemRef, ItemWarning
from footprint.sources.folder import FileSource, FolderSource, open_readonly

from .conftest import collect, picture


def tree(root: Path) -> dict[str, bytes]:
    files = {
        "b.jpg": picture(1),
        "a/z.png": picture(2, "PNG"),
        "a/deep/er/x.dat": picture(3),
        "a/b/c.txt": b"notes",
        "C/upper.gif": picture(4, "GIF"),
        "empty.bin": b"",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "a" / "no-files-here").mkdir()
    return files


def test_walk_is_sorted_depth_first_with_posix_refs(tmp_path: Path) -> None:
    files = tree(tmp_path)
    found = list(FolderSource(tmp_path, "exhibit1").items())
    assert all(isinstance(f, Item) for f in found)
    refs = [str(f.ref) for f in found]
    assert refs == ["exhibit1/C/upper.gif", "exhibit1/a/b/c.txt", "exhibit1/a/deep/er/x.dat",
                    "exhibit1/a/z.png", "exhibit1/b.jpg", "exhibit1/empty.bin"]
    walk = collect(found)
    assert walk.contents == {f"exhibit1/{rel}": data for rel, data in files.items()}
    assert [str(f.ref) for f in FolderSource(tmp_path, "exhibit1").items()] == refs  # same again


def test_sizes_and_facts(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(picture(7))
    os.utime(path, ns=(1_600_000_000_250_000_000, 1_500_000_000_000_000_000))
    (item,) = FolderSource(tmp_path, "ex").items()
    assert isinstance(item, Item)
    st = path.stat()
    assert item.size == st.st_size
    assert item.facts.modified == datetime(2017, 7, 14, 2, 40, tzinfo=UTC)
    assert item.facts.accessed == datetime.fromtimestamp(1_600_000_000.25, UTC)
    assert item.facts.changed is not None and item.facts.changed.tzinfo is UTC
    assert item.facts.inode == str(st.st_ino)
    assert item.facts.state.value == "allocated"
    assert item.path == str(path)  # formats spanning several files find their siblings from it


def test_single_file_as_evidence(tmp_path: Path) -> None:
    path = tmp_path / "one.jpg"
    path.write_bytes(picture(8))
    for source in (FolderSource(path, "phone-dump.jpg"), FileSource(path, "phone-dump.jpg")):
        (item,) = source.items()
        assert isinstance(item, Item)
        assert str(item.ref) == "phone-dump.jpg"
        assert item.ref.depth == 0
        assert item.path == str(path)
        assert item.open().read() == picture(8)


def test_missing_evidence_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="not found"):
        FolderSource(tmp_path / "nope", "ex")


def test_symlinks_are_reported_and_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "examiner-disk"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(picture(9))
    evidence = tmp_path / "evidence"
    (evidence / "d").mkdir(parents=True)
    (evidence / "d" / "real.jpg").write_bytes(picture(10))
    (evidence / "d" / "loop").symlink_to("..")  # a loop back up the tree
    (evidence / "escape").symlink_to(outside)  # a folder outside the evidence
    (evidence / "file-link.jpg").symlink_to(outside / "secret.jpg")
    (evidence / "dangling").symlink_to("/no/such/target")

    walk = collect(FolderSource(evidence, "ex").items())
    assert walk.contents == {"ex/d/real.jpg": picture(10)}
    messages = {str(w.ref): w.message for w in walk.warnings}
    assert set(messages) == {"ex/d/loop", "ex/escape", "ex/file-link.jpg", "ex/dangling"}
    assert messages["ex/escape"] == f"symbolic link to {str(outside)!r}: not followed"
    assert "'..'" in messages["ex/d/loop"]
    assert "/no/such/target" in messages["ex/dangling"]


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "z.jpg").write_bytes(picture(11))
    result: list[list[object]] = []
    reader = threading.Thread(target=lambda: result.append(list(FolderSource(tmp_path, "ex").items())),
                              daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert result, "walking a folder with a FIFO in it hung"
    warning, item = result[0]
    assert isinstance(warning, ItemWarning) and warning.message == "FIFO: not read"
    assert isinstance(item, Item) and str(item.ref) == "ex/z.jpg"


def test_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A byte that is not UTF-8 is written as the UTF-8 of the stand-in Python reads it as (U+DCE9 for
    0xE9), so that a file whose name really holds the characters ``\\xe9`` is another item, not lost."""
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.jpg")
    with open(raw, "wb") as out:
        out.write(picture(12))
    (tmp_path / "caf\\xe9.jpg").write_bytes(picture(13))
    walk = collect(FolderSource(tmp_path, "ex").items())
    assert walk.contents == {"ex/caf%ED%B3%A9.jpg": picture(12), "ex/caf\\xe9.jpg": picture(13)}
    assert ItemRef.parse("ex/caf%ED%B3%A9.jpg").parts == ("ex/caf\udce9.jpg",)
    assert os.fsencode(ItemRef.parse("ex/caf%ED%B3%A9.jpg").name) == b"caf\xe9.jpg"


def test_streams_are_read_only(tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    path.write_bytes(picture(13))
    with open_readonly(path) as stream:
        assert not stream.writable()
        with pytest.raises(OSError):
            stream.write(b"x")  # type: ignore[arg-type]
    assert path.read_bytes() == picture(13)


# ------------------------------------------------------------------------------------------------
# Unreadable entries. As root, permission bits do not stop a read, so the walk runs in a child
# process without the capabilities that let root override them (CAP_DAC_OVERRIDE/READ_SEARCH).
# ------------------------------------------------------------------------------------------------

_WALK = """
import json, sys
from pathlib import Path
from footprint.model import Item
from footprint.sources.folder import FolderSource
out = []
for f in FolderSource(Path(sys.argv[1]), "ex").items():
    out.append(["item", str(f.ref)] if isinstance(f, Item) else ["warning", str(f.ref), f.message])
print(json.dumps(out))
"""


def walk_unprivileged(root: Path) -> list[list[str]]:
    command = [sys.executable, "-c", _WALK, str(root)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable to this process")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_unreadable_file_and_folder_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "ok.jpg").write_bytes(picture(14))
    locked = tmp_path / "locked.jpg"
    locked.write_bytes(picture(15))
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "inside.jpg").write_bytes(picture(16))
    locked.chmod(0)
    closed.chmod(0)
    try:
        found = walk_unprivileged(tmp_path)
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)
    assert found == [
        ["warning", "ex/closed", "cannot list folder: Permission denied"],
        ["warning", "ex/locked.jpg", "cannot read file: Permission denied"],
        ["item", "ex/ok.jpg"],
    ]


def test_a_folder_tree_of_any_depth_is_walked_whole_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A thousand folders deep (a recursion gave up near 450 levels, and lost every item with it)."""
    root = tmp_path / "ev"
    (root / "a").mkdir(parents=True)
    (root / "top.txt").write_text("top")
    (root / "z.txt").write_text("after")
    monkeypatch.chdir(root / "a")  # a path a thousand levels long is made one level at a time
    for _ in range(1000):
        os.mkdir("d")
        os.chdir("d")
    Path("bottom.txt").write_text("bottom")
    found = list(FolderSource(root, "ev").items())
    assert not [f for f in found if isinstance(f, ItemWarning)]
    assert [str(f.ref) for f in found] == ["ev/a/" + "d/" * 1000 + "bottom.txt", "ev/top.txt", "ev/z.txt"]


def test_fingerprinting_a_file_exhibit_leaves_its_access_time(tmp_path: Path) -> None:
    from footprint.sources.integrity import hash_evidence

    evidence = tmp_path / "usb.dd"
    evidence.write_bytes(b"benign bytes" * 1000)
    then = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    os.utime(evidence, (then, evidence.stat().st_mtime))  # older than its change: a read would update it
    hash_evidence([evidence])
    assert evidence.stat().st_atime == then


def test_walking_and_fingerprinting_a_folder_leave_its_folders_access_times(tmp_path: Path) -> None:
    from footprint.pipeline.evidence import open_evidence
    from footprint.sources.base import Limits

    root = tmp_path / "seized"
    (root / "DCIM" / "100APPLE").mkdir(parents=True)
    (root / "DCIM" / "100APPLE" / "IMG_0001.JPG").write_bytes(picture(14))
    then = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    folders = [root, root / "DCIM", root / "DCIM" / "100APPLE"]
    for folder in folders:  # last read long before its last change: a listing would update it
        os.utime(folder, (then, folder.stat().st_mtime))
    evidence = open_evidence(root, Limits())
    evidence.fingerprint()
    assert [str(f.ref) for f in evidence.source.items()] == ["seized/DCIM/100APPLE/IMG_0001.JPG"]
    assert [folder.stat().st_atime for folder in folders] == [then] * 3
