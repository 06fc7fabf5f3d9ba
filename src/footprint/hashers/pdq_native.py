"""PDQ through the reference C++ that ships inside the ``pdqhash`` package, without its Python glue.

``pdqhash.compute`` turns the picture into luma with numpy in float64 (three full-size temporaries),
allocates a second buffer, and unpacks the 256 bits through a Python list; on a 1000x750 picture that
glue is a fifth of the time, and on the sixteen small regions of the region signature more than half.
The same compiled library also exports the reference's own luma conversion (which reads a strided view,
so a region of a picture needs no copy) and its hashing entry points: this module calls those with
ctypes and packs the reference's sixteen 16-bit words straight into the reference hex.

The results are the reference's, bit for bit (the reference luma is float32, as in the C++ tools that
made ThreatExchange's vectors; tests/hashers compare every vector and a region view with the package's
own functions). If the installed ``pdqhash`` no longer exports these symbols, or a first self-check on a
test pattern disagrees with ``pdqhash.compute_dihedral``, every call goes through ``pdqhash``'s own
functions instead: slower, never different.

A greyscale picture (a 2-D array: a grey JPEG or PNG, which decode.py keeps grey) is hashed
as the RGB picture whose three channels are that grey, bit for bit, without making it: each pixel's luma is
its level's luma as the reference's own conversion gives it (read off that conversion for the 256 levels,
then looked up by _pdqc.c: 0.8 -> 0.2 ms on 816x612); without the compiled part, the reference's conversion
reads the one plane as all three channels.

``pdq_boxes`` hashes many boxes of one picture each as the picture cut to it: the reference's luma is
per pixel, so the luma of a box is the box of the picture's luma, and one conversion serves them all.
``pdq_regions`` (the region signature's) reads many boxes from the whole picture's one blur, which
``pdq_dihedral`` keeps in the picture's ``Shared`` for it: the regions then cost no blur of their own.

The reference's blur (its Jarosz box filter, 90% of PDQ's time) runs one line at a time, its DCT one
output at a time, and its luma one pixel at a time; footprint's own build of the three (``_pdqc.c``,
compiled when the package is installed) runs many lines, outputs and pixels side by side with the same
operations in the same order: the blur 2.5-5 times faster, and with its pass along the rows in AVX2
lanes (sixteen rows at a time, where the CPU has AVX2) 5.2 times at 1000x750 and at 288x216 (one run), the
DCT 45 -> 11 microseconds (a region signature takes 22), the luma of a 1000x750 picture 0.8 -> 0.4 ms
(with AVX2), all equal bit for bit.
Each is used only once it has matched the reference's on test patterns. The steps after the blur
(decimation, quality, DCT, the dihedral transforms and the bits against the median) are small, but a
region signature takes them twenty times a picture, and through ctypes each cost a microsecond of glue
more than its work: footprint's C runs a whole hash of many boxes in one call (``footprint_pdq_boxes``,
with the blur's last pass only down the 64 columns the decimation reads), once it has given the
reference's steps' hashes and qualities bit for bit on boxes of a test pattern (and, read from a blur,
the reference's decimation, quality, DCT and bits of each box). Without them (no compiler at install,
or a mismatch) PDQ runs the reference's own: slower, never different. Should the installed pdqhash no
longer export the reference's steps at all, PDQ runs through pdqhash's own functions, which keep no
blur to read regions from: the region signature is then Skipped, saying why (hashers.compute), and the
run's record names the PDQ in use (versions.software, "pdq-blur": "pdqhash").
"""

from __future__ import annotations

import ctypes
import importlib.util
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np
import pdqhash
import pdqhash.bindings

from footprint.hashers.base import Shared

Hashes = tuple[str, ...]
Box = tuple[int, int, int, int]
# (luma, boxes, variants, in_place, blurred) -> (words: boxes x 8 x 16, qualities): footprint's PDQ of many
# boxes in one call; in_place: the luma may be overwritten (one whole-picture box then needs one buffer
# less); blurred: the luma is the whole picture's blur, and each box is read from it (pdq_regions)
BoxesHasher = Callable[[np.ndarray, Sequence[Box], Sequence[int], bool, bool], tuple[np.ndarray, np.ndarray]]

