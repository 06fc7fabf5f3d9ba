"""footprint serve: the review workspace and the HTTP API, on 127.0.0.1 by default."""

from __future__ import annotations

import socket

import typer

from footprint.banks.config import ServiceConfig
from footprint.cli.context import app_context
from footprint.cli.output import say
from footprint.errors import FootprintError
from footprint.private import private_dir


def serve(ctx: typer.Context,
          host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
          port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
          break_minutes: int = typer.Option(50, "--break-minutes", min=1,
                                            help="Remind a reviewer to take a break after this many minutes.")) -> None:
    """Serve the review workspace and the /api/v1 API until interrupted."""
    import uvicorn  # the web application's modules take half a second to import: not for every command

    from footprint.web.api.server import server_options
    from footprint.web.app import WebConfig, create_app

    settings = app_context(ctx).settings
    private_dir(settings.home)
    limits = ServiceConfig.from_env()  # the API's router reads the same settings
    app = create_app(settings, WebConfig(break_minutes=break_minutes))
    _check_can_listen(host, port)
    say(f"footprint: serving on http://{host}:{port}/ (Ctrl-C stops)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", **server_options(limits))
    except SystemExit as exc:  # uvicorn's own start-up failure (its code 3 would read as "not found")
        if exc.code not in (0, None):
            raise FootprintError(f"the server stopped: could not start on {host}:{port}") from exc


def _check_can_listen(host: str, port: int) -> None:
    """One line now, rather than uvicorn's log line and exit code later, when the address is taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise FootprintError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
