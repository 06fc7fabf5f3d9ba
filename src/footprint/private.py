"""Files and folders only their owner may read: what footprint keeps under FOOTPRINT_HOME holds case
data (the case database: addresses, hashes, accounts) and pictures (the thumbnail cache and video
storyboards, plain colour copies among them), so it is never readable by another account.

Everything is created private, never created wider and narrowed afterwards: a folder with
``os.mkdir(path, 0o700)``, a file with ``os.open(..., 0o600)`` or ``mkstemp`` (0600), so the process's
umask can only make them narrower and no other process sees a moment when they were open to all. A
folder or file of ours found wider (made by an older footprint) is narrowed when it is next used.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")  # files SQLite makes beside a database, with its mode


def private_dir(path: Path, *, narrow: bool = True) -> Path:
    """``path`` as a folder only its owner may enter: made 0700 (and each missing parent), or, with
    ``narrow``, an existing one of ours narrowed to 0700, with the files directly in it narrowed to 0600
    the first time (those an older footprint wrote wider)."""
    missing = []
    here = path
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            os.mkdir(folder, FOLDER_MODE)
    if narrow and _narrow(path, FOLDER_MODE):
        for child in path.iterdir():
            if child.is_file() and not child.is_symlink():
                _narrow(child, FILE_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner may read: made empty at 0600 when missing, else narrowed."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _narrow(path, FILE_MODE)
    return path


def private_sqlite(database: Path) -> Path:
    """A SQLite database file made (empty: SQLite takes an empty file for a new database) or narrowed to
    0600 before SQLite opens it, so that the -wal and -shm files SQLite then creates beside it take the
    same mode; any it made before (under an older footprint) are narrowed too."""
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            _narrow(companion, FILE_MODE)
    return database


def write_private(target: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write ``target`` (0600) through ``write`` into a temporary file beside it (``mkstemp``: 0600 from
    its creation), then rename it into place: a reader never sees half a file. Its folder is made
    private if missing."""
    private_dir(target.parent)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _narrow(path: Path, mode: int) -> bool:
    """Take from ``path`` (if it is ours) every permission bit outside ``mode``; whether it had any."""
    try:
        found = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    wider = stat.S_IMODE(found.st_mode) & ~mode
    if not wider or found.st_uid != os.getuid() or stat.S_ISLNK(found.st_mode):
        return False
    os.chmod(path, stat.S_IMODE(found.st_mode) & mode)
    return True
