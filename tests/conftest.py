"""Shared fixtures: a footprint home per test, the CLI run in-process, the benign demo case, and a
PostgreSQL schema of the test's own (skipped, saying why, without a server)."""

from __future__ import annotations

import io
import json
import os
import sys
import uuid
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from footprint.cli.main import run
from footprint.demo import DemoCase, build_demo
from footprint.store.engine import driver_url

POSTGRES = os.environ.get("FOOTPRINT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
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


# -- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_admin():
    engine = create_engine(driver_url(POSTGRES), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        pytest.skip(f"PostgreSQL server at {POSTGRES} is unreachable: {str(exc.orig).strip()[:200]}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin):
    """The server URL with a fresh schema of this test's own first on the search path."""
    schema = f"footprint_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in POSTGRES else "?"
    yield f"{POSTGRES}{joiner}options=-csearch_path%3D{schema}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'case.db'}"
    return request.getfixturevalue("postgres_url")
