"""footprint apikey add/list/revoke: keys of the detection service's HTTP API."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from footprint.cli.context import app_context, check_name
from footprint.cli.output import print_rows, say
from footprint.cli.user import actor

if TYPE_CHECKING:
    from footprint.banks.service import DetectionService

app = typer.Typer(no_args_is_help=True, help="API keys of the detection service (footprint serve, /api/v1).")


def _service(ctx: typer.Context) -> DetectionService:
    from footprint.banks.service import DetectionService  # 0.1 s to import: only for these commands

    return DetectionService(app_context(ctx).store)


@app.command("add")
def add(ctx: typer.Context, name: str,
        scope: list[str] = typer.Option(..., "--scope", help="query, curate or admin; repeat for several."),
        rate: float = typer.Option(20.0, "--rate", min=0.001, help="Requests a second the key may make."),
        burst: int = typer.Option(40, "--burst", min=1, help="Requests the key may make at once.")) -> None:
    """Make a key; its token is printed once, on stdout (only its SHA-256 is kept)."""
    check_name("API key", name)
    key, token = _service(ctx).records.add_key(name, scope, rate, burst, actor())
    say(f"API key {key.name} ({', '.join(sorted(key.scopes))}): keep the token now, it is not shown again")
    typer.echo(token)


@app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """List keys, one a line (never their tokens)."""
    rows = [(k.name, " ".join(sorted(k.scopes)), k.rate, k.burst, k.created.isoformat(timespec="seconds"),
             k.revoked.isoformat(timespec="seconds") if k.revoked else None) for k in _service(ctx).records.list_keys()]
    print_rows(("name", "scopes", "rate", "burst", "created", "revoked"), rows)


@app.command("revoke")
def revoke(ctx: typer.Context, name: str) -> None:
    """Revoke a key: refused from its next request on."""
    _service(ctx).records.revoke_key(name, actor())
    say(f"revoked API key {name}")
