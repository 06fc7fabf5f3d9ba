"""Pages for the detection service's match reports (issue 8): a list by status, a report's detail and a
form to move its status on. Who may do this and the audit trail are the review core's
(footprint.review.reports); a role without ``review_reports`` gets 403 from there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from footprint.review.reports import MAX_NOTES, STATUSES
from footprint.web.pages import Checked, Id, User, Work, _done, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100
STATUS_PATTERN = "^(" + "|".join(STATUSES) + ")$"


@router.get("/reports")
def report_list(request: Request, work: Work, session: User,
                status: Annotated[str, Query(pattern="^(all|" + "|".join(STATUSES) + ")$")] = "new",
                after: Annotated[int, Query(ge=0, le=2**62)] = 0) -> Response:
    rows, counts = work.reports(session, None if status == "all" else status, after, PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    return render(request, "reports.html", session, rows=rows[:PAGE_SIZE], counts=counts, status=status,
                  statuses=STATUSES, after=after, next_after=rows[PAGE_SIZE - 1].id if more else None)


@router.get("/reports/{report_id}")
def report_page(request: Request, work: Work, session: User, report_id: Id) -> Response:
    return render(request, "report.html", session, report=work.report(session, report_id), statuses=STATUSES,
                  max_notes=MAX_NOTES)


@router.post("/reports/{report_id}/status")
def report_status(request: Request, work: Work, session: Checked, report_id: Id,
                  status: Annotated[str, Form(pattern=STATUS_PATTERN)],
                  notes: Annotated[str | None, Form(max_length=MAX_NOTES)] = None) -> Response:
    changed = work.set_report_status(session, report_id, status, notes)
    return _done(request, f"/reports/{report_id}", {"report": report_id, "status": changed})
