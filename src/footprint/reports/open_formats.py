"""The open formats of the forensic community, beside footprint's own exports: DFXML and CASE/UCO."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TextIO

from footprint.reports.case_uco import write_case_uco
from footprint.reports.dfxml import write_dfxml
from footprint.settings import Settings
from footprint.store.base import CaseRecord, Store

OPEN_FORMATS = ("dfxml", "case")


def write_open_format(format: str, store: Store, case: CaseRecord, out: TextIO, settings: Settings, *,
                      generated: datetime | None = None, command_line: str = "") -> int:
    """Write ``case`` in ``format`` (one of OPEN_FORMATS); returns the number of items written."""
    moment = generated or datetime.now(UTC)
    if format == "dfxml":
        return write_dfxml(store, case, out, generated=moment, command_line=command_line)
    if format == "case":
        return write_case_uco(store, case, out, generated=moment, settings=settings.describe())
    raise ValueError(f"not an open format: {format!r}")
