"""footprint key generate/trust: Ed25519 keys for signing shared hash sets"""

from __future__ import annotations

from pathlib import Path

import typer

from footprint.cli.context import app_context
from footprint.cli.output import print_json, say
from footprint.hashsets.signing import generate_keypair, trust_key

app = typer.Typer(no_args_is_help=True, help="Keys for signing shared hash sets (Ed25519).")


@app.command("generate")
def generate(ctx: typer.Context,
             name: str = typer.Option(..., "--name", help="The issuer's name, signed into each signature."),
             folder: Path | None = typer.Option(None, "--dir",
                                                help="Where to write NAME.key and NAME.pub (default HOME/keys).")
             ) -> None:
    """Write a new keypair: NAME.key (private, mode 0600) and NAME.pub (to give to recipients)."""
    target = folder or app_context(ctx).settings.home / "keys"
    private, public, fingerprint = generate_keypair(name, target)
    print_json({"private_key": str(private), "public_key": str(public), "fingerprint": fingerprint})
    say(f"keep {private} secret; give {public} to those who import your lists")


@app.command("trust")
def trust(ctx: typer.Context,
          public_key: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
          name: str | None = typer.Option(None, "--name", help="The issuer's name (default: the file's stem)."),
          ) -> None:
    """Add an issuer's public key to the trusted issuers (HOME/trusted)."""
    target, fingerprint = trust_key(public_key, app_context(ctx).settings.home / "trusted", name)
    say(f"trusted {target.stem} ({fingerprint})")
