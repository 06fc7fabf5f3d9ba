"""Hashers: cryptographic ones fed block by block from one read, perceptual ones fed one decoded
image. The name of each is permanent: it is what the database and the exports store."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Protocol

import numpy as np
from PIL import Image

from footprint.errors import ItemError
from footprint.hashers.decode import pixels_of
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


def undecodable(name: str, exc: Exception) -> Skipped:
    """Why hasher ``name`` has no digest when the decoded picture cannot be read as pixels."""
    return Skipped(f"undecodable image content for {name}: {exc}")


# Work computed from one picture that its other hashers may use (PDQ's blurred luma, which the region
# signature reads): kept by hashers.compute for one picture, keyed by the name of what is kept
Shared = dict[str, Any]


class PixelHasher(ImageHasher):
    """An image hasher that reads the decoded picture as its uint8 array (decode.pixels_of: Pillow's own
    memory where it lends it, else a copy; read it by its strides): given the array, so that hashers.compute
    takes it once for all such hashers."""

    def hash_image(self, image: Image.Image) -> PerceptualDigest | Skipped:
        try:
            pixels = pixels_of(image)
        except (ItemError, ValueError, OSError) as exc:
            return undecodable(self.name, exc)
        return self.hash_pixels(pixels)

    @abstractmethod
    def hash_pixels(self, pixels: np.ndarray, shared: Shared | None = None) -> PerceptualDigest | Skipped:
        """Hash the picture given as decode.pixels_of gives it (never written to); ``shared``: work on this
        same picture the other hashers have done or may use (one dict for one picture, else None)."""
