"""Review of the detection service's match reports in the workspace (issue 8): who may read them, and
every look and status change in the audit trail.

A report holds what a platform told us about an uploader, so reading one is an audited view, like
opening an item, and only roles with ``review_reports`` (admin, investigator) may do either. Reports
belong to no case: their entries go to the global chain. A status change and its audit entry are
written in one transaction, so there is never a change the trail does not show.
"""

from __future__ import annotations

from footprint.banks.records import REPORT_STATUSES, Report
from footprint.banks.servicestore import ServiceStore
from footprint.errors import StoreError, UsageError
from footprint.review import audit
from footprint.review.accounts import User, require
from footprint.store.base import Store
from footprint.store.reviewstore import review_store

STATUSES = REPORT_STATUSES  # new → reviewed → reported (to the national centre) → closed
MAX_NOTES = 4000
MAX_PAGE = 500


def _records(store: Store) -> ServiceStore:
    engine = getattr(store, "engine", None)
    if engine is None:
        raise StoreError("service reports need a SQL case store (SQLite or PostgreSQL)")
    return ServiceStore(engine)


def list_reports(store: Store, user: User, status: str | None = None, after: int = 0,
                 limit: int = 100) -> list[Report]:
    """A page of reports, oldest first, with ids above ``after`` (keyset paging), optionally of one status."""
    require(user, "review_reports")
    return _records(store).list_reports(status, after, max(1, min(limit, MAX_PAGE)))


def counts(store: Store, user: User) -> dict[str, int]:
    require(user, "review_reports")
    return _records(store).report_counts()


def open_report(store: Store, user: User, report_id: int) -> Report:
    """One report, its reading recorded in the global audit trail (it carries uploader details)."""
    require(user, "review_reports")
    return view_report(store, user.name, report_id)


def view_report(store: Store, actor: str, report_id: int) -> Report:
    """open_report for whoever ``actor`` names, its right to already checked (the API's curate key:
    ``apikey:NAME``; the command line's ``cli:USER``): every reading of a report is in the trail,
    whichever way it came."""
    report = _records(store).get_report(report_id)
    audit.append(store, "report.view", user=actor, details={"report": report.id})
    return report


def export_reports(store: Store, actor: str, status: str | None = None, after: int = 0,
                   limit: int = 1000) -> list[Report]:
    """A page of whole reports (uploader details included) for whoever ``actor`` names, its right to
    already checked (see view_report), with one ``report.export`` entry in the trail naming every
    report handed out. One entry per page, not one per report: an export of thousands would otherwise
    write thousands of entries to the chain, and what an auditor asks ("who was given report 17, and
    when?") is answered by the ids the entry lists, as a grid page's ``view.grid`` entry lists its items.
    A page with no reports discloses nothing and is not recorded."""
    found = _records(store).list_reports(status, after, limit)
    if found:
        audit.append(store, "report.export", user=actor,
                     details={"reports": [r.id for r in found], "status": status, "after": after})
    return found


def set_status(store: Store, user: User, report_id: int, status: str, notes: str | None = None) -> Report:
    """Move a report to ``status`` (and replace its notes when given); audited with the old and new
    status in the same transaction."""
    require(user, "review_reports")
    return change_status(store, user.name, report_id, status, notes)


def change_status(store: Store, actor: str, report_id: int, status: str, notes: str | None = None) -> Report:
    """set_status for whoever ``actor`` names, its right to already checked (see view_report)."""
    if notes is not None and len(notes) > MAX_NOTES:
        raise UsageError(f"report notes are at most {MAX_NOTES} characters")
    reviews = review_store(store)
    with reviews.tx(write=True) as conn:
        before, after = _records(store).change_report_status(conn, report_id, status, notes)
        details: dict[str, object] = {"report": report_id, "from": before.status, "to": after.status}
        if notes is not None and notes != before.notes:
            details["notes"] = notes
        audit.append_in(reviews, conn, "report.status", user=actor, details=details)
    return after
