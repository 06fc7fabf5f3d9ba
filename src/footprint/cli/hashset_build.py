"""footprint hashset build FOLDER --name NAME [--category C] [--scheme uk|vics] [--vics FILE]"""

from __future__ import annotations

from pathlib import Path

import typer

from footprint.cli.context import app_context, check_name
from footprint.cli.output import say
from footprint.errors import NotFound, UsageError
from footprint.model import Category, CategoryScheme
from footprint.pipeline.building import build_hashset, write_hashset_vics

PROFILES = {"uk": "uk", "vics": "us"}


def build(ctx: typer.Context,
          folder: Path = typer.Argument(..., exists=True, file_okay=False, readable=True),
          name: str = typer.Option(..., "--name", help="A unique name for the new set."),
          category: str | None = typer.Option(None, "--category", help="Category of every entry (A/B/C/N or 0-4)."),
          scheme: str = typer.Option("uk", "--scheme", help="Category scheme: uk or vics."),
          threshold: int = typer.Option(31, "--threshold", min=0, max=64,
                                        help="PDQ distance at or under which an item near-matches."),
          vics: Path | None = typer.Option(None, "--vics", dir_okay=False,
                                           help="Also write the set as a VICS 2.0 file to share.")) -> None:
    """Build a hash set from a folder of pictures (MD5, SHA-1, SHA-256, PDQ, region signature)."""
    check_name("hash set", name)
    if scheme not in PROFILES:
        raise UsageError(f"--scheme must be uk or vics, not {scheme!r}")
    try:
        chosen = Category(CategoryScheme(scheme), category.strip().upper()) if category else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if vics is not None and not vics.resolve().parent.is_dir():  # before the set is built and saved
        raise NotFound(f"no such folder for --vics: {vics.resolve().parent}")
    app = app_context(ctx)
    summary = build_hashset(app.store, folder, name, category=chosen, pdq_threshold=threshold)
    videos = f", {summary.videos} videos with vPDQ frames" if summary.videos else ""
    say(f"built {summary.hashset.name}: {summary.files} files, {summary.pictures} with a picture signature{videos}")
    if vics is not None:
        with vics.open("w", encoding="utf-8") as out:
            count = write_hashset_vics(app.store, name, out, PROFILES[scheme])
        say(f"wrote {count} records to {vics}")
