"""PDQ against the reference vectors of Meta's ThreatExchange (../shared/data/threatexchange).

The reference's own pass rule: within 10 bits of the expected hash for images of quality >= 80.
Hashes go through the same path a scan uses (hash_image_bytes: reduced-scale decode, then PDQ).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from footprint.hashers.compute import hash_image_bytes
from footprint.hashers.pdq import DIHEDRAL_NAMES, PdqHasher, hamming
from footprint.model import PerceptualDigest

TOLERANCE = 10
MIN_REFERENCE_QUALITY = 80
MATCH_RADIUS = 31  # the reference's usual near-match threshold


def pdq_of(path: Path) -> PerceptualDigest:
    digest = hash_image_bytes(path.read_bytes(), [PdqHasher()])["pdq"]
    assert isinstance(digest, PerceptualDigest), f"{path}: {digest}"
    return digest


def orientation(path: Path) -> int:
    with Image.open(path) as im:
        return int(im.getexif().get(0x0112, 1) or 1)


def test_conformance_with_reference_hashes(threatexchange: Path, pdq_expected: dict[str, str]) -> None:
    compared, failures = 0, []
    for rel, expected in sorted(pdq_expected.items()):
        path = threatexchange / rel
        if not path.is_file():
            continue
        digest = pdq_of(path)
        assert len(digest.value) == 64 and digest.value == digest.value.lower()
        if digest.quality < MIN_REFERENCE_QUALITY:
            continue
        # The C++ reference ignores EXIF orientation, we apply it: compare through the variants then
        # (test_exif_orientation_cases pins down which variant).
        candidates = (digest.value,) if orientation(path) == 1 else digest.variants
        distance = min(hamming(c, expected) for c in candidates)
        compared += 1
        if distance > TOLERANCE:
            failures.append(f"{rel}: {distance} bits")
    print(f"PDQ conformance: {compared} reference images compared, {len(failures)} outside {TOLERANCE} bits")
    assert not failures
    assert compared >= 30, f"only {compared} reference images compared"


def test_low_quality_reference_images_report_low_quality(pdq_data: Path) -> None:
    """labelme q0003/q0004 are nearly featureless: the reference calls them low quality, so do we."""
    for name in ("q0003.jpg", "q0004.jpg"):
        path = pdq_data / "reg-test-input" / "labelme-subset" / name
        if path.is_file():
            assert pdq_of(path).quality < PdqHasher.min_quality


def test_dihedral_variants_match_rotated_and_flipped_copies(pdq_data: Path) -> None:
    folder = pdq_data / "reg-test-input" / "dih"
    original = pdq_of(folder / "bridge-1-original.jpg")
    assert original.variants[0] == original.value and len(original.variants) == 8
    others = sorted(folder.glob("bridge-*.jpg"))
    assert len(others) == 8
    for index, path in enumerate(others):
        other = pdq_of(path)
        distances = [hamming(v, other.value) for v in original.variants]
        best = min(range(8), key=distances.__getitem__)
        assert distances[best] <= MATCH_RADIUS, f"{path.name}: {distances}"
        assert best == index, f"{path.name} matched variant {DIHEDRAL_NAMES[best]}: {distances}"
        if index:
            plain = hamming(original.value, other.value)
            assert plain >= 100, f"{path.name}: plain hashes only {plain} bits apart"


@pytest.mark.parametrize(("tag", "variant"), [(1, "original"), (3, "rotate180"), (6, "rotate90"),
                                              (8, "rotate270")])
def test_exif_orientation_cases(pdq_data: Path, pdq_expected: dict[str, str], tag: int,
                                variant: str) -> None:
    """We hash the upright picture; the reference hashed the stored pixels. So the reference hash
    must equal the variant that undoes the orientation, and differ from our plain hash unless tag 1."""
    path = pdq_data / "reg-test-input" / "exif-rotn" / f"exif-rotn-{tag}.jpg"
    assert orientation(path) == tag
    expected = pdq_expected[f"pdq/data/reg-test-input/exif-rotn/exif-rotn-{tag}.jpg"]
    digest = pdq_of(path)
    assert hamming(digest.variants[DIHEDRAL_NAMES.index(variant)], expected) <= TOLERANCE
    if tag != 1:
        assert hamming(digest.value, expected) > 64
