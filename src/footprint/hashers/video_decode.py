"""Decode a video through PyAV (FFmpeg) into a stream of sampled RGB frames, for vPDQ and storyboards.

Videos are opened by content (FFmpeg probes the container), from a path or a seekable binary stream,
so a video inside an archive needs no temporary copy. Frames are yielded one at a time and only the
sampled ones are converted to pixels: a whole video is never held in memory.

Sampling keeps, for every sampling point ``k * interval`` seconds, the first frame whose timestamp
reaches it. That is one frame a second by default, robust to variable frame rates and gaps (a
gap of several seconds yields one frame, not a burst). ``interval=0`` keeps every frame, as the
reference hashes its conformance files.

Frames are shrunk by a whole factor (2, 3, ...) until their longer side is at most ``max_side``
pixels before conversion. PDQ works on a 64x64 downsample but sizes its box filters from the input,
so shrinking moves bits; a whole factor keeps the pixel grid aligned and moves far fewer than an
arbitrary size. Measured against the reference's full-size hashes of the sample videos (every 5th
frame, quality >= 50): factor 2 gives a median of 4-6 bits (max 12), factor 3 2-12 (max 20); resizing
1080 px to 1024 gave a median of 16. The same factor-2 shrink cuts PDQ's own time about tenfold
(74 ms to 6 ms a 1080x1080 frame) because the full-size float buffers no longer fit in cache.
``max_side=None`` decodes at full size.

Bad evidence is data: no video stream, absurd dimensions or nothing decodable raise ItemError;
a file that breaks part-way yields what decoded and records a warning in ``VideoReader.warnings``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import IO, Any

import av
import av.error
import numpy as np

from footprint.errors import ItemError

MAX_SIDE_LIMIT = 16384  # larger frames are hostile or broken, not evidence we can hash
DEFAULT_MAX_SIDE = 720
MAX_DECODE_ERRORS = 50  # corrupt packets tolerated before the rest of a file is given up
_TIME_SLACK = 1e-6

VideoSource = str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about the video stream (duration may be estimated, or 0 if unknown)."""

    codec: str
    width: int
    height: int
    fps: float
    duration: float


@dataclass(frozen=True)
class SampledFrame:
    number: int  # 0-based index of the frame among all decoded frames, as the reference counts
    timestamp: float  # seconds from the start of the stream
    pixels: np.ndarray = field(repr=False)  # uint8[height, width, 3], RGB


