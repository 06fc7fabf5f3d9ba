"""Read once, hash many: one pass over an item's bytes feeds every cryptographic hasher, and one
decode of an image feeds every perceptual hasher.

Evidence streams can fail mid-read (a bad sector, a damaged archive member); that becomes an
ItemError naming the byte offset, which the pipeline records against the item.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import Image

from footprint.errors import ItemError
from footprint.hashers.base import CryptoHasher, ImageHasher, PixelHasher, Shared, undecodable
from footprint.hashers.decode import REDUCED_MIN_SIDE, decode_image, frame_count, pixels_of
from footprint.hashers.exif import read_camera
from footprint.model import CameraFacts, PerceptualDigest, Skipped

BLOCK_SIZE = 1 << 20  # 1 MiB: large enough that per-call overhead vanishes, small enough to stream
HEAD_SIZE = 64 << 10  # enough for every container and image signature the sources sniff


@dataclass(frozen=True)
class StreamResult:
    """What one read of an item gave."""

    size: int
    crypto: dict[str, str]  # hasher name → lower-case hex
    head: bytes  # the first HEAD_SIZE bytes (all of them for a smaller item)
    data: bytes | None  # the whole content when size <= keep, else None


def hash_stream(stream: BinaryIO, crypto: Sequence[CryptoHasher], *, keep: int) -> StreamResult:
    """Read ``stream`` to its end in BLOCK_SIZE blocks, feeding every hasher from the same blocks.

    The content is kept in memory (``data``) only while its size stays <= ``keep``, so a later
    stage (image decoding, container parsing) needs no second read of small items.
    """
    running = {hasher.name: hasher.new() for hasher in crypto}
    kept: list[bytes] | None = []
    head = bytearray()
    size = 0
    while block := _read_block(stream, size):
        size += len(block)
        for hash_ in running.values():
            hash_.update(block)
        if len(head) < HEAD_SIZE:
            head += block[: HEAD_SIZE - len(head)]
        if kept is not None and size <= keep:
            kept.append(block)
        else:
            kept = None
    lost = getattr(stream, "lost", None)  # a stream read over damaged evidence (sources.tskfs.TskFileStream)
    if callable(lost) and (why := lost()):
        raise ItemError(why)
    data = b"".join(kept) if kept is not None else None
    return StreamResult(size=size, crypto={name: h.hexdigest() for name, h in running.items()},
                        head=bytes(head), data=data)


def _read_block(stream: BinaryIO, offset: int) -> bytes:
    try:
        return stream.read(BLOCK_SIZE)
    except ItemError:
        raise
    except Exception as exc:  # sources raise their own kinds (zlib, zipfile, tsk, ewf): all "unreadable"
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        raise ItemError(f"read failed at byte {offset}: {reason}") from exc


@dataclass(frozen=True)
class PictureResult:
    """What the one decode of a picture gave: its perceptual digests, the camera facts of its EXIF
    and warnings about that EXIF. Plain and picklable: it travels back from a worker process."""

    perceptual: dict[str, PerceptualDigest | Skipped]
    camera: CameraFacts | None = None
    warnings: tuple[str, ...] = ()


def hash_image_bytes(data: bytes, hashers: Sequence[ImageHasher], *,
                     min_side: int = REDUCED_MIN_SIDE) -> dict[str, PerceptualDigest | Skipped]:
    """Decode ``data`` once and give the image to every perceptual hasher (see analyse_picture)."""
    return analyse_picture(data, hashers, min_side=min_side).perceptual


def analyse_picture(data: bytes, hashers: Sequence[ImageHasher], *,
                    min_side: int = REDUCED_MIN_SIDE) -> PictureResult:
    """Decode ``data`` once, read its EXIF camera facts while it is open, and hash it.

    An undecodable image gives every hasher the same Skipped(reason); a hasher that fails on the
    decoded image gives its own Skipped. ``min_side`` bounds the reduced-scale decode (see decode.py).
    A picture of several frames or pages is hashed on its first (see decode.py) and says so in a warning
    (not an MPO: its other pictures lie after the first's end, where the scan reads them as items).
    """
    if not hashers:
        return PictureResult({})
    found: list[tuple[CameraFacts | None, list[str]]] = []
    frames: list[str] = []

    def inspect(im: Image.Image) -> None:
        found.append(read_camera(im))
        count = frame_count(im)
        if count > 1 and im.format != "MPO":  # an MPO's other pictures follow its first: the scan reads
            # them as items of their own (pipeline.analyse, bytes after a picture)
            frames.append(_frames_warning(im.format or "picture", count))

    with warnings.catch_warnings(record=True) as said:  # Pillow says a damaged file as a UserWarning
        warnings.simplefilter("always", UserWarning)
        results = _decode_and_hash(data, hashers, min_side, inspect)
    camera, exif_warnings = _camera(found)
    return PictureResult(results, camera, (*exif_warnings, *frames, *_decoder_warnings(said, exif_warnings)))


def _decode_and_hash(data: bytes, hashers: Sequence[ImageHasher], min_side: int,
                     inspect: Callable[[Image.Image], None]) -> dict[str, PerceptualDigest | Skipped]:
    try:
        image = decode_image(data, min_side=min_side, inspect=inspect,
                             grey=not any(hasher.colour for hasher in hashers))
    except ItemError as exc:
        return {hasher.name: Skipped(str(exc)) for hasher in hashers}
    results: dict[str, PerceptualDigest | Skipped] = {}
    pixels: np.ndarray | Exception | None = None  # the picture's array (lent or copied), once for all hashers
    shared: Shared = {}  # what they compute from it for one another
    for hasher in hashers:
        try:
            if isinstance(hasher, PixelHasher):
                pixels = _pixels(image) if pixels is None else pixels
                results[hasher.name] = (undecodable(hasher.name, pixels) if isinstance(pixels, Exception)
                                        else hasher.hash_pixels(pixels, shared))
            else:
                results[hasher.name] = hasher.hash_image(image)
        except (ItemError, ValueError, OSError) as exc:
            results[hasher.name] = Skipped(f"{hasher.name} failed: {exc}")
    return results


def _pixels(image: Image.Image) -> np.ndarray | Exception:
    """decode.pixels_of, or why it failed (each PixelHasher reports it as hash_image would)."""
    try:
        return pixels_of(image)
    except (ItemError, ValueError, OSError) as exc:
        return exc


def _decoder_warnings(said: list[warnings.WarningMessage], exif_warnings: Sequence[str]) -> tuple[str, ...]:
    """What the decoder said about this picture (a truncated TIFF directory, say), once each, as the
    item's warnings: on stderr it would belong to no item, and in a scan of thousands go unread. What the
    EXIF reading already said (Pillow parses a damaged EXIF block when it opens the picture too) is not
    said twice. Other kinds of warning (a library's deprecation) are about the code, not the evidence:
    passed on as they came."""
    about_picture = []
    for message in said:
        if not issubclass(message.category, UserWarning):
            warnings.warn_explicit(message.message, message.category, message.filename, message.lineno)
            continue
        text = str(message.message).strip()
        if not any(text in known for known in exif_warnings):
            about_picture.append(f"decoder: {text}")
    return tuple(dict.fromkeys(about_picture))


def _frames_warning(kind: str, count: int) -> str:
    """Plain words for a picture of several frames or pages: which one the hashes are of."""
    frames = "pages" if kind == "TIFF" else "frames"
    how_many = f"2 or more {frames}" if kind in ("GIF", "TIFF") else f"{count} {frames}"  # not counted (decode)
    return (f"{kind} of {how_many}: perceptual hashes are of the first only; the other {frames} "
            f"were not hashed and cannot near-match")


def _camera(found: list[tuple[CameraFacts | None, list[str]]]) -> tuple[CameraFacts | None, tuple[str, ...]]:
    if not found:
        return None, ()
    camera, warnings = found[0]
    return camera, tuple(f"exif: {text}" for text in warnings)
