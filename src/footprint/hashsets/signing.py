"""Signed hash sets: an Ed25519 signature in a sidecar file ``FILE.sig`` beside the list.

The list itself is not touched, so any VICS reader that knows nothing of signatures still reads it.
The sidecar is a small JSON object; its ``signature`` is an Ed25519 signature over the *statement*,
the canonical JSON (sorted keys, no spaces, ASCII) of its other fields::

    {"algorithm": "ed25519", "file_sha256": "<hex of the exact bytes>", "file_size": 1234,
     "format": "footprint-signature-1", "key": "sha256:<hex of the raw 32-byte public key>",
     "signer": "<issuer name>"}

Signing the SHA-256 rather than the bytes lets a list of any size be signed and checked in one
streamed read. Keys are PEM (PKCS#8 private, SubjectPublicKeyInfo public), so OpenSSL reads them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from footprint.errors import AlreadyExists, FormatError, NotFound, SignatureError

FORMAT = "footprint-signature-1"
ALGORITHM = "ed25519"
SUFFIX = ".sig"
STATEMENT_FIELDS = ("algorithm", "file_sha256", "file_size", "format", "key", "signer")


@dataclass(frozen=True)
class Issuer:
    """Who signed a verified list: the name they signed under, their key, and the name of the
    trusted key file it was checked against."""

    signer: str
    key: str  # "sha256:<hex>" fingerprint of the public key
    trusted_as: str
    file_sha256: str

    def as_details(self) -> dict[str, object]:
        return {"signer": self.signer, "key": self.key, "trusted_as": self.trusted_as,
                "file_sha256": self.file_sha256, "algorithm": ALGORITHM, "verified": True}


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("rb") as stream:
            while block := stream.read(8 << 20):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise NotFound(f"cannot read {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest(), size


# -- keys -----------------------------------------------------------------------------------


def generate_keypair(name: str, folder: Path) -> tuple[Path, Path, str]:
    """Write NAME.key (private, mode 0600) and NAME.pub in ``folder``; never overwrites."""
    if not name or "/" in name or name.startswith("."):
        raise FormatError(f"not a usable issuer name: {name!r}")
    folder.mkdir(parents=True, exist_ok=True)
    private, public = folder / f"{name}.key", folder / f"{name}.pub"
    for path in (private, public):
        if path.exists():
            raise AlreadyExists(f"{path} already exists")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public, fingerprint(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = _load(path, lambda data: serialization.load_pem_private_key(data, password=None))
    if not isinstance(key, Ed25519PrivateKey):
        raise FormatError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = _load(path, serialization.load_pem_public_key)
    if not isinstance(key, Ed25519PublicKey):
        raise FormatError(f"{path} is not an Ed25519 public key")
    return key


def _load(path: Path, parse: object) -> object:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"cannot read key {path}: {exc.strerror or exc}") from exc
    try:
        return parse(data)  # type: ignore[operator]
    except (ValueError, TypeError) as exc:
        raise FormatError(f"{path} is not a PEM key: {exc}") from exc


def trusted_keys(paths: Sequence[Path]) -> dict[str, tuple[str, Ed25519PublicKey]]:
    """Fingerprint → (name, key) for public key files; the name is the file's stem."""
    found = {}
    for path in paths:
        key = load_public_key(path)
        found[fingerprint(key)] = (path.stem, key)
    return found


# -- sign and verify ------------------------------------------------------------------------


def statement_bytes(fields: Mapping[str, object]) -> bytes:
    return json.dumps({k: fields[k] for k in STATEMENT_FIELDS}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True).encode("ascii")


def sign_file(path: Path, private_key: Path, signer: str | None = None) -> Path:
    """Write ``path``.sig for the exact bytes of ``path``; the signer name defaults to the key's stem."""
    key = load_private_key(private_key)
    sha256, size = file_digest(path)
    fields: dict[str, object] = {"algorithm": ALGORITHM, "file_sha256": sha256, "file_size": size,
                                 "format": FORMAT, "key": fingerprint(key.public_key()),
                                 "signer": signer or private_key.stem}
    fields["signature"] = base64.b64encode(key.sign(statement_bytes(fields))).decode("ascii")
    target = sidecar(path)
    target.write_text(json.dumps(fields, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def verify_file(path: Path, keys: Mapping[str, tuple[str, Ed25519PublicKey]],
                sha256: str | None = None) -> Issuer:
    """Check ``path`` against its sidecar and the trusted ``keys``; SignatureError if anything is off.
    ``sha256`` (of the file, when the caller has already read it) saves a second read."""
    fields = _read_sidecar(path)
    trusted = keys.get(str(fields["key"]))
    if trusted is None:
        raise SignatureError(f"{path.name} is signed by key {fields['key']} ({fields['signer']}), "
                             f"which is not a trusted key")
    name, key = trusted
    try:
        key.verify(base64.b64decode(str(fields["signature"]), validate=True), statement_bytes(fields))
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError(f"the signature of {path.name} does not verify: {sidecar(path).name} "
                             f"was altered or made with another key") from exc
    actual = sha256 or file_digest(path)[0]
    if actual != fields["file_sha256"]:
        raise SignatureError(f"{path.name} was altered after it was signed (SHA-256 {actual}, "
                             f"signed {fields['file_sha256']})")
    return Issuer(str(fields["signer"]), str(fields["key"]), name, actual)


def _read_sidecar(path: Path) -> dict[str, object]:
    sig = sidecar(path)
    try:
        fields = json.loads(sig.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SignatureError(f"{path.name} is not signed: {sig.name} not found") from exc
    except (OSError, ValueError) as exc:
        raise SignatureError(f"{sig.name} is not a readable signature: {exc}") from exc
    if not isinstance(fields, dict) or fields.get("format") != FORMAT or fields.get("algorithm") != ALGORITHM:
        raise SignatureError(f"{sig.name} is not a {FORMAT} {ALGORITHM} signature")
    missing = [k for k in (*STATEMENT_FIELDS, "signature") if k not in fields]
    if missing:
        raise SignatureError(f"{sig.name} lacks {', '.join(missing)}")
    return fields


def trusted_folder_keys(folder: Path) -> dict[str, tuple[str, Ed25519PublicKey]]:
    """The trusted issuers: every ``*.pub`` in ``folder`` (FOOTPRINT_HOME/trusted)."""
    paths = sorted(folder.glob("*.pub")) if folder.is_dir() else []
    if not paths:
        raise NotFound(f"no trusted issuer keys in {folder}: add one with 'footprint key trust PUBKEY'")
    return trusted_keys(paths)


def trust_key(public_key: Path, folder: Path, name: str | None = None) -> tuple[Path, str]:
    """Copy a public key into the trusted-issuers folder as NAME.pub (default: its own stem)."""
    key = load_public_key(public_key)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name or public_key.stem}.pub"
    if target.exists():
        raise AlreadyExists(f"{target} already exists")
    target.write_bytes(public_key.read_bytes())
    return target, fingerprint(key)
