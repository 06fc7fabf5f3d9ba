"""Recall of plain PDQ vs footprint's region signature on transformed copies, and false matches.

Run: .venv/bin/python bench/bench_variants.py [--grey]   (needs gnome-backgrounds, mate-backgrounds and
scikit-image; see bench/requirements.txt). Originals: Debian's /usr/share/backgrounds pictures,
scikit-image samples and the ThreatExchange PDQ photos in ../shared/data when present, at most 1024 px.
Distractors: flat, gradient, single-colour, noise pictures and crops of OTHER photos. Every match of a
transformed copy to another original is printed with its path and region distances.

False matches counted: a transformed copy matching another original, a distractor matching an original,
and every distractor taken as a known entry against every transformed copy and every other distractor
(so low-quality and flat entries are tried against everything). The margins line gives, per path of
footprint.matching.regions, how close two different pictures came (the same pairs, item's plain and
mirrored forms), in the normal pass (regions of quality >= 50) and in the low-quality pass (>= 20):
the figures its thresholds are kept under. The cost line is CPU time a picture over the originals.
``--grey`` hashes every picture as its luma (Pillow's ``convert("L")``), as a scan would hash a colour
JPEG decoded as its Y plane alone (not done: hashers/decode.py); without it, as the RGB picture.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from footprint.hashers.decode import to_rgb
from footprint.hashers.pdq import PdqHasher, hamming, is_degenerate
from footprint.hashers.regions import REGION_NAMES, region_signatures
from footprint.matching import regions as region_rule
from footprint.matching.regions import match_regions, smooth_pair

MAX_SIDE = 1024
MIN_PHOTO_SIDE = 128
SAME_PICTURE = 0.9  # greyscale structure correlation at or above which two files are one picture
THREATEXCHANGE = Path(__file__).resolve().parents[2] / "shared" / "data" / "threatexchange" / "pdq" / "data"
TE_PHOTOS = ("reg-test-input/dih/bridge-1-original.jpg", "reg-test-input/pen-and-coaster.png",
             "reg-test-input/labelme-subset", "misc-images/c.png", "misc-images/modes/original.jpg")
NAMES: list[str] = []  # name of each original, set by originals()
BLANKS: list[Image.Image] = []  # pictures set aside by originals() as blank: distractors instead
BLANK_SPREAD = 2.0  # greyscale standard deviation (0-255, 64x64 thumbnail) below which a picture is blank


def _files() -> list[Path]:
    found = sorted(Path("/usr/share/backgrounds").rglob("*"))
    for part in TE_PHOTOS:
        path = THREATEXCHANGE / part
        found.extend(sorted(path.iterdir()) if path.is_dir() else [path])
    return [p for p in found if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp"} and p.is_file()]


def originals() -> list[Image.Image]:
    pictures: list[tuple[str, Image.Image]] = []
    for path in _files():
        try:
            image = _shrink(to_rgb(Image.open(path)))  # alpha composited as a scan would
        except OSError:
            continue
        if min(image.size) >= MIN_PHOTO_SIDE:
            pictures.append((path.name, image))
    try:
        from skimage import data
        for name in ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "moon", "page",
                     "text", "clock", "immunohistochemistry", "hubble_deep_field", "retina", "motorcycle_left"):
            try:
                sample = Image.fromarray(np.asarray(getattr(data, name)())).convert("RGB")
                pictures.append((f"skimage:{name}", _shrink(sample)))
            except Exception:  # a missing sample (needs a download) is skipped
                continue
    except ImportError:
        print("scikit-image absent: backgrounds only", file=sys.stderr)
    return _distinct(pictures)


def _distinct(pictures: list[tuple[str, Image.Image]]) -> list[Image.Image]:
    """Set blank pictures aside (MATE's abstract PNGs are faint alpha textures: white once composited,
    as a scan composites them; VNC's are one colour) and drop copies: wallpaper sets ship one picture
    at several sizes, in light/dark pairs and recoloured
    (Ubuntu-Mate Cold/Warm/Radioactive are one render in three hues: same greyscale, same PDQ).

    Judged by greyscale structure, not by the matcher under test: de-duplicating with the matcher
    would drop exactly the distinct pictures it confuses and hide its false matches.
    """
    kept: list[Image.Image] = []
    shapes: list[np.ndarray] = []
    NAMES.clear()
    BLANKS.clear()
    for name, picture in pictures:
        if _spread(picture) < BLANK_SPREAD:
            BLANKS.append(picture)
            continue
        mine = _structure(picture)
        if all(float(mine @ other) < SAME_PICTURE for other in shapes):
            kept.append(picture)
            shapes.append(mine)
            NAMES.append(name)
    return kept


def _spread(image: Image.Image) -> float:
    grey = ImageOps.grayscale(image).resize((64, 64), Image.Resampling.BOX)
    return float(np.asarray(grey, dtype=float).std())


def _structure(image: Image.Image) -> np.ndarray:
    """32x32 greyscale thumbnail, zero mean, unit length: dot products are correlations."""
    values = np.asarray(ImageOps.grayscale(image).resize((32, 32), Image.Resampling.BOX), dtype=float).ravel()
    values -= values.mean()
    return values / (np.linalg.norm(values) or 1.0)


def _shrink(image: Image.Image) -> Image.Image:
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _crop_aspect(image: Image.Image, ratio: float) -> Image.Image:
    w, h = image.size
    if w / h > ratio:
        nw = int(h * ratio)
        return image.crop(((w - nw) // 2, 0, (w - nw) // 2 + nw, h))
    nh = int(w / ratio)
    return image.crop((0, (h - nh) // 2, w, (h - nh) // 2 + nh))


def _border_crop(image: Image.Image, share: float) -> Image.Image:
    w, h = image.size
    dx, dy = int(w * share), int(h * share)
    return image.crop((dx, dy, w - dx, h - dy))


def _caption(image: Image.Image, where: str, share: float) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    bar = int(h * share)
    box = {"top": (0, 0, w, bar), "bottom": (0, h - bar, w, h),
           "corner": (int(w * 0.6), h - int(h * share * 2), w, h)}[where]
    draw.rectangle(box, fill=(255, 255, 255))
    draw.text((box[0] + 5, box[1] + 2), "BENIGN CAPTION TEXT 2026", fill=(0, 0, 0))
    return out


def _low(image: Image.Image, quality: int, side: int) -> Image.Image:
    small = image.copy()
    small.thumbnail((side, side))
    return _jpeg(small, quality)


TRANSFORMS = {
    "lowq-q10-160": lambda im: _low(im, 10, 160),
    "lowq-q30-320": lambda im: _low(im, 30, 320),
    "aspect-1:1": lambda im: _crop_aspect(im, 1.0),
    "aspect-16:9": lambda im: _crop_aspect(im, 16 / 9),
    "border-3%": lambda im: _border_crop(im, 0.03),
    "border-10%": lambda im: _border_crop(im, 0.10),
    "mirror": ImageOps.mirror,
    "greyscale": lambda im: ImageOps.grayscale(im).convert("RGB"),
    "caption-top-10%": lambda im: _caption(im, "top", 0.10),
    "caption-bottom-15%": lambda im: _caption(im, "bottom", 0.15),
    "watermark-corner": lambda im: _caption(im, "corner", 0.08),
    "letterbox": lambda im: ImageOps.pad(im, (im.width, int(im.height * 1.3)), color=(0, 0, 0)),
}


def distractors(photos: list[Image.Image], rng: np.random.Generator) -> tuple[list[Image.Image], int]:
    """Returns pictures and how many of them (first) are flat/gradient/single-colour/blank."""
    flat = []
    for _ in range(40):
        flat.append(Image.new("RGB", (400, 300), tuple(int(v) for v in rng.integers(0, 256, 3))))
    for i in range(40):
        ramp = np.linspace(0, 255, 400)[None, :].repeat(300, 0)
        ramp = ramp if i % 2 else ramp[:, ::-1]
        rgb = np.stack([ramp * rng.random(), ramp * rng.random(), ramp * rng.random()], -1)
        flat.append(Image.fromarray(rgb.astype(np.uint8)))
    others = [Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)) for _ in range(40)]
    for i in range(90):
        photo = photos[i % len(photos)]
        w, h = photo.size
        x, y = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
        others.append(photo.crop((x, y, x + w // 2, y + h // 2)))  # a quarter: another picture
    return flat + BLANKS + others, len(flat) + len(BLANKS)


GREY = {"on": False}  # --grey


def signature(image: Image.Image) -> dict:
    image = image.convert("L") if GREY["on"] else image
    digest = PdqHasher().hash_image(image)
    regions, mirrored = region_signatures(image)
    return {"pdq": digest, "regions": regions, "mirrored": mirrored}


def plain_match(item: dict, entry: dict) -> bool:
    a, b = item["pdq"], entry["pdq"]
    if a.quality < 50 or b.quality < 50:
        return False
    return min(hamming(v, b.value) for v in a.variants) <= 31


PATHS: Counter = Counter()


REFUSED: Counter = Counter()  # plain PDQ hits footprint's matcher refuses as smooth (smooth_pair)


def footprint_match(item: dict, entry: dict) -> bool:
    """As footprint's matcher judges the pair: a plain PDQ hit that smooth_pair does not refuse, else the
    region rule."""
    if plain_match(item, entry):
        a, b = item["pdq"], entry["pdq"]
        if any(hamming(v, b.value) <= 31 and smooth_pair(v, b.value, item["regions"]) is None for v in a.variants):
            return True
        REFUSED["plain hits refused as smooth"] += 1
    found = match_regions(item["regions"], entry["regions"], item["mirrored"])
    if found is not None:
        PATHS[found.path + (" mirrored" if found.mirrored else "") + (" low-quality" if found.low_quality else "")] += 1
    return found is not None


def _explain(method: str, family: str, index: int, other: int, item: dict, known: list[dict]) -> None:
    """A copy matched to the wrong original: say which, how, and how far its own original was."""
    wrong = match_regions(item["regions"], known[other]["regions"], item["mirrored"])
    right = match_regions(item["regions"], known[index]["regions"], item["mirrored"])
    print(f"WRONG ORIGINAL ({method}) {family}: copy of {NAMES[index]} matched {NAMES[other]}: "
          f"{wrong.details() if wrong else 'plain pdq'}; own original: {right.details() if right else None}")


_POPCOUNT = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1).astype(np.uint16)
_FAR = 999


def _matrix(signatures: list[dict], floor: int) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per region name: hashes as uint8 rows, whether each counts (present, balanced, quality >= floor),
    and whether it is weak (quality under 50)."""
    out = {}
    for name in REGION_NAMES:
        rows = np.zeros((len(signatures), 32), np.uint8)
        counts, weak = np.zeros(len(signatures), bool), np.zeros(len(signatures), bool)
        for i, regions in enumerate(signatures):
            if name in regions:
                value, quality = regions[name]
                rows[i] = np.frombuffer(bytes.fromhex(value), np.uint8)
                counts[i] = quality >= floor and not is_degenerate(value, None)
                weak[i] = quality < region_rule.MIN_QUALITY
        out[name] = (rows, counts, weak)
    return out


def _distances(items: dict, entries: dict, a: str, b: str, weak_only: bool) -> np.ndarray:
    (ra, ca, wa), (rb, cb, wb) = items[a], entries[b]
    found = _POPCOUNT[np.bitwise_xor(ra[:, None, :], rb[None, :, :])].sum(axis=2).astype(np.int32)
    counts = ca[:, None] & cb[None, :]
    if weak_only:
        counts &= wa[:, None] | wb[None, :]
    found[~counts] = _FAR
    return found


def _path_scores(items: dict, entries: dict, weak_only: bool) -> dict[str, np.ndarray]:
    """What each path of matching.regions judges an (item, entry) pair by, for every pair."""
    def pair(a: str, b: str) -> np.ndarray:
        return _distances(items, entries, a, b, weak_only)
    reframings = [(a, b) for a in ("full", "trim") for b in region_rule.ENTRY_REFRAMINGS]
    corners = {n: pair(n, n) for n in ("tl", "tr", "bl", "br")}
    agreeing = np.sort([pair(n, n) for n in region_rule.AGREEING], axis=0)
    return {"full": pair("full", "full"),
            "reframed": np.min([pair(a, b) for a, b in reframings], axis=0),
            "corners": np.min([np.maximum(corners[a], corners[b]) for a, b in region_rule.EDGE_PAIRS], axis=0),
            "regions": agreeing[region_rule.MIN_AGREEING - 1]}


def margins(items: list[dict], item_owner: list[int], entries: list[dict], entry_owner: list[int],
            labels: tuple[list[str], list[str]]) -> None:
    """The closest two different pictures came, per path (both forms of the item): in the normal pass
    (regions of quality >= 50), and with every region pair that only the low-quality pass admits (both
    >= LOW_QUALITY_FLOOR, at least one under 50; degenerate-structure check left out: a wider net)."""
    different = np.array(item_owner)[:, None] != np.array(entry_owner)[None, :]
    passes = ((region_rule.MIN_QUALITY, False, "normal pass"),
              (region_rule.LOW_QUALITY_FLOOR, True, "pairs only the low-quality pass admits"))
    for floor, weak_only, label in passes:
        known = _matrix([e["regions"] for e in entries], floor)
        forms = [_path_scores(_matrix([i[form] for i in items], floor), known, weak_only)
                 for form in ("regions", "mirrored")]
        parts = []
        for path in forms[0]:
            scores = np.where(different, np.minimum(forms[0][path], forms[1][path]), _FAR)
            at = np.unravel_index(int(np.argmin(scores)), scores.shape)
            parts.append(f"{path} {int(scores[at])} ({labels[0][at[0]]} ~ {labels[1][at[1]]})")
        print(f"closest different pictures, {label}: " + "; ".join(parts))


def smooth_checks(known: list[dict], copies: list[dict], photo_distractors: list[dict]) -> None:
    """What the region rule's smooth-picture checks see on these pictures (matching.regions module doc):
    the lowest detail figure (_zoom_move, needs MIN_ZOOM_MOVE) and the largest separable share of a
    region of quality >= 50 (over SEPARABLE_SHARE a region is no evidence)."""
    for label, group in (("originals", known), ("copies", copies), ("photo distractors", photo_distractors)):
        moves = [region_rule._zoom_move(s["regions"]) for s in group]
        shares = [region_rule.separable_share(v) for s in group for v, q in s["regions"].values() if q >= 50]
        need, cap = region_rule.MIN_ZOOM_MOVE, region_rule.SEPARABLE_SHARE
        low, over = sum(m < need for m in moves), sum(x > cap for x in shares)
        print(f"smooth checks, {label}: detail {min(moves)}-{max(moves)} bits ({low} under {need}); "
              f"separable share of regions <= {max(shares):.2f} ({over} of {len(shares)} over {cap})")


def cost(photos: list[Image.Image]) -> None:
    """CPU time a picture: full PDQ with its dihedral variants, and the region signature."""
    for name, hasher in (("pdq (8 dihedral)", PdqHasher().hash_image), ("region signature", region_signatures)):
        start = time.process_time()
        for photo in photos:
            hasher(photo)
        print(f"cost: {name} {(time.process_time() - start) / len(photos) * 1000:.1f} ms a picture "
              f"(CPU, {len(photos)} originals up to {MAX_SIDE} px)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grey", action="store_true", help="hash every picture as its luma, as a scan hashes a JPEG")
    GREY["on"] = parser.parse_args().grey
    rng = np.random.default_rng(9)
    photos = originals()
    known = [signature(p) for p in photos]
    others, flat_count = distractors(photos[len(photos) // 2:] + photos[: len(photos) // 2], rng)
    print(f"{len(photos)} originals, {len(others)} distractors ({flat_count} flat/gradient/blank, "
          f"{len(BLANKS)} of them blank wallpapers)")
    hits: dict[str, Counter] = {}
    items: dict[str, list[dict]] = {}
    false: Counter[str] = Counter()
    flat_originals = {i for i, k in enumerate(known) if is_degenerate(k["pdq"].value, k["pdq"].quality)}
    for name, transform in TRANSFORMS.items():
        hits[name] = Counter()
        items[name] = []
        for index, photo in enumerate(photos):
            item = signature(transform(photo))
            items[name].append(item)
            for method, rule in (("pdq", plain_match), ("footprint", footprint_match)):
                matched = [j for j, entry in enumerate(known) if rule(item, entry)]
                hits[name][method] += index in matched
                hits[name][method + "-matchable"] += index in matched and index not in flat_originals
                false[method] += sum(j != index for j in matched)
                for j in matched:
                    if j != index:
                        _explain(method, name, index, j, item, known)
    PATHS.clear()
    flats = [signature(o) for o in others]
    copies = [item for family in items.values() for item in family]
    for method, rule_of in (("pdq", plain_match), ("footprint", footprint_match)):
        false[method] += sum(rule_of(d, entry) for d in flats for entry in known)
        for i, entry in enumerate(flats):  # every distractor as a known entry
            false[method] += sum(rule_of(item, entry) for item in copies)
            false[method] += sum(rule_of(flats[j], entry) for j in range(len(flats)) if j != i)
    matchable = len(photos) - len(flat_originals)
    print(f"recall over all {len(photos)} originals, then over the {matchable} whose full frame is not degenerate")
    print(f"{'family':22} {'pdq':>6} {'footprint':>9} {'pdq':>6} {'footprint':>9}")
    total: Counter[str] = Counter()
    for name, count in hits.items():
        total.update(count)
        print(f"{name:22} {count['pdq'] / len(photos):6.0%} {count['footprint'] / len(photos):9.0%} "
              f"{count['pdq-matchable'] / matchable:6.0%} {count['footprint-matchable'] / matchable:9.0%}")
    n = len(photos) * len(TRANSFORMS)
    m = matchable * len(TRANSFORMS)
    print(f"{'overall':22} {total['pdq'] / n:6.0%} {total['footprint'] / n:9.0%} "
          f"{total['pdq-matchable'] / m:6.0%} {total['footprint-matchable'] / m:9.0%}")
    print(f"overall counts: pdq {total['pdq']}/{n}, footprint {total['footprint']}/{n} ({total['footprint'] / n:.1%}); "
          f"matchable: pdq {total['pdq-matchable']}/{m}, footprint {total['footprint-matchable']}/{m}")
    print(f"false matches: pdq {false['pdq']}, footprint {false['footprint']}")
    print(f"paths used by distractor matches: {dict(PATHS)}")
    print(f"plain PDQ hits (copies and distractors) footprint refuses as smooth: {dict(REFUSED)}")
    print(f"degenerate originals (full frame): {sum(is_degenerate(k['pdq'].value, k['pdq'].quality) for k in known)}")
    names = [f"{family}:{NAMES[i]}" for family in items for i in range(len(photos))]
    others_names = [f"distractor{k}" for k in range(len(flats))]
    margins(copies + flats, [i for _ in items for i in range(len(photos))] + [-1 - k for k in range(len(flats))],
            known + flats, list(range(len(photos))) + [-1 - k for k in range(len(flats))],
            (names + others_names, NAMES + others_names))
    smooth_checks([k for i, k in enumerate(known) if i not in flat_originals], copies, flats[flat_count:])
    cost(photos)


if __name__ == "__main__":
    main()
