"""footprint case create/list/show/rematch"""

from __future__ import annotations

from dataclasses import asdict

import typer

from footprint.cli.context import app_context, check_name
from footprint.cli.output import print_json, print_rows, say
from footprint.cli.user import actor
from footprint.model import CategoryScheme
from footprint.pipeline.rematch import rematch as rematch_case
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


@app.command("rematch")
def rematch(ctx: typer.Context, name: str,
            exhibit: list[str] = typer.Option([], "--exhibit", metavar="NAME",
                                              help="Only this exhibit (repeatable; default: every exhibit).")) -> None:
    """Match the hashes stored by the case's scans against the lists imported since, without reading the
    evidence again; print what each exhibit gained (JSON)."""
    app = app_context(ctx)
    summary = rematch_case(app.store, app.settings.database_url, name, exhibit, user=actor())
    for found in summary.exhibits:
        if not found.lists:
            say(f"{found.name}: every hash set in the store was already applied to its items; nothing to re-match "
                f"(a known-good list imported since is applied by: footprint knowngood apply {name})")
            continue
        per_list = ", ".join(f"{n} {found.new_matches[n]}" for n in found.lists)
        say(f"{found.name}: re-matched {found.items} items against {', '.join(found.lists)}: "
            f"{_items(found.matched_items)} matched for the first time, {_items(found.also_matched)} matched "
            f"before gained a match; new matches per list: {per_list}")
        if found.upright_only:
            say(f"{found.name}: {found.upright_only} pictures were scanned before footprint kept the rotated and "
                "mirrored forms of their hashes: they were matched upright only (a rotated or mirrored copy of a "
                "list's picture among them is found by a scan into a new case)")
    print_json({"case": summary.case, "exhibits": [e.as_dict() for e in summary.exhibits]})


def _items(count: int) -> str:
    return f"{count} item" + ("" if count == 1 else "s")
