"""Hashers: cryptographic ones fed block by block from one read, perceptual ones fed one decoded
image. The name of each is permanent: it is what the database and the exports store."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Protocol

from PIL import Image

from footprint.model import PerceptualDigest, Skipped


class RunningHash(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


class CryptoHasher(ABC):
    name: ClassVar[str]  # md5, sha1, sha256

    @abstractmethod
    def new(self) -> RunningHash: ...


class ImageHasher(ABC):
    name: ClassVar[str]  # pdq
    min_quality: ClassVar[int]  # below this a hash is kept but never used to near-match
    hash_bits: ClassVar[int]
    colour: ClassVar[bool] = False  # False: reads only luma, so a grey picture is given as it is (mode L)

    @abstractmethod
    def hash_image(self, image: Image.Image) -> PerceptualDigest | Skipped:
        """Hash one decoded image (any mode/size; the hasher converts as it needs; a hasher without
        ``colour`` is given a picture that is grey already as it is, mode L)."""

    @staticmethod
    def distance(a: str, b: str) -> int:
        return (int(a, 16) ^ int(b, 16)).bit_count()
