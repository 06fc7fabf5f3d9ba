"""POST /match/hashes, /match/content, /match/url: what a platform calls on each upload."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from footprint.banks.inputs import HashQuery
from footprint.banks.records import ApiKey
from footprint.banks.service import DetectionService, Submission

from .auth import require
from .errors import ApiError
from .models import Context, HashesRequest, MatchAnswer, UrlRequest

UPLOAD_TYPES = ("application/octet-stream", "image/", "video/")
_BINARY = {"schema": {"type": "string", "format": "binary"}}
UPLOAD_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": _BINARY, "image/*": _BINARY, "video/*": _BINARY}}}


def add_match_routes(router: APIRouter, service: DetectionService) -> None:
    Key = Annotated[ApiKey, Depends(require(service, "query"))]

    @router.post("/match/hashes", response_model=MatchAnswer, tags=["match"])
    def match_hashes(body: HashesRequest, key: Key) -> dict[str, Any]:
        """Match precomputed hashes (any of md5, sha1, sha256, pdq with pdq_quality, vpdq)."""
        query = HashQuery(md5=body.md5, sha1=body.sha1, sha256=body.sha256, pdq=body.pdq,
                          pdq_quality=body.pdq_quality, vpdq=body.vpdq)
        return service.match_hashes(key, query, _submission(body))

    @router.post("/match/content", response_model=MatchAnswer, tags=["match"], openapi_extra=UPLOAD_BODY)
    async def match_content(request: Request, key: Key,
                            reference: Annotated[str | None, Query(max_length=500)] = None,
                            uploader_id: Annotated[str | None, Query(max_length=500)] = None,
                            uploader_name: Annotated[str | None, Query(max_length=500)] = None,
                            uploader_ip: Annotated[str | None, Query(max_length=500)] = None) -> dict[str, Any]:
        """Match an image or video sent as the body (Content-Type image/*, video/* or
        application/octet-stream); hashed as a scan hashes it, PDQ in all eight orientations."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not kind.startswith(UPLOAD_TYPES):
            raise ApiError(415, "send the file itself as image/*, video/* or application/octet-stream")
        data = await request.body()
        if not data:
            raise ApiError(422, "the body is empty")
        uploader = {k: v for k, v in (("user_id", uploader_id), ("name", uploader_name),
                                      ("ip_address", uploader_ip)) if v is not None}
        submission = Submission(reference=reference, uploader=uploader or None)
        return await run_in_threadpool(service.match_content, key, data, submission)

    @router.post("/match/url", response_model=MatchAnswer, tags=["match"])
    def match_url(body: UrlRequest, key: Key) -> dict[str, Any]:
        """Fetch a file from an allow-listed internal host (size and time limited) and match it."""
        return service.match_url(key, body.url, _submission(body))


def _submission(body: Context) -> Submission:
    uploader = body.uploader.model_dump(mode="json", exclude_none=True) if body.uploader else None
    return Submission(reference=body.reference, uploader=uploader, incident_time=body.incident_time)
