"""Storyboards: a contact sheet of a video's key frames, so a reviewer can judge it without playing it.

Key frames are chosen from the vPDQ hash already computed (no extra decoding pass to choose): the
first frame, then the frames where the picture changes most (largest PDQ distance to the previous
sampled frame: scene cuts), topped up with frames spread evenly over the video. Only the chosen
frames are then decoded again, by seeking. The sheet is stored in the case in colour; any UI shows
it blurred and greyscale by default (``blur_greyscale``), unblurred one item at a time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from footprint.hashers.video_decode import VideoReader, VideoSource
from footprint.hashers.vpdq import VideoDigest, VideoFrame

SCENE_DISTANCE = 64  # bits between consecutive sampled frames that count as a cut
CAPTION_HEIGHT = 18
BACKGROUND = (24, 24, 24)


def choose_key_frames(frames: Sequence[VideoFrame], count: int = 12,
                      scene_distance: int = SCENE_DISTANCE) -> list[VideoFrame]:
    """Up to ``count`` frames in time order: the first, the sharpest cuts, then evenly spread ones."""
    if not frames or count <= 0:
        return []
    chosen = {0}
    cuts = sorted(((_distance(frames[i - 1], frames[i]), i) for i in range(1, len(frames))), reverse=True)
    for gap, i in cuts:
        if len(chosen) >= max(1, count // 2) or gap < scene_distance:
            break
        chosen.add(i)
    for i in np.linspace(0, len(frames) - 1, num=min(count, len(frames))).round().astype(int):
        if len(chosen) >= count:
            break
        chosen.add(int(i))
    return [frames[i] for i in sorted(chosen)]


def make_storyboard(frames: Sequence[tuple[float, Image.Image | np.ndarray]], *, columns: int = 4,
                    thumb: int = 160) -> bytes:
    """A JPEG contact sheet: each (timestamp seconds, picture) as a thumbnail (longer side ``thumb``)
    with its timestamp written under it, ``columns`` to a row, in the order given."""
    if not frames:
        raise ValueError("a storyboard needs at least one frame")
    columns = max(1, min(columns, len(frames)))
    rows = -(-len(frames) // columns)
    cell_w, cell_h = thumb, thumb + CAPTION_HEIGHT
    sheet = Image.new("RGB", (columns * cell_w, rows * cell_h), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for n, (timestamp, picture) in enumerate(frames):
        x, y = (n % columns) * cell_w, (n // columns) * cell_h
        small = _thumbnail(picture, thumb)
        sheet.paste(small, (x + (thumb - small.width) // 2, y + (thumb - small.height) // 2))
        draw.text((x + 4, y + thumb + 3), format_timestamp(timestamp), fill=(230, 230, 230), font=font)
    out = io.BytesIO()
    sheet.save(out, format="JPEG", quality=85)
    return out.getvalue()


def storyboard_for_video(source: VideoSource, digest: VideoDigest, *, count: int = 12, columns: int = 4,
                         thumb: int = 160) -> bytes | None:
    """Choose key frames from ``digest``, decode just those from ``source``, and lay them out.
    None when none of them can be decoded again (the digest's warnings already say why)."""
    wanted = [f.timestamp for f in choose_key_frames(digest.frames, count)]
    with VideoReader(source) as reader:
        grabbed = reader.grab(wanted, max_side=thumb * 2)
    if not grabbed:
        return None
    return make_storyboard([(f.timestamp, f.pixels) for f in grabbed], columns=columns, thumb=thumb)


def blur_greyscale(image_bytes: bytes, radius: float = 12.0) -> bytes:
    """The default view of any picture or storyboard: greyscale and Gaussian-blurred, as JPEG."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        grey = ImageOps.grayscale(image)
    blurred = grey.filter(ImageFilter.GaussianBlur(radius)) if radius > 0 else grey
    out = io.BytesIO()
    blurred.save(out, format="JPEG", quality=80)
    return out.getvalue()


def format_timestamp(seconds: float) -> str:
    """``h:mm:ss.s`` (hours only when needed), as a reviewer would seek to it in a player."""
    whole, tenths = divmod(round(max(seconds, 0.0) * 10), 10)
    hours, rest = divmod(int(whole), 3600)
    minutes, secs = divmod(rest, 60)
    head = f"{hours}:{minutes:02d}" if hours else f"{minutes}"
    return f"{head}:{secs:02d}.{tenths}"


def _thumbnail(picture: Image.Image | np.ndarray, thumb: int) -> Image.Image:
    image = Image.fromarray(picture) if isinstance(picture, np.ndarray) else picture
    image = image.convert("RGB")
    image.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
    return image


def _distance(a: VideoFrame, b: VideoFrame) -> int:
    return (int(a.pdq, 16) ^ int(b.pdq, 16)).bit_count()
