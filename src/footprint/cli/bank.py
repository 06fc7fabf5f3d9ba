"""footprint bank ...: the detection service's banks (hash sets it serves), allow-list, reports and
webhooks. A running server picks the changes up within its index poll interval."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from footprint.cli.context import app_context, check_name
from footprint.cli.output import print_json, print_rows, say
from footprint.cli.user import actor
from footprint.hashsets.registry import detect_format, get_format
from footprint.review import reports as reports_review

if TYPE_CHECKING:
    from footprint.banks.service import DetectionService

app = typer.Typer(no_args_is_help=True, help="Banks, allow-list, reports and webhooks of the detection service.")


def _service(ctx: typer.Context) -> DetectionService:
    from footprint.banks.service import DetectionService  # 0.1 s to import: only for these commands

    return DetectionService(app_context(ctx).store)


@app.command("create")
def create(ctx: typer.Context, name: str,
           threshold: int | None = typer.Option(None, "--threshold", min=0, max=31,
                                                help="PDQ distance at or under which a hash near-matches.")) -> None:
    """Make a new, empty bank."""
    check_name("bank", name)
    _service(ctx).banks.create_bank(name, threshold, source="cli", actor=actor())
    say(f"created bank {name}")


@app.command("serve")
def serve(ctx: typer.Context, name: str,
          threshold: int | None = typer.Option(None, "--threshold", min=0, max=31, help="The bank's PDQ threshold."),
          enable: bool | None = typer.Option(None, "--enable/--disable", help="Switch the bank on or off.")) -> None:
    """Serve an imported hash set as a bank, or change a bank's threshold or switch."""
    bank = _service(ctx).banks.serve(name, enabled=enable, pdq_threshold=threshold, actor=actor())
    say(f"bank {bank.name}: {'enabled' if bank.enabled else 'disabled'}, PDQ threshold {bank.pdq_threshold}")


@app.command("unserve")
def unserve(ctx: typer.Context, name: str) -> None:
    """Stop serving a bank (its hash set stays for the scans)."""
    _service(ctx).banks.unserve(name, actor())
    say(f"bank {name} is no longer served")


@app.command("list")
def list_banks(ctx: typer.Context) -> None:
    """List banks, one a line."""
    rows = [(b.name, "yes" if b.enabled else "no", b.pdq_threshold, b.entry_count, b.allowed_count, b.format)
            for b in _service(ctx).banks.list_banks()]
    print_rows(("name", "enabled", "pdq_threshold", "entries", "allow_listed", "format"), rows)


@app.command("add")
def add(ctx: typer.Context, name: str, file: Path = typer.Argument(..., exists=True, dir_okay=False),
        format: str | None = typer.Option(None, "--format",
                                          help="Force the format (vics, csv, hashlist, pdqlist, vpdq).")) -> None:
    """Bulk add the entries of a hash-set file to a bank (all or nothing)."""
    with file.open("rb") as stream:
        fmt = get_format(format) if format else detect_format(stream.read(64 << 10))
    source = {"file": file.name, "format": fmt.name, "file_sha256": _sha256(file)}
    with file.open("rb") as stream:
        count = _service(ctx).banks.add_entries(name, fmt.read(stream), actor(), source)
    say(f"added {count} entries to bank {name}")


@app.command("remove")
def remove(ctx: typer.Context, name: str, file: Path = typer.Argument(..., exists=True, dir_okay=False),
           algorithm: str = typer.Option(..., "--algorithm",
                                         help="md5, sha1, sha256 or pdq: the file's hashes.")) -> None:
    """Bulk remove the bank's entries whose hash is listed in FILE (one hash a line)."""
    values = [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    count = _service(ctx).banks.remove_entries(name, algorithm, values, actor())
    say(f"removed {count} entries from bank {name}")


@app.command("allow")
def allow(ctx: typer.Context, name: str, entry_id: int,
          reason: str = typer.Option(..., "--reason", help="Why the entry gives false matches.")) -> None:
    """Put an entry on the bank's allow-list: the service never matches it again."""
    _service(ctx).banks.allow(name, entry_id, reason, actor())
    say(f"entry {entry_id} of bank {name} is allow-listed")


@app.command("disallow")
def disallow(ctx: typer.Context, name: str, entry_id: int) -> None:
    """Take an entry off the bank's allow-list."""
    _service(ctx).banks.disallow(name, entry_id, actor())
    say(f"entry {entry_id} of bank {name} is matched again")


@app.command("reports")
def reports(ctx: typer.Context,
            status: str | None = typer.Option(None, "--status", help="Only reports in this status "
                                              "(new, reviewed, reported, closed).")) -> None:
    """Export reports as JSON (a list, oldest first) on stdout; each page handed out is in the audit trail
    (``report.export``, naming its reports), as the API's export is."""
    found, after = [], 0
    store, who = app_context(ctx).store, actor()
    while page := reports_review.export_reports(store, who, status, after, 1000):
        found += [r.to_json() for r in page]
        after = page[-1].id
    print_json(found)


@app.command("report-status")
def report_status(ctx: typer.Context, report_id: int, status: str,
                  notes: str | None = typer.Option(None, "--notes", help="Notes kept with the report.")) -> None:
    """Move a report on: new, reviewed, reported, closed."""
    report = reports_review.change_status(app_context(ctx).store, actor(), report_id, status, notes)  # audited
    say(f"report {report.id} is {report.status}")


@app.command("webhook-add")
def webhook_add(ctx: typer.Context, name: str, url: str,
                secret: str | None = typer.Option(None, "--secret", help="HMAC key (default: a new random one, "
                                                  "printed on stdout).")) -> None:
    """Call URL with every new report, signed with HMAC-SHA256."""
    hook = _service(ctx).records.add_webhook(name, url, secret or secrets.token_urlsafe(32), actor())
    say(f"webhook {hook.name} → {hook.url}")
    if secret is None:
        typer.echo(hook.secret)


@app.command("webhook-remove")
def webhook_remove(ctx: typer.Context, name: str) -> None:
    """Stop calling a webhook."""
    _service(ctx).records.remove_webhook(name, actor())
    say(f"removed webhook {name}")


def _sha256(file: Path) -> str:
    """The file's SHA-256, for the trail's ``bank.add`` entry: which list file the entries came from."""
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
