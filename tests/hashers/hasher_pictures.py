"""Benign generated pictures for the hasher tests: smooth colour fields with a few shapes, so that
PDQ has real structure (quality 100) without any photograph."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """A deterministic RGB picture: a smooth random colour field plus ellipses and bars."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    image = Image.fromarray(coarse, "RGB").resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = rng.uniform(0, 0.8) * width, rng.uniform(0, 0.8) * height
        x1, y1 = x0 + rng.uniform(0.1, 0.4) * width, y0 + rng.uniform(0.1, 0.4) * height
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    return image


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def flip_balanced(value: str, bits: int) -> str:
    """A PDQ hex with ``bits`` bits flipped, half of them ones and half zeros: the bit balance stays."""
    number = int(value, 16)
    ones = [i for i in range(256) if number >> i & 1][: bits // 2]
    zeros = [i for i in range(256) if not number >> i & 1][: bits - bits // 2]
    for i in ones + zeros:
        number ^= 1 << i
    return f"{number:064x}"