class VideoReader:
    """An open video: ``info`` at once, ``frames()`` to decode, ``warnings`` after decoding.

    Use as a context manager; it closes the container (never the caller's stream).
    """

    def __init__(self, source: VideoSource) -> None:
        self.warnings: list[str] = []
        self._gap_noted = False
        self._container = _open_container(source)
        try:
            self._stream = _video_stream(self._container)
            self.info = _describe(self._container, self._stream)
        except BaseException:
            self._container.close()
            raise

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def frames(self, interval: float = 1.0, max_side: int | None = DEFAULT_MAX_SIDE,
               ) -> Iterator[SampledFrame]:
        """Yield the sampled frames in order; see the module docstring for the rule."""
        next_point = at = 0.0
        number = -1
        for frame in self._decoded():
            number += 1
            previous, at = at, self._timestamp(frame, number)
            self._check_gap(previous, at, number)
            if interval > 0 and at + _TIME_SLACK < next_point:
                continue
            if interval > 0:
                next_point = (math.floor(at / interval + _TIME_SLACK) + 1) * interval
            pixels = self._pixels(frame, number, max_side)
            if pixels is not None:
                yield SampledFrame(number, round(at, 6), pixels)
        if number < 0:
            raise ItemError("video: no frame could be decoded" + _why(self.warnings))
        self._check_length(at)

    def _check_gap(self, previous: float, at: float, number: int) -> None:
        """Damaged packets are often dropped silently: a jump of many frame times is noted (once)."""
        fps = self.info.fps
        if number > 0 and fps > 0 and at - previous > max(1.0, 10 / fps) and not self._gap_noted:
            self._gap_noted = True
            self.warnings.append(f"video: no frame for {at - previous:.1f} s after {previous:.1f} s "
                                 "(damaged, or a variable frame rate)")

    def _check_length(self, last: float) -> None:
        """A file cut short often decodes cleanly up to the cut: compare with the declared length."""
        declared = self.info.duration
        if declared > 0 and last < declared - max(2.0, 0.1 * declared):
            self.warnings.append(f"video: decoded {last:.1f} s of the declared {declared:.1f} s "
                                 "(truncated or damaged)")

    def grab(self, timestamps: Sequence[float], max_side: int | None = DEFAULT_MAX_SIDE,
             ) -> list[SampledFrame]:
        """The first frame at or after each timestamp, seeking instead of decoding everything:
        for storyboards, after hashing has chosen the key frames."""
        grabbed: list[SampledFrame] = []
        for wanted in sorted(timestamps):
            frame = self._seek_and_decode(wanted, max_side)
            if frame is not None:
                grabbed.append(frame)
        return grabbed

    # -- decoding ------------------------------------------------------------------------------

    def _decoded(self) -> Iterator[Any]:
        """Every decodable frame; corrupt packets are skipped and counted, a broken container ends
        the stream early with a warning."""
        errors = corrupt = 0
        packets = self._container.demux(self._stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except (av.error.FFmpegError, OSError, ValueError) as exc:
                self.warnings.append(f"video: container unreadable after this point: {_short(exc)}")
                break
            try:
                decoded = packet.decode()
            except (av.error.FFmpegError, ValueError) as exc:
                errors += 1
                if errors == 1:
                    self.warnings.append(f"video: corrupt data skipped: {_short(exc)}")
                if errors >= MAX_DECODE_ERRORS:
                    self.warnings.append(f"video: gave up after {errors} corrupt packets")
                    break
                continue
            for frame in decoded:
                if frame.is_corrupt:  # decoded with concealed damage: not a picture to hash
                    corrupt += 1
                else:
                    yield frame
        if errors > 1:
            self.warnings.append(f"video: {errors} corrupt packets skipped in all")
        if corrupt:
            self.warnings.append(f"video: {corrupt} damaged frames skipped")

    def _timestamp(self, frame: Any, number: int) -> float:
        if frame.pts is None or self._stream.time_base is None:
            return number / self.info.fps if self.info.fps > 0 else float(number)
        start = self._stream.start_time or 0
        return float((frame.pts - start) * self._stream.time_base)

    def _pixels(self, frame: Any, number: int, max_side: int | None) -> np.ndarray | None:
        width, height = frame.width, frame.height
        if not (0 < width <= MAX_SIDE_LIMIT and 0 < height <= MAX_SIDE_LIMIT):
            self.warnings.append(f"video: frame {number} has absurd dimensions {width}x{height}: skipped")
            return None
        w, h = scaled_size(width, height, max_side)
        try:
            rgb = frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA")
            return np.ascontiguousarray(rgb.to_ndarray())
        except (av.error.FFmpegError, ValueError) as exc:
            self.warnings.append(f"video: frame {number} could not be converted: {_short(exc)}")
            return None

    def _seek_and_decode(self, wanted: float, max_side: int | None) -> SampledFrame | None:
        stream = self._stream
        try:
            if stream.time_base is not None:
                target = int(wanted / stream.time_base) + (stream.start_time or 0)
                self._container.seek(target, backward=True, any_frame=False, stream=stream)
            for frame in self._container.decode(stream):
                at = self._timestamp(frame, 0)
                if at + _TIME_SLACK >= wanted:
                    pixels = self._pixels(frame, -1, max_side)
                    return None if pixels is None else SampledFrame(-1, round(at, 6), pixels)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            self.warnings.append(f"video: could not seek to {wanted:.3f}s: {_short(exc)}")
        return None


def scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Shrink (never enlarge) by the smallest whole factor that brings the longer side to at most
    ``max_side``, so that source pixels map onto whole target pixels."""
    if max_side is None or max(width, height) <= max_side:
        return width, height
    factor = math.ceil(max(width, height) / max(max_side, 1))
    return max(1, width // factor), max(1, height // factor)


def _open_container(source: VideoSource) -> Any:
    if not isinstance(source, str | os.PathLike) and not _seekable(source):
        raise ItemError("video: the stream is not seekable (spool it to a file first)")
    try:
        return av.open(source, mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise ItemError(f"video: not a readable video container: {_short(exc)}") from exc


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _video_stream(container: Any) -> Any:
    if not container.streams.video:
        raise ItemError("no video stream")
    stream = container.streams.video[0]
    context = stream.codec_context
    width, height = context.width, context.height
    if width <= 0 or height <= 0:
        raise ItemError("no video stream: the video stream has no picture size")
    if width > MAX_SIDE_LIMIT or height > MAX_SIDE_LIMIT:
        raise ItemError(f"video: absurd dimensions {width}x{height} (limit {MAX_SIDE_LIMIT} px a side)")
    stream.thread_type = "AUTO"
    return stream


def _describe(container: Any, stream: Any) -> VideoInfo:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if isinstance(rate, Fraction | int | float) and rate > 0 else 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    else:
        duration = 0.0
    context = stream.codec_context
    return VideoInfo(codec=context.name, width=context.width, height=context.height, fps=fps,
                     duration=max(duration, 0.0))


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _why(warnings: list[str]) -> str:
    return f" ({warnings[0]})" if warnings else ""
