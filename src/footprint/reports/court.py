"""Write a case's court report, as HTML or PDF, from one gathering of its data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from footprint.reports.casereport import AuditHead, CaseReport, gather_report
from footprint.reports.html import write_html_report
from footprint.reports.pdf import write_pdf_report
from footprint.settings import Settings
from footprint.store.base import Store


def write_report(store: Store, case_name: str, path: Path, settings: Settings, *, pdf: bool = False,
                 generated: datetime | None = None, audit_head: AuditHead | None = None) -> CaseReport:
    """``generated`` defaults to now (UTC); pass it to re-make an earlier report byte for byte."""
    report = gather_report(store, case_name, settings, generated or datetime.now(UTC), audit_head=audit_head)
    (write_pdf_report if pdf else write_html_report)(report, path)
    return report
