"""Benign generated pictures saved as the items of a case, for the review core's tests."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image

from footprint.demo import jpeg_bytes, picture, png_bytes
from footprint.hashers.pdq import PdqHasher
from footprint.model import CategoryScheme, Digests, ItemFacts, ItemState
from footprint.store.base import CaseRecord, ItemRecord, Store

PASSWORD = "correct horse battery staple"


def image_record(ref: str, data: bytes, state: ItemState = ItemState.ALLOCATED) -> ItemRecord:
    """An item as a scan would save it: SHA-256, PDQ (with its quality) and the detected type."""
    image = Image.open(io.BytesIO(data))
    pdq = PdqHasher().hash_image(image)
    media = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    digests = Digests(size=len(data), crypto={"sha256": hashlib.sha256(data).hexdigest()}, perceptual={"pdq": pdq},
                      media_type=media)
    return ItemRecord(ref=ref, size=len(data), status="ok", facts=ItemFacts(state=state), digests=digests)


@dataclass
class Seeded:
    store: Store
    case: CaseRecord
    ids: dict[str, int]  # ref → item id


def seed(store: Store, name: str, records: list[ItemRecord], scheme: CategoryScheme = CategoryScheme.UK,
         exhibit: str = "ex") -> Seeded:
    case = store.create_case(name, scheme)
    found = store.add_exhibit(case.id, exhibit, f"/evidence/{exhibit}", "folder", None, {})
    store.save_items(found.id, records)
    ids = {r.ref: r.id for r in store.iter_items(case.id) if r.id is not None}
    return Seeded(store, case, ids)


def pictures() -> list[ItemRecord]:
    """Two pictures, a resized and a recompressed copy of the first, and two flat pictures."""
    first, second = picture(101), picture(202)
    return [
        image_record("ex/a.jpg", jpeg_bytes(first)),
        image_record("ex/a-small.jpg", jpeg_bytes(first.resize((320, 240), Image.Resampling.LANCZOS))),
        image_record("ex/a-recompressed.jpg", jpeg_bytes(first, quality=60)),
        image_record("ex/b.jpg", jpeg_bytes(second), ItemState.DELETED),
        image_record("ex/white.png", png_bytes(Image.new("RGB", (300, 200), (255, 255, 255)))),
        image_record("ex/grey.png", png_bytes(Image.new("RGB", (300, 200), (250, 250, 250)))),
    ]
