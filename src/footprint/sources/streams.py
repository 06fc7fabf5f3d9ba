"""A read-only, seekable raw stream over something addressed by position: a disk image's segments, an
E01's media, a file inside a file system, a slice of a parent stream. Subclasses set ``size`` and
implement ``readinto`` from ``pos``; seeking is the same for all of them."""

from __future__ import annotations

import io


class PositionedReader(io.RawIOBase):
    size: int
    pos: int = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def tell(self) -> int:
        return self.pos
