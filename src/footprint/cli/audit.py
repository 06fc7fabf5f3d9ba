"""footprint audit verify/show: check and read a case's audit trail."""

from __future__ import annotations

import json
import sys

import typer

from footprint.cli.context import app_context
from footprint.cli.output import say
from footprint.errors import AuditError, UsageError
from footprint.review import audit

app = typer.Typer(no_args_is_help=True, help="The audit trail of a case (hash-chained).")
GLOBAL_HELP = "The global trail (logins, accounts) instead of a case's."


def _case_id(ctx: typer.Context, case: str, global_: bool) -> int | None:
    if global_ == bool(case):
        raise UsageError("name a case, or give --global (not both)")
    return None if global_ else app_context(ctx).store.get_case(case).id


@app.command("verify")
def verify(ctx: typer.Context, case: str = typer.Argument("", help="The case (omit with --global or --all)."),
           global_: bool = typer.Option(False, "--global", help=GLOBAL_HELP),
           every: bool = typer.Option(False, "--all", help="Every case's trail and the global one.")) -> None:
    """Check the chain; print its head hash when intact, else fail naming the first bad entry."""
    if every:
        if case or global_:
            raise UsageError("--all checks every trail: name no case and give no --global")
        _verify_all(ctx)
        return
    result = audit.check(app_context(ctx).store, _case_id(ctx, case, global_))
    sys.stdout.write(f"{result.head or ''}\n")
    say(f"audit trail {result.chain}: {result.entries} entries verified")


def _verify_all(ctx: typer.Context) -> None:
    """One line per trail (case name, or empty for the global one; entries; head), then the first failure."""
    store = app_context(ctx).store
    results = audit.verify_all(store)
    for name, result in results:
        sys.stdout.write(f"{name}\t{result.entries}\t{result.head or ''}\t{'ok' if result.ok else 'FAILED'}\n")
    failed = [(name, r) for name, r in results if not r.ok]
    if failed:
        name, result = failed[0]
        raise AuditError(f"{len(failed)} of {len(results)} audit trails do not verify; the first, {result.chain} "
                         f"({name or 'global'}): {result.problem}")
    say(f"{len(results)} audit trails verified")


@app.command("show")
def show(ctx: typer.Context, case: str = typer.Argument("", help="The case (omit with --global)."),
         global_: bool = typer.Option(False, "--global", help=GLOBAL_HELP)) -> None:
    """Every entry of the trail, oldest first, as JSON Lines."""
    for row in audit.iter_entries(app_context(ctx).store, _case_id(ctx, case, global_)):
        sys.stdout.write(json.dumps(audit.as_dict(row), ensure_ascii=False, sort_keys=True) + "\n")
