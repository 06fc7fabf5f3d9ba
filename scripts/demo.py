"""make demo: build the benign demo case and run the whole path with the real CLI:
case create → hashset import → scan → export → report."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from footprint.demo import build_demo

ROOT = Path(__file__).resolve().parent.parent / "demo"


def footprint(*args: str, stdout: Path | None = None) -> None:
    command = [str(Path(sys.executable).with_name("footprint")), *args]
    print("$ footprint " + " ".join(args), file=sys.stderr, flush=True)
    with open(stdout, "w") if stdout else open(os.devnull, "w") as out:
        subprocess.run(command, check=True, stdout=out, env={**os.environ, "FOOTPRINT_HOME": str(ROOT / "home")})


def main() -> None:
    shutil.rmtree(ROOT, ignore_errors=True)
    demo = build_demo(ROOT)
    print(f"built a benign demo case in {ROOT}", file=sys.stderr)
    footprint("case", "create", "demo", "--description", "benign demo case (generated pictures)")
    footprint("hashset", "import", str(demo.known_list), "--name", "demo-known", "--source", "footprint demo")
    footprint("scan", str(demo.evidence), "--case", "demo", stdout=ROOT / "scan-summary.json")
    footprint("export", "demo", "--format", "jsonl", "-o", str(ROOT / "demo.jsonl"))
    footprint("export", "demo", "--format", "csv", "-o", str(ROOT / "demo.csv"))
    footprint("report", "demo", "-o", str(ROOT / "report.html"))
    print(f"\nreport: {ROOT / 'report.html'}\nexport: {ROOT / 'demo.jsonl'}")


if __name__ == "__main__":
    main()
