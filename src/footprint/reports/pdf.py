"""The court report as a PDF: the HTML report laid out for A4 by WeasyPrint.

A report re-made from the same case is the same file, byte for byte, apart from the generation
time: the PDF's creation and modification dates are the generation time passed in (never the
clock), and its file identifier is a digest of the report's content with the time left out, so
two reports of the same case at different times share it and a changed case gets a new one.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from PIL import ImageFile

from footprint.reports.casereport import CaseReport
from footprint.reports.html import render_html

_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def render_pdf(report: CaseReport, *, compress: bool = True) -> bytes:
    """The PDF bytes; ``compress=False`` leaves the page streams readable (for inspection and tests)."""
    page = render_html(report, paged=True)
    document = _weasyprint_html()(string=page)
    pdf = document.write_pdf(pdf_identifier=report_identifier(report), uncompressed_pdf=not compress)
    assert pdf is not None
    return pdf


def report_identifier(report: CaseReport) -> bytes:
    """16 bytes that depend on what the report says but not on when it was made."""
    timeless = render_html(dataclasses.replace(report, generated=_NO_TIME), paged=True)
    return hashlib.sha256(timeless.encode("utf-8")).hexdigest()[:32].encode("ascii")


def _weasyprint_html() -> type:
    """WeasyPrint's HTML class, imported on first use with PIL's global "load truncated images" switch
    put back as it was: WeasyPrint turns it on when imported, and in a process that also scans it
    would let a truncated picture be decoded and hashed instead of reported. The report holds no
    pictures, so WeasyPrint never needs it."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import HTML
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return HTML


def write_pdf_report(report: CaseReport, path: Path) -> None:
    path.write_bytes(render_pdf(report))
