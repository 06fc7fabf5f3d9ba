"""The self-contained HTML report of a case: no images, no scripts, no external resources.

It shows what a court needs to follow the work: the exhibits and their integrity, the hash sets
used, counts kept apart by live, deleted and carved (and by picture and video), every matched item
with its full provenance and how it matched, every warning, the audit-trail head, and the tool
version and settings. The PDF report is this same page laid out for print (``paged=True``).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from footprint.reports.casereport import CaseReport
from footprint.sources.integrity import verification_words


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("footprint.reports", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    env.filters["bytes"] = human_bytes
    env.filters["verification_words"] = verification_words
    return env


def human_bytes(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)


def render_html(report: CaseReport, *, paged: bool = False) -> str:
    """The report page; ``paged`` adds the print layout (A4, running header, page X of Y)."""
    return _environment().get_template("report.html").render(**report.context(), paged=paged)


def write_html_report(report: CaseReport, path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")
