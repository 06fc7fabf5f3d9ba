"""footprint knowngood import/list/remove/apply, and footprint new CASE"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import typer

from footprint.cli.context import app_context
from footprint.cli.output import print_json, print_rows, say
from footprint.cli.user import actor
from footprint.errors import UsageError
from footprint.intel.newmaterial import NEAR_COPY, NEW, material_fields, new_material
from footprint.pipeline.knowngood import apply_known_good, import_nsrl, knowngood_store, remove_list
from footprint.reports.decided import current_decisions
from footprint.reports.export import item_to_dict

app = typer.Typer(no_args_is_help=True, help="Known-good lists (NSRL): files to leave out of review.")


@app.command("import")
def import_(ctx: typer.Context,
            file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
            name: str = typer.Option(..., "--name", help="A unique name for the list."),
            algorithms: str = typer.Option("sha256", "--algorithms",
                                           help="Hashes to keep, comma-separated: sha256, sha1, md5.")) -> None:
    """Import an NSRL RDS v3 minimal SQLite database into a compact lookup."""
    app = app_context(ctx)
    chosen = [a.strip().lower() for a in algorithms.split(",") if a.strip()]
    record = import_nsrl(app.store, app.settings.home, file, name, chosen, user=actor())
    counts = ", ".join(f"{n} {a}" for a, n in record.counts.items())
    invalid = record.details.get("invalid")
    left_out = ", ".join(f"{n} {a}" for a, n in invalid.items() if n) if isinstance(invalid, dict) else ""
    say(f"imported {record.rows} rows into known-good list {record.name} ({counts} distinct)"
        + (f"; left out, missing or malformed: {left_out}" if left_out else ""))


@app.command("list")
def list_lists(ctx: typer.Context) -> None:
    """List known-good lists, one a line."""
    rows = [(k.name, k.rows, json.dumps(dict(k.counts), sort_keys=True), k.imported.isoformat(timespec="seconds"),
             k.source, k.path) for k in knowngood_store(app_context(ctx).store).list_lists()]
    print_rows(("name", "rows", "distinct", "imported", "source", "path"), rows)


@app.command("remove")
def remove(ctx: typer.Context, name: str) -> None:
    """Remove a known-good list and its lookup (marks already made keep the list's name)."""
    remove_list(app_context(ctx).store, name, user=actor())
    say(f"removed known-good list {name}")


@app.command("apply")
def apply(ctx: typer.Context, case: str) -> None:
    """Mark a case's items found in any known-good list (JSON summary)."""
    print_json(asdict(apply_known_good(app_context(ctx).store, case, user=actor())))


def new(ctx: typer.Context, case: str,
        only: str = typer.Option("", "--only", help="new or near-copy: only that kind (default both).")) -> None:
    """List the case's new material, then its near copies of known material (JSON Lines)."""
    if only not in ("", NEW, NEAR_COPY):
        raise UsageError(f"--only is {NEW} or {NEAR_COPY}, not {only!r}")
    store = app_context(ctx).store
    decided = current_decisions(store, store.get_case(case))
    count = Counter[str]()
    for found in new_material(store, case, (only,) if only else (NEW, NEAR_COPY)):
        decision = decided.get(found.record.id) if found.record.id is not None else None
        line = {**item_to_dict(found.record, decision), **material_fields(found)}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        count[found.kind] += 1
    say(f"{count[NEW]} items of new material, {count[NEAR_COPY]} near copies of known material "
        f"(in no list: a reviewer categorises them)")
