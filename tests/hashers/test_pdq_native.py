"""The direct call of the reference C++ (hashers.pdq_native) gives pdqhash's own results, bit for bit,
on every ThreatExchange reference image, on strided views (a region, a flipped picture) and on RGBA; many
boxes from one shared luma (``pdq_boxes``) give each box's own hashes; and the fallback through pdqhash's
functions gives the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

from footprint.hashers import pdq_native


def package_hashes(rgb: np.ndarray) -> tuple[tuple[str, ...], int]:
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb[:, :, :3]))
    return tuple(np.packbits(np.asarray(v, np.uint8)).tobytes().hex() for v in vectors), int(quality)


def reference_pictures(threatexchange: Path) -> list[np.ndarray]:
    paths = sorted(p for p in threatexchange.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    assert len(paths) >= 20
    return [np.asarray(Image.open(p).convert("RGB")) for p in paths]


def views(rgb: np.ndarray) -> list[np.ndarray]:
    height, width = rgb.shape[:2]
    return [rgb, rgb[height // 5: height - 3, width // 7:], rgb[::-1, ::2]]


def test_direct_calls_equal_the_package_on_every_reference_picture(threatexchange: Path) -> None:
    assert pdq_native._native() is not None, "the installed pdqhash no longer exports the reference's symbols"
    compared = 0
    for picture in reference_pictures(threatexchange):
        for view in views(picture):
            expected = package_hashes(view)
            assert pdq_native.pdq_dihedral(view) == expected
            assert pdq_native.pdq(view) == (expected[0][0], expected[1])
            compared += 1
    assert compared >= 60


def test_rgba_is_hashed_by_its_colour_channels() -> None:
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, (90, 120, 4), dtype=np.uint8)
    assert pdq_native.pdq_dihedral(rgba) == package_hashes(rgba)


def test_fallback_through_the_package_gives_the_same(threatexchange: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pictures = reference_pictures(threatexchange)[:5]
    direct = [(pdq_native.pdq(p), pdq_native.pdq_dihedral(p)) for p in pictures]
    monkeypatch.setattr(pdq_native, "_native", lambda: None)
    assert [(pdq_native.pdq(p), pdq_native.pdq_dihedral(p)) for p in pictures] == direct


def test_not_an_rgb_byte_array_is_refused() -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        pdq_native.pdq(np.zeros((40, 40), np.uint8))
    with pytest.raises(ValueError, match="RGB uint8"):
        pdq_native.pdq(np.zeros((40, 40, 3), np.float32))


def boxes_of(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The whole picture (a contiguous luma slice, which must not be hashed in place), insets, corners."""
    height, width = rgb.shape[:2]
    return [(0, 0, width, height), (width // 10, height // 10, width - width // 10, height - height // 10),
            (0, 0, width * 3 // 4, height * 3 // 4), (width // 4, height // 3, width, height),
            (0, 0, width, height)]  # the whole again: the first call left the shared luma intact


def test_boxes_from_one_luma_equal_each_box_hashed_alone(threatexchange: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pictures = reference_pictures(threatexchange)[:8]
    variants = (0, 5, 7)
    for picture in pictures:
        boxes = boxes_of(picture)
        expected = []
        for x0, y0, x1, y1 in boxes:
            hashes, quality = package_hashes(picture[y0:y1, x0:x1])
            expected.append((tuple(hashes[i] for i in variants), quality))
        assert pdq_native.pdq_boxes(picture, boxes, variants) == expected
    monkeypatch.setattr(pdq_native, "_native", lambda: None)
    picture = pictures[0]
    assert pdq_native.pdq_boxes(picture, boxes_of(picture)) == [
        ((package_hashes(picture[y0:y1, x0:x1])[0][0],), package_hashes(picture[y0:y1, x0:x1])[1])
        for x0, y0, x1, y1 in boxes_of(picture)]
