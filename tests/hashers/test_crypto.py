"""Cryptographic hashers and the read-once pass: known vectors, agreement with hashlib at block
boundaries, what is kept in memory, and a stream that fails mid-read."""

from __future__ import annotations

import hashlib
import io

import pytest

from footprint.errors import ItemError
from footprint.hashers.compute import BLOCK_SIZE, HEAD_SIZE, hash_stream
from footprint.hashers.crypto import Md5, Sha1, Sha256
from footprint.hashers.registry import CRYPTO_HASHERS

# FIPS 180 / RFC 1321 test vectors.
VECTORS = {
    b"": {"md5": "d41d8cd98f00b204e9800998ecf8427e",
          "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
          "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    b"abc": {"md5": "900150983cd24fb0d6963f7d28e17f72",
             "sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
             "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    b"a" * 1_000_000: {"md5": "7707d6ae4e027c70eea2a935c2296f21",
                       "sha1": "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
                       "sha256": "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
}


@pytest.mark.parametrize("data", list(VECTORS), ids=["empty", "abc", "million-a"])
def test_known_vectors(data: bytes) -> None:
    assert hash_stream(io.BytesIO(data), CRYPTO_HASHERS, keep=0).crypto == VECTORS[data]


def test_names_are_the_permanent_ones() -> None:
    assert (Md5.name, Sha1.name, Sha256.name) == ("md5", "sha1", "sha256")


@pytest.mark.parametrize("size", [1, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE + 7])
def test_agrees_with_hashlib_across_block_boundaries(size: int) -> None:
    data = bytes((i * 131 + 7) % 251 for i in range(size))
    result = hash_stream(io.BytesIO(data), CRYPTO_HASHERS, keep=size)
    assert result.size == size
    assert result.crypto == {name: hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha256")}
    assert result.head == data[:HEAD_SIZE]
    assert result.data == data


def test_data_is_kept_only_up_to_keep() -> None:
    data = b"x" * (BLOCK_SIZE + 10)
    assert hash_stream(io.BytesIO(data), CRYPTO_HASHERS, keep=len(data)).data == data
    big = hash_stream(io.BytesIO(data), CRYPTO_HASHERS, keep=len(data) - 1)
    assert big.data is None and big.size == len(data) and len(big.head) == HEAD_SIZE
    assert hash_stream(io.BytesIO(b""), [], keep=0).data == b""


def test_short_reads_are_fine() -> None:
    """Archive and network streams return fewer bytes than asked: the hash must not care."""

    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data, self.pos = data, 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            chunk = self.data[self.pos:self.pos + min(n, 1000)]
            self.pos += len(chunk)
            return chunk

    data = bytes(range(256)) * 40
    result = hash_stream(Trickle(data), [Sha256()], keep=1 << 20)  # type: ignore[arg-type]
    assert result.crypto["sha256"] == hashlib.sha256(data).hexdigest() and result.data == data


def test_failing_stream_becomes_item_error_with_offset() -> None:
    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 1:
                raise OSError(5, "Input/output error")
            return b"a" * BLOCK_SIZE

    with pytest.raises(ItemError, match=rf"read failed at byte {BLOCK_SIZE}: OSError"):
        hash_stream(Broken(), CRYPTO_HASHERS, keep=0)  # type: ignore[arg-type]
