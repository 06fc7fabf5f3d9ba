"""vPDQ: Meta's video hash, built on PyAV and ``pdqhash`` (the ``vpdq`` binding does not build here).

A vPDQ hash is the list of PDQ hashes of sampled frames, each with its frame number, PDQ quality
and timestamp; the reference prints one ``frame_number,quality,pdq_hex,timestamp`` line per frame.
Frames are hashed exactly as the reference does: the decoded frame converted to RGB24 and given to
PDQ (which takes the luma and downsamples it itself).

Pruning (the reference README's "Pruning Frames"): a frame within ``prune_distance`` bits of the
last *retained* frame is dropped, so a static scene costs one frame, not one a second. The
reference C++ keeps every frame and its matcher compares unique hashes; pruning at a small distance
only removes frames that the matcher would count as the same frame anyway. Quality is never used
to drop frames here: the reference applies the quality filter at match time, on both sides, so
low-quality frames stay in the hash (and in reports) but never match.

The interface (``VideoHasher``) is local to this module for now: the shared hashers/base.py has
crypto and image hashers only.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from footprint.errors import FormatError, ItemError
from footprint.hashers import pdq_native
from footprint.hashers.video_decode import DEFAULT_MAX_SIDE, SampledFrame, VideoReader, VideoSource

DEFAULT_INTERVAL = 1.0  # seconds between sampled frames (the reference's default)
DEFAULT_PRUNE_DISTANCE = 2  # the reference README's example D_prune
_LINE = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*,\s*([0-9a-fA-F]{64})\s*,\s*([0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class VideoFrame:
    """One line of a vPDQ hash."""

    number: int
    quality: int
    pdq: str  # 64 lower-case hex digits
    timestamp: float

    def to_line(self) -> str:
        return f"{self.number},{self.quality},{self.pdq},{self.timestamp:.3f}"


@dataclass(frozen=True)
class VideoDigest:
    """The vPDQ hash of one video plus what the container said about it, and decode warnings
    (a partly corrupt file still gets a digest of what decoded)."""

    frames: tuple[VideoFrame, ...]
    duration: float
    fps: float
    width: int
    height: int
    interval: float = DEFAULT_INTERVAL
    warnings: tuple[str, ...] = ()
    algorithm: str = "vpdq"

    def to_text(self) -> str:
        return frames_to_text(self.frames)


class VideoHasher(ABC):
    """A hasher that reads a whole video (from a path or a seekable stream) into one digest."""

    name: ClassVar[str]

    @abstractmethod
    def hash_video(self, source: VideoSource) -> VideoDigest:
        """Raise ItemError when nothing can be hashed; partial results carry warnings."""


class VpdqHasher(VideoHasher):
    """vPDQ with the reference's defaults: one frame a second, PDQ on each, near-duplicates pruned."""

    name: ClassVar[str] = "vpdq"

    def __init__(self, interval: float = DEFAULT_INTERVAL, max_side: int | None = DEFAULT_MAX_SIDE,
                 prune_distance: int | None = DEFAULT_PRUNE_DISTANCE) -> None:
        if interval < 0:
            raise ValueError("the sampling interval cannot be negative")
        self.interval = interval
        self.max_side = max_side
        self.prune_distance = prune_distance

    def hash_video(self, source: VideoSource) -> VideoDigest:
        with VideoReader(source) as reader:
            hashed = (hash_frame(f) for f in reader.frames(self.interval, self.max_side))
            frames = tuple(prune(hashed, self.prune_distance))
            warnings = tuple(reader.warnings)
            info = reader.info
        if not frames:
            raise ItemError("video: no frame could be hashed" + (f" ({warnings[0]})" if warnings else ""))
        duration = info.duration or frames[-1].timestamp
        return VideoDigest(frames=frames, duration=duration, fps=info.fps, width=info.width,
                           height=info.height, interval=self.interval, warnings=warnings)


def hash_frame(frame: SampledFrame) -> VideoFrame:
    """PDQ of one RGB frame, as the reference hashes it."""
    pdq, quality = pdq_native.pdq(frame.pixels)
    return VideoFrame(frame.number, quality, pdq, frame.timestamp)


def prune(frames: Iterable[VideoFrame], distance: int | None) -> Iterator[VideoFrame]:
    """Drop each frame within ``distance`` bits of the last retained one (None keeps every frame)."""
    last: int | None = None
    for frame in frames:
        value = int(frame.pdq, 16)
        if distance is not None and last is not None and (value ^ last).bit_count() <= distance:
            continue
        last = value
        yield frame


def frames_to_text(frames: Iterable[VideoFrame]) -> str:
    """The reference text form, one ``frame,quality,hex,timestamp`` line per frame."""
    return "".join(f.to_line() + "\n" for f in frames)


def parse_line(line: str, line_no: int = 0) -> VideoFrame:
    """One reference line; FormatError naming the line when it is not one."""
    found = _LINE.match(line)
    if found is None:
        raise FormatError(f"vpdq line {line_no}: expected frame,quality,pdq_hex,timestamp: {line[:120]!r}")
    number, quality, pdq, timestamp = found.groups()
    try:
        seconds = float(timestamp)
    except ValueError as exc:
        raise FormatError(f"vpdq line {line_no}: bad timestamp {timestamp!r}") from exc
    if not 0 <= int(quality) <= 100:
        raise FormatError(f"vpdq line {line_no}: quality {quality} is not 0-100")
    return VideoFrame(int(number), int(quality), pdq.lower(), seconds)


def frames_from_text(text: str) -> tuple[VideoFrame, ...]:
    """Parse the reference text form; blank lines and ``#`` comments are ignored."""
    frames = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            frames.append(parse_line(line, line_no))
    return tuple(frames)
