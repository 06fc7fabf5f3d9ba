"""What a platform submits, turned into the Digests the matcher takes: uploaded bytes hashed by the
scan's own analysis (one read for every hasher, PDQ with its dihedral variants, vPDQ for video), or
precomputed hashes checked for shape.

A precomputed PDQ hash must come with its quality: below 50 it never near-matches, and a hash of
unknown quality cannot be judged (a missed near-match is better than a false one). It has no dihedral
variants: only uploaded pictures are also searched rotated and mirrored.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image

from footprint.errors import FormatError, TooLarge
from footprint.hashers.registry import CRYPTO_HASHERS, IMAGE_HASHERS
from footprint.hashers.vpdq import frames_from_text
from footprint.model import Digests, Item, ItemRef, PerceptualDigest, Skipped
from footprint.pipeline.analyse import analyse
from footprint.sources.detect import detect, is_image, is_video

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
_HEX = re.compile(r"[0-9a-fA-F]+")  # whole value only (fullmatch): "$" would pass a final "\n"
EMPTY = {"md5": "d41d8cd98f00b204e9800998ecf8427e", "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
         "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
MAX_VPDQ_FRAMES = 100_000


@dataclass(frozen=True)
class HashQuery:
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    vpdq: str | None = None  # the reference text: one "frame,quality,pdq_hex,timestamp" line a frame


def digests_from_hashes(query: HashQuery) -> Digests:
    crypto = {name: _hex(name, value) for name in ("md5", "sha1", "sha256")
              if (value := getattr(query, name)) is not None}
    perceptual: dict[str, PerceptualDigest | Skipped] = {}
    if query.pdq is not None:
        if query.pdq_quality is None or not 0 <= query.pdq_quality <= 100:
            raise FormatError("pdq needs pdq_quality (0-100): a hash of unknown quality is never matched")
        perceptual["pdq"] = PerceptualDigest("pdq", _hex("pdq", query.pdq), query.pdq_quality)
    if query.vpdq is not None:
        perceptual["vpdq"] = _vpdq(query.vpdq)
    if not crypto and not perceptual:
        raise FormatError("no hash given: send at least one of md5, sha1, sha256, pdq, vpdq")
    empty = any(EMPTY.get(name) == value for name, value in crypto.items())
    return Digests(size=0 if empty else 1, crypto=crypto, perceptual=perceptual)


def _hex(name: str, value: str) -> str:
    if len(value) != HEX_LENGTHS[name] or not _HEX.fullmatch(value):
        raise FormatError(f"{name} must be {HEX_LENGTHS[name]} hex digits")
    return value.lower()


def _vpdq(text: str) -> PerceptualDigest:
    try:
        frames = frames_from_text(text)
    except (FormatError, ValueError) as exc:
        raise FormatError(f"vpdq: {exc}") from exc
    if not frames or len(frames) > MAX_VPDQ_FRAMES:
        raise FormatError(f"vpdq must hold 1 to {MAX_VPDQ_FRAMES} frames")
    quality = sorted(f.quality for f in frames)[len(frames) // 2]
    return PerceptualDigest("vpdq", "\n".join(f.to_line() for f in frames), quality)


@dataclass(frozen=True)
class ContentDigests:
    digests: Digests
    skipped: dict[str, str]  # perceptual hasher → why it gave no hash (too small, low quality...)
    warnings: list[str]  # what the scan would warn on this item: only the first frame hashed, bytes appended...


def digests_from_content(data: bytes, max_pixels: int) -> ContentDigests:
    """Hash uploaded bytes as the scan hashes an item. A picture that would decode to more than
    ``max_pixels`` is refused (TooLarge, from its header). One that cannot be decoded (truncated,
    damaged) is matched by its bytes, as a scan matches it, its perceptual hashes in ``skipped`` with
    the reason: a list may hold such a file exactly, as it was seized."""
    _check_pixels(data, max_pixels)
    item = Item(ItemRef.root("upload"), len(data), opener=lambda: io.BytesIO(data))
    analysis = analyse(item, CRYPTO_HASHERS, IMAGE_HASHERS, keep_in_memory=len(data) + 1, videos=True)
    digests = analysis.digests
    if digests is None:
        raise FormatError(analysis.reason or "unreadable upload")
    skipped = {name: r.reason for name, r in digests.perceptual.items() if isinstance(r, Skipped)}
    if not (is_image(digests.media_type) or is_video(digests.media_type)):  # say so: no likeness was looked for
        what = f"a {digests.media_type} file" if digests.media_type else "no picture or video"
        skipped["perceptual"] = (f"{what}: matched by its bytes only (an archive's or a document's contents "
                                 f"are not opened here; a scan opens them)")
    said = [w for w in analysis.warnings if not any(w.endswith(f": {reason}") for reason in skipped.values())]
    return ContentDigests(digests, skipped, said)


def _check_pixels(data: bytes, max_pixels: int) -> None:
    """A decompression bomb is refused from its header, before any pixel is decoded."""
    media_type = detect(data[:64 << 10])
    if not media_type or not is_image(media_type):
        return
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
    except Image.DecompressionBombError as exc:
        raise TooLarge(f"image refused as a decompression bomb: {exc}") from exc
    except Exception:  # the decoder proper will say what is wrong with it
        return
    if width * height > max_pixels:
        raise TooLarge(f"image of {width}x{height} pixels is over the limit of {max_pixels} pixels")
