"""Would a 1/8-scale JPEG decode be accurate enough for 12-megapixel photos? (PDQ bits against a full decode)

    .venv/bin/python bench/bench_decode_12mp.py

footprint decodes a JPEG at the smallest DCT scale whose short side stays >= decode.REDUCED_MIN_SIDE
(512), so a 4032x3024 photo decodes at 1/4 (1008x756). Issue 6 suggests 1/8 (504x378) for such photos,
which decodes about twice as fast and makes PDQ about six times cheaper. This measures the price: for
each benign photo of at least 2880 px a side (native), and each smaller benign photo of at least 900 px
upscaled to 4032x3024 with Lanczos and saved as JPEG quality 90 (a 12 MP stand-in), the PDQ distance of
the 1/8 and of the current decode from the full-size decode's hash, in the same run. Photos:
/usr/share/backgrounds/mate and the ThreatExchange PDQ reference photos in ../shared/data.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from footprint.hashers.decode import REDUCED_MIN_SIDE, decode_image
from footprint.hashers.pdq import MIN_QUALITY, PdqHasher, hamming
from footprint.model import PerceptualDigest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (Path("/usr/share/backgrounds/mate"), ROOT.parent / "shared" / "data" / "threatexchange" / "pdq" / "data")
EIGHTH = 360  # a short side >= 2880 decodes at 1/8 under this threshold
HASHER = PdqHasher()


def photos() -> Iterator[tuple[str, bytes]]:
    for folder in FOLDERS:
        for path in sorted(folder.rglob("*.jpg")) if folder.is_dir() else []:
            with Image.open(path) as im:
                short = min(im.size)
                if short >= 8 * EIGHTH:
                    yield path.name, path.read_bytes()
                elif short >= 900:
                    rgb = im.convert("RGB")
                    size = (4032, 3024) if rgb.width >= rgb.height else (3024, 4032)
                    out = io.BytesIO()
                    rgb.resize(size, Image.Resampling.LANCZOS).save(out, "JPEG", quality=90)
                    yield f"{path.name} (upscaled)", out.getvalue()


def pdq(data: bytes, min_side: int) -> tuple[PerceptualDigest, tuple[int, int]]:
    image = decode_image(data, min_side=min_side)
    digest = HASHER.hash_image(image)
    assert isinstance(digest, PerceptualDigest)
    return digest, image.size


def main() -> None:
    eighth, current = [], []
    for name, data in photos():
        full, _ = pdq(data, 0)
        if full.quality < MIN_QUALITY:
            continue
        small, small_size = pdq(data, EIGHTH)
        now, now_size = pdq(data, REDUCED_MIN_SIDE)
        eighth.append(hamming(full.value, small.value))
        current.append(hamming(full.value, now.value))
        print(f"{name[:48]:48} 1/8 {small_size[0]}x{small_size[1]}: {eighth[-1]:2} bits   "
              f"current {now_size[0]}x{now_size[1]}: {current[-1]:2} bits")
    print(f"{len(eighth)} photos: 1/8 mean {statistics.mean(eighth):.1f} max {max(eighth)} bits; "
          f"current (short side >= {REDUCED_MIN_SIDE}) mean {statistics.mean(current):.1f} max {max(current)} bits")


if __name__ == "__main__":
    main()
