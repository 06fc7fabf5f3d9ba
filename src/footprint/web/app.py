"""The web application: the review workspace (HTML) and the detection service's HTTP API under /api/v1.

Built by ``create_app(settings)``, never at import time; no business logic here, only adapters over
review/, reports/, pipeline/ and the store.
"""

from __future__ import annotations

from fastapi import FastAPI

from footprint import __version__
from footprint.settings import Settings
from footprint.web import api


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="footprint", version=__version__, openapi_url="/openapi.json",
                  docs_url=None, redoc_url=None)
    app.include_router(api.create_router(settings), prefix="/api/v1")
    return app
