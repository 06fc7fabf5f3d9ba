"""Small real hashers used as plugins by the registry tests (loaded through entry points)."""

from __future__ import annotations

import hashlib
from typing import ClassVar

import numpy as np
from PIL import Image

from footprint.hashers.base import CryptoHasher, ImageHasher, RunningHash
from footprint.model import PerceptualDigest, Skipped


class Blake2b(CryptoHasher):
    name: ClassVar[str] = "blake2b"

    def new(self) -> RunningHash:
        return hashlib.blake2b()


class MeanGrey(ImageHasher):
    """A toy image hasher (mean grey level) that remembers which image objects it was given."""

    name: ClassVar[str] = "meangrey"
    min_quality: ClassVar[int] = 0
    hash_bits: ClassVar[int] = 8

    def __init__(self) -> None:
        self.seen: list[Image.Image] = []

    def hash_image(self, image: Image.Image) -> PerceptualDigest | Skipped:
        self.seen.append(image)
        mean = int(np.asarray(image.convert("L")).mean())
        return PerceptualDigest(algorithm=self.name, value=f"{mean:02x}", quality=100)


class OtherMeanGrey(MeanGrey):
    name: ClassVar[str] = "meangrey2"


class Failing(ImageHasher):
    name: ClassVar[str] = "failing"
    min_quality: ClassVar[int] = 0
    hash_bits: ClassVar[int] = 8

    def hash_image(self, image: Image.Image) -> PerceptualDigest | Skipped:
        raise ValueError("cannot hash this one")


NOT_A_HASHER = object()