# C++ symbols of the reference (facebook::pdq::hashing) as compiled into pdqhash 0.2.x.
_LUMA = "_ZN8facebook3pdq7hashing20fillFloatLumaFromRGBEPhS2_S2_iiiiPf"
_ONE = "_ZN8facebook3pdq7hashing23pdqHash256FromFloatLumaEPfS2_iiPA64_fS4_PA16_fRNS1_7Hash256ERi"
_DIHEDRAL = ("_ZN8facebook3pdq7hashing33pdqDihedralHash256esFromFloatLumaEPfS2_iiPA64_fS4_PA16_fS6_"
             "PNS1_7Hash256ES8_S8_S8_S8_S8_S8_S8_Ri")
_REFERENCE_BLUR = "_ZN8facebook3pdq11downscaling17jaroszFilterFloatEPfS2_iiiii"
_DECIMATE = "_ZN8facebook3pdq11downscaling13decimateFloatEPKfiiPfii"
_QUALITY = "_ZN8facebook3pdq7hashing27pdqImageDomainQualityMetricEPA64_f"
_DCT = "_ZN8facebook3pdq7hashing9dct64To16EPA64_fS3_PA16_f"
_TO_BITS = "_ZN8facebook3pdq7hashing20pdqBuffer16x16ToBitsEPA16_fPNS1_7Hash256E"
_TRANSFORMS = ("_ZN8facebook3pdq7hashing23dct16OriginalToRotate90EPA16_fS3_",  # pdq.DIHEDRAL_NAMES[1:]
               "_ZN8facebook3pdq7hashing24dct16OriginalToRotate180EPA16_fS3_",
               "_ZN8facebook3pdq7hashing24dct16OriginalToRotate270EPA16_fS3_",
               "_ZN8facebook3pdq7hashing20dct16OriginalToFlipXEPA16_fS3_",
               "_ZN8facebook3pdq7hashing20dct16OriginalToFlipYEPA16_fS3_",
               "_ZN8facebook3pdq7hashing24dct16OriginalToFlipPlus1EPA16_fS3_",
               "_ZN8facebook3pdq7hashing25dct16OriginalToFlipMinus1EPA16_fS3_")
_P, _I, _S = ctypes.c_void_p, ctypes.c_int, ctypes.c_ssize_t
ALL_VARIANTS = tuple(range(8))
MIN_HASHABLE = 5  # the reference gives a zero hash below this many rows or columns
BLUR_PASSES = 2  # the reference's PDQ_NUM_JAROSZ_XY_PASSES
_BLURRED = "pdq-blurred-luma"  # the key of a picture's blurred luma in its Shared


def pdq(rgb: np.ndarray) -> tuple[str, int]:
    """PDQ hex and quality of an RGB uint8 array (height x width x 3; a strided view is fine), or of a
    greyscale one (height x width), hashed as its RGB copy."""
    _check(rgb)
    native = _native()
    if native is None:
        bits, quality = pdqhash.compute(_as_rgb(rgb))
        return _bits_to_hex(bits), int(quality)
    hashes, quality = _hash(native, rgb, dihedral=False)
    return hashes[0], quality


def pdq_dihedral(rgb: np.ndarray, shared: Shared | None = None) -> tuple[Hashes, int]:
    """The eight dihedral PDQ hexes (pdq.DIHEDRAL_NAMES order, plain first) and the quality. ``shared``:
    where the picture's blurred luma is kept for pdq_regions of the same picture (and taken from)."""
    _check(rgb)
    native = _native()
    if native is None:
        vectors, quality = pdqhash.compute_dihedral(_as_rgb(rgb))
        return tuple(_bits_to_hex(bits) for bits in vectors), int(quality)
    rows, cols = rgb.shape[:2]
    if shared is None or min(rows, cols) < MIN_HASHABLE:
        return _hash(native, rgb, dihedral=True)
    return _sampled(native, rgb, [(0, 0, cols, rows)], ALL_VARIANTS, shared)[0]


def pdq_regions(rgb: np.ndarray, boxes: Sequence[Box], variants: Sequence[int] = (0,),
                shared: Shared | None = None) -> list[tuple[Hashes, int]]:
    """For each box (left, top, right, bottom): the dihedral hexes at the indices ``variants`` and the
    quality of the box as read from the whole picture's PDQ blur (the reference's, with the whole
    picture's windows): the reference's decimation of the box's part of the blurred luma, then its
    quality, DCT and bits. The whole picture's box gives its PDQ, bit for bit; a smaller box is blurred
    with the windows of the whole, and near its edges with the picture around it, not as the reference
    would blur a picture cut to the box (hashers/regions.py says why). One blur serves every box.

    Needs the reference's steps (ValueError where the installed pdqhash does not export them)."""
    _check(rgb)
    native = _native()
    if native is None:
        raise ValueError("the installed pdqhash does not export the reference's PDQ steps")
    return _sampled(native, rgb, boxes, variants, shared if shared is not None else {})


