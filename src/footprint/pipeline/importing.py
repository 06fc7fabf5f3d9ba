"""Import a hash-set file into the store: format detected from content (or forced), entries
streamed in, and the file's own SHA-256 recorded so the list used can be identified later.

With trusted keys given, the file must carry a valid signature (hashsets/signing.py) from one of
them before anything is imported, and must not change while it is read; the issuer is recorded in
the hash set's details."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from footprint.errors import FootprintError, NotFound, SignatureError
from footprint.hashsets.registry import detect_format, get_format
from footprint.hashsets.signing import file_digest, verify_file
from footprint.store.base import HashSetRecord, Store


def import_hashset(store: Store, path: Path, name: str, *, format_name: str | None = None,
                   pdq_threshold: int = 31, source: str | None = None,
                   trusted: Mapping[str, tuple[str, Ed25519PublicKey]] | None = None) -> HashSetRecord:
    """``trusted`` (fingerprint → (name, public key)): require a valid signature by one of them."""
    try:
        head, sha256 = _head_and_hash(path)
    except OSError as exc:
        raise NotFound(f"cannot read hash set file {path}: {exc.strerror or exc}") from exc
    issuer = verify_file(path, trusted, sha256) if trusted is not None else None
    fmt = get_format(format_name) if format_name else detect_format(head)
    details: dict[str, object] = {"file": str(path.resolve()), "file_sha256": sha256}
    if issuer is not None:
        details["issuer"] = issuer.as_details()
    record = store.create_hashset(name, fmt.name, source or (issuer.signer if issuer else str(path)),
                                  pdq_threshold, details=details)
    try:
        with path.open("rb") as stream:
            store.add_entries(record.id, fmt.read(stream))
        if issuer is not None and file_digest(path)[0] != sha256:
            raise SignatureError(f"{path.name} changed while it was imported: the signed bytes were not the ones read")
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
