"""Pictures for review: a small JPEG of an item, made on demand from the evidence and cached.

The cache sits under FOOTPRINT_HOME/thumbnails/<sha256>.jpg (``-large`` for the item page), keyed by
content so that copies share one file. A video is shown as the storyboard the scan kept
(FOOTPRINT_HOME/storyboards/<sha256>.jpg), never played.

What the browser gets by default is the blurred greyscale version (``blur=`` a strength): made from
the plain reduced picture with a Gaussian blur and cached beside it per strength bucket
(<sha256>[-large]-blur<bucket>.jpg, single-channel JPEG). The plain file is only sent for an item the
reviewer revealed (review/reveals.py decides); the browser blurs again with CSS on top.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageFilter

from footprint.errors import ItemError
from footprint.hashers.decode import decode_image
from footprint.model import ItemRef
from footprint.pipeline.fetch import read_item
from footprint.private import write_private
from footprint.settings import Settings
from footprint.sources.detect import is_image, is_video
from footprint.store.base import ExhibitRecord, ItemRecord

SIZES = {"small": 320, "large": 1024}
BLUR_STEP = 4  # blur strengths (CSS pixels, 8-40) are cached in buckets of this many
# The weakest blur is 8: a Gaussian radius of 4 px on the 320 px thumbnail (blur_radius). At 4 (radius
# 2 px) the outlines of figures stayed recognisable on a reviewer's screen (a welfare examination of the
# workspace); 8 leaves a picture's layout and tones to judge by, not its shapes. Stronger is the user's
# choice; weaker only by revealing one item, which is recorded.
BLUR_RANGE = (8, 40)


def blur_bucket(strength: int) -> int:
    """The cached strength that stands for ``strength``: rounded up to a step, within the range (never
    weaker than asked)."""
    low, high = BLUR_RANGE
    step = -(-max(low, min(high, int(strength))) // BLUR_STEP) * BLUR_STEP
    return min(high, step)


def blur_radius(bucket: int, size: str) -> float:
    """Gaussian radius in picture pixels for a bucket: half the CSS strength at the grid's 320 pixels,
    scaled with the picture, so that a large picture is blurred as much as its thumbnail."""
    return bucket * SIZES[size] / 640


def picture_for(settings: Settings, exhibit: ExhibitRecord, record: ItemRecord, size: str = "small",
                blur: int | None = None) -> Path | None:
    """The cached review picture of ``record`` at ``size``, made if needed: blurred (to the bucket of
    strength ``blur``) and greyscale unless ``blur`` is None. None when the item has nothing to show
    (not a picture or video, unreadable, undecodable, a video without storyboard).

    Raises NotFound / EvidenceError when the item cannot be found again or its bytes changed."""
    plain = _plain_picture(settings, exhibit, record, size)
    if plain is None or blur is None:
        return plain
    bucket = blur_bucket(blur)
    target = plain.with_name(f"{plain.stem}-blur{bucket}.jpg")
    if not target.exists():
        with Image.open(plain) as image:
            softened = image.convert("L").filter(ImageFilter.GaussianBlur(blur_radius(bucket, size)))
        _save_atomically(softened, target)
    return target


def _plain_picture(settings: Settings, exhibit: ExhibitRecord, record: ItemRecord, size: str) -> Path | None:
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
    """Written beside the target and renamed: a reader never sees half a file. Private (0600, in a 0700
    folder): the plain copy is a colour, unblurred picture of the evidence."""
    converted = image.convert("L" if image.mode == "L" else "RGB")
    write_private(target, lambda out: converted.save(out, "JPEG", quality=85))
