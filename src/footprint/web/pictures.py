"""Pictures of items: thumbnails for the grid, a larger picture (or a video's storyboard) for the
item page. Every one goes through the same check as the pages: the user must be a member of the
case the item belongs to, else 404. Each is blurred and greyscale as sent, unless the session has a
live reveal of that item (the workspace decides; ``X-Footprint-Picture`` says which was sent);
``?blurred=1`` asks for the blurred one whatever the reveal (the page's way back to blurred). Sent
with ``Cache-Control: no-store`` (set for every non-static response by the security middleware), so
no copy stays in the browser's cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import FileResponse, Response

from footprint.web.pages import Id, User, Work

router = APIRouter(include_in_schema=False)


Blurred = Annotated[bool, Query(description="always the blurred picture, even of the item revealed")]


def _send(work: Work, session: User, case_id: int, item_id: int, size: str, blurred: bool) -> Response:
    case = work.case(session, case_id)
    path, plain = work.picture(session, case, item_id, size, blurred=blurred)
    sent = "plain" if plain else "blurred"
    return FileResponse(path, media_type="image/jpeg", headers={"Content-Disposition": "inline",
                                                                "X-Footprint-Picture": sent})


@router.get("/cases/{case_id}/items/{item_id}/thumbnail")
def thumbnail(request: Request, work: Work, session: User, case_id: Id, item_id: Id,
              blurred: Blurred = False) -> Response:
    return _send(work, session, case_id, item_id, "small", blurred)


@router.get("/cases/{case_id}/items/{item_id}/picture")
def picture(request: Request, work: Work, session: User, case_id: Id, item_id: Id,
            blurred: Blurred = False) -> Response:
    return _send(work, session, case_id, item_id, "large", blurred)
