"""Benign synthetic videos made with PyAV: moving shapes over changing gradients, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def scene(seed: int, seconds: float, fps: int = 10,
          size: tuple[int, int] = (192, 144)) -> Iterator[np.ndarray]:
    """RGB frames: a gradient whose angle and colours change every 4 s (scene cuts), with discs and
    bars that move steadily, all drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    shots = [(rng.uniform(0, 2 * np.pi), rng.uniform(0, 255, 3), rng.uniform(0, 255, 3))
             for _ in range(int(seconds // 4) + 1)]
    discs = [(rng.uniform(0, width), rng.uniform(0, height), rng.uniform(-25, 25), rng.uniform(-20, 20),
              rng.uniform(8, 30), rng.uniform(0, 255, 3)) for _ in range(6)]
    for n in range(int(seconds * fps)):
        t = n / fps
        angle, c0, c1 = shots[int(t // 4)]
        ramp = (np.cos(angle) * xx + np.sin(angle) * yy) / (width + height) + 0.5
        frame = c0 * (1 - ramp[..., None]) + c1 * ramp[..., None]
        for x0, y0, vx, vy, r, colour in discs:
            cx, cy = (x0 + vx * t) % width, (y0 + vy * t) % height
            frame[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = colour
        stripe = int((t * 15) % width)
        frame[:, stripe:stripe + 6] = 255 - frame[:, stripe:stripe + 6]
        yield np.clip(frame, 0, 255).astype(np.uint8)


def write_video(path: Path, frames: Iterator[np.ndarray], fps: int = 10, codec: str = "libx264",
                options: dict[str, str] | None = None) -> Path:
    """Encode RGB frames into ``path`` (container from the suffix)."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=Fraction(fps, 1))
        stream.pix_fmt = "yuv420p"
        stream.options = options or {}
        first = True
        for pixels in frames:
            if first:
                stream.height, stream.width = pixels.shape[:2]
                first = False
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def cut(source: Path, target: Path, start: float, end: float, codec: str = "mpeg4") -> Path:
    """Re-encode the frames of ``source`` between ``start`` and ``end`` seconds into ``target``."""
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        fps = round(float(stream.average_rate or 10))
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)
                  if f.time is not None and start <= f.time < end]
    return write_video(target, iter(frames), fps=fps, codec=codec)


def write_audio_only(path: Path, seconds: float = 2.0) -> Path:
    """A sine tone with no video stream."""
    rate = 22050
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mp2", rate=rate)
        stream.layout = "mono"
        samples = (np.sin(np.arange(int(rate * seconds)) * 2 * np.pi * 440 / rate) * 8000).astype(np.int16)
        for start in range(0, len(samples), 1152):
            chunk = samples[start:start + 1152]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
