"""footprint hashset import/list/show/remove"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from footprint.cli.context import app_context, check_name
from footprint.cli.hashset_build import build
from footprint.cli.output import print_json, print_rows, say
from footprint.cli.user import actor
from footprint.errors import UsageError
from footprint.hashsets.signing import sidecar, trusted_folder_keys, trusted_keys
from footprint.pipeline.importing import import_hashset, remove_hashset

app = typer.Typer(no_args_is_help=True, help="Import and manage known-image hash sets.")
app.command("build")(build)


@app.command("import")
def import_(ctx: typer.Context,
            file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
            name: str = typer.Option(..., "--name", help="A unique name for the set."),
            format: str | None = typer.Option(None, "--format",
                                              help="Force the format (vics, csv, hashlist, pdqlist, vpdq)."),
            threshold: int = typer.Option(31, "--threshold", min=0, max=64,
                                          help="PDQ distance at or under which an item near-matches."),
            source: str | None = typer.Option(None, "--source", help="Who issued the list."),
            categories: str | None = typer.Option(None, "--categories",
                                                  help="How bare category numbers read: vics (0-4) or uk "
                                                       "(1-4 = A, B, C, N)."),
            skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows",
                                               help="Skip damaged rows, counted and recorded in the set's "
                                                    "details, instead of refusing the list."),
            verify_key: list[Path] | None = typer.Option(None, "--verify-key", exists=True, dir_okay=False,
                                                         help="Require a valid FILE.sig by this public key."),
            trusted: bool = typer.Option(False, "--trusted",
                                         help="Require a valid FILE.sig by a key in HOME/trusted.")) -> None:
    """Import a hash set; its format is detected from its content."""
    check_name("hash set", name)
    if categories not in (None, "vics", "uk"):
        raise UsageError(f"--categories must be vics or uk, not {categories!r}")
    app = app_context(ctx)
    keys = trusted_keys(verify_key) if verify_key else None
    if trusted:
        keys = {**(keys or {}), **trusted_folder_keys(app.settings.home / "trusted")}
    if keys is None and sidecar(file).exists():
        say(f"{sidecar(file).name} is present but not checked: use --verify-key or --trusted")
    record = import_hashset(app.store, file, name, format_name=format, pdq_threshold=threshold, source=source,
                            trusted=keys, categories=categories, on_note=say, skip_bad_rows=skip_bad_rows,
                            user=actor())
    issuer = record.details.get("issuer")
    if isinstance(issuer, dict):
        say(f"signature verified: signed by {issuer['signer']} ({issuer['key']}), trusted as {issuer['trusted_as']}")
    say(f"imported {record.entry_count} entries into {record.name} ({record.format})")


@app.command("list")
def list_sets(ctx: typer.Context) -> None:
    """List hash sets, one a line."""
    rows = [(h.name, h.format, h.entry_count, h.pdq_threshold, h.imported.isoformat(timespec="seconds"),
             h.source) for h in app_context(ctx).store.list_hashsets()]
    print_rows(("name", "format", "entries", "pdq_threshold", "imported", "source"), rows)


@app.command("show")
def show(ctx: typer.Context, name: str) -> None:
    """Show one hash set (JSON)."""
    print_json(asdict(app_context(ctx).store.get_hashset(name)))


@app.command("remove")
def remove(ctx: typer.Context, name: str) -> None:
    """Remove a hash set and its entries (matches already recorded in cases keep their record)."""
    remove_hashset(app_context(ctx).store, name, user=actor())
    say(f"removed hash set {name}")