def _sampled(native: _Native, rgb: np.ndarray, boxes: Sequence[Box], variants: Sequence[int],
             shared: Shared) -> list[tuple[Hashes, int]]:
    blurred = _blurred(native, rgb, shared)
    if native.boxes is not None:
        words, qualities = native.boxes(blurred, boxes, variants, False, True)
        hexes = _words_to_hex(words[:, list(variants)])
        return [(tuple(hexes[n * len(variants):(n + 1) * len(variants)]), int(qualities[n])) for n in range(len(boxes))]
    rows, cols = blurred.shape
    out = []
    for x0, y0, x1, y1 in boxes:
        if not (0 <= x0 <= x1 <= cols and 0 <= y0 <= y1 <= rows):
            raise ValueError(f"a box outside the {cols}x{rows} picture: {(x0, y0, x1, y1)}")
        words, quality = _hash_decimated(native, np.ascontiguousarray(blurred[y0:y1, x0:x1]), variants)
        out.append((tuple(_words_to_hex(words[list(variants)])), quality))
    return out


def _blurred(native: _Native, rgb: np.ndarray, shared: Shared) -> np.ndarray:
    """The picture's luma after the reference's blur, with the whole picture's windows: made once for
    every hasher of the picture that is given the same ``shared``."""
    blurred = shared.get(_BLURRED)
    if blurred is None:
        blurred = _luma(native, rgb)
        rows, cols = blurred.shape
        blur, work = native.blur or native.reference_blur, np.empty_like(blurred)  # alive until the call returns
        if blur(blurred.ctypes.data, work.ctypes.data, rows, cols, _window(cols), _window(rows), BLUR_PASSES):
            raise MemoryError(f"no memory to blur a {cols}x{rows} picture for PDQ")
        shared[_BLURRED] = blurred
    return blurred


def pdq_boxes(rgb: np.ndarray, boxes: Sequence[Box], variants: Sequence[int] = (0,)) -> list[tuple[Hashes, int]]:
    """For each box (left, top, right, bottom) of the picture: the dihedral hexes at the indices
    ``variants`` (pdq.DIHEDRAL_NAMES order) and the quality; what ``pdq_dihedral`` gives on each box's
    view, bit for bit, with the luma computed once."""
    _check(rgb)
    native = _native()
    if native is None:
        found = [pdq_dihedral(rgb[y0:y1, x0:x1]) for x0, y0, x1, y1 in boxes]
        return [(tuple(hashes[i] for i in variants), quality) for hashes, quality in found]
    luma = _luma(native, rgb)
    if native.boxes is not None:
        words, qualities = native.boxes(luma, boxes, variants, False, False)
        hexes = _words_to_hex(words[:, list(variants)])
        return [(tuple(hexes[n * len(variants):(n + 1) * len(variants)]), int(qualities[n])) for n in range(len(boxes))]
    out = []
    for x0, y0, x1, y1 in boxes:
        words, quality = _hash_luma(native, luma[y0:y1, x0:x1].copy(), True, variants)  # hashing overwrites it
        out.append((tuple(_words_to_hex(words[list(variants)])), quality))
    return out


def _check(rgb: np.ndarray) -> None:
    grey = rgb.ndim == 2
    if rgb.dtype != np.uint8 or not (grey or (rgb.ndim == 3 and rgb.shape[2] >= 3 and rgb.strides[2] == 1)):
        raise ValueError(f"PDQ needs an RGB or greyscale uint8 array, got {rgb.dtype} {rgb.shape}")


def _as_rgb(pixels: np.ndarray) -> np.ndarray:
    """A contiguous RGB array for pdqhash's own functions: a greyscale picture as its RGB copy."""
    return np.ascontiguousarray(np.repeat(pixels[:, :, None], 3, axis=2) if pixels.ndim == 2 else pixels)


