"""The self-contained HTML report of a case: no images, no scripts, no external resources.

It shows what a court needs to follow the work: the exhibits and their integrity, the hash sets
used, counts kept apart by live, deleted and carved, every matched item with its full provenance and
how it matched, every warning, and the tool version and settings.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from footprint import __version__
from footprint.reports.export import item_to_dict
from footprint.reports.summary import STATES, Counts
from footprint.settings import Settings
from footprint.store.base import Store


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("footprint.reports", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    env.filters["bytes"] = _human_bytes
    return env


def _human_bytes(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)


def report_context(store: Store, case_name: str, settings: Settings) -> dict[str, object]:
    case = store.get_case(case_name)
    counts = Counts()
    matched: list[dict[str, object]] = []
    warned: list[dict[str, object]] = []
    for record in store.iter_items(case.id):
        counts.add(record)
        if record.matches or record.warnings:
            row = item_to_dict(record)
            if record.matches:
                matched.append(row)
            if record.warnings:
                warned.append(row)
    return {
        "case": asdict(case),
        "exhibits": [asdict(e) for e in store.list_exhibits(case.id)],
        "hashsets": [asdict(h) for h in store.list_hashsets()],
        "counts": counts,
        "states": STATES,
        "matched": matched,
        "warned": warned,
        "version": __version__,
        "settings": settings.describe(),
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def render_html(context: dict[str, object]) -> str:
    return _environment().get_template("report.html").render(**context)


def write_html_report(store: Store, case_name: str, path: Path, settings: Settings) -> None:
    html = render_html(report_context(store, case_name, settings))
    path.write_text(html, encoding="utf-8")
