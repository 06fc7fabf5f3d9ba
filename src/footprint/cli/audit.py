"""footprint audit verify/show: check and read a case's audit trail."""

from __future__ import annotations

import json
import sys

import typer

from footprint.cli.context import app_context
from footprint.cli.output import say
from footprint.errors import UsageError
from footprint.review import audit

app = typer.Typer(no_args_is_help=True, help="The audit trail of a case (hash-chained).")
GLOBAL_HELP = "The global trail (logins, accounts) instead of a case's."


def _case_id(ctx: typer.Context, case: str, global_: bool) -> int | None:
    if global_ == bool(case):
        raise UsageError("name a case, or give --global (not both)")
    return None if global_ else app_context(ctx).store.get_case(case).id


@app.command("verify")
def verify(ctx: typer.Context, case: str = typer.Argument("", help="The case (omit with --global)."),
           global_: bool = typer.Option(False, "--global", help=GLOBAL_HELP)) -> None:
    """Check the chain; print its head hash when intact, else fail naming the first bad entry."""
    result = audit.check(app_context(ctx).store, _case_id(ctx, case, global_))
    sys.stdout.write(f"{result.head or ''}\n")
    say(f"audit trail {result.chain}: {result.entries} entries verified")


@app.command("show")
def show(ctx: typer.Context, case: str = typer.Argument("", help="The case (omit with --global)."),
         global_: bool = typer.Option(False, "--global", help=GLOBAL_HELP)) -> None:
    """Every entry of the trail, oldest first, as JSON Lines."""
    for row in audit.iter_entries(app_context(ctx).store, _case_id(ctx, case, global_)):
        sys.stdout.write(json.dumps(audit.as_dict(row), ensure_ascii=False, sort_keys=True) + "\n")
