"""Different smooth pictures against each other: do plain PDQ and the region rule accuse falsely?

    .venv/bin/python bench/bench_smooth.py [--each 25] [--seed 5] [--jpeg 90 [--luma]]

PDQ's quality score measures gradients, so a smooth picture with strong contrast (a sine pattern, a few
soft blobs, a radial gradient, a defocused photo) can score 100 while its 16x16 DCT carries only a few
coefficients of energy: its hash has few degrees of freedom, and two different such pictures may land
within PDQ's 31 bits. This bench generates ``--each`` pictures of four smooth kinds (radial gradients,
sine patterns, linear gradients at random angles, pairs of Gaussian blobs; 640x480, all different),
hashes them as a scan does, and counts the pairs of *different* pictures that match: plain PDQ (distance
<= 31, both quality >= 50, neither degenerate, dihedral), and footprint's region rule
(matching.regions.match_regions with the mirrored form), either picture taken as the item for both
(PDQ's dihedral variants are not symmetric on smooth pictures: one pair measured 20 bits one way and 48
the other). Every such pair is a false match. It also prints, per kind, what the region rule's two
smooth-picture checks see: the detail figure (matching.regions._zoom_move, needs MIN_ZOOM_MOVE) and the
share of regions whose hash is separable (separable_share above SEPARABLE_SHARE). ``--jpeg Q`` saves each
picture as a JPEG of quality Q and hashes what a scan decodes of it; with ``--luma``, its Y plane alone
instead (bench_grey.py; the decode footprint does not make, for this bench's figures: decode.py).


"""

from __future__ import annotations

import argparse
import itertools
from collections import Counter

import numpy as np
from bench_grey import decode_luma
from PIL import Image

from footprint.demo import jpeg_bytes
from footprint.hashers.decode import decode_image
from footprint.hashers.pdq import hamming, is_degenerate
from footprint.hashers.pdq_native import pdq_dihedral
from footprint.hashers.regions import region_signatures
from footprint.matching import regions as region_rule
from footprint.matching.regions import match_regions

HEIGHT, WIDTH = 480, 640


def smooth_pictures(each: int, seed: int) -> list[tuple[str, Image.Image]]:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(float)
    found: list[tuple[str, np.ndarray]] = []
    for _ in range(each):
        cx, cy, radius = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(200, 900)
        tint = rng.uniform(0.3, 1, 3)
        d = np.clip(np.hypot(x - cx, y - cy) / radius, 0, 1) * 255
        found.append(("radial", np.stack([d * tint[0], d * tint[1], 255 - d * tint[2]], -1)))
    for _ in range(each):
        fx, fy, phase = rng.uniform(0.002, 0.03), rng.uniform(0.002, 0.03), rng.uniform(0, 6)
        s = (np.sin(x * fx + y * fy + phase) + 1) * 127
        found.append(("sine", np.stack([s, s * 0.8, s * 0.6], -1)))
    for _ in range(each):
        angle = rng.uniform(0, 2 * np.pi)
        s = np.cos(angle) * x + np.sin(angle) * y
        s = (s - s.min()) / (s.max() - s.min()) * 255
        found.append(("linear", np.stack([s, s, s], -1)))
    for _ in range(each):
        s = np.zeros((HEIGHT, WIDTH))
        for _ in range(2):
            cx, cy, sigma = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(60, 250)
            s += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma))
        s = s / s.max() * 255
        found.append(("blobs", np.stack([s, s * 0.9, s * 0.7], -1)))
    return [(kind, Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))) for kind, a in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--each", type=int, default=25)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--jpeg", type=int, default=0, help="save each picture as a JPEG of this quality first")
    parser.add_argument("--luma", action="store_true", help="with --jpeg: decode the Y plane alone")
    args = parser.parse_args()
    hashed = []
    for kind, image in smooth_pictures(args.each, args.seed):
        if args.jpeg:
            data = jpeg_bytes(image, args.jpeg)
            image = decode_luma(data) if args.luma else decode_image(data)
        variants, quality = pdq_dihedral(np.asarray(image))
        regions, mirrored = region_signatures(image)
        hashed.append((kind, variants, quality, regions, mirrored))
    usable = Counter(k for k, v, q, _, _ in hashed if q >= 50 and not is_degenerate(v[0], q))
    pdq_false: Counter[str] = Counter()
    judged_false: Counter[str] = Counter()  # plain PDQ hits footprint's matcher still counts (smooth_pair)
    region_false: Counter[str] = Counter()
    region_only: Counter[str] = Counter()
    closest: dict[str, int] = {}
    for a, b in itertools.combinations(hashed, 2):
        pair = "/".join(sorted((a[0], b[0])))
        by_pdq = False
        if min(a[2], b[2]) >= 50 and not is_degenerate(a[1][0], a[2]) and not is_degenerate(b[1][0], b[2]):
            distance = min(min(hamming(v, b[1][0]) for v in a[1]), min(hamming(v, a[1][0]) for v in b[1]))
            closest[pair] = min(distance, closest.get(pair, 256))
            by_pdq = distance <= 31
            pdq_false[pair] += by_pdq
            judged_false[pair] += by_pdq and (_counted(a, b) or _counted(b, a))
        # either may be the item and the other the known entry
        if match_regions(a[3], b[3], a[4]) is not None or match_regions(b[3], a[3], b[4]) is not None:
            region_false[pair] += 1
            region_only[pair] += not by_pdq
    pairs = len(hashed) * (len(hashed) - 1) // 2
    print(f"{len(hashed)} different smooth pictures ({args.each} of each kind), {pairs} pairs")
    print("PDQ-usable (quality >= 50, not degenerate): " + ", ".join(f"{k} {usable[k]}" for k in
                                                                   ("radial", "sine", "linear", "blobs")))
    print(f"false matches, plain PDQ: {sum(pdq_false.values())} {dict(pdq_false)}")
    print(f"  of which footprint's matcher counts (not refused by smooth_pair): {sum(judged_false.values())} "
          f"{dict(judged_false)}")
    print(f"false matches, region rule (either side the item): {sum(region_false.values())} {dict(region_false)}")
    print(f"  of which plain PDQ does not make: {sum(region_only.values())} {dict(region_only)}")
    nearest = ", ".join(f"{kinds} {bits}" for kinds, bits in sorted(closest.items()))
    print(f"closest two different usable pictures, by kinds: {nearest}")
    for kind in ("radial", "sine", "linear", "blobs"):
        mine = [h for h in hashed if h[0] == kind and h[2] >= 50 and not is_degenerate(h[1][0], h[2])]
        if not mine:
            continue
        moves = sorted(region_rule._zoom_move(h[3]) for h in mine)
        shares = [region_rule.separable_share(v) for h in mine for v, q in h[3].values() if q >= 50]
        separable = sum(share > region_rule.SEPARABLE_SHARE for share in shares)
        print(f"{kind} (usable {len(mine)}): detail {moves[0]}-{moves[-1]} bits, "
              f"{sum(m >= region_rule.MIN_ZOOM_MOVE for m in moves)} reach {region_rule.MIN_ZOOM_MOVE}; "
              f"{separable} of {len(shares)} regions of quality >= 50 separable")


def _counted(item: tuple, entry: tuple) -> bool:
    """Whether the matcher counts a plain PDQ hit with ``item`` as the item: within 31 bits on one of its
    variants that smooth_pair does not refuse."""
    return any(hamming(v, entry[1][0]) <= 31 and region_rule.smooth_pair(v, entry[1][0], item[3]) is None
               for v in item[1])


if __name__ == "__main__":
    main()
