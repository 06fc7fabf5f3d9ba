"""Pictures for review: a small JPEG of an item, made on demand from the evidence and cached.

The cache sits under FOOTPRINT_HOME/thumbnails/<sha256>.jpg (``-large`` for the item page), keyed by
content so that copies share one file. A video is shown as the storyboard the scan kept
(FOOTPRINT_HOME/storyboards/<sha256>.jpg), never played. Blurring is the viewer's job: the cached
file is the plain reduced picture, served only to members of the item's case.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image

from footprint.errors import ItemError
from footprint.hashers.decode import decode_image
from footprint.model import ItemRef
from footprint.pipeline.fetch import read_item
from footprint.settings import Settings
from footprint.sources.detect import is_image, is_video
from footprint.store.base import ExhibitRecord, ItemRecord

SIZES = {"small": 320, "large": 1024}


def picture_for(settings: Settings, exhibit: ExhibitRecord, record: ItemRecord, size: str = "small") -> Path | None:
    """The cached review picture of ``record`` at ``size``, made if needed; None when the item has
    nothing to show (not a picture or video, unreadable, undecodable, a video without storyboard).

    Raises NotFound / EvidenceError when the item cannot be found again or its bytes changed."""
    side = SIZES[size]
    digests = record.digests
    sha256 = digests.crypto.get("sha256") if digests else None
    if digests is None or not sha256 or record.status == "error":
        return None
    target = settings.home / "thumbnails" / (f"{sha256}.jpg" if size == "small" else f"{sha256}-{size}.jpg")
    if target.exists():
        return target
    media_type = digests.media_type or ""
    if is_video(media_type):
        board = storyboard_path(settings, sha256)
        if board is None:
            return None
        source: bytes | Path = board
    elif is_image(media_type):
        source = read_item(Path(exhibit.path), ItemRef.parse(record.ref), settings.limits, sha256=sha256,
                           keep_in_memory=settings.keep_in_memory)
    else:
        return None
    try:
        image = decode_image(source.read_bytes() if isinstance(source, Path) else source, min_side=side)
    except ItemError:
        return None
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    _save_atomically(image, target)
    return target


def storyboard_path(settings: Settings, sha256: str) -> Path | None:
    """The storyboard the scan kept for a video, if any."""
    path = settings.home / "storyboards" / f"{sha256}.jpg"
    return path if path.is_file() else None


def _save_atomically(image: Image.Image, target: Path) -> None:
    """Written beside the target and renamed: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            image.convert("RGB").save(out, "JPEG", quality=85)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
