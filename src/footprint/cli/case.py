"""footprint case create/list/show"""

from __future__ import annotations

from dataclasses import asdict

import typer

from footprint.cli.context import app_context, check_name
from footprint.cli.output import print_json, print_rows, say
from footprint.model import CategoryScheme
from footprint.reports.summary import case_summary

app = typer.Typer(no_args_is_help=True, help="Create and inspect cases.")


@app.command("create")
def create(ctx: typer.Context, name: str,
           scheme: CategoryScheme = typer.Option(CategoryScheme.UK, help="Category scheme for review."),
           description: str = typer.Option("", help="Free text: operation, officer, reference.")) -> None:
    """Create a case."""
    check_name("case", name)
    case = app_context(ctx).store.create_case(name, scheme, description)
    say(f"created case {case.name} ({case.scheme.value} categories)")


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
