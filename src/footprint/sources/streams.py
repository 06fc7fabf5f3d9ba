"""A read-only, seekable raw stream over something addressed by position: a disk image's segments, an
E01's media, a file inside a file system, a slice of a parent stream. Subclasses set ``size`` and
implement ``readinto`` from ``pos``; seeking is the same for all of them."""

from __future__ import annotations

import contextlib
import io
from typing import Any


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


class MediaStream(PositionedReader):
    """The media of a libyal handle (pyewf, pyvmdk, pyvhdi: each has ``get_media_size`` and
    ``read_buffer_at_offset``), read-only, every read positioned.

    A read the library refuses (a chunk missing from a truncated image, or damaged) is tried again
    ``chunk`` bytes at a time: what cannot be read reads as zeros and its chunk is recorded in
    ``errors``, so the rest of the image is still read and the disk source can say how much was lost.
    ``keep`` holds whatever the handle reads from (file objects, parent handles) as long as it lives;
    ``owned`` are files this stream opened, closed with it.
    """

    def __init__(self, handle: Any, chunk: int, keep: Any = None, owned: tuple[Any, ...] = ()) -> None:
        super().__init__()
        self.handle = handle
        self.size = int(handle.get_media_size())
        self.pos = 0
        self.chunk = chunk
        self.errors: set[int] = set()
        self._keep = keep
        self._owned = owned

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        try:
            data = self.handle.read_buffer_at_offset(want, self.pos)
        except (OSError, RuntimeError):
            data = self._read_by_chunk(want)
        if len(data) < want:  # a short read: the rest is missing, as a refused one would be
            data = data + self._read_by_chunk_from(self.pos + len(data), want - len(data))
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def _read_by_chunk(self, want: int) -> bytes:
        return self._read_by_chunk_from(self.pos, want)

    def _read_by_chunk_from(self, pos: int, want: int) -> bytes:
        out, end = bytearray(), pos + want
        while pos < end:
            length = min(end, (pos // self.chunk + 1) * self.chunk) - pos
            try:
                data = self.handle.read_buffer_at_offset(length, pos)
            except (OSError, RuntimeError):
                data = b""
            if len(data) < length:
                self.errors.add(pos // self.chunk)
                data = data + bytes(length - len(data))
            out += data
            pos += length
        return bytes(out)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(OSError):
                self.handle.close()
            for f in self._owned:
                with contextlib.suppress(OSError):
                    f.close()
        super().close()
