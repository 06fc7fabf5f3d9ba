"""Decode an image once, at the smallest scale the perceptual hashes allow, into plain RGB (or grey).

Every perceptual hasher is fed the one image this returns. Evidence is hostile input: anything that
goes wrong while decoding becomes an ``ItemError("undecodable image: ...")``, which the pipeline
records as a warning against the item; nothing here crashes the run.

Choices made here, and why:

* **Reduced scale.** PDQ box-filters every image down to 64x64 (two Jarosz passes) before its DCT, so
  the fine detail of a 12-megapixel photo never reaches the hash. JPEG can decode at 1/2, 1/4 or 1/8
  scale inside the IDCT (Pillow's draft mode) for a fraction of the time and memory. We pick the
  smallest scale whose short side stays at or above ``REDUCED_MIN_SIDE`` (figures at the constant).
  Other formats are decoded in full and then box-reduced by an integer factor under the same rule,
  which saves the hashers' time and memory, though not the decoder's.
* **Grey stays grey.** Every perceptual hash here is of the picture's luma. A picture that is grey
  already (a grey JPEG or PNG) is given to hashers that do not need colour as it is (``grey``), not made
  RGB: its hashes are those of its RGB copy bit for bit (pdq_native reads the plane as all three
  channels), without the copy.
  A colour JPEG is NOT decoded as its Y plane alone, though that plane is its luma and skipping the
  colour planes made decode and hashing 1.23x faster (bench/bench_grey.py): its integer luma hashes
  smooth pictures into each other more often. bench_smooth.py on JPEG copies (quality 90) of 8 sets of
  400 different smooth pictures: plain PDQ false pairs 860 from the Y plane against 759 from the RGB
  decode (more on every set), region-rule pairs beyond plain PDQ 7 against 2. The RGB decode's float
  luma, from three separately rounded channels, keeps the sub-level detail a smooth picture's few DCT
  coefficients need; and it is how the reference tools that make the shared lists hash a JPEG.
* **Orientation.** EXIF orientation is applied, so the image is hashed the way a person sees it.
  Reference tools (the C++ pdq-photo-hasher) ignore EXIF orientation; the matcher still finds their
  hashes because it queries all eight dihedral variants.
* **Transparency** is composited on WHITE, always (``ALPHA_BACKGROUND``): what a viewer shows for a
  transparent PNG on a page. Fully opaque images are unaffected.
* **Modes.** Palette, 1-bit, grey, CMYK, YCbCr, LAB and HSV go through Pillow's conversions;
  16/32-bit integer and float images are rescaled to 8 bits first (a plain ``convert`` would clip them).
* **Memory.** A large picture is box-reduced in its own mode (palette and 1-bit pictures first made
  RGB(A) or grey, 16-bit grey made 32-bit) *before* it is made RGB, so only the decoded picture itself
  is ever held at full size. Converting first cost 4-6 GB for a 225-megapixel PNG of a few hundred KB
  (16-bit grey through float64, RGBA through three full-size copies); reduced first it costs the
  decode and one copy.
* **Bombs.** Images over ``MAX_PIXELS`` are refused before any pixel is decoded; Pillow's own
  DecompressionBombWarning is silenced (the refusal is the item's warning, not stderr chatter).
* **Frames.** An animated or multi-page picture (GIF, APNG, animated WebP, multi-page TIFF, MPO, a
  HEIF sequence) is hashed on its first frame: the one a thumbnail, a file browser and a viewer that
  does not animate show, and the one known-image lists are hashed from. The later frames are not
  hashed; ``frame_count`` lets the caller say so on the item (hashers.compute does).
* **Truncation.** A truncated file is an error (a warning against the item), never silently padded:
  ``ImageFile.LOAD_TRUNCATED_IMAGES`` is left alone.
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Callable
from contextlib import suppress
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps

from footprint.errors import ItemError
from footprint.hashers.lent import lent_pixels

# Refuse images above this many pixels (250 MP). The largest phone sensors make 200 MP photos
# (16320x12240); a 20000x20000 (400 MP) canvas is not a photograph and would need >1 GB to decode.
MAX_PIXELS = 250_000_000

# Smallest short side (pixels) a reduced-scale decode may leave. Measured by bench/bench_decode.py
# (full decode as the baseline in the same run, images of PDQ quality >= 50), rule "largest JPEG
# DCT scale (1/2, 1/4, 1/8) or box-reduce factor whose short side stays >= T":
#   41 JPEG photos (mate-backgrounds, ThreatExchange bridge/exif-rotn/modes), bits from full decode:
#     T=256: mean 4.9, max 18    T=384: mean 3.7, max 12    T=448: mean 2.7, max 10
#     T=512: mean 1.8, max 10
#   decode+hash time relative to full, 50 images other than the 26 ThreatExchange 1600x1004 copies:
#     T=448: 0.18    T=512: 0.20   (a 4032x3024 photo decodes at 1/4 under both)
#   Synthetic textures (gnome-backgrounds wood/truchet/grid, 4096x4096) move 12-32 bits at 1/8 and
#   up to 16 even at 1/4 (1024 px): PDQ's box filter aliases fine periodic texture at any scale, so
#   no threshold short of a full decode keeps those within 10 bits.
# 448 meets the ~6 mean / 10 max tolerance but leaves two ThreatExchange reference images 12 bits
# from the reference hashes (8 at full scale), failing the reference's own 10-bit rule; 512 passes
# it (see tests/hashers/test_pdq_conformance.py) for almost the same speed.
REDUCED_MIN_SIDE = 512

ALPHA_BACKGROUND = (255, 255, 255)

_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_DEEP_MODES = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})

_setup_lock = threading.Lock()
_setup_done = False


def decode_image(data: bytes | BinaryIO, *, min_side: int = REDUCED_MIN_SIDE,
                 inspect: Callable[[Image.Image], None] | None = None, grey: bool = False) -> Image.Image:
    """Decode the first frame of an image to an upright RGB image; with ``grey``, a picture that is grey
    already comes back grey (mode L), any other RGB.

    ``min_side`` > 0 allows a reduced-scale decode whose short side stays >= ``min_side`` (never
    smaller than the image itself); 0 decodes at full size. Raises ItemError on any failure.
    ``inspect`` is given the opened image before its pixels are decoded (EXIF facts are read there,
    so a truncated picture still gives them); it must not raise.
    """
    _setup_once()
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    try:
        return _decode(stream, min_side, inspect, grey)
    except ItemError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow refused it while reading the header
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)) // 1_000_000} MP, " if found else ""
        raise ItemError(f"undecodable image: too many pixels ({size}limit {MAX_PIXELS // 1_000_000} MP): "
                        f"refused as a possible decompression bomb, not decoded") from exc
    except Exception as exc:  # hostile input can raise anything inside a codec
        raise ItemError(f"undecodable image: {_describe(exc)}") from exc


def _setup_once() -> None:
    """Register HEIF/AVIF support and set Pillow's bomb limit, the first time an image is decoded.

    Done lazily rather than at import, so importing footprint has no side effects on Pillow.
    Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; we refuse above MAX_PIXELS
    ourselves (right after reading the header), so Pillow's own limit only needs to let those through.
    """
    global _setup_done
    if _setup_done:
        return
    with _setup_lock:
        if _setup_done:
            return
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError:  # optional: without it HEIC files are reported undecodable
            pass
        if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_PIXELS:
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        _setup_done = True


def _decode(stream: BinaryIO, min_side: int, inspect: Callable[[Image.Image], None] | None,
            grey: bool) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        opened = Image.open(stream)
    with opened as im:
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise ItemError(f"undecodable image: too many pixels ({width}x{height}, limit "
                            f"{MAX_PIXELS // 1_000_000} MP): refused as a possible decompression bomb, "
                            f"not decoded")
        if width < 1 or height < 1:
            raise ItemError(f"undecodable image: empty ({width}x{height})")
        if im.format == "JPEG" and min_side > 0:
            im.draft("RGB", (min_side, min_side))  # scale s in 1,2,4,8: short side // s >= min_side
        if inspect is not None:
            inspect(im)
        im.load()
        upright = _upright(im)
    reduced = _box_reduce(_reducible(upright, min_side), min_side)
    return to_rgb_or_grey(reduced) if grey else to_rgb(reduced)


def frame_count(im: Image.Image) -> int:
    """1 for a still picture; 2 or more for an animation or a multi-page file. GIF and TIFF are counted
    up to 2 only: their frames can only be counted by walking them all (Pillow's n_frames on a TIFF of
    200,000 pages ran for minutes: each page is looked up among those seen). Call before loading."""
    try:  # Pillow's is_animated and n_frames come back to the frame they started from
        if not getattr(im, "is_animated", False):
            return 1
        return 2 if im.format in _WALKED_FRAMES else max(2, int(getattr(im, "n_frames", 2)))
    except Exception:  # a damaged later frame: the first is still the picture
        return 2


_WALKED_FRAMES = frozenset({"GIF", "TIFF"})


def _reducible(im: Image.Image, min_side: int) -> Image.Image:
    """``im`` in a mode Image.reduce averages correctly, when it is large enough to be reduced (see
    Memory in the module doc); small pictures are left as they are."""
    if min_side <= 0 or min(im.size) // min_side < 2:
        return im
    if im.mode in ("P", "PA", "1") or (im.mode not in _ALPHA_MODES and "transparency" in im.info):
        has_alpha = im.mode == "PA" or "transparency" in im.info
        return im.convert("RGBA" if has_alpha else ("L" if im.mode == "1" else "RGB"))
    if im.mode.startswith("I;16"):  # reduce cannot average I;16: as 32-bit, then scaled as 16-bit
        small = im.convert("I").reduce(min(im.size) // min_side)
        return _eight_bit(np.asarray(small, dtype=np.float64) / 257.0)
    return im


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, in place; a damaged EXIF block leaves the image as stored. (Not in
    place, Pillow copies a picture that needs no turning: 400 MB more for a 100 MP PNG, 3 MB and half a
    millisecond for a 12 MP JPEG decoded at 1/4.)"""
    with suppress(Exception):  # a broken EXIF block is no reason to lose the image
        ImageOps.exif_transpose(im, in_place=True)
    return im


