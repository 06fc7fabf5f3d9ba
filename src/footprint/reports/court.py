"""Write a case's court report, as HTML or PDF, from one gathering of its data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from footprint.reports.casereport import AuditHead, CaseReport, Decided, gather_report
from footprint.reports.decided import current_decisions, decision_row
from footprint.reports.html import write_html_report
from footprint.reports.pdf import write_pdf_report
from footprint.review import audit
from footprint.settings import Settings
from footprint.store.base import CaseRecord, Store

# True: audit_trail_head reads the review layer's trail (footprint.review.audit).
AUDIT_TRAIL_WIRED = True


def audit_trail_head(store: Store, case: CaseRecord) -> str | None:
    """The hash at the head of the case's audit trail, shown in the report so a court can check the
    trail it is given is the one the report was made from (``footprint audit verify`` prints the same).
    None when the case has no trail (or the store keeps none, as the in-memory test store); the report
    then says that no audit trail is recorded."""
    if getattr(store, "engine", None) is None:
        return None
    return audit.head(store, case.id)


def reviewers_decisions(store: Store, case: CaseRecord) -> dict[int, dict[str, object]]:
    """Each categorised item's current decision (category, who, when), from the review layer."""
    return {item_id: row for item_id, d in current_decisions(store, case).items() if (row := decision_row(d))}


def write_report(store: Store, case_name: str, path: Path, settings: Settings, *, pdf: bool = False,
                 generated: datetime | None = None, audit_head: AuditHead | None = audit_trail_head,
                 decided_by: Decided | None = reviewers_decisions) -> CaseReport:
    """``generated`` defaults to now (UTC); pass it to re-make an earlier report byte for byte."""
    report = gather_report(store, case_name, settings, generated or datetime.now(UTC), audit_head=audit_head,
                           decided_by=decided_by)
    (write_pdf_report if pdf else write_html_report)(report, path)
    return report
