"""footprint links: items seen across cases and exhibits (same file, picture, camera or place)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import typer

from footprint.cli import disclosure
from footprint.cli.context import app_context
from footprint.cli.output import say
from footprint.cli.output_cmds import refuse_evidence
from footprint.errors import UsageError
from footprint.intel.links import DEFAULT_RADIUS, link_report, set_aside_text

FORMATS = ("jsonl", "json", "graphml")


def links(ctx: typer.Context,
          cases: list[str] | None = typer.Argument(None, metavar="[CASE]...",
                                                   help="Only links touching these cases, each whole "
                                                   "(default: every case)."),
          format: str = typer.Option("jsonl", "--format", help="jsonl (one link a line), json (node-link graph) "
                                     "or graphml."),
          radius: float = typer.Option(DEFAULT_RADIUS, "--radius", help="Metres within which GPS positions link."),
          output: Path | None = typer.Option(None, "-o", "--output", help="Write here instead of stdout.")) -> None:
    """List links across cases: the same evidence (exhibit fingerprint), the same file (SHA-256/MD5),
    the same picture (PDQ), the same camera (make, model, body serial) and nearby GPS positions."""
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    if not radius > 0:
        raise UsageError("--radius must be a positive number of metres")
    store = app_context(ctx).store
    refuse_evidence(store, output)
    for name in cases or ():
        store.get_case(name)  # NotFound for a case that does not exist
    report = link_report(store, radius, cases or None)
    found, aside = report.links, report.set_aside_counts()
    if format == "jsonl":
        text = "".join(json.dumps(link.as_dict(), ensure_ascii=False, sort_keys=True) + "\n" for link in found)
    else:
        from footprint.intel.graph import graphml, node_link_json  # networkx: only for a graph

        text = node_link_json(found, aside) if format == "json" else graphml(found, aside)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    touched = {node.case for link in found for node in link.nodes}
    disclosure.record(store, [c for c in store.list_cases() if c.name in touched], "export.links", output,
                      hashlib.sha256(text.encode("utf-8")).hexdigest(),
                      {"format": format, "count": len(found), "cases": sorted(touched), "radius_m": radius,
                       "set_aside": aside})
    say(f"{len(found)} links" + (f"; {set_aside_text(aside)}" if aside else ""))