def to_rgb_or_grey(im: Image.Image) -> Image.Image:
    """A grey (mode L) picture as it is, any other made RGB (to_rgb): what the perceptual hashers read."""
    return im if im.mode == "L" and "transparency" not in im.info else to_rgb(im)


def pixels_of(im: Image.Image) -> np.ndarray:
    """The picture as the perceptual hashers read it: to_rgb_or_grey's, as a read-only uint8 array (rows x
    columns for grey, x 3 for RGB; read it by its strides). Where Pillow lends its memory it is a view of it
    (hashers.lent: an RGB pixel's three bytes then lie four apart), else a copy, which takes 0.4 ms at
    0.5 MP and 0.5-0.8 ms at 1000x750; a scan makes it once for every hasher of a picture (hashers.compute)."""
    picture = to_rgb_or_grey(im)
    lent = lent_pixels(picture)
    return lent if lent is not None else np.asarray(picture, dtype=np.uint8)


def to_rgb(im: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB (alpha composited on ALPHA_BACKGROUND)."""
    if im.mode == "RGB":
        return im
    if im.mode in _DEEP_MODES:
        return _deep_to_l(im).convert("RGB")
    if im.mode in _ALPHA_MODES or "transparency" in im.info:
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*ALPHA_BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if im.mode == "1":
        im = im.convert("L")
    return im.convert("RGB")


def _deep_to_l(im: Image.Image) -> Image.Image:
    """Rescale a 16/32-bit integer or float grey image to 8 bits.

    16-bit modes span 0..65535. Mode "I" holds 16-bit PNGs and 32-bit TIFFs alike, so its range is
    taken from the data: 0..255 kept, up to 65535 scaled as 16-bit, anything else stretched.
    Float images in 0..1 are scaled by 255; other floats are clipped to 0..255.
    """
    arr = np.asarray(im, dtype=np.float64)  # pictures this large were box-reduced first (_reducible)
    if im.mode.startswith("I;16"):
        arr = arr / 257.0
    elif im.mode == "F":
        finite = arr[np.isfinite(arr)]
        if finite.size and finite.min() >= 0.0 and finite.max() <= 1.0:
            arr = arr * 255.0
        arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
    else:
        low, high = float(arr.min()), float(arr.max())
        if low < 0 or high > 65535:
            arr = (arr - low) * (255.0 / max(high - low, 1.0))
        elif high > 255:
            arr = arr / 257.0
    return _eight_bit(arr)


def _eight_bit(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), mode="L")


def _box_reduce(im: Image.Image, min_side: int) -> Image.Image:
    """Box-average by the largest integer factor that keeps the short side >= min_side."""
    if min_side <= 0:
        return im
    factor = min(im.size) // min_side
    return im.reduce(factor) if factor >= 2 else im


def _describe(exc: BaseException) -> str:
    """A short reason for the report: the codec's message, without object addresses."""
    if isinstance(exc, Image.UnidentifiedImageError):
        return "its header is not one the decoders read (damaged, truncated, or not a picture format supported)"
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return text or type(exc).__name__
