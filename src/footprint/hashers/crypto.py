"""Cryptographic hashers: exact matching against hash sets (md5, sha1, sha256).

Each is a thin name over hashlib, fed block by block from the single read of an item's bytes. The
names are permanent: they are the column names in the database and the exports.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from footprint.hashers.base import CryptoHasher, RunningHash


class Md5(CryptoHasher):
    """MD5: broken for collisions, but still the key most hash sets (VICS, NSRL, CAID) carry."""

    name: ClassVar[str] = "md5"

    def new(self) -> RunningHash:
        # usedforsecurity=False: lets FIPS-mode Pythons still compute MD5 for identification.
        return hashlib.md5(usedforsecurity=False)


class Sha1(CryptoHasher):
    """SHA-1: the key of NSRL and many older national hash sets."""

    name: ClassVar[str] = "sha1"

    def new(self) -> RunningHash:
        return hashlib.sha1(usedforsecurity=False)


class Sha256(CryptoHasher):
    """SHA-256: the hash to cite in court, with no known collisions."""

    name: ClassVar[str] = "sha256"

    def new(self) -> RunningHash:
        return hashlib.sha256()
