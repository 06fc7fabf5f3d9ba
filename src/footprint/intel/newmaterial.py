"""New material first: a case's pictures and videos that are in no known list and not known-good.

These are the items nobody has seen before, so possibly new victims: the first thing a reviewer
should look at. A known-good mark takes an item out; a mark that conflicts with a match does not
matter here, since a matched item is not new anyway.
"""

from __future__ import annotations

from collections.abc import Iterator

from footprint.sources.detect import is_image, is_video
from footprint.store.base import ItemRecord, Store


def is_new_material(record: ItemRecord) -> bool:
    media_type = record.digests.media_type if record.digests else None
    if not (is_image(media_type) or is_video(media_type)):
        return False
    return not record.matches and not record.known_good


def new_material(store: Store, case_name: str) -> Iterator[ItemRecord]:
    """The case's new material, streamed in the store's order (exhibit, then ref)."""
    case = store.get_case(case_name)
    return (record for record in store.iter_items(case.id) if is_new_material(record))
