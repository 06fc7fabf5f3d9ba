"""The review workspace's pages and form actions (HTML; kept out of the OpenAPI document).

Each handler checks the session, then the user's membership of the case in the URL (a case or an
item the user may not see is a 404, exactly like one that does not exist), then asks the workspace
(footprint.web.workspace, the adapter over review/ and the store) to do the work.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as Segment
from starlette.responses import JSONResponse, RedirectResponse, Response

from footprint.errors import UsageError
from footprint.intel.links import MIN_FILE_BYTES
from footprint.pipeline.thumbnails import BLUR_RANGE
from footprint.review.queue import QueueFilters
from footprint.web import views
from footprint.web.errors import wants_json
from footprint.web.session import Session, csrf_checked, logged_in, login_form_token, start_session
from footprint.web.workspace import Workspace

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 60
LINKED_ITEMS_SHOWN = 12  # items listed per side of one link (a camera may have taken thousands)


def workspace(request: Request) -> Workspace:
    found: Workspace = request.app.state.workspace
    return found


Work = Annotated[Workspace, Depends(workspace)]
User = Annotated[Session, Depends(logged_in)]
Checked = Annotated[Session, Depends(csrf_checked)]
Id = Annotated[int, Segment(ge=1, le=2**62)]  # a case's, an item's, a report's: a store's id, no larger


def render(request: Request, name: str, session: Session | None, **context: Any) -> Response:
    work = workspace(request)
    base = {"user": session.user if session else None, "csrf": session.csrf if session else "",
            "blur": session.blur if session else "", "break_minutes": work.config.break_minutes}
    return request.app.state.templates.TemplateResponse(request, name, {**base, **context})


def _done(request: Request, to: str, data: dict[str, Any]) -> Response:
    """Scripts get JSON; a plain form goes back to the page (303: GET after POST)."""
    return JSONResponse(data) if wants_json(request) else RedirectResponse(to, status_code=303)


# -- login ----------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/cases", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    token, csrf = login_form_token(request)
    response = render(request, "login.html", None, csrf=csrf)
    response.set_cookie(**token)
    return response


@router.post("/login")
def login(request: Request, work: Work, username: Annotated[str, Form(max_length=200)],
          password: Annotated[str, Form(max_length=1000)], csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    return start_session(request, work, username, password, csrf)


@router.post("/logout")
def logout(request: Request, work: Work, session: Checked) -> Response:
    work.logout(session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(session.cookie_name, path="/")
    return response


@router.post("/settings/blur")
def set_blur(request: Request, work: Work, session: Checked,
             strength: Annotated[int, Form(ge=BLUR_RANGE[0], le=BLUR_RANGE[1])]) -> Response:
    work.set_blur(session, strength)
    return _done(request, _back(request), {"blur": strength})


def _back(request: Request) -> str:
    """The page the request came from, when it is one of this workspace's (its path alone): never a
    redirect to another site a forged Referer names."""
    referer = urlsplit(request.headers.get("referer") or "")
    own = not referer.netloc or referer.netloc == request.url.netloc
    path = referer.path if own and referer.path.startswith("/") and not referer.path.startswith("//") else ""
    return (path + (f"?{referer.query}" if referer.query else "")) if path else "/cases"


# -- cases, grid, item, audit ---------------------------------------------------------------


@router.get("/cases")
def case_list(request: Request, work: Work, session: User) -> Response:
    return render(request, "cases.html", session, cases=work.cases(session))


@router.get("/cases/{case_id}/grid")
def grid(request: Request, work: Work, session: User, case_id: Id,
         show: Annotated[str, Query(pattern="^(new-first|new|near-copy|unmatched|matched|all)$")] = "new-first",
         category: Annotated[str, Query(max_length=20)] = "", exhibit: Annotated[str, Query(max_length=500)] = "",
         state: Annotated[str, Query(pattern="^(|allocated|deleted|carved)$")] = "",
         cluster: Annotated[str, Query(pattern="^[0-9]*$", max_length=18)] = "",
         page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    case = work.case(session, case_id)
    filters = QueueFilters(show, category, exhibit, state, int(cluster) if cluster else None)
    tiles, total, page, pages = work.grid(session, case, filters, page, PAGE_SIZE)  # past the end: the last

    def page_url(number: int) -> str:
        query = {k: v for k, v in {"show": show, "category": category, "exhibit": exhibit, "state": state,
                                   "cluster": cluster, "page": number}.items() if v}
        return f"/cases/{case.id}/grid?{urlencode(query)}"

    return render(request, "grid.html", session, case=case, tiles=tiles, total=total, page=page, pages=pages,
                  page_url=page_url, filters=filters, filtered=_narrowing(filters),
                  categories=views.categories(case.scheme), keys=views.key_names(case.scheme),
                  keymap=views.keymap_json(case.scheme), exhibits=work.exhibits(case),
                  revealed=work.revealed(session, case), reveal_left=work.reveal_left(session))


def _narrowing(filters: QueueFilters) -> bool:
    return bool(filters.show in ("new", "near-copy", "matched", "unmatched") or filters.category or filters.exhibit
                or filters.state or filters.cluster is not None)


@router.get("/cases/{case_id}/items/{item_id}")
def item_page(request: Request, work: Work, session: User, case_id: Id, item_id: Id) -> Response:
    case = work.case(session, case_id)
    shown = work.item_view(session, case, item_id)
    return render(request, "item.html", session, case=case, item=shown, exhibit=work.exhibit_of(case, item_id),
                  history=work.history(case, item_id), categories=views.categories(case.scheme),
                  revealed=work.revealed(session, case), reveal_left=work.reveal_left(session))


@router.get("/cases/{case_id}/revealed")
def revealed(request: Request, work: Work, session: User, case_id: Id) -> Response:
    """The session's live reveal in this case, as the pictures follow it: ``{"item": id or null,
    "seconds": left}``. review.js asks every few seconds while it shows a plain picture, and blurs it
    again as soon as the answer no longer names it (another tab's reveal, logout, a membership ended,
    the time up). A read: not audited."""
    case = work.case(session, case_id)
    item = work.revealed(session, case)
    return JSONResponse({"item": item, "seconds": work.reveal_left(session) if item is not None else 0})


@router.get("/cases/{case_id}/links")
def links_page(request: Request, work: Work, session: User, case_id: Id) -> Response:
    case = work.case(session, case_id)
    return render(request, "links.html", session, case=case, found=work.links(session, case),
                  shown=LINKED_ITEMS_SHOWN, min_file_bytes=MIN_FILE_BYTES)


@router.get("/cases/{case_id}/audit")
def audit_page(request: Request, work: Work, session: User, case_id: Id,
               page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    case = work.case(session, case_id)
    entries, more = work.audit_entries(session, case, (page - 1) * 200, 200)
    return render(request, "audit.html", session, case=case, entries=entries, more=more, page=page,
                  verified=work.verify(case))


# -- actions --------------------------------------------------------------------------------


@router.post("/cases/{case_id}/items/{item_id}/decision")
def decide(request: Request, work: Work, session: Checked, case_id: Id, item_id: Id,
           category: Annotated[str, Form(max_length=20)],
           scope: Annotated[str, Form(pattern="^(item|cluster)$")] = "item",
           seen: Annotated[int | None, Form(ge=1, le=2**62)] = None) -> Response:
    """``seen``: for a cluster, its size as the page showed it (the decision is refused if it changed)."""
    case = work.case(session, case_id)
    if category not in dict(views.categories(case.scheme)):
        raise UsageError(f"category {category!r} is not in this case's {case.scheme.value} scheme")
    if scope == "cluster" and seen is None:
        raise UsageError("a decision for a whole cluster needs the cluster's size as it was shown (seen)")
    decided = work.decide(session, case, item_id, category, seen if scope == "cluster" else None)
    return _done(request, f"/cases/{case.id}/items/{item_id}",
                 {"category": category, "scope": scope, "items": decided})


@router.post("/cases/{case_id}/items/{item_id}/reveal")
def reveal(request: Request, work: Work, session: Checked, case_id: Id, item_id: Id) -> Response:
    case = work.case(session, case_id)
    seconds = work.reveal(session, case, item_id)
    return _done(request, f"/cases/{case.id}/items/{item_id}", {"revealed": item_id, "seconds": seconds})
