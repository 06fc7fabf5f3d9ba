"""A decoded picture's pixels as a read-only numpy view of Pillow's own memory, without a copy.

Copying a picture out of Pillow (``np.asarray(image)``) packs each pixel from the four bytes Pillow keeps
it in to three, 64 KB at a time, and joins the pieces: 0.4 ms for a 0.5 MP picture, as much as its MD5,
SHA-1 and SHA-256 together. Pillow (11.2 and later) also lends an image's memory through the Arrow C
data interface (``Image.__arrow_c_array__``); this module reads the two Arrow structures that hands over
and makes a view of that memory: rows x columns for a grey (L) picture, rows x columns x 3 for RGB, whose
pixels then lie four bytes apart (the array's strides say so; everything that reads pixels here goes by
the strides).

The view keeps the exported Arrow array (whose release gives the memory back to Pillow) and the image
alive as long as it lives, and cannot be written to. Pillow lends only a picture held in one block of
memory (its blocks are 16 MB: about 4 MP of RGB); for any other, for another mode or Arrow layout, and
until a first lent view of a test picture has equalled its copy, ``lent_pixels`` gives None and the
caller copies. The bytes are the same either way: only the copy is saved.
"""

from __future__ import annotations

import ctypes
from functools import cache

import numpy as np
from PIL import Image


class _ArrowSchema(ctypes.Structure):
    pass


_ArrowSchema._fields_ = [("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
                         ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
                         ("children", ctypes.POINTER(ctypes.POINTER(_ArrowSchema))), ("dictionary", ctypes.c_void_p),
                         ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


class _ArrowArray(ctypes.Structure):
    pass


_ArrowArray._fields_ = [("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
                        ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64),
                        ("buffers", ctypes.POINTER(ctypes.c_void_p)),
                        ("children", ctypes.POINTER(ctypes.POINTER(_ArrowArray))), ("dictionary", ctypes.c_void_p),
                        ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]

# A prototype of its own (setting argtypes on ctypes.pythonapi's shared function would change it for all)
_capsule_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", ctypes.pythonapi))

# mode: (the Arrow format of a pixel, of its bytes (for a list), bytes a pixel)
_LAYOUTS = {"L": (b"C", None, 1), "RGB": (b"+w:4", b"C", 4)}


class _Lent:
    """What numpy reads the view from (``__array_interface__``); it holds what keeps the memory alive."""

    def __init__(self, address: int, shape: tuple[int, ...], strides: tuple[int, ...], keep: tuple[object, ...]):
        self.__array_interface__ = {"version": 3, "typestr": "|u1", "data": (address, True), "shape": shape,
                                    "strides": strides}
        self.keep = keep


def lent_pixels(image: Image.Image) -> np.ndarray | None:
    """The pixels of an L or RGB ``image`` as a read-only view of Pillow's memory; None when Pillow cannot
    lend them (see the module doc) or lending has not shown it gives the copy's bytes."""
    return _lend(image) if _works() else None


def _lend(image: Image.Image) -> np.ndarray | None:
    layout = _LAYOUTS.get(image.mode)
    export = getattr(image, "__arrow_c_array__", None)
    if layout is None or export is None or image.width == 0 or image.height == 0:
        return None
    pixel_format, byte_format, size = layout
    try:
        schema_capsule, array_capsule = export()
    except (ValueError, RuntimeError, OSError):  # "Image rows are not contiguous in memory": more than one block
        return None
    schema = _ArrowSchema.from_address(_capsule_pointer(schema_capsule, b"arrow_schema"))
    array = _ArrowArray.from_address(_capsule_pointer(array_capsule, b"arrow_array"))
    pixels = image.width * image.height
    if schema.format != pixel_format or array.length != pixels or array.offset or array.null_count:
        return None
    data = array
    if byte_format is not None:  # a fixed-size list of the pixel's bytes: the bytes are its one child
        if (schema.n_children != 1 or schema.children[0].contents.format != byte_format or array.n_children != 1):
            return None
        data = array.children[0].contents
        if data.length != pixels * size or data.offset or data.null_count:
            return None
    if data.n_buffers != 2 or not data.buffers[1]:
        return None
    rows, cols = image.height, image.width
    shape, strides = ((rows, cols), (cols, 1)) if size == 1 else ((rows, cols, 3), (cols * size, size, 1))
    view = np.asarray(_Lent(data.buffers[1], shape, strides, (schema_capsule, array_capsule, image)))
    view.flags.writeable = False
    return view


@cache
def _works() -> bool:
    """Whether a lent view of a test picture in each mode equals its copy, byte for byte."""
    y, x = np.mgrid[0:37, 0:53]
    rgb = Image.fromarray(np.stack([(x * 5 + y) % 256, (x * y) % 251, (y * 7) % 253], axis=2).astype(np.uint8))
    for picture in (rgb, rgb.convert("L")):
        lent = _lend(picture)
        if lent is None or not np.array_equal(lent, np.asarray(picture)):
            return False
    return True
