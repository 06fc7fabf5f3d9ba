"""Seconds of video hashed per wall-clock second: footprint's vPDQ against every frame at full size.

    .venv/bin/python bench/bench_video.py [video ...]

Default videos: the ThreatExchange sample videos in ../shared/data (SD and HD h264). Both ways decode
every frame (a decoder cannot skip frames); they differ in what is hashed:

- footprint: one frame a second, shrunk by a whole factor to at most 720 px, PDQ on it (the default
  VpdqHasher), plus the bit distance of its frames to the baseline's frames of the same number;
- baseline: every frame converted to RGB at full size and PDQ-hashed, as the reference
  ``vpdq-hash-video`` does with its defaults for the conformance files.

Prints each rate and footprint's ratio to the baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from footprint.hashers.vpdq import VideoDigest, VpdqHasher

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "data" / "threatexchange" / "tmk" / "sample-videos"


def timed(hasher: VpdqHasher, path: Path) -> tuple[VideoDigest, float]:
    start = time.perf_counter()
    digest = hasher.hash_video(path)
    return digest, time.perf_counter() - start


def bit_distances(ours: VideoDigest, full: VideoDigest) -> list[int]:
    by_number = {f.number: f for f in full.frames}
    return [(int(f.pdq, 16) ^ int(by_number[f.number].pdq, 16)).bit_count()
            for f in ours.frames if f.number in by_number and by_number[f.number].quality >= 50]


def main(paths: list[Path]) -> None:
    fast = VpdqHasher(prune_distance=None)
    baseline = VpdqHasher(interval=0, max_side=None, prune_distance=None)
    video_seconds = fast_seconds = base_seconds = 0.0
    distances: list[int] = []
    print(f"{'video':34} {'length s':>8} {'size':>9} {'footprint x':>11} {'baseline x':>10}")
    for path in paths:
        ours, fast_time = timed(fast, path)
        full, base_time = timed(baseline, path)
        video_seconds += ours.duration
        fast_seconds += fast_time
        base_seconds += base_time
        distances += bit_distances(ours, full)
        print(f"{path.stem[:34]:34} {ours.duration:8.1f} {ours.width:4d}x{ours.height:<4d} "
              f"{ours.duration / fast_time:11.1f} {ours.duration / base_time:10.1f}")
    fast_rate, base_rate = video_seconds / fast_seconds, video_seconds / base_seconds
    print(f"\nfootprint (1 fps, <=720 px): {fast_rate:.1f} s of video per second")
    print(f"baseline (every frame, full size): {base_rate:.1f} s of video per second")
    print(f"ratio: {fast_rate / base_rate:.1f}x")
    if distances:
        print(f"sampled frames vs full-size hashes: median {statistics.median(distances)} bits, "
              f"max {max(distances)}, {sum(d <= 31 for d in distances) / len(distances):.1%} within 31")


if __name__ == "__main__":
    chosen = [Path(p) for p in sys.argv[1:]] or sorted(SAMPLES.glob("*.mp4"))
    if not chosen:
        sys.exit(f"no videos given and {SAMPLES} is absent")
    main(chosen)
