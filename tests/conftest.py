"""Shared fixtures: a footprint home per test, the CLI run in-process, and the benign demo case."""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from footprint.cli.main import run
from footprint.demo import DemoCase, build_demo

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path in ../shared/data, or a clean skip when that reference data is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is absent")
    return path


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)

    def jsonl(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("FOOTPRINT_HOME", str(path))
    monkeypatch.delenv("FOOTPRINT_DATABASE_URL", raising=False)
    return path


@pytest.fixture
def cli(home: Path):
    """Run the footprint CLI in-process: cli("case", "list") → Result."""

    def invoke(*args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = run(list(args))
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


@pytest.fixture(scope="session")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> DemoCase:
    """The benign demo case, built once per test session (treat it as read-only evidence)."""
    return build_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_scanned(cli, demo_case: DemoCase):
    """A case 'demo' with the demo known list imported and the demo evidence scanned."""
    assert cli("case", "create", "demo").code == 0
    assert cli("hashset", "import", str(demo_case.known_list), "--name", "known").code == 0
    result = cli("scan", str(demo_case.evidence), "--case", "demo")
    assert result.code == 0, result.stderr
    return demo_case


sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))


@pytest.fixture
def reference_data():
    """``reference_data("threatexchange", "pdq")``: a path in ../shared/data, or a clean skip."""
    return shared_data
