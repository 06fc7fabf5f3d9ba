"""Measure how far reduced-scale decoding moves the PDQ hash, and what it saves.

Baseline (same run): a full-size decode of each photo. For each JPEG, decode at DCT scale 1/2, 1/4
and 1/8 (Pillow's draft mode); for each image, also box-reduce the full decode by 2, 4, 8, 16 (the
path non-JPEG formats take). Print the PDQ bit difference from the baseline hash, the resulting short
side and the time ratio; then, for candidate thresholds T ("pick the smallest scale whose short side
stays >= T"), the mean and max bit difference over all photos and the mean time ratio.

Photos: /usr/share/backgrounds (Debian's gnome-backgrounds and mate-backgrounds; non-JPEGs are
re-encoded to JPEG quality 90 in memory so that the DCT path is measured on them too) and the
ThreatExchange PDQ reference photos in ../shared/data. Run: .venv/bin/python bench/bench_decode.py
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from footprint.hashers.decode import _upright, decode_image, to_rgb
from footprint.hashers.pdq import PdqHasher, hamming
from footprint.model import PerceptualDigest

ROOT = Path(__file__).resolve().parents[1]
SHARED_PDQ = ROOT.parent / "shared" / "data" / "threatexchange" / "pdq" / "data"
BACKGROUNDS = Path("/usr/share/backgrounds")
SCALES = (2, 4, 8)
REDUCE_FACTORS = (2, 4, 8, 16)
THRESHOLDS = (64, 128, 192, 256, 320, 384, 448, 512, 640, 768)
MIN_PHOTO_SIDE = 512  # smaller photos are never reduced by any threshold worth considering
HASHER = PdqHasher()


@dataclass
class Trial:
    name: str
    path: str  # "draft" or "reduce"
    factor: int
    short_side: int
    bits: int
    time_ratio: float
    quality: int  # of the full decode's hash
    jitter: int  # bits the full decode's hash moves when the photo is re-saved as JPEG quality 85


def photos() -> Iterator[tuple[str, bytes]]:
    """(name, JPEG bytes) for every benign photo found."""
    files = sorted(BACKGROUNDS.rglob("*")) if BACKGROUNDS.is_dir() else []
    if SHARED_PDQ.is_dir():
        files += sorted(SHARED_PDQ.rglob("*.jpg")) + sorted(SHARED_PDQ.rglob("*.png"))
    for path in files:
        if path.suffix.lower() not in {".jpg", ".jpeg", ".png", ".webp"}:
            continue
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            if min(im.size) < MIN_PHOTO_SIDE:
                continue
            if im.format != "JPEG":
                data = _as_jpeg(im)
        yield str(path.relative_to(path.parents[1])), data


def _as_jpeg(im: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    to_rgb(im).save(out, "JPEG", quality=quality)
    return out.getvalue()


def timed(func: Callable[[], Image.Image]) -> tuple[Image.Image, float]:
    start = time.perf_counter()
    image = func()
    return image, time.perf_counter() - start


def pdq(image: Image.Image) -> str:
    return pdq_digest(image).value


def pdq_digest(image: Image.Image) -> PerceptualDigest:
    digest = HASHER.hash_image(image)
    assert isinstance(digest, PerceptualDigest), digest
    return digest


def decode_at_scale(data: bytes, scale: int) -> Image.Image:
    """Decode a JPEG at exactly 1/scale through the same steps as decode_image."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (im.size[0] // scale, im.size[1] // scale))
        im.load()
        return to_rgb(_upright(im))


def trials_for(name: str, data: bytes) -> list[Trial]:
    full, decode_time = timed(lambda: decode_image(data, min_side=0))
    base, hash_time = pdq_digest(full), _hash_time(full)
    base_time = decode_time + hash_time
    jitter = hamming(base.value, pdq(decode_image(_as_jpeg(full, 85), min_side=0)))
    out = []
    for scale in SCALES:
        small, seconds = timed(lambda scale=scale: decode_at_scale(data, scale))
        seconds += _hash_time(small)
        out.append(Trial(name, "draft", scale, min(small.size), hamming(base.value, pdq(small)),
                         seconds / base_time, base.quality, jitter))
    for factor in REDUCE_FACTORS:
        reduced, seconds = timed(lambda factor=factor: full.reduce(factor))
        seconds += _hash_time(reduced)
        out.append(Trial(name, "reduce", factor, min(reduced.size), hamming(base.value, pdq(reduced)),
                         (decode_time + seconds) / base_time, base.quality, jitter))
    return out


def _hash_time(image: Image.Image) -> float:
    start = time.perf_counter()
    pdq(image)
    return time.perf_counter() - start


def chosen(trials: list[Trial], path: str, threshold: int) -> Trial | None:
    """The trial the rule would pick: the largest factor whose short side stays >= threshold."""
    fitting = [t for t in trials if t.path == path and t.short_side >= threshold]
    return max(fitting, key=lambda t: t.factor) if fitting else None


def summarise(all_trials: dict[str, list[Trial]], path: str, min_quality: int, jpeg_only: bool) -> None:
    """One table per subset: all images, or only files that were JPEGs to begin with (the photos;
    the others are mostly drawings and synthetic textures re-encoded for the measurement)."""
    all_trials = {k: v for k, v in all_trials.items()
                  if v[0].quality >= min_quality and (not jpeg_only or k.lower().endswith((".jpg", ".jpeg")))}
    kind = "JPEG photos" if jpeg_only else "images"
    print(f"\n{path}, {len(all_trials)} {kind} with full-decode quality >= {min_quality}: rule 'largest "
          "factor keeping short side >= T' (factor 1 = unchanged, 0 bits)")
    print(f"{'T':>5} {'mean bits':>10} {'max bits':>9} {'reduced':>8} {'mean time ratio':>16}")
    for threshold in THRESHOLDS:
        picks = [chosen(trials, path, threshold) for trials in all_trials.values()]
        bits = [p.bits if p else 0 for p in picks]
        ratios = [p.time_ratio if p else 1.0 for p in picks]
        reduced = sum(1 for p in picks if p)
        print(f"{threshold:>5} {statistics.mean(bits):>10.2f} {max(bits):>9} {reduced:>5}/{len(picks):<3}"
              f"{statistics.mean(ratios):>16.3f}")


def main() -> int:
    all_trials: dict[str, list[Trial]] = {}
    print(f"{'photo':<44} {'path':<7} {'f':>3} {'short':>6} {'bits':>5} {'time/full':>9} {'quality':>7} "
          f"{'jitter':>6}")
    for name, data in photos():
        trials = trials_for(name, data)
        all_trials[name] = trials
        for t in trials:
            print(f"{name[:44]:<44} {t.path:<7} {t.factor:>3} {t.short_side:>6} {t.bits:>5} "
                  f"{t.time_ratio:>9.3f} {t.quality:>7} {t.jitter:>6}")
    if not all_trials:
        print("no photos found: install gnome-backgrounds / mate-backgrounds or ../shared/data")
        return 1
    print(f"\n{len(all_trials)} photos")
    for min_quality, jpeg_only in ((0, False), (50, False), (50, True)):
        summarise(all_trials, "draft", min_quality, jpeg_only)
        summarise(all_trials, "reduce", min_quality, jpeg_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
