"""PDQ's cost a picture: the reference through pdqhash, footprint's direct call with the reference's steps,
and with footprint's own blur and DCT (hashers/_pdqc.c); the region signature with either, alone (its
own blur of the picture) and after the picture's PDQ as a scan runs them (one blur for both).

    python bench/bench_pdq.py [--rounds 5]

On benign generated pictures at the sizes a scan hashes (a 12 MP JPEG decoded at 1/4 and at 1/8, a
0.5 MP one in full), in RGB and grey (as a scan hashes a grey picture);
one core, best of --rounds interleaved rounds, in CPU milliseconds. Every path's hashes are compared with
the reference's first: the bench exits non-zero on any difference, so a figure is never bought with a different hash.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import numpy as np
import pdqhash
from PIL import Image

from footprint.demo import picture
from footprint.hashers import pdq_native, regions

SIZES = ((1008, 756), (816, 612), (504, 378))


def reference(rgb: np.ndarray) -> tuple[tuple[str, ...], int]:
    vectors, quality = pdqhash.compute_dihedral(rgb)
    return tuple(np.packbits(np.asarray(v, np.uint8)).tobytes().hex() for v in vectors), int(quality)


def cpu_ms(fn: Callable[[], object], repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) * 1000 / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    native = pdq_native._native()
    if native is None or native.blur is None or not native.own_dct:
        sys.exit("footprint's blur and DCT are not built or not in use (pip install -e . needs a C compiler)")
    own_blur, own_boxes = native.blur, native.boxes
    print(f"load average {os.getloadavg()[0]:.1f}; CPU ms a picture, one core, best of {args.rounds}")
    for width, height in SIZES:
        image = picture(width * 7 + height).resize((width, height))
        rgb = np.ascontiguousarray(np.asarray(image.convert("RGB")))
        grey_image = image.convert("L")
        grey = np.asarray(grey_image)
        expected = reference(rgb)
        runs = _runs(native, own_blur, own_boxes, rgb, image, grey_image)
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, fn in runs.items():
                best[name] = min(best.get(name, float("inf")), cpu_ms(fn, 10))
        native.blur, native.boxes = None, None  # the reference's steps, each through ctypes
        reference_regions = regions.region_signatures(image)
        grey_as_rgb = grey_image.convert("RGB")  # grey must hash as its RGB copy (pdqhash; reference blur)
        reference_grey = reference(np.asarray(grey_as_rgb)), regions.region_signatures(grey_as_rgb)
        native.blur, native.boxes = own_blur, own_boxes
        if (pdq_native.pdq_dihedral(rgb) != expected or regions.region_signatures(image) != reference_regions
                or (pdq_native.pdq_dihedral(grey), regions.region_signatures(grey_image)) != reference_grey):
            sys.exit(f"DIFFERENT HASHES at {width}x{height}")
        print(f"{width}x{height}: pdqhash {best['pdqhash']:.2f}  direct, reference steps "
              f"{best['pdq, reference steps']:.2f}  direct, footprint steps {best['pdq, footprint steps']:.2f} "
              f"({best['pdq, reference steps'] / best['pdq, footprint steps']:.1f}x)  region signature "
              f"{best['regions, reference steps']:.2f} -> {best['regions, footprint steps']:.2f} "
              f"({best['regions, reference steps'] / best['regions, footprint steps']:.1f}x); the grey picture "
              f"(hashed as it is): PDQ {best['pdq, grey']:.2f}, region signature {best['regions, grey']:.2f}; "
              f"PDQ then the region signature as a scan runs them (one blur): {best['pdq and regions']:.2f}; "
              "hashes identical")


def _runs(native: pdq_native._Native, own_blur: Callable[..., object], own_boxes: pdq_native.BoxesHasher | None,
          rgb: np.ndarray, image: Image.Image, grey_image: Image.Image) -> dict[str, Callable[[], object]]:
    """pdqhash, then the direct PDQ and the region signature with the reference's steps (its blur, then
    its decimation, quality, transforms and bits, each through ctypes) and with footprint's (its blur, and
    the whole hash of the boxes in one C call)."""

    def blurred_by(blur: Callable[..., object] | None, fn: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            native.blur, native.boxes = blur, own_boxes if blur is not None else None
            try:
                return fn()
            finally:
                native.blur, native.boxes = own_blur, own_boxes
        return run

    def pdq() -> object:
        return pdq_native.pdq_dihedral(rgb)

    def signature() -> object:
        return regions.region_signatures(image)

    def both() -> object:
        shared: dict[str, object] = {}
        return pdq_native.pdq_dihedral(rgb, shared), regions.signatures_of(rgb, shared)

    grey = np.asarray(grey_image)
    return {"pdqhash": lambda: reference(rgb),
            "pdq and regions": both,
            "pdq, grey": lambda: pdq_native.pdq_dihedral(grey),
            "regions, grey": lambda: regions.region_signatures(grey_image),
            "pdq, reference steps": blurred_by(None, pdq), "pdq, footprint steps": blurred_by(own_blur, pdq),
            "regions, reference steps": blurred_by(None, signature),
            "regions, footprint steps": blurred_by(own_blur, signature)}


if __name__ == "__main__":
    main()
