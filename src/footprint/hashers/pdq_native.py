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

``pdq_boxes`` hashes many boxes of one picture (the region signature's sixteen): the reference's luma is
per pixel, so the luma of a box is the box of the picture's luma, and one conversion serves them all.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import pdqhash
import pdqhash.bindings

Hashes = tuple[str, ...]
Box = tuple[int, int, int, int]

# C++ symbols of the reference (facebook::pdq::hashing) as compiled into pdqhash 0.2.x.
_LUMA = "_ZN8facebook3pdq7hashing20fillFloatLumaFromRGBEPhS2_S2_iiiiPf"
_ONE = "_ZN8facebook3pdq7hashing23pdqHash256FromFloatLumaEPfS2_iiPA64_fS4_PA16_fRNS1_7Hash256ERi"
_DIHEDRAL = ("_ZN8facebook3pdq7hashing33pdqDihedralHash256esFromFloatLumaEPfS2_iiPA64_fS4_PA16_fS6_"
             "PNS1_7Hash256ES8_S8_S8_S8_S8_S8_S8_Ri")
_P, _I = ctypes.c_void_p, ctypes.c_int


def pdq(rgb: np.ndarray) -> tuple[str, int]:
    """PDQ hex and quality of an RGB uint8 array (height x width x 3; a strided view is fine)."""
    _check(rgb)
    native = _native()
    if native is None:
        bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
        return _bits_to_hex(bits), int(quality)
    hashes, quality = _hash(native, rgb, dihedral=False)
    return hashes[0], quality


def pdq_dihedral(rgb: np.ndarray) -> tuple[Hashes, int]:
    """The eight dihedral PDQ hexes (pdq.DIHEDRAL_NAMES order, plain first) and the quality."""
    _check(rgb)
    native = _native()
    if native is None:
        vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
        return tuple(_bits_to_hex(bits) for bits in vectors), int(quality)
    return _hash(native, rgb, dihedral=True)


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
    out = []
    for x0, y0, x1, y1 in boxes:
        words, quality = _hash_luma(native, luma[y0:y1, x0:x1].copy(), dihedral=True)  # hashing overwrites it
        out.append((tuple(_words_to_hex(words[i]) for i in variants), quality))
    return out


def _check(rgb: np.ndarray) -> None:
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] < 3 or rgb.strides[2] != 1:
        raise ValueError(f"PDQ needs an RGB uint8 array, got {rgb.dtype} {rgb.shape}")


class _Native:
    def __init__(self, library: ctypes.CDLL) -> None:
        self.luma = _function(library, _LUMA, [_P, _P, _P, _I, _I, _I, _I, _P])
        self.one = _function(library, _ONE, [_P, _P, _I, _I, _P, _P, _P, _P, _P])
        self.dihedral = _function(library, _DIHEDRAL, [_P, _P, _I, _I, _P, _P, _P, _P] + [_P] * 8 + [_P])


def _function(library: ctypes.CDLL, symbol: str, argtypes: Sequence[type]) -> Callable[..., None]:
    function = getattr(library, symbol)
    function.restype, function.argtypes = None, list(argtypes)
    return function


def _hash(native: _Native, rgb: np.ndarray, dihedral: bool) -> tuple[Hashes, int]:
    words, quality = _hash_luma(native, _luma(native, rgb), dihedral)
    return tuple(_words_to_hex(row) for row in words), quality


def _luma(native: _Native, rgb: np.ndarray) -> np.ndarray:
    """The reference's float32 luma of ``rgb`` (read through its strides: a view needs no copy)."""
    rows, cols = rgb.shape[:2]
    luma = np.empty((rows, cols), np.float32)
    base = rgb.ctypes.data
    native.luma(base, base + 1, base + 2, rows, cols, rgb.strides[0], rgb.strides[1], luma.ctypes.data)
    return luma


def _hash_luma(native: _Native, luma: np.ndarray, dihedral: bool) -> tuple[np.ndarray, int]:
    """The reference's hash (or its eight) of a C-contiguous luma buffer, which the C++ overwrites; the
    result is the reference's sixteen 16-bit words per hash. Every buffer the C++ writes is a local here,
    alive until the call returns."""
    rows, cols = luma.shape
    work = np.empty((rows, cols), np.float32)
    b64x64, b16x64 = np.empty((64, 64), np.float32), np.empty((16, 64), np.float32)
    b16x16, aux16x16 = np.empty((16, 16), np.float32), np.empty((16, 16), np.float32)
    words, quality = np.zeros((8 if dihedral else 1, 16), np.uint16), ctypes.c_int()
    head = (luma.ctypes.data, work.ctypes.data, rows, cols, b64x64.ctypes.data, b16x64.ctypes.data,
            b16x16.ctypes.data)
    if dihedral:
        native.dihedral(*head, aux16x16.ctypes.data, *(row.ctypes.data for row in words), ctypes.byref(quality))
    else:
        native.one(*head, words[0].ctypes.data, ctypes.byref(quality))
    return words, quality.value


def _words_to_hex(words: np.ndarray) -> str:
    """The reference's Hash256 (sixteen 16-bit words, least significant first) to its hex form."""
    return "".join(f"{int(word):04x}" for word in words[::-1])


def _bits_to_hex(bits: np.ndarray) -> str:
    """pdqhash's 256 0/1 values, most significant first, to the reference hex."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


@cache
def _native() -> _Native | None:
    """The direct path, once it has shown on a test pattern that it agrees with pdqhash's own."""
    try:
        native = _Native(ctypes.CDLL(pdqhash.bindings.__file__))
    except (OSError, AttributeError):
        return None
    rows, cols = np.mgrid[0:48, 0:64]
    pattern = np.stack([(rows * 7 + cols * 13) % 256, (rows * cols) % 251, (rows * 31 + cols * cols) % 241], axis=2)
    pattern = np.ascontiguousarray(pattern.astype(np.uint8))
    vectors, quality = pdqhash.compute_dihedral(pattern)
    expected = tuple(_bits_to_hex(bits) for bits in vectors), int(quality)
    return native if _hash(native, pattern, dihedral=True) == expected else None
