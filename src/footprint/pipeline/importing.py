"""Import a hash-set file into the store: format detected from content (or forced), entries
streamed in, and the file's own SHA-256 recorded so the list used can be identified later."""

from __future__ import annotations

import hashlib
from pathlib import Path

from footprint.errors import FootprintError, NotFound
from footprint.hashsets.registry import detect_format, get_format
from footprint.store.base import HashSetRecord, Store


def import_hashset(store: Store, path: Path, name: str, *, format_name: str | None = None,
                   pdq_threshold: int = 31, source: str | None = None) -> HashSetRecord:
    try:
        head, sha256 = _head_and_hash(path)
    except OSError as exc:
        raise NotFound(f"cannot read hash set file {path}: {exc.strerror or exc}") from exc
    fmt = get_format(format_name) if format_name else detect_format(head)
    details = {"file": str(path.resolve()), "file_sha256": sha256}
    record = store.create_hashset(name, fmt.name, source or str(path), pdq_threshold, details=details)
    try:
        with path.open("rb") as stream:
            store.add_entries(record.id, fmt.read(stream))
    except (FootprintError, OSError, ValueError):
        store.remove_hashset(name)
        raise
    return store.get_hashset(name)


def _head_and_hash(path: Path) -> tuple[bytes, str]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        head = stream.read(64 << 10)
        digest.update(head)
        while block := stream.read(4 << 20):
            digest.update(block)
    return head, digest.hexdigest()
