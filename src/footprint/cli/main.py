"""The footprint command. Errors are one line, ``footprint: error: ...``, with the exit code of their
kind (footprint.errors); a traceback only with --debug."""

from __future__ import annotations

import re
import signal
import sys
import traceback
from pathlib import Path

import typer
from typer.exceptions import Abort, Exit, TyperException

from footprint import __version__
from footprint.cli import apikey, audit, bank, case, hashset, key, knowngood, links, output_cmds, scan, serve, user
from footprint.cli.context import AppContext
from footprint.errors import FootprintError
from footprint.settings import ENV_HOME, Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Find known images in evidence by hash matching, and report it for court.")
app.add_typer(case.app, name="case")
app.add_typer(hashset.app, name="hashset")
app.add_typer(apikey.app, name="apikey")
app.add_typer(bank.app, name="bank")
app.command("scan")(scan.scan)
app.command("export")(output_cmds.export)
app.command("report")(output_cmds.report)
app.command("serve")(serve.serve)
app.add_typer(knowngood.app, name="knowngood")
app.command("new")(knowngood.new)
app.add_typer(key.app, name="key")
app.add_typer(user.app, name="user")
app.add_typer(audit.app, name="audit")
app.command("links")(links.links)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"footprint {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(ctx: typer.Context,
         debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
         home: Path | None = typer.Option(None, "--home", envvar=ENV_HOME,
                                          help="Data folder (default: the user data folder)."),
         version: bool = typer.Option(False, "--version", callback=_version, is_eager=True)) -> None:
    ctx.obj = AppContext(settings=Settings.from_env(home=home), debug=debug)


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"footprint: error: {message}\n")
    return code


# click's own wording when a Path argument with exists=True names nothing: "not found", not "usage"
_MISSING_PATH = re.compile(r"^Invalid value for .+: (?:file|dir|directory|path) '.*' does not exist\.$")


def _usage_code(message: str, code: int) -> int:
    return 3 if code == 2 and _MISSING_PATH.match(message) else code


def _os_error(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # kill → the same clean stop as Ctrl-C: finished work is kept


def run(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    signal.signal(signal.SIGTERM, _terminate)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="footprint", standalone_mode=False)
        if code == 130:  # typer turns Ctrl-C (SIGINT, or SIGTERM: _terminate) into an exit code, not a raise
            raise KeyboardInterrupt
    except Exit as done:
        return done.exit_code
    except TyperException as exc:
        message = exc.format_message().splitlines()[0]
        return _fail(message, _usage_code(message, exc.exit_code))
    except Abort:
        return _fail("aborted", 1)
    except KeyboardInterrupt:
        return _fail("interrupted; finished items are saved: run the same command again to resume", 130)
    except FootprintError as exc:
        if debug:
            traceback.print_exc()
        return _fail(str(exc), exc.exit_code)
    except OSError as exc:  # a file the user named (an output, a key) cannot be written or read
        if debug:
            traceback.print_exc()
        return _fail(_os_error(exc), 3 if isinstance(exc, FileNotFoundError) else 1)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        return _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)", 70)
    return 0

