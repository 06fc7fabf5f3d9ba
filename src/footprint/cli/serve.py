"""footprint serve: the review workspace and the HTTP API, on 127.0.0.1 by default."""

from __future__ import annotations

import typer
import uvicorn

from footprint.banks.config import ServiceConfig
from footprint.cli.context import app_context
from footprint.cli.output import say
from footprint.web.api.server import server_options
from footprint.web.app import WebConfig, create_app


def serve(ctx: typer.Context,
          host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
          port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
          break_minutes: int = typer.Option(50, "--break-minutes", min=1,
                                            help="Remind a reviewer to take a break after this many minutes.")) -> None:
    """Serve the review workspace and the /api/v1 API until interrupted."""
    settings = app_context(ctx).settings
    settings.home.mkdir(parents=True, exist_ok=True)
    limits = ServiceConfig.from_env()  # the API's router reads the same settings
    app = create_app(settings, WebConfig(break_minutes=break_minutes))
    say(f"footprint: serving on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", **server_options(limits))
