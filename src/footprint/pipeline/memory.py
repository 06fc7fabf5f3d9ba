"""A scan's processes keep their large buffers for the next picture instead of asking the kernel anew.

glibc's malloc takes every block above its mmap threshold (128 KiB at first, raised up to 32 MiB as such
blocks are freed) straight from the kernel and hands it back on free, and gives back the free top of its
heap once that passes its trim threshold. A scan allocates the same few large sizes for every picture (the
1 MiB read blocks and the file's bytes, the decoded picture as an array, PDQ's float32 luma and scratch),
so each picture paid for fresh zeroed pages: on 40 generated 12 MP JPEGs, 1,524 page faults and 2.9-3.7 ms
of system time a picture in `read_picture_file`; with the thresholds below, 1 fault and 0.6-1.1 ms. The
hashes are the same: only where the bytes live changes.

What is kept is bounded: a block above MMAP_THRESHOLD still comes from the kernel and goes back, and a
free heap top above TRIM_THRESHOLD is still given back. Elsewhere than glibc (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
MMAP_THRESHOLD = 32 << 20  # glibc's own ceiling for the dynamic threshold on 64-bit
TRIM_THRESHOLD = 128 << 20


@cache
def keep_buffers() -> bool:
    """Set glibc's malloc thresholds in this process (once); False where they cannot be set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