class _Native:
    """The reference's entry points, with footprint's blur (``blur``), DCT and luma (``rgb_luma``) in place
    of the reference's when they are there and agree, and footprint's luma of a grey picture (``grey_luma``)."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self.luma = _function(library, _LUMA, [_P, _P, _P, _I, _I, _I, _I, _P])
        self.one = _function(library, _ONE, [_P, _P, _I, _I, _P, _P, _P, _P, _P])
        self.dihedral = _function(library, _DIHEDRAL, [_P, _P, _I, _I, _P, _P, _P, _P] + [_P] * 8 + [_P])
        self.decimate = _function(library, _DECIMATE, [_P, _I, _I, _P, _I, _I])
        self.quality = _function(library, _QUALITY, [_P], restype=ctypes.c_int)
        self.dct = _function(library, _DCT, [_P, _P, _P])
        self.to_bits = _function(library, _TO_BITS, [_P, _P])
        self.transforms = [_function(library, symbol, [_P, _P]) for symbol in _TRANSFORMS]
        self.reference_blur = _function(library, _REFERENCE_BLUR, [_P, _P, _I, _I, _I, _I, _I])
        self.blur: Callable[..., Any] | None = None
        self.own_dct = False  # True once ``dct`` is footprint's
        self.grey_luma: Callable[[np.ndarray, np.ndarray], None] | None = None  # footprint's, when built
        self.rgb_luma: Callable[[np.ndarray, np.ndarray], None] | None = None  # footprint's, when it agrees
        self.boxes: BoxesHasher | None = None  # footprint's whole hash of many boxes, when it agrees


def _function(library: ctypes.CDLL, symbol: str, argtypes: Sequence[type],
              restype: type | None = None) -> Callable[..., Any]:
    function = getattr(library, symbol)
    function.restype, function.argtypes = restype, list(argtypes)
    return function


def _hash(native: _Native, rgb: np.ndarray, dihedral: bool) -> tuple[Hashes, int]:
    luma = _luma(native, rgb)
    rows, cols = luma.shape
    if native.boxes is not None and (dihedral or (rows, cols) != (64, 64)):  # the reference takes 64x64 as blurred
        variants = ALL_VARIANTS if dihedral else (0,)
        words, qualities = native.boxes(luma, [(0, 0, cols, rows)], variants, True, False)  # the luma is ours
        return tuple(_words_to_hex(words[0, list(variants)])), int(qualities[0])
    words, quality = _hash_luma(native, luma, dihedral)
    return tuple(_words_to_hex(words)), quality


def _luma(native: _Native, rgb: np.ndarray) -> np.ndarray:
    """The reference's float32 luma of ``rgb`` (read through its strides: a view needs no copy); a
    greyscale array is read as all three channels."""
    rows, cols = rgb.shape[:2]
    luma = np.empty((rows, cols), np.float32)
    own = native.grey_luma if rgb.ndim == 2 else native.rgb_luma
    if own is not None:
        own(rgb, luma)
        return luma
    base = rgb.ctypes.data
    green, blue = (base, base) if rgb.ndim == 2 else (base + 1, base + 2)
    native.luma(base, green, blue, rows, cols, rgb.strides[0], rgb.strides[1], luma.ctypes.data)
    return luma


def _hash_luma(native: _Native, luma: np.ndarray, dihedral: bool,
               variants: Sequence[int] = ALL_VARIANTS) -> tuple[np.ndarray, int]:
    """The reference's hash (or its eight; rows not in ``variants`` may be left zero) of a C-contiguous
    luma buffer, which is overwritten; the result is the reference's sixteen 16-bit words per hash. Every
    buffer the C++ writes is a local here, alive until the call returns."""
    rows, cols = luma.shape
    # The reference's own path for what footprint's blur does not take: a buffer too small to hash (a
    # zero hash) and, for one hash, a 64x64 buffer (the reference takes it as already blurred).
    if native.blur is not None and min(rows, cols) >= MIN_HASHABLE and (dihedral or (rows, cols) != (64, 64)):
        found = _hash_blurred(native, luma, variants if dihedral else (0,))
        return found if dihedral else (found[0][:1], found[1])
    work, b64x64, b16x64, b16x16, aux16x16 = _scratch(rows, cols)
    words, quality = np.zeros((8 if dihedral else 1, 16), np.uint16), ctypes.c_int()
    head = (luma.ctypes.data, work.ctypes.data, rows, cols, b64x64.ctypes.data, b16x64.ctypes.data,
            b16x16.ctypes.data)
    if dihedral:
        native.dihedral(*head, aux16x16.ctypes.data, *(row.ctypes.data for row in words), ctypes.byref(quality))
    else:
        native.one(*head, words[0].ctypes.data, ctypes.byref(quality))
    return words, quality.value


def _hash_blurred(native: _Native, luma: np.ndarray, variants: Sequence[int]) -> tuple[np.ndarray, int]:
    """The reference's steps after its blur (decimation to 64x64, quality, DCT, the dihedral transforms
    and bits), in the reference's order, after footprint's blur."""
    assert native.blur is not None
    rows, cols = luma.shape
    work = np.empty_like(luma)  # alive until the call returns
    if native.blur(luma.ctypes.data, work.ctypes.data, rows, cols, _window(cols), _window(rows), BLUR_PASSES):
        raise MemoryError(f"no memory to blur a {cols}x{rows} picture for PDQ")
    return _hash_decimated(native, luma, variants)


def _hash_decimated(native: _Native, blurred: np.ndarray, variants: Sequence[int]) -> tuple[np.ndarray, int]:
    """The reference's steps after its blur on a C-contiguous blurred luma, in the reference's order."""
    rows, cols = blurred.shape
    _, b64x64, b16x64, b16x16, aux16x16 = _scratch(0, 0)
    native.decimate(blurred.ctypes.data, rows, cols, b64x64.ctypes.data, 64, 64)
    quality = int(native.quality(b64x64.ctypes.data))
    native.dct(b64x64.ctypes.data, b16x64.ctypes.data, b16x16.ctypes.data)
    words = np.zeros((8, 16), np.uint16)
    for index in variants:
        source = b16x16
        if index:
            native.transforms[index - 1](b16x16.ctypes.data, aux16x16.ctypes.data)
            source = aux16x16
        native.to_bits(source.ctypes.data, words[index].ctypes.data)
    return words, quality


def _scratch(rows: int, cols: int) -> tuple[np.ndarray, ...]:
    """The buffers the reference's steps write: one as large as the luma, then 64x64, 16x64, 16x16 and a
    second 16x16 (for the dihedral transforms)."""
    return (np.empty((rows, cols), np.float32), np.empty((64, 64), np.float32), np.empty((16, 64), np.float32),
            np.empty((16, 16), np.float32), np.empty((16, 16), np.float32))


def _window(dimension: int) -> int:
    """The reference's blur window along a side of ``dimension`` pixels, for a 64x64 result."""
    return (dimension + 2 * 64 - 1) // (2 * 64)


