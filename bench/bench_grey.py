"""What decoding a colour JPEG as its luma (Y) plane alone would do to the hashes, and save (not done:
hashers/decode.py, "Grey stays grey").

    python bench/bench_grey.py

For every benign photo of bench_decode.py (Debian's gnome- and mate-backgrounds, re-encoded as JPEG
quality 90 where they were not JPEGs, and the ThreatExchange reference photos in ../shared/data), decoded
as a scan decodes it (reduced scale by decode.REDUCED_MIN_SIDE) and as the Y plane at the same scale: the
PDQ bits between the two, the region signature's bits (mean and worst region), the PDQ quality, and
"jitter", the bits PDQ moves when the RGB decode is re-saved as JPEG quality 85, for scale: how far an
ordinary re-save moves the same picture. Then the one-core CPU time of decode plus both hashes, each way.
"""

from __future__ import annotations

import io
import statistics
import sys
import time

from bench_decode import photos
from PIL import Image

from footprint.hashers.decode import REDUCED_MIN_SIDE, _box_reduce, _upright, decode_image
from footprint.hashers.pdq import PdqHasher, hamming
from footprint.hashers.regions import RegionHasher
from footprint.hashers.regions import decode as regions_of
from footprint.model import PerceptualDigest

HASHERS = (PdqHasher(), RegionHasher())


def decode_luma(data: bytes) -> Image.Image:
    """A colour JPEG's Y plane alone, upright, at the scale decode_image picks (libjpeg skips the colour
    planes' IDCT, upsampling and conversion)."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("L", (REDUCED_MIN_SIDE, REDUCED_MIN_SIDE))
        im.load()
        return _box_reduce(_upright(im), REDUCED_MIN_SIDE)


def digests(image: Image.Image) -> tuple[PerceptualDigest, PerceptualDigest]:
    pdq, signature = (hasher.hash_image(image) for hasher in HASHERS)
    assert isinstance(pdq, PerceptualDigest) and isinstance(signature, PerceptualDigest), (pdq, signature)
    return pdq, signature


def cpu_ms(data: bytes, grey: bool) -> float:
    start = time.process_time()
    digests(decode_luma(data) if grey else decode_image(data))
    return (time.process_time() - start) * 1000


def main() -> int:
    rows = []
    print(f"{'photo':<44} {'size':>10} {'PDQ bits':>8} {'regions mean/max':>16} {'quality':>7} {'jitter':>6}")
    for name, data in photos():
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format != "JPEG" or opened.mode != "RGB":
                continue
        rgb, grey = decode_image(data), decode_luma(data)
        (pdq_rgb, regions_rgb), (pdq_grey, regions_grey) = digests(rgb), digests(grey)
        plain, luma = regions_of(regions_rgb.value), regions_of(regions_grey.value)
        region_bits = [hamming(plain[region][0], luma[region][0]) for region in plain if region in luma]
        resaved = io.BytesIO()
        rgb.save(resaved, "JPEG", quality=85)
        jitter = hamming(pdq_rgb.value, digests(decode_image(resaved.getvalue()))[0].value)
        bits = hamming(pdq_rgb.value, pdq_grey.value)
        times = [min(cpu_ms(data, grey) for _ in range(3)) for grey in (False, True)]
        rows.append((bits, statistics.mean(region_bits), max(region_bits), pdq_rgb.quality, jitter, *times))
        print(f"{name[-44:]:<44} {'x'.join(map(str, rgb.size)):>10} {bits:>8} "
              f"{statistics.mean(region_bits):>9.1f} / {max(region_bits):<4} {pdq_rgb.quality:>7} {jitter:>6}")
    if not rows:
        print("no photos found: install gnome-backgrounds / mate-backgrounds or ../shared/data")
        return 1
    for label, subset in (("all", rows), ("PDQ quality >= 50", [r for r in rows if r[3] >= 50])):
        bits = [r[0] for r in subset]
        print(f"\n{label}: {len(subset)} JPEGs; PDQ bits mean {statistics.mean(bits):.2f}, max {max(bits)}, "
              f"identical {sum(b == 0 for b in bits)}; regions mean {statistics.mean(r[1] for r in subset):.2f}, "
              f"worst region {max(r[2] for r in subset)}; jitter of a q85 re-save mean "
              f"{statistics.mean(r[4] for r in subset):.1f}, max {max(r[4] for r in subset)}")
    rgb_ms, grey_ms = sum(r[5] for r in rows), sum(r[6] for r in rows)
    print(f"decode + PDQ + region signature, one core: RGB {rgb_ms / len(rows):.1f} ms, grey "
          f"{grey_ms / len(rows):.1f} ms a picture ({rgb_ms / grey_ms:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
