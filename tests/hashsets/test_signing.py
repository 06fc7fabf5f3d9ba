"""Detached Ed25519 signatures of hash-set files: a round trip verifies, and any change to the file,
the signature or its statement, or a key that is not the trusted one, is refused."""

from __future__ import annotations

import json
import stat

import pytest

from footprint.errors import AlreadyExists, SignatureError
from footprint.hashsets.signing import (
    generate_keypair,
    load_public_key,
    sidecar,
    sign_file,
    trust_key,
    trusted_folder_keys,
    trusted_keys,
    verify_file,
)


@pytest.fixture
def signed(tmp_path):
    private, public, fingerprint = generate_keypair("issuer-a", tmp_path / "keys")
    listing = tmp_path / "list.json"
    listing.write_bytes(b'{"value": [{"MD5": "00112233445566778899AABBCCDDEEFF"}]}\n')
    sign_file(listing, private)
    return listing, private, public, fingerprint


def test_round_trip_names_the_issuer(signed):
    listing, private, public, fingerprint = signed
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    issuer = verify_file(listing, trusted_keys([public]))
    assert (issuer.signer, issuer.key, issuer.trusted_as) == ("issuer-a", fingerprint, "issuer-a")
    fields = json.loads(sidecar(listing).read_text())
    assert fields["file_size"] == listing.stat().st_size and fields["algorithm"] == "ed25519"


@pytest.mark.parametrize("offset", [0, 10, -2])
def test_one_flipped_byte_is_refused(signed, offset):
    listing, _, public, _ = signed
    data = bytearray(listing.read_bytes())
    data[offset] ^= 0x01
    listing.write_bytes(bytes(data))
    with pytest.raises(SignatureError, match="altered after it was signed"):
        verify_file(listing, trusted_keys([public]))


def test_a_wrong_key_is_refused(signed, tmp_path):
    listing, _, _, _ = signed
    _, other, _ = generate_keypair("issuer-b", tmp_path / "other")
    with pytest.raises(SignatureError, match="not a trusted key"):
        verify_file(listing, trusted_keys([other]))


@pytest.mark.parametrize("field,value", [("signer", "someone-else"), ("file_size", 1), ("file_sha256", "0" * 64)])
def test_an_edited_statement_is_refused(signed, field, value):
    listing, _, public, _ = signed
    fields = json.loads(sidecar(listing).read_text())
    fields[field] = value
    sidecar(listing).write_text(json.dumps(fields))
    with pytest.raises(SignatureError, match="does not verify"):
        verify_file(listing, trusted_keys([public]))


def test_a_signature_by_a_key_posing_as_the_trusted_one_is_refused(signed, tmp_path):
    """Someone re-signs an altered list with their own key but writes the trusted fingerprint."""
    listing, _, public, fingerprint = signed
    forger, _, _ = generate_keypair("forger", tmp_path / "forger")
    listing.write_bytes(listing.read_bytes().replace(b"00112233", b"FFFFFFFF"))
    sign_file(listing, forger, signer="issuer-a")
    fields = json.loads(sidecar(listing).read_text())
    fields["key"] = fingerprint
    sidecar(listing).write_text(json.dumps(fields))
    with pytest.raises(SignatureError, match="does not verify"):
        verify_file(listing, trusted_keys([public]))


def test_missing_or_garbled_signatures(signed):
    listing, _, public, _ = signed
    keys = trusted_keys([public])
    sidecar(listing).write_text("not json")
    with pytest.raises(SignatureError, match="not a readable signature"):
        verify_file(listing, keys)
    sidecar(listing).unlink()
    with pytest.raises(SignatureError, match="is not signed"):
        verify_file(listing, keys)


def test_trusted_issuers_folder(signed, tmp_path):
    listing, _, public, fingerprint = signed
    folder = tmp_path / "trusted"
    target, found = trust_key(public, folder, "cepol")
    assert target == folder / "cepol.pub" and found == fingerprint
    assert load_public_key(target) is not None
    assert verify_file(listing, trusted_folder_keys(folder)).trusted_as == "cepol"
    with pytest.raises(AlreadyExists):
        trust_key(public, folder, "cepol")
    with pytest.raises(AlreadyExists):
        generate_keypair("issuer-a", public.parent)
