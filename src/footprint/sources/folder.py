"""Evidence that is a folder (or a single file) on the examiner's file system.

Forensic rules shape every choice here:

* The walk order is stable (sorted names, depth first), so two runs over the same exhibit list the
  same items in the same order and a resumed scan lines up with the first.
* A symbolic link is never followed, not even one that points inside the exhibit: a link may lead out
  of the evidence (to the examiner's own disk) or round in a loop. It is reported, with its target,
  as a warning, which is what an investigator needs to know about it.
* Nothing is ever written: files are opened read-only and, where the OS allows, without updating their
  access time. Special files (FIFOs, devices, sockets) are never opened: reading a FIFO would hang.
* A file or folder that cannot be read is a warning, not a crash.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO

from footprint.errors import EvidenceError
from footprint.model import Item, ItemFacts, ItemRef, ItemWarning
from footprint.sources.base import EvidenceSource, Found

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOATIME = getattr(os, "O_NOATIME", 0)


def open_readonly(path: str | Path) -> BinaryIO:
    """Open a file for reading without touching its access time where the OS lets us.

    O_NOATIME is refused (EPERM) for files the examiner does not own; then a plain read-only open.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if _NOATIME:
        try:
            return os.fdopen(os.open(path, flags | _NOATIME), "rb")
        except PermissionError:
            pass
    return os.fdopen(os.open(path, flags), "rb")


def list_folder(path: str) -> list[str]:
    """The names in a folder, sorted by their bytes, read without touching the folder's access time where
    the OS lets us (a folder opened with O_NOATIME; os.scandir and os.walk open it plainly, and listing
    a folder is a read of it: every folder of the evidence got a new access time on each scan). Raises
    OSError when it cannot be listed."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        handle = os.open(path, flags | _NOATIME) if _NOATIME else os.open(path, flags)
    except PermissionError:  # O_NOATIME is the owner's (or root's) to ask
        handle = os.open(path, flags)
    try:
        with os.scandir(handle) as it:
            return sorted((entry.name for entry in it), key=os.fsencode)
    finally:
        os.close(handle)


def _utc(ns: int | None) -> datetime | None:
    if ns is None:
        return None
    try:
        return _EPOCH + timedelta(microseconds=ns // 1000)
    except OverflowError:  # a nonsense timestamp is not worth a crash
        return None


def facts_from_stat(st: os.stat_result) -> ItemFacts:
    """File-system facts from a stat result: UTC timestamps, birth time where the OS records one."""
    birth = getattr(st, "st_birthtime_ns", None)
    seconds = getattr(st, "st_birthtime", None)  # macOS and BSD; Linux's stat() does not report it
    if birth is None and seconds is not None:
        birth = int(seconds * 1e9)
    return ItemFacts(
        inode=str(st.st_ino),
        created=_utc(birth),
        modified=_utc(st.st_mtime_ns),
        accessed=_utc(st.st_atime_ns),
        changed=_utc(st.st_ctime_ns),
    )


def display_name(name: str) -> str:
    """A file name as text, as the ref holds it. A byte that is not UTF-8 stays the lone surrogate Python
    reads it as (os.fsdecode), which the ref writes as %XX escapes, one to one (ItemRef): written
    ``\\xNN`` (backslashreplace) it was the name of another file, one that holds those four characters,
    and a folder with both lost one of them."""
    return os.fsencode(name).decode("utf-8", "surrogateescape")


def _kind_of(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return kind
    return "special file"


def _file_found(path: str, ref: ItemRef, st: os.stat_result) -> Found:
    """An Item for a regular file, or a warning when it is not one or cannot be opened."""
    if not stat.S_ISREG(st.st_mode):
        return ItemWarning(ref, "source", f"{_kind_of(st.st_mode)}: not read")
    try:
        open_readonly(path).close()
    except OSError as exc:
        return ItemWarning(ref, "source", f"cannot read file: {exc.strerror or exc}")
    return Item(ref=ref, size=st.st_size, opener=partial(open_readonly, path), facts=facts_from_stat(st),
                path=str(path))


class FileSource(EvidenceSource):
    """A single file given as evidence: one item whose ref is just the exhibit name."""

    name = "file"

    def __init__(self, path: Path, exhibit_name: str) -> None:
        self.path = Path(path)
        self.ref = ItemRef.root(exhibit_name)

    def items(self) -> Iterator[Found]:
        try:
            st = os.stat(self.path)
        except OSError as exc:
            yield ItemWarning(self.ref, "source", f"cannot stat file: {exc.strerror or exc}")
            return
        yield _file_found(str(self.path), self.ref, st)


class FolderSource(EvidenceSource):
    """A folder walked in sorted order; refs are ``exhibit/relative/path`` with POSIX separators.

    Given a file instead of a folder, it yields that one file (as ``FileSource`` does).
    """

    name = "folder"

    def __init__(self, root: Path, exhibit_name: str) -> None:
        self.root = Path(root)
        self.exhibit = ItemRef.root(exhibit_name)
        if not os.path.lexists(self.root):
            raise EvidenceError(f"evidence not found: {self.root}")

    def items(self) -> Iterator[Found]:
        if not os.path.isdir(self.root):
            yield from FileSource(self.root, self.exhibit.parts[0]).items()
            return
        yield from self._walk(str(self.root), self.exhibit)

    def _walk(self, path: str, ref: ItemRef) -> Iterator[Found]:
        """Depth first, each folder's entries in sorted order, with a stack of the folders open rather
        than a recursion: a tree of any depth is walked whole (a recursion gave up past ~450 levels, and
        every item with it)."""
        stack: list[Iterator[tuple[str, ItemRef]]] = []
        yield from self._enter(path, ref, stack)
        while stack:
            entry_ref = next(stack[-1], None)
            if entry_ref is None:
                stack.pop()
                continue
            entry, child = entry_ref
            try:
                st = os.lstat(entry)
            except OSError as exc:
                yield ItemWarning(child, "source", f"cannot stat: {exc.strerror or exc}")
                continue
            if stat.S_ISLNK(st.st_mode):
                yield ItemWarning(child, "source", f"symbolic link to {_link_target(entry)!r}: not followed")
            elif stat.S_ISDIR(st.st_mode):
                yield from self._enter(entry, child, stack)
            else:
                yield _file_found(entry, child, st)

    @staticmethod
    def _enter(path: str, ref: ItemRef, stack: list[Iterator[tuple[str, ItemRef]]]) -> Iterator[Found]:
        """Put the folder's entries (their paths), in sorted order (by their bytes) with their refs, on the
        stack to walk; or say why it cannot be listed."""
        try:
            names = list_folder(path)
        except OSError as exc:
            yield ItemWarning(ref, "source", f"cannot list folder: {exc.strerror or exc}")
            return
        stack.append(iter([(os.path.join(path, name), ref.join(display_name(name))) for name in names]))


def _link_target(path: str) -> str:
    try:
        return display_name(os.readlink(path))
    except OSError as exc:
        return f"<unreadable: {exc.strerror or exc}>"
