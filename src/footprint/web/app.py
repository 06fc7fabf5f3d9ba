"""The web application: the review workspace (HTML) and the detection service's HTTP API under /api/v1.

Built by ``create_app(settings)``, never at import time; no business logic here, only adapters over
review/, reports/, pipeline/ and the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from footprint import __version__
from footprint.settings import Settings
from footprint.web import api, errors, pages, pictures, reports
from footprint.web.security import security_headers
from footprint.web.workspace import Workspace

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class WebConfig:
    """How the review workspace behaves (``footprint serve`` options)."""

    break_minutes: int = 50  # remind the reviewer to take a break after this long
    default_blur: int = 12  # blur strength (CSS pixels; the server blurs too) until the user picks their own
    reveal_seconds: float = 300.0  # a revealed item is served plain for this long (one item at a time)
    login_attempts: int = 5  # failed logins per client address and user name...
    login_window: float = 300.0  # ...within this many seconds, before further tries are refused
    # The Links page names a linked case the user is not a member of only when this is on (off: "another
    # case" and its number, to quote when asking for access; see intel/caseview.py)
    link_case_names: bool = False


def create_app(settings: Settings, config: WebConfig | None = None) -> FastAPI:
    app = FastAPI(title="footprint", version=__version__, openapi_url="/openapi.json",
                  docs_url=None, redoc_url=None)
    app.state.workspace = Workspace(settings, config or WebConfig())
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.middleware("http")(security_headers)
    errors.install(app)
    app.include_router(api.create_router(settings), prefix="/api/v1")
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(pictures.router, include_in_schema=False)
    app.include_router(reports.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