def _words_to_hex(words: np.ndarray) -> list[str]:
    """The reference's Hash256s (each sixteen 16-bit words, least significant first: the last axis of
    ``words``) to their hex forms, in the order of the other axes; in one conversion, as a region signature
    has some fifty."""
    text = words[..., ::-1].astype(">u2").tobytes().hex()  # most significant word first, each big-endian
    digits = 4 * words.shape[-1]  # a hash's
    return [text[at:at + digits] for at in range(0, len(text), digits)]


def _bits_to_hex(bits: np.ndarray) -> str:
    """pdqhash's 256 0/1 values, most significant first, to the reference hex."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


@cache
def _native() -> _Native | None:
    """The direct path, once it has shown on a test pattern that it agrees with pdqhash's own; with
    footprint's blur and DCT once they have given the reference's bit for bit on test patterns."""
    try:
        native = _Native(ctypes.CDLL(pdqhash.bindings.__file__))
    except (OSError, AttributeError):
        return None
    pattern = check_pattern(48, 64)
    vectors, quality = pdqhash.compute_dihedral(pattern)
    expected = tuple(_bits_to_hex(bits) for bits in vectors), int(quality)
    if _hash(native, pattern, dihedral=True) != expected:
        return None
    _use_own_steps(native)
    return native


def _use_own_steps(native: _Native) -> None:
    """footprint's blur and DCT (_pdqc.c), each where it was built and gives the reference's bit for bit."""
    spec = importlib.util.find_spec("footprint.hashers._pdqc")
    if spec is None or spec.origin is None:
        return
    try:
        own = ctypes.CDLL(spec.origin)
        blur = _function(own, "footprint_jarosz", [_P, _P, _I, _I, _I, _I, _I], restype=ctypes.c_int)
        dct = _function(own, "footprint_dct64to16", [_P, _P, _P, _P])
        grey_luma = _function(own, "footprint_grey_luma", [_P, _I, _I, _S, _S, _P, _P])
        rgb_luma = _function(own, "footprint_rgb_luma", [_P, _I, _I, _S, _S, _P, _P])
        boxes = _function(own, "footprint_pdq_boxes", [_P, _I, _I, _P, _I, _P, _I, _P, _P, _I, _I],
                          restype=ctypes.c_int)
    except (OSError, AttributeError):
        return
    if _same_blur(native, blur, native.reference_blur):
        native.blur = blur
    matrix = _dct_matrix(native)
    own_dct = _own_dct(native, dct, matrix)
    if own_dct is not None:
        native.dct, native.own_dct = own_dct, True
        if native.blur is not None:
            native.boxes = _own_boxes(native, boxes, matrix)
    native.grey_luma = _own_grey_luma(native, grey_luma)
    native.rgb_luma = _own_rgb_luma(native, rgb_luma)


def _own_grey_luma(native: _Native, lookup: Callable[..., Any]) -> Callable[[np.ndarray, np.ndarray], None]:
    """footprint's luma of a grey picture: each of the 256 levels' luma as the reference computes it (read
    off the reference's own conversion of a row of every level), looked up pixel by pixel."""
    levels = _luma(native, np.arange(256, dtype=np.uint8).reshape(1, 256))[0].copy()

    def grey_luma(plane: np.ndarray, out: np.ndarray) -> None:  # the levels live here
        lookup(plane.ctypes.data, plane.shape[0], plane.shape[1], plane.strides[0], plane.strides[1],
               levels.ctypes.data, out.ctypes.data)

    return grey_luma


def _own_rgb_luma(native: _Native, weigh: Callable[..., Any]) -> Callable[[np.ndarray, np.ndarray], None] | None:
    """footprint's luma of an RGB picture with the reference's three coefficients (read off its conversion
    of one pure red, green and blue pixel: each weight times one plus zeros), if it gives the reference's
    luma bit for bit on every red-green pair with blues that vary (the tests try all 2**24 colours)."""
    coeffs = _luma(native, np.eye(3, dtype=np.uint8).reshape(1, 3, 3))[0].copy()
    red, green = np.mgrid[0:256, 0:256]
    colours = np.ascontiguousarray(np.stack([red, green, (red * 7 + green * 13) % 256], axis=2).astype(np.uint8))

    def rgb_luma(pixels: np.ndarray, out: np.ndarray) -> None:  # the coefficients live here
        weigh(pixels.ctypes.data, pixels.shape[0], pixels.shape[1], pixels.strides[0], pixels.strides[1],
              coeffs.ctypes.data, out.ctypes.data)

    ours = np.empty(colours.shape[:2], np.float32)
    rgb_luma(colours, ours)
    return rgb_luma if ours.tobytes() == _luma(native, colours).tobytes() else None


def _same_blur(native: _Native, blur: Callable[..., Any], reference: Callable[..., Any]) -> bool:
    for rows, cols, along_rows, along_cols in ((48, 64, 3, 2), (37, 301, 5, 9), (130, 9, 1, 4)):
        ours = _luma(native, check_pattern(rows, cols))
        theirs, work = ours.copy(), np.empty_like(ours)  # alive until both calls return
        if blur(ours.ctypes.data, work.ctypes.data, rows, cols, along_rows, along_cols, BLUR_PASSES):
            return False
        reference(theirs.ctypes.data, work.ctypes.data, rows, cols, along_rows, along_cols, BLUR_PASSES)
        if ours.tobytes() != theirs.tobytes():
            return False
    return True


def _dct_matrix(native: _Native) -> np.ndarray:
    """The reference's DCT matrix (16 rows of 64), read off the reference: the DCT of the identity leaves
    it in the 16x64 buffer exactly (each of its sums adds one product to zeros)."""
    matrix, unused = np.empty((16, 64), np.float32), np.empty((16, 16), np.float32)
    identity = np.eye(64, dtype=np.float32)
    native.dct(identity.ctypes.data, matrix.ctypes.data, unused.ctypes.data)
    return matrix


def _own_dct(native: _Native, dct: Callable[..., Any], matrix: np.ndarray) -> Callable[[int, int, int], None] | None:
    """footprint's DCT with the reference's own matrix, if it gives the reference's DCT bit for bit."""
    luma = _luma(native, check_pattern(64, 64))
    for picture in (luma, np.ascontiguousarray(luma[::-1] * np.float32(0.7071))):  # fractions everywhere
        theirs = [np.empty((16, 64), np.float32), np.empty((16, 16), np.float32)]
        ours = [np.empty((16, 64), np.float32), np.empty((16, 16), np.float32)]
        native.dct(picture.ctypes.data, theirs[0].ctypes.data, theirs[1].ctypes.data)
        dct(matrix.ctypes.data, picture.ctypes.data, ours[0].ctypes.data, ours[1].ctypes.data)
        if any(a.tobytes() != b.tobytes() for a, b in zip(ours, theirs, strict=True)):
            return None

    def own(a: int, t: int, b: int) -> None:  # the reference's argument order; the matrix lives here
        dct(matrix.ctypes.data, a, t, b)

    return own


def _own_boxes(native: _Native, hash_boxes: Callable[..., Any], matrix: np.ndarray) -> BoxesHasher | None:
    """footprint's PDQ of many boxes of one luma in one call (_pdqc.c's footprint_pdq_boxes: its blur and
    DCT, the reference's decimation, quality, transforms and bits written again), if it gives what the
    reference's steps give after footprint's checked blur and DCT, bit for bit, on boxes of a test pattern:
    the whole, inner ones, one 64x64, ones narrower or shorter than 64, one too small to hash."""

    def hashed(luma: np.ndarray, boxes: Sequence[Box], variants: Sequence[int],
               in_place: bool, blurred: bool) -> tuple[np.ndarray, np.ndarray]:
        if luma.dtype != np.float32 or not luma.flags.c_contiguous or luma.ndim != 2:
            raise ValueError(f"PDQ's boxes need a contiguous float32 luma, got {luma.dtype} {luma.shape}")
        rows, cols = luma.shape
        spans = np.ascontiguousarray(np.array(boxes, dtype=np.intc).reshape(-1, 4))
        words, qualities = np.zeros((len(spans), 8, 16), np.uint16), np.zeros(len(spans), np.intc)
        status = hash_boxes(luma.ctypes.data, rows, cols, spans.ctypes.data, len(spans), matrix.ctypes.data,
                            sum(1 << v for v in set(variants)), words.ctypes.data, qualities.ctypes.data, in_place,
                            blurred)
        if status == -1:
            raise ValueError(f"a box outside the {cols}x{rows} picture: {boxes}")
        if status:
            raise MemoryError(f"no memory to blur boxes of a {cols}x{rows} picture for PDQ")
        return words, qualities

    luma = _luma(native, check_pattern(150, 97))
    boxes = [(0, 0, 97, 150), (3, 7, 90, 141), (20, 30, 84, 94), (10, 20, 50, 150), (0, 100, 97, 131), (0, 0, 4, 30)]
    words, qualities = hashed(luma, boxes, ALL_VARIANTS, False, False)
    whole, whole_quality = hashed(luma.copy(), boxes[:1], ALL_VARIANTS, True, False)
    blurred = _blurred(native, check_pattern(150, 97), {})
    read, read_qualities = hashed(blurred, boxes, ALL_VARIANTS, False, True)
    for n, (x0, y0, x1, y1) in enumerate(boxes):
        theirs, quality = _hash_luma(native, luma[y0:y1, x0:x1].copy(), True)
        if words[n].tobytes() != theirs.tobytes() or int(qualities[n]) != quality:
            return None
        if min(x1 - x0, y1 - y0) >= MIN_HASHABLE:  # read from the blur as the reference's steps read it
            theirs, quality = _hash_decimated(native, np.ascontiguousarray(blurred[y0:y1, x0:x1]), ALL_VARIANTS)
            if read[n].tobytes() != theirs.tobytes() or int(read_qualities[n]) != quality:
                return None
    if whole.tobytes() != words[:1].tobytes() or int(whole_quality[0]) != int(qualities[0]):
        return None
    return hashed


def check_pattern(rows: int, cols: int) -> np.ndarray:
    """A deterministic RGB test pattern with detail in every channel, for the self-checks of footprint's
    compiled steps: made without numpy.random, whose import alone took 10 ms
    of every scan worker's start."""
    y, x = np.mgrid[0:rows, 0:cols]
    pattern = np.stack([(y * 7 + x * 13) % 256, (y * x) % 251, (y * 31 + x * x) % 241], axis=2)
    return np.ascontiguousarray(pattern.astype(np.uint8))
