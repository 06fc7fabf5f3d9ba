"""Helpers for the source tests: benign generated pictures, items over bytes, and a small recursive
walker standing in for the pipeline (sniff the head, open the container, go on inside)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pytest
from PIL import Image

from footprint.model import Item, ItemRef, ItemWarning
from footprint.sources.base import EvidenceSource, Limits
from footprint.sources.detect import HEAD_SIZE
from footprint.sources.registry import open_container


def picture(seed: int, fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small benign noise-and-gradient picture, different for each seed."""
    rng = np.random.default_rng(seed)
    w, h = size
    ramp = np.linspace(0, 255, w, dtype=np.float64)[None, :, None]
    pixels = (ramp + rng.integers(0, 60, (h, w, 3))).clip(0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, fmt)
    return out.getvalue()


class NonSeekable(io.RawIOBase):
    """A stream that can only be read forwards, as a member of some archives is."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer):  # type: ignore[no-untyped-def]
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def item_of(data: bytes, name: str = "evidence.bin", seekable: bool = True) -> Item:
    if seekable:
        return Item(ItemRef.root(name), len(data), lambda: io.BytesIO(data))
    return Item(ItemRef.root(name), len(data), lambda: NonSeekable(data))  # type: ignore[arg-type,return-value]


def read(item: Item) -> bytes:
    with item.open() as stream:
        return stream.read()


@dataclass
class Walk:
    """What a recursive walk found: every leaf's bytes by ref string, and every warning."""

    contents: dict[str, bytes] = field(default_factory=dict)
    warnings: list[ItemWarning] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)

    def warned(self, text: str) -> list[ItemWarning]:
        return [w for w in self.warnings if text in w.message]


def collect(found: Iterable[Item | ItemWarning]) -> Walk:
    """One level only: items' bytes and warnings."""
    walk = Walk()
    for f in found:
        if isinstance(f, ItemWarning):
            walk.warnings.append(f)
        else:
            walk.contents[str(f.ref)] = read(f)
    return walk


def walk_all(source: EvidenceSource | Item, limits: Limits | None = None) -> Walk:
    """Recurse into every container found, as the pipeline will (depth checked against limits)."""
    limits = limits or Limits()
    walk = Walk()
    pending: list[Item] = []
    if isinstance(source, Item):
        pending.append(source)
    else:
        _take(source, walk, pending)
    while pending:
        item = pending.pop(0)
        with item.open() as stream:
            head = stream.read(HEAD_SIZE)
        inner = open_container(item, head, limits) if item.ref.depth < limits.max_depth else None
        if inner is None:
            walk.contents[str(item.ref)] = read(item)
        else:
            walk.containers.append(f"{inner.name}:{item.ref}")
            _take(inner, walk, pending)
    return walk


def _take(source: EvidenceSource, walk: Walk, pending: list[Item]) -> None:
    for f in source.items():
        if isinstance(f, ItemWarning):
            walk.warnings.append(f)
        else:
            pending.append(f)


@pytest.fixture
def pictures() -> list[bytes]:
    return [picture(seed) for seed in range(4)]
