"""footprint user add/list/grant/revoke/disable/enable/password: local accounts of the review workspace."""

from __future__ import annotations

import getpass
import sys

import typer

from footprint.cli.context import app_context
from footprint.cli.output import print_rows, say
from footprint.errors import AlreadyExists, UsageError
from footprint.review import accounts

app = typer.Typer(no_args_is_help=True, help="Accounts of the review workspace (footprint serve).")


def actor() -> str:
    """Who the audit trail names for a command-line change: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    if not password:
        raise UsageError("no password given")
    return password


@app.command("add")
def add(ctx: typer.Context, name: str,
        role: str = typer.Option(..., "--role", help="admin, investigator, reviewer or auditor."),
        password_stdin: bool = typer.Option(False, "--password-stdin",
                                            help="Read the password from the first line of stdin.")) -> None:
    """Add a user (the password is asked for, or read from stdin; never given as an argument)."""
    store = app_context(ctx).store
    accounts.check_new_user(name, role)  # before the password prompt, not after it
    if any(user.name == name for user in accounts.list_users(store)):
        raise AlreadyExists(f"user {name!r} already exists")
    user = accounts.add_user(store, name, _password(password_stdin), role, by=actor())
    say(f"added user {user.name} ({user.role})")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List users, one a line: name, role, active, created, cases."""
    store = app_context(ctx).store
    names = {case.id: case.name for case in store.list_cases()}
    rows = []
    for user in accounts.list_users(store):
        cases = ",".join(sorted(names[c] for c in accounts.member_case_ids(store, user) if c in names))
        rows.append((user.name, user.role, "yes" if user.active else "no",
                     user.created.isoformat(timespec="seconds"), cases))
    print_rows(("name", "role", "active", "created", "cases"), rows)


@app.command("grant")
def grant(ctx: typer.Context, name: str, case: str) -> None:
    """Make the user a member of the case."""
    added = accounts.grant(app_context(ctx).store, name, case, actor=actor())
    say(f"{name} {'is now' if added else 'was already'} a member of case {case}")


@app.command("revoke")
def revoke(ctx: typer.Context, name: str, case: str) -> None:
    """End the user's membership of the case."""
    removed = accounts.revoke(app_context(ctx).store, name, case, actor=actor())
    say(f"{name} {'is no longer' if removed else 'was not'} a member of case {case}")


@app.command("password")
def password(ctx: typer.Context, name: str,
             password_stdin: bool = typer.Option(False, "--password-stdin",
                                                 help="Read the new password from the first line of stdin.")) -> None:
    """Set a new password (asked for, or read from stdin); the user's sessions end at once."""
    store = app_context(ctx).store
    accounts.get_user(store, name)  # an unknown user fails before the password is asked for
    accounts.set_password(store, name, _password(password_stdin), by=actor())
    say(f"set a new password for user {name}")


@app.command("disable")
def disable(ctx: typer.Context, name: str) -> None:
    """Disable the account (its sessions end at once)."""
    accounts.set_active(app_context(ctx).store, name, False, by=actor())
    say(f"disabled user {name}")


@app.command("enable")
def enable(ctx: typer.Context, name: str) -> None:
    """Enable a disabled account again."""
    accounts.set_active(app_context(ctx).store, name, True, by=actor())
    say(f"enabled user {name}")
