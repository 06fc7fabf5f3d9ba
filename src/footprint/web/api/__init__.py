"""The detection service's HTTP API, versioned under /api/v1 (issue 8).

A thin adapter over ``footprint.banks.DetectionService``: every route checks its key and scope, reads
its body within the limits (guard.py), calls the service and answers JSON; every failure answers the
one error shape (errors.py). ``create_service_app`` serves the API alone, for a platform that runs
the detection service without the review workspace.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from footprint import __version__
from footprint.banks.config import ServiceConfig
from footprint.banks.service import DetectionService
from footprint.private import private_dir
from footprint.settings import Settings
from footprint.store import open_store

from .errors import install_errors
from .guard import guarded_route
from .manage import add_admin_routes, add_bank_routes, add_report_routes
from .match import add_match_routes

__all__ = ["create_router", "create_service_app", "install_errors"]


def create_router(settings: Settings, config: ServiceConfig | None = None) -> APIRouter:
    """The /api/v1 routes over one DetectionService, started and stopped with the app."""
    config = config or ServiceConfig.from_env()
    private_dir(settings.home)
    service = DetectionService(open_store(settings.database_url), config)
    router = APIRouter(route_class=guarded_route(config), on_startup=[service.start], on_shutdown=[service.stop])
    add_match_routes(router, service)
    add_bank_routes(router, service)
    add_admin_routes(router, service)
    add_report_routes(router, service)
    router.service = service  # type: ignore[attr-defined]  # for tests and benchmarks
    return router


def create_service_app(settings: Settings, config: ServiceConfig | None = None) -> FastAPI:
    app = FastAPI(title="footprint detection service", version=__version__, openapi_url="/openapi.json",
                  docs_url=None, redoc_url=None)
    install_errors(app)
    app.include_router(create_router(settings, config), prefix="/api/v1")
    return app
