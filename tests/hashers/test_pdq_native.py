"""The direct call of the reference C++ (hashers.pdq_native) gives pdqhash's own results, bit for bit,
on every ThreatExchange reference image, on strided views (a region, a flipped picture) and on RGBA; many
boxes from one shared luma (``pdq_boxes``) give each box's own hashes; the fallback through pdqhash's
functions gives the same; and footprint's own blur, DCT and whole hash of many boxes (_pdqc.c) are built,
in use, and equal to the reference's bit for bit (the blur on every shape and window class, its pass along
the rows both in AVX2 lanes and in scalar sums)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sysconfig
from pathlib import Path

import numpy as np
import pdqhash
import pdqhash.bindings
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


def test_not_an_rgb_or_grey_byte_array_is_refused() -> None:
    wrongs = (np.zeros((40, 40, 3), np.float32), np.zeros((40, 40, 2), np.uint8), np.zeros((2, 40, 40, 3), np.uint8))
    for wrong in wrongs:
        with pytest.raises(ValueError, match="RGB or greyscale uint8"):
            pdq_native.pdq(wrong)


def test_a_grey_picture_is_hashed_as_its_rgb_copy(threatexchange: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A JPEG's luma plane (decode.py, grey) is hashed as the RGB picture whose channels are that grey, bit
    for bit: whole, as a strided view, box by box, and through the package's own functions."""
    greys = [np.asarray(Image.fromarray(p).convert("L")) for p in reference_pictures(threatexchange)[:6]]
    greys += [np.random.default_rng(11).integers(0, 256, (77, 131), dtype=np.uint8)]
    for grey in greys:
        height, width = grey.shape
        for view in (grey, grey[height // 6:, ::-1], grey[::2, width // 5: width - 2]):
            rgb = np.repeat(view[:, :, None], 3, axis=2)
            native = pdq_native._native()
            assert native is not None  # footprint's grey luma against the reference's on the RGB copy:
            assert pdq_native._luma(native, view).tobytes() == pdq_native._luma(native, rgb).tobytes()
            assert pdq_native.pdq_dihedral(view) == package_hashes(rgb)
            assert pdq_native.pdq(view) == pdq_native.pdq(rgb)
        assert pdq_native.pdq_boxes(grey, boxes_of(grey), (0, 5)) == pdq_native.pdq_boxes(
            np.repeat(grey[:, :, None], 3, axis=2), boxes_of(grey), (0, 5))
    monkeypatch.setattr(pdq_native, "_native", lambda: None)
    assert pdq_native.pdq_dihedral(greys[-1]) == package_hashes(np.repeat(greys[-1][:, :, None], 3, axis=2))


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


def test_footprints_whole_hash_of_boxes_is_in_use_and_equals_the_package(lanes: str) -> None:
    """footprint_pdq_boxes (blur, decimation, quality, DCT, the eight variants and their medians in one C
    call) against the reference's own luma and pdqDihedralHash256esFromFloatLuma on each box (pdqhash's
    compute_dihedral makes its luma in float64 and differs from the C++ on noise): noise, flat, bars and
    edges; boxes wide, tall, under 64 and under 5 pixels a side, empty, and the whole picture (also as
    pdq_dihedral hashes it, blurring its own luma in place)."""
    native = pdq_native._native()
    assert native is not None and native.boxes is not None, "footprint_pdq_boxes disagreed on its self-check"
    reference = pdq_native._Native(ctypes.CDLL(pdqhash.bindings.__file__))  # none of footprint's steps
    rng = np.random.default_rng(23)
    compared = 0
    for n in range(48):
        rows, cols = (int(v) for v in rng.integers(5, 420, 2))
        y, x = np.mgrid[0:rows, 0:cols]
        picture = [rng.integers(0, 256, (rows, cols, 3), dtype=np.uint8),
                   np.full((rows, cols, 3), int(rng.integers(0, 256)), np.uint8),
                   np.repeat(((y // 7) * 40 % 256).astype(np.uint8)[:, :, None], 3, axis=2),
                   np.where((x > cols // 3)[:, :, None], 230, 20).astype(np.uint8).repeat(3, axis=2)][n % 4]
        boxes = [(0, 0, cols, rows), (0, 0, 4, rows), (cols // 2, rows // 2, cols // 2, rows)]
        for _ in range(6):
            x0, y0 = int(rng.integers(0, cols)), int(rng.integers(0, rows))
            boxes.append((x0, y0, int(rng.integers(x0, cols + 1)), int(rng.integers(y0, rows + 1))))
        assert pdq_native.pdq_dihedral(picture) == pdq_native._hash(reference, picture, dihedral=True)  # in place
        found = pdq_native.pdq_boxes(picture, boxes, pdq_native.ALL_VARIANTS)
        for (x0, y0, x1, y1), hashes in zip(boxes, found, strict=True):
            box = picture[y0:y1, x0:x1]
            assert hashes == pdq_native._hash(reference, box, dihedral=True), (rows, cols, (x0, y0, x1, y1), n % 4)
            compared += 1
    assert compared == 48 * 9
    luma = pdq_native._luma(native, rng.integers(0, 256, (200, 300, 3), dtype=np.uint8))
    several = [(0, 0, 300, 200), (10, 10, 290, 190)]  # in place only for one box: the first would spoil the luma
    for ours, theirs in zip(native.boxes(luma.copy(), several, pdq_native.ALL_VARIANTS, True, False),
                            native.boxes(luma.copy(), several, pdq_native.ALL_VARIANTS, False, False), strict=True):
        assert ours.tobytes() == theirs.tobytes()
    with pytest.raises(ValueError, match="outside"):
        pdq_native.pdq_boxes(picture, [(0, 0, picture.shape[1] + 1, 5)])


def test_regions_are_read_from_the_whole_pictures_blur_as_the_reference_reads_it(
        threatexchange: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pdq_regions: each box decimated from the whole picture's reference blur, then the reference's own
    quality, DCT and bits (a pdqhash with none of footprint's steps); the whole picture's box is its PDQ,
    bit for bit; one blur serves the picture's PDQ and its regions; without footprint's C, the same."""
    native = pdq_native._native()
    assert native is not None and native.boxes is not None
    reference = pdq_native._Native(ctypes.CDLL(pdqhash.bindings.__file__))  # none of footprint's steps
    for picture in reference_pictures(threatexchange)[:6]:
        rows, cols = picture.shape[:2]
        boxes = [*boxes_of(picture), (3, 5, 3 + 40, 5 + 37), (0, rows - 70, cols, rows)]
        blurred = reference_blur(pdq_native._luma(reference, picture), pdq_native._window(cols),
                                 pdq_native._window(rows))
        expected = []
        for x0, y0, x1, y1 in boxes:
            words, quality = pdq_native._hash_decimated(reference, np.ascontiguousarray(blurred[y0:y1, x0:x1]),
                                                        pdq_native.ALL_VARIANTS)
            expected.append((tuple(pdq_native._words_to_hex(words)), quality))
        shared: dict[str, object] = {}
        assert pdq_native.pdq_dihedral(picture, shared) == package_hashes(picture) == expected[0]
        assert len(shared) == 1  # the blur, kept for the regions
        assert pdq_native.pdq_regions(picture, boxes, pdq_native.ALL_VARIANTS, shared) == expected
        assert pdq_native.pdq_regions(picture, boxes, (0, 5)) == [
            ((hashes[0], hashes[5]), quality) for hashes, quality in expected]
    monkeypatch.setattr(native, "boxes", None)  # footprint's blur, the reference's steps after it
    assert pdq_native.pdq_regions(picture, boxes, pdq_native.ALL_VARIANTS) == expected
    monkeypatch.setattr(native, "blur", None)  # the reference's blur
    assert pdq_native.pdq_regions(picture, boxes, pdq_native.ALL_VARIANTS) == expected
    with pytest.raises(ValueError, match="outside"):
        pdq_native.pdq_regions(picture, [(0, 0, cols + 1, 5)])
    monkeypatch.setattr(pdq_native, "_native", lambda: None)
    with pytest.raises(ValueError, match="does not export"):
        pdq_native.pdq_regions(picture, boxes)


def reference_blur(luma: np.ndarray, along_rows: int, along_cols: int) -> np.ndarray:
    """The reference's own jaroszFilterFloat, from the compiled pdqhash."""
    blur = ctypes.CDLL(pdqhash.bindings.__file__)[pdq_native._REFERENCE_BLUR]
    blur.restype, blur.argtypes = None, [ctypes.c_void_p] * 2 + [ctypes.c_int] * 5
    out, work = luma.copy(), np.empty_like(luma)
    blur(out.ctypes.data, work.ctypes.data, *luma.shape, along_rows, along_cols, pdq_native.BLUR_PASSES)
    return out


def reference_dct(picture: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reference's own dct64To16, from the compiled pdqhash: its 16x64 product and its 16x16 result."""
    dct = ctypes.CDLL(pdqhash.bindings.__file__)[pdq_native._DCT]
    dct.restype, dct.argtypes = None, [ctypes.c_void_p] * 3
    product, result = np.empty((16, 64), np.float32), np.empty((16, 16), np.float32)
    dct(picture.ctypes.data, product.ctypes.data, result.ctypes.data)
    return product, result


def test_footprints_blur_and_dct_are_built_and_in_use() -> None:
    native = pdq_native._native()
    assert native is not None
    assert native.blur is not None, "hashers/_pdqc.c was not built (pip install -e . needs a C compiler)"
    assert native.own_dct, "footprint's DCT disagreed with the reference's on its self-check"
    assert native.grey_luma is not None
    assert native.rgb_luma is not None, "footprint's RGB luma disagreed with the reference's on its self-check"


def reference_luma(rgb: np.ndarray) -> np.ndarray:
    """The reference's own fillFloatLumaFromRGB, from the compiled pdqhash, through the array's strides."""
    fill = ctypes.CDLL(pdqhash.bindings.__file__)[pdq_native._LUMA]
    fill.restype, fill.argtypes = None, [ctypes.c_void_p] * 3 + [ctypes.c_int] * 4 + [ctypes.c_void_p]
    out = np.empty(rgb.shape[:2], np.float32)
    base = rgb.ctypes.data
    fill(base, base + 1, base + 2, rgb.shape[0], rgb.shape[1], rgb.strides[0], rgb.strides[1], out.ctypes.data)
    return out


def test_footprints_rgb_luma_equals_the_reference_on_every_colour() -> None:
    """All 2**24 colours, packed, as an RGBA picture's colour channels (four bytes a pixel) and as a view
    read backwards."""
    native = pdq_native._native()
    assert native is not None and native.rgb_luma is not None
    every = np.arange(1 << 24, dtype=np.uint32).view(np.uint8).reshape(4096, 4096, 4)  # r, g, b and zero
    packed = np.ascontiguousarray(every[:, :, :3])
    for pixels in (packed, every, packed[::-3, ::-7]):
        ours = np.empty(pixels.shape[:2], np.float32)
        native.rgb_luma(pixels, ours)
        assert ours.tobytes() == reference_luma(pixels).tobytes()


def test_footprints_dct_equals_the_reference_bit_for_bit() -> None:
    """On noise, on blurred-looking smooth ramps, on flat pictures, on extremes and on tiny values."""
    native = pdq_native._native()
    assert native is not None
    rng = np.random.default_rng(23)
    y, x = np.mgrid[0:64, 0:64].astype(np.float32)
    pictures = [(rng.random((64, 64)) * 255).astype(np.float32) for _ in range(30)]
    pictures += [x * 4.0, (x + y) * 2.0, np.full((64, 64), 255, np.float32), np.zeros((64, 64), np.float32),
                 (rng.random((64, 64)) * 1e-3).astype(np.float32),
                 rng.choice([0.0, 255.0], (64, 64)).astype(np.float32)]
    for picture in pictures:
        product, result = np.empty((16, 64), np.float32), np.empty((16, 16), np.float32)
        native.dct(picture.ctypes.data, product.ctypes.data, result.ctypes.data)
        expected = reference_dct(picture)
        assert product.tobytes() == expected[0].tobytes() and result.tobytes() == expected[1].tobytes()


def test_footprints_blur_equals_the_reference_bit_for_bit(lanes: str) -> None:
    """Every shape class the scan meets (rows in groups of sixteen and eight summed side by side or not,
    wide, tall, tiny) and every window class (1, PDQ's own, as long as the side), on noise and on flat bars."""
    native = pdq_native._native()
    assert native is not None and native.blur is not None
    rng = np.random.default_rng(11)
    shapes = [(5, 5), (8, 64), (9, 63), (16, 9), (24, 17), (64, 64), (31, 200), (200, 31), (216, 288), (750, 1000),
              (1, 40), (40, 1), (8, 4001), (17, 2000), (3000, 11)]
    compared = 0
    for rows, cols in shapes + [tuple(int(v) for v in rng.integers(5, 300, 2)) for _ in range(40)]:
        noise = (rng.random((rows, cols)) * 255).astype(np.float32)
        bars = np.repeat(rng.integers(0, 256, (rows, 1)), cols, axis=1).astype(np.float32)
        windows = {(pdq_native._window(cols), pdq_native._window(rows)), (1, 1), (cols, rows),
                   (int(rng.integers(1, cols + 1)), int(rng.integers(1, rows + 1)))}
        for luma in (noise, bars):
            for along_rows, along_cols in windows:
                ours, work = luma.copy(), np.empty_like(luma)
                assert native.blur(ours.ctypes.data, work.ctypes.data, rows, cols, along_rows, along_cols,
                                   pdq_native.BLUR_PASSES) == 0
                assert ours.tobytes() == reference_blur(luma, along_rows, along_cols).tobytes(), \
                    (rows, cols, along_rows, along_cols)
                compared += 1
    assert compared > 300


def test_edge_sizes_take_the_references_own_path() -> None:
    """A 64x64 picture is taken as already blurred by the reference's single hash, and under five pixels
    a side the reference gives a zero hash: both exactly as pdqhash."""
    rng = np.random.default_rng(5)
    for shape in ((64, 64, 3), (4, 30, 3), (30, 4, 3), (65, 64, 3)):
        rgb = rng.integers(0, 256, shape, dtype=np.uint8)
        bits, quality = pdqhash.compute(rgb)
        assert pdq_native.pdq(rgb) == (np.packbits(np.asarray(bits, np.uint8)).tobytes().hex(), int(quality))
        assert pdq_native.pdq_dihedral(rgb) == package_hashes(rgb)


def test_footprints_blur_refuses_a_window_longer_than_its_side() -> None:
    native = pdq_native._native()
    assert native is not None and native.blur is not None
    luma = np.arange(40 * 30, dtype=np.float32).reshape(30, 40)
    before, work = luma.copy(), np.empty_like(luma)
    for along_rows, along_cols in ((41, 3), (3, 31), (0, 3), (3, 0)):
        assert native.blur(luma.ctypes.data, work.ctypes.data, 30, 40, along_rows, along_cols, 2) == -1
        assert luma.tobytes() == before.tobytes()


def test_the_c_builds_without_the_lanes_too(tmp_path: Path) -> None:
    """Where the compiler does not target x86-64 (an ARM laptop) _lanes.h leaves the AVX2 code out, as
    -DFOOTPRINT_NO_LANES does here: what is left must build on its own, and export the same functions."""
    compiler = shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0])
    if compiler is None:
        pytest.skip("no C compiler")
    hashers = Path(__file__).resolve().parents[2] / "src" / "footprint" / "hashers"  # the sources, not the install
    library = tmp_path / "without_lanes.so"
    subprocess.run([compiler, "-DFOOTPRINT_NO_LANES", "-O1", "-shared", "-fPIC", "-o", str(library),
                    str(hashers / "_pdqc.c"), str(hashers / "_bars.c"), "-lm"], check=True, capture_output=True)
    built = ctypes.CDLL(str(library))
    assert built.footprint_lanes(1) == 0 and built.footprint_use_lanes() == 0
    for name in ("footprint_jarosz", "footprint_pdq_boxes", "footprint_bar"):
        assert hasattr(built, name), name
