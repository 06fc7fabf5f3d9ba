"""Make docs/report-page1.png: the first page of the benign demo case's PDF court report.

Builds the demo case (generated pictures only), scans it with the real CLI, writes the PDF report at a
fixed generation time (so the picture only changes when the report does), and renders page 1 with
poppler's pdftoppm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from footprint.demo import build_demo
from footprint.reports.court import write_report
from footprint.settings import Settings
from footprint.store import open_store

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "demo" / "report-page"
OUT = REPO / "docs" / "report-page1.png"
GENERATED = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


def footprint(*args: str) -> None:
    command = [str(Path(sys.executable).with_name("footprint")), *args]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "FOOTPRINT_HOME": str(WORK / "home")})


def main(resolution: int = 80) -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    demo = build_demo(WORK)
    footprint("case", "create", "demo", "--description", "benign demo case (generated pictures)")
    footprint("hashset", "import", str(demo.known_list), "--name", "demo-known", "--source", "footprint demo")
    footprint("scan", str(demo.evidence), "--case", "demo", "--jobs", "1")
    settings = Settings.from_env({}, home=WORK / "home")
    pdf = WORK / "report.pdf"
    write_report(open_store(settings.database_url), "demo", pdf, settings, pdf=True, generated=GENERATED)
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(OUT.with_suffix(""))], check=True)
    print(f"{OUT} (from {pdf})", file=sys.stderr)


if __name__ == "__main__":
    main()
