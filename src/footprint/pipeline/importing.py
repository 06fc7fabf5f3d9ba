"""Import a hash-set file into the store: format detected from content (or forced), entries
streamed in, and the file's own SHA-256 recorded so the list used can be identified later.

With trusted keys given, the file must carry a valid signature (hashsets/signing.py) from one of
them before anything is imported, and must not change while it is read; the issuer is recorded in
the hash set's details.

``categories`` (vics or uk) says how bare category numbers are read, since the two schemes' numbers
collide (hashsets/categories.py); it is recorded in the details, as it decides what the entries mean.
How the categories were read (UK or VICS numbering, and why: the option, a VICS context URL, a CSV
column) is said on stderr and kept in the details (``category_numbering``), with a warning for a column
that looks like a category but is not read.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from footprint.errors import FootprintError, NotFound, SignatureError, UsageError
from footprint.hashsets.base import HashSetFormat
from footprint.hashsets.problems import ReadReport
from footprint.hashsets.registry import detect_format, get_format
from footprint.hashsets.signing import file_digest, verify_file
from footprint.model import KnownEntry
from footprint.review import audit
from footprint.store.base import HashSetRecord, Store

SKIPPED_KEPT = 100  # skipped rows whose number and reason the set's details keep


def import_hashset(store: Store, path: Path, name: str, *, format_name: str | None = None,
                   pdq_threshold: int = 31, source: str | None = None,
                   trusted: Mapping[str, tuple[str, Ed25519PublicKey]] | None = None,
                   categories: str | None = None, on_note: Callable[[str], None] | None = None,
                   skip_bad_rows: bool = False, user: str | None = None) -> HashSetRecord:
    """``trusted`` (fingerprint → (name, public key)): require a valid signature by one of them.
    ``categories``: ``vics`` or ``uk``; None leaves it to the format (a VICS context URL, else refused).
    ``on_note(message)`` hears what the user may have meant otherwise (a PDQ list read as SHA-256), and
    how many rows were skipped. ``skip_bad_rows``: a damaged row (a truncated hash, a stray category) is
    skipped and counted instead of refusing the list; the count and the first SKIPPED_KEPT rows' line
    numbers and reasons go in the set's details (``skipped_rows``, ``skipped``), for the report to show
    which list was used and what of it was not. The import is an entry of the global audit trail
    (``hashset.import``, naming ``user``), as is a removal (remove_hashset): what a scan matches against
    changed, and who changed it."""
    if categories not in (None, "vics", "uk"):
        raise UsageError(f"categories must be vics or uk, not {categories!r}")
    try:
        head, sha256 = _head_and_hash(path)
    except OSError as exc:
        raise NotFound(f"cannot read hash set file {path}: {exc.strerror or exc}") from exc
    issuer = verify_file(path, trusted, sha256) if trusted is not None else None
    skipped = ReadReport(keep=SKIPPED_KEPT)
    options: dict[str, object] = {"categories": categories} if categories else {}
    if skip_bad_rows:
        options["on_problem"] = skipped
    fmt = get_format(format_name, **options) if format_name else detect_format(head, **options)
    details: dict[str, object] = {"file": str(path.resolve()), "file_sha256": sha256}
    if categories:
        details["categories"] = categories
    if issuer is not None:
        details["issuer"] = issuer.as_details()
    record = store.create_hashset(name, fmt.name, source or (issuer.signer if issuer else str(path.resolve())),
                                  pdq_threshold, details=details)
    counts = _Counts()
    unnamed = path.name if fmt.name == "vpdq" else None
    try:
        with path.open("rb") as stream:
            store.add_entries(record.id, _entries(fmt.read(stream), unnamed, counts))
        if issuer is not None and file_digest(path)[0] != sha256:
            raise SignatureError(f"{path.name} changed while it was imported: the signed bytes were not the ones read")
    except (FootprintError, OSError, ValueError):
        store.remove_hashset(name)
        raise
    _state_categories(store, record, fmt, counts, on_note)
    if skipped.skipped:
        store.add_hashset_details(record.id, {"skipped_rows": skipped.skipped,
                                              "skipped": [f"{n}: {why}" for n, why in skipped.problems]})
        if on_note is not None:
            first = "; ".join(f"{n}: {why}" for n, why in skipped.problems[:3])
            on_note(f"skipped {skipped.skipped} bad rows (by line or record number: {first}"
                    f"{'; ...' if skipped.skipped > 3 else ''}); all are in the set's details")
    if on_note is not None and fmt.name == "hashlist" and not format_name and counts.all_sha256():
        on_note("values of 64 hex digits read as SHA-256: a PDQ list needs --format pdqlist")
    imported = store.get_hashset(name)
    _audit(store, "hashset.import", user, imported)
    return imported


def remove_hashset(store: Store, name: str, user: str | None = None) -> HashSetRecord:
    """Remove a hash set and its entries (matches already recorded keep their record), audited as
    ``hashset.remove`` naming ``user`` and the set as it was."""
    record = store.get_hashset(name)
    store.remove_hashset(name)
    _audit(store, "hashset.remove", user, record)
    return record


def _audit(store: Store, action: str, user: str | None, record: HashSetRecord) -> None:
    """A global audit entry for a change to the lists (the in-memory test store keeps no trail)."""
    if getattr(store, "engine", None) is None:
        return
    facts = {key: record.details[key] for key in ("file", "file_sha256", "issuer", "categories", "skipped_rows")
             if key in record.details}
    audit.append(store, action, user=user, details={
        "hashset": record.name, "format": record.format, "entries": record.entry_count,
        "pdq_threshold": record.pdq_threshold, "source": record.source, **facts})


def _state_categories(store: Store, record: HashSetRecord, fmt: HashSetFormat, counts: _Counts,
                      on_note: Callable[[str], None] | None) -> None:
    """Say, and keep in the set's details, how its categories were read (``category_numbering``: UK or VICS
    numbering and why, with the entries of each scheme) and what category-like data was not read
    (``warnings``): a category lost at import must never go unsaid."""
    numbering = fmt.category_numbering()
    if numbering is None:
        return
    tally = ", ".join(f"{n} {scheme}" for scheme, n in sorted(counts.schemes.items())) or "none"
    statement = f"{numbering} (entries by scheme: {tally})"
    warnings = [f"warning: {w}" for w in fmt.warnings()]
    store.add_hashset_details(record.id, {"category_numbering": statement,
                                          **({"warnings": warnings} if warnings else {})})
    if on_note is not None:
        for line in (statement, *warnings):
            on_note(line)


@dataclass
class _Counts:
    """What went by: a detected hash list of nothing but 64-digit values may be a PDQ list; the entries'
    categories by scheme (``uncategorised`` without one)."""

    entries: int = 0
    sha256_only: int = 0
    schemes: Counter[str] = field(default_factory=Counter)

    def all_sha256(self) -> bool:
        return self.entries > 0 and self.sha256_only == self.entries


def _entries(entries: Iterator[KnownEntry], unnamed: str | None, counts: _Counts) -> Iterator[KnownEntry]:
    """The format's entries, counted; an entry with no label gets ``unnamed`` when given: a vPDQ file's
    name (a reference vPDQ file has no header, so its name is what says which video it is)."""
    for entry in entries:
        counts.entries += 1
        counts.schemes[entry.category.scheme.value if entry.category else "uncategorised"] += 1
        if entry.sha256 and not (entry.md5 or entry.sha1 or entry.pdq):
            counts.sha256_only += 1
        if entry.label is None and unnamed is not None:
            entry = replace(entry, label=unnamed)
        yield entry


def _head_and_hash(path: Path) -> tuple[bytes, str]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        head = stream.read(64 << 10)
        digest.update(head)
        while block := stream.read(4 << 20):
            digest.update(block)
    return head, digest.hexdigest()
