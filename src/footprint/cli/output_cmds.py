"""footprint export NAME --format jsonl|csv, footprint report NAME -o FILE"""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import typer

from footprint.cli import disclosure
from footprint.cli.context import app_context
from footprint.cli.disclosure import HashingWriter
from footprint.cli.output import say
from footprint.errors import UsageError
from footprint.hashsets.signing import load_private_key, sign_file
from footprint.model import CategoryScheme
from footprint.reports.court import write_report
from footprint.reports.decided import current_decisions
from footprint.reports.export import EXPORTERS
from footprint.reports.open_formats import OPEN_FORMATS, write_open_format
from footprint.reports.vics_export import write_case_vics
from footprint.store.base import CaseRecord, Store


def note_unfinished(store: Store, case: CaseRecord) -> None:
    """On stderr: an exhibit whose scan is not finished, or whose evidence changed, is in the output as
    far as it went; say so rather than let a partial export pass for a whole one."""
    for exhibit in store.list_exhibits(case.id):
        if exhibit.status == "scanning":
            say(f"note: the scan of exhibit {exhibit.name} is not finished: only the items saved so far are "
                f"included (run the same scan command again to resume)")
        elif exhibit.status != "complete":
            say(f"note: exhibit {exhibit.name} is {exhibit.status}: its evidence changed while it was scanned")


def refuse_evidence(store: Store, output: Path | None) -> None:
    """Evidence is read-only: an output that is an exhibit of any case, or lies inside an exhibit folder,
    is refused before anything is written."""
    if output is None:
        return
    target = output.resolve()
    for case in store.list_cases():
        for exhibit in store.list_exhibits(case.id):
            evidence = Path(exhibit.path)
            if target == evidence or evidence in target.parents:
                raise UsageError(f"{output} is evidence (exhibit {exhibit.name} of case {case.name}): "
                                 f"footprint never writes there")


@contextmanager
def _target(path: Path | None):
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        yield out


def export(ctx: typer.Context, name: str,
           format: str = typer.Option("jsonl", "--format", help="jsonl, csv, vics, dfxml or case (CASE/UCO JSON-LD)."),
           output: Path | None = typer.Option(None, "-o", "--output", help="File (default: stdout)."),
           profile: str | None = typer.Option(None, "--profile",
                                              help="VICS profile, uk or us (default: the case's scheme)."),
           sign: Path | None = typer.Option(None, "--sign", exists=True, dir_okay=False,
                                            help="vics: sign with this Ed25519 private key (writes FILE.sig)."),
           ) -> None:
    """Export every item of a case with its hashes, status, matches and reviewer's decision (or, as vics,
    its known and reviewer-categorised files as a hash set to share)."""
    if sign is not None and (format != "vics" or output is None):
        raise UsageError("--sign needs --format vics and -o FILE (the signature goes beside it as FILE.sig)")
    if profile is not None and format != "vics":
        raise UsageError(f"--profile picks the VICS category numbering: it needs --format vics, not {format}")
    if profile not in (None, "uk", "us"):  # checked before the output file is opened (and emptied)
        raise UsageError(f"VICS profile must be uk or us, not {profile!r}")
    if format not in (*EXPORTERS, "vics", *OPEN_FORMATS):
        raise UsageError(f"unknown export format {format!r}; choose one of "
                         f"{', '.join((*EXPORTERS, 'vics', *OPEN_FORMATS))}")
    store = app_context(ctx).store
    case = store.get_case(name)
    refuse_evidence(store, output)
    note_unfinished(store, case)
    if sign is not None:
        load_private_key(sign)  # a bad key fails now, before an unsigned list is written
    other_scheme: Counter[str] = Counter()  # vics: files whose categories the profile cannot number
    left_out: Counter[str] = Counter()  # vics: matched or categorised files not shared, by why
    decided = current_decisions(store, case)  # every export carries the reviewers' current decisions
    with _target(output) as target:
        hashing = HashingWriter(target)
        out: TextIO = hashing  # type: ignore[assignment]  # a text stream: what the exporters use of TextIO
        if format == "vics":
            chosen = profile or ("uk" if case.scheme is CategoryScheme.UK else "us")
            count = write_case_vics(store.iter_items(case.id), out, chosen, store, other_scheme, decided, left_out)
        elif format in OPEN_FORMATS:
            count = write_open_format(format, store, case, out, app_context(ctx).settings,
                                      command_line=f"footprint export {name} --format {format}"
                                      + (f" -o {output}" if output else ""))
        else:
            count = EXPORTERS[format](store.iter_items(case.id), out, decided)
    sha256 = hashing.hexdigest()
    details: dict[str, object] = {"format": format, "count": count}
    if format == "vics":
        details["profile"] = chosen
        if other_scheme:
            details["without_category"] = dict(sorted(other_scheme.items()))
            other = "us" if chosen == "uk" else "uk"
            say(f"warning: {other_scheme.total()} files whose most serious category the {chosen} profile does not "
                f"number ({', '.join(f'{k} x{n}' for k, n in sorted(other_scheme.items()))}): written without a "
                f"category; --profile {other} keeps them")
        if left_out:
            details["left_out"] = dict(sorted(left_out.items()))
            say(f"note: {left_out.total()} matched or categorised files not shared: "
                f"{', '.join(f'{n} {why}' for why, n in sorted(left_out.items()))} (review them to share them)")
    disclosure.record(store, [case], "export", output, sha256, details)
    say(f"exported {count} {'files' if format == 'vics' else 'items'}" + (f" to {output}" if output else ""))
    if sign is not None and output is not None:
        say(f"signed: {sign_file(output, sign)}")


def report(ctx: typer.Context, name: str,
           output: Path = typer.Option(..., "-o", "--output", help="The HTML (or PDF) file to write."),
           pdf: bool = typer.Option(False, "--pdf", help="Write the court report as an A4 PDF.")) -> None:
    """Write a self-contained HTML report of a case, or with --pdf the same report as a PDF."""
    if output.suffix.lower() == ".pdf" and not pdf:
        raise UsageError(f"{output} is named .pdf but the report would be HTML: add --pdf, or name it .html")
    app = app_context(ctx)
    refuse_evidence(app.store, output)
    note_unfinished(app.store, app.store.get_case(name))
    write_report(app.store, name, output, app.settings, pdf=pdf)
    disclosure.record(app.store, [app.store.get_case(name)], "report", output, disclosure.file_sha256(output),
                      {"format": "pdf" if pdf else "html"})
    say(f"report written to {output}")
