"""Every command and every option is documented in docs/cli.md."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import typer

from footprint.cli.main import app
from footprint.errors import FootprintError
from footprint.sources.base import Limits

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")


def _commands(command, path):
    subs = getattr(command, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, [*path, name])
    else:
        yield path, command


def test_every_command_and_option_is_documented():
    root = typer.main.get_command(app)
    missing = [opt for p in root.params for opt in p.opts if opt.startswith("-") and opt not in DOC]
    for path, command in _commands(root, []):
        usage = "footprint " + " ".join(path)
        if usage not in DOC:
            missing.append(usage)
        missing += [f"{usage} {opt}" for p in command.params for opt in p.opts
                    if opt.startswith("-") and opt not in DOC]
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_every_container_limit_is_documented():
    missing = [f.name for f in fields(Limits) if f"| `{f.name}` |" not in DOC]
    assert not missing, f"limits undocumented in docs/cli.md: {missing}"


def test_every_exit_code_is_documented():
    codes = {cls.exit_code for cls in _subclasses(FootprintError)}
    for code in codes:
        assert f"| {code} |" in DOC, f"exit code {code} is not in docs/cli.md"


def _subclasses(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)
