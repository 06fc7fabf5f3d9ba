"""footprint case create/list/show"""

from __future__ import annotations

from dataclasses import asdict

import typer

from footprint.cli.context import app_context
from footprint.cli.output import print_json, print_rows, say
from footprint.errors import UsageError
from footprint.model import CategoryScheme
from footprint.reports.summary import case_summary

app = typer.Typer(no_args_is_help=True, help="Create and inspect cases.")


@app.command("create")
def create(ctx: typer.Context, name: str,
           scheme: CategoryScheme = typer.Option(CategoryScheme.UK, help="Category scheme for review."),
           description: str = typer.Option("", help="Free text: operation, officer, reference.")) -> None:
    """Create a case."""
    _check_name(name)
    case = app_context(ctx).store.create_case(name, scheme, description)
    say(f"created case {case.name} ({case.scheme.value} categories)")


def _check_name(name: str) -> None:
    """A case name is printed in tables, reports and audit lines: never empty (the global audit trail's
    case column is empty), never padded with spaces, never holding tabs, line breaks or other controls."""
    if not name.strip() or name != name.strip() or not name.isprintable() or len(name) > 200:
        raise UsageError(f"a case name is 1-200 printable characters, without spaces at either end, "
                         f"not {name!r}")


@app.command("list")
def list_cases(ctx: typer.Context) -> None:
    """List cases, one a line."""
    store = app_context(ctx).store
    rows = [(c.name, c.scheme.value, c.created.isoformat(timespec="seconds"),
             len(store.list_exhibits(c.id)), c.description) for c in store.list_cases()]
    print_rows(("name", "scheme", "created", "exhibits", "description"), rows)


@app.command("show")
def show(ctx: typer.Context, name: str) -> None:
    """Show a case: its exhibits with their integrity hashes, and counts (JSON)."""
    store = app_context(ctx).store
    case = store.get_case(name)
    print_json({"case": asdict(case), **case_summary(store, case)})
