"""A finished scan of an exhibit is an entry of its case's audit trail (action ``scan``): who read which
evidence, when, how it ended (complete, or changed while it was read), its fingerprint before and after,
and the lists its items were matched against. The exhibit's record holds the same and more (its runs,
the software); the trail is what the chain of hashes keeps from being rewritten afterwards."""

from __future__ import annotations

from collections.abc import Mapping

from footprint.pipeline.runs import recorded
from footprint.review import audit
from footprint.store.base import ExhibitRecord, Store

ACTION = "scan"


def audit_scan(store: Store, exhibit: ExhibitRecord, user: str | None) -> None:
    """Append the ``scan`` entry for ``exhibit`` as its scan finished (the in-memory store keeps no trail)."""
    if getattr(store, "engine", None) is None:
        return
    details = exhibit.details
    audit.append(store, ACTION, user=user, case_id=exhibit.case_id, details={
        "exhibit": exhibit.name, "path": exhibit.path, "kind": exhibit.kind, "status": exhibit.status,
        "hashes_before": dict(exhibit.hashes_before), "hashes_after": dict(exhibit.hashes_after),
        "runs": len(recorded(details, "runs")), "hash_sets": _names(details, "hash_sets"),
        "hash_sets_partial": _names(details, "hash_sets_partial"),
        "known_good_lists": _names(details, "known_good_lists")})


def _names(details: Mapping[str, object], key: str) -> list[str]:
    return [str(h.get("name")) for h in recorded(details, key)]
