"""Carving: pictures and videos recovered from bytes no file system points to any more.

``carve_stream`` walks a stream once, in windows, looking for the start signatures of JPEG, PNG,
GIF, BMP, WebP, AVI and MP4. Each hit is checked by walking the format's own structure to its end
(JPEG markers then entropy data to EOI; PNG chunks with their CRCs to IEND; GIF blocks to the
trailer; BMP, WebP and AVI by their declared sizes, checked against their headers and chunks; MP4 by
its top-level boxes). Only a complete, well-formed structure becomes an item: a truncated or
fragmented picture is not guessed at, because a wrong guess is a different file with a different
hash, and a false match accuses someone.

Carving is non-overlapping: the bytes of a carved item are consumed, so a thumbnail inside a carved
JPEG's EXIF block is not reported a second time. Each signature's next hit is cached, so the scan
stays linear however many false starts the data holds.

Carved items are addressed ``parent!region@0xOFFSET`` (``ItemRef.carved``), where ``region`` says
where the bytes lay (``unallocated``, ``unpartitioned``, ``volume``, ``content``) and the offset is
counted from the start of the parent (the partition, the disk, or the file carved).
"""

from __future__ import annotations

import codecs
import io
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO, cast

from footprint.model import Item, ItemFacts, ItemRef, ItemState, ItemWarning, Opener
from footprint.sources.base import ContainerFormat, EvidenceSource, Found, Limits
from footprint.sources.detect import detect
from footprint.sources.integrity import later_piece
from footprint.sources.streams import PositionedReader

WINDOW = 8 << 20  # bytes searched for signatures at a time
MAX_PICTURE = 64 << 20  # a carved picture larger than this is not believed
BLOCK = 1 << 20

# ---------------------------------------------------------------------------------------------
# Reading: a random-access reader over a seekable stream, and a window that reads part of one
# ---------------------------------------------------------------------------------------------


class Reader:
    """Random-access reads over a seekable stream, with a one-block cache for the small header reads
    the structure walkers make."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream = stream
        self.size = size
        self._start = -1
        self._block = b""

    def at(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset`` (fewer at the end of the stream)."""
        if offset < 0 or offset >= self.size:
            return b""
        end = self._start + len(self._block)
        if self._start <= offset and offset + length <= end:
            return self._block[offset - self._start:offset - self._start + length]
        if length > BLOCK:
            return self.read(offset, length)
        self._start, self._block = offset, self.read(offset, BLOCK)
        return self._block[:length]

    def read(self, offset: int, length: int) -> bytes:
        self.stream.seek(offset)
        return self.stream.read(min(length, self.size - offset))


class Window(PositionedReader):
    """A read-only view of ``length`` bytes from ``start`` of a seekable stream.

    Used for carved items and for partitions: reading one never disturbs another, because every
    read seeks the underlying stream first.
    """

    def __init__(self, stream: BinaryIO, start: int, length: int) -> None:
        super().__init__()
        self.stream, self.start, self.size, self.pos = stream, start, length, 0

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        self.stream.seek(self.start + self.pos)
        data = self.stream.read(want)
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)


# ---------------------------------------------------------------------------------------------
# Structure walkers: each returns the end offset (exclusive) of a well-formed file at ``s``, or None
# ---------------------------------------------------------------------------------------------

_SOF = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}
_ENTROPY_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_end(r: Reader, s: int) -> int | None:
    """Walk JPEG markers; after each SOS skip the entropy-coded data to the next marker; stop at EOI."""
    pos, seen_sof, seen_sos, limit = s + 2, False, False, min(r.size, s + MAX_PICTURE)
    while pos < limit:
        head = r.at(pos, 4)
        if len(head) < 2 or head[0] != 0xFF:
            return None
        marker = head[1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2 if seen_sos else None
        if marker in (0x01, *range(0xD0, 0xD8)):
            pos += 2
            continue
        if marker < 0xC0 or marker == 0xD8 or len(head) < 4:
            return None
        length = int.from_bytes(head[2:4], "big")
        if length < 2:
            return None
        seen_sof |= marker in _SOF
        pos += 2 + length
        if marker == 0xDA:
            if not seen_sof:
                return None
            seen_sos = True
            found = _entropy_end(r, pos, limit)
            if found is None:
                return None
            pos = found
    return None


def _entropy_end(r: Reader, pos: int, limit: int) -> int | None:
    """The offset of the first real marker after entropy-coded data (stuffed FF00 and RSTn skipped)."""
    while pos < limit:
        chunk = r.at(pos, min(BLOCK, limit - pos) + 1)
        found = _ENTROPY_END.search(chunk)
        if found:
            return pos + found.start()
        if len(chunk) <= 1:
            return None
        pos += len(chunk) - 1
    return None


def _png_end(r: Reader, s: int) -> int | None:
    """Walk PNG chunks from IHDR to IEND, checking every chunk's CRC."""
    pos, limit, first = s + 8, min(r.size, s + MAX_PICTURE), True
    while pos + 12 <= limit:
        head = r.at(pos, 8)
        length, kind = int.from_bytes(head[:4], "big"), head[4:8]
        if len(head) < 8 or not kind.isalpha() or pos + 12 + length > limit:
            return None
        if first and (kind != b"IHDR" or length != 13):
            return None
        if _crc(r, pos + 4, 4 + length) != int.from_bytes(r.at(pos + 8 + length, 4), "big"):
            return None
        pos, first = pos + 12 + length, False
        if kind == b"IEND":
            return pos
    return None


def _crc(r: Reader, offset: int, length: int) -> int:
    crc, end = 0, offset + length
    while offset < end:
        block = r.at(offset, min(BLOCK, end - offset))
        if not block:
            break
        crc = zlib.crc32(block, crc)
        offset += len(block)
    return crc


def _gif_end(r: Reader, s: int) -> int | None:
    """Walk GIF blocks (images, extensions and their sub-blocks) to the trailer."""
    screen = r.at(s + 6, 7)
    if len(screen) < 7:
        return None
    pos, limit, images = s + 13 + _colour_table(screen[4]), min(r.size, s + MAX_PICTURE), 0
    while pos < limit:
        intro = r.at(pos, 1)
        if intro == b"\x3b":
            return pos + 1 if images else None
        if intro == b"\x21":
            pos = _sub_blocks(r, pos + 2, limit)
        elif intro == b"\x2c":
            desc = r.at(pos + 1, 9)
            if len(desc) < 9:
                return None
            images += 1
            pos = _sub_blocks(r, pos + 10 + _colour_table(desc[8]) + 1, limit)
        else:
            return None
        if pos < 0:
            return None
    return None


def _colour_table(packed: int) -> int:
    return 3 * (2 << (packed & 7)) if packed & 0x80 else 0


def _sub_blocks(r: Reader, pos: int, limit: int) -> int:
    """The offset after a chain of GIF data sub-blocks, or -1 when it runs past the limit."""
    while pos < limit:
        size = r.at(pos, 1)
        if not size:
            return -1
        pos += 1 + size[0]
        if size[0] == 0:
            return pos
    return -1


_BMP_DIB = {12, 40, 52, 56, 64, 108, 124}


def _bmp_end(r: Reader, s: int) -> int | None:
    """A BMP's declared size, believed only if the header is sane and the pixels fit inside it."""
    head = r.at(s, 30)
    if len(head) < 30 or head[6:10] != b"\0\0\0\0":
        return None
    size, pixels, dib = (int.from_bytes(head[i:i + 4], "little") for i in (2, 10, 14))
    if dib not in _BMP_DIB or not 26 <= size <= MAX_PICTURE or not 14 + dib <= pixels < size:
        return None
    if dib == 12:
        width, height = int.from_bytes(head[18:20], "little"), int.from_bytes(head[20:22], "little")
        planes, bpp, compression = head[22], int.from_bytes(head[24:26], "little"), 0
    else:
        extra = r.at(s + 30, 4)
        width = int.from_bytes(head[18:22], "little", signed=True)
        height = abs(int.from_bytes(head[22:26], "little", signed=True))
        planes, bpp = head[26], int.from_bytes(head[28:30], "little")
        compression = int.from_bytes(extra, "little") if len(extra) == 4 else -1
    if planes != 1 or bpp not in (1, 4, 8, 16, 24, 32) or not 0 < width <= 65535 or not 0 < height <= 65535:
        return None
    if compression == 0 and pixels + ((width * bpp + 31) // 32) * 4 * height > size:
        return None
    return s + size if s + size <= r.size else None


def _riff_end(r: Reader, s: int, forms: tuple[bytes, ...], cap: int) -> int | None:
    """A RIFF file (WebP, AVI): its declared size, believed when its chunks tile it exactly."""
    head = r.at(s, 12)
    if len(head) < 12 or head[8:12] not in forms:
        return None
    end = s + 8 + int.from_bytes(head[4:8], "little")
    if end - s < 20 or end - s > cap or end > r.size:
        return None
    pos = s + 12
    while pos + 8 <= end:
        length = int.from_bytes(r.at(pos + 4, 4), "little")
        kind = r.at(pos, 4)
        if not all(32 <= c < 127 for c in kind):
            return None
        pos += 8 + length + (length & 1)
    return end if pos in (end, end + 1) else None


_MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"moof", b"mfra",
              b"sidx", b"styp", b"pdin", b"udta", b"pnot", b"prfl", b"emsg", b"ssix", b"prft"}


def _mp4_end(r: Reader, s: int, cap: int) -> int | None:
    """Top-level ISO media boxes from ftyp; the file ends where a box is not one of the known kinds, or
    at a second ftyp: the next file's start (two videos stored back to back were one carved item, the
    second lost inside the first). A file needs both a moov and an mdat to play, so both must be present."""
    pos, seen, limit = s, set(), min(r.size, s + cap)
    while pos + 8 <= limit:
        head = r.at(pos, 16)
        kind, size = head[4:8], int.from_bytes(head[:4], "big")
        if kind not in _MP4_BOXES or (pos == s and not 16 <= size <= 4096) or (pos > s and kind == b"ftyp"):
            break
        if size == 1 and len(head) == 16:
            size = int.from_bytes(head[8:16], "big")
        if size < 8 or pos + size > limit:
            break
        seen.add(kind)
        pos += size
    return pos if {b"moov", b"mdat"} <= seen else None


# ---------------------------------------------------------------------------------------------
# The signature table and the scan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    magic: bytes
    back: int  # how far before the magic the file starts (4 for MP4's size field before "ftyp")
    end: Callable[[Reader, int, int], int | None]  # (reader, start, cap) → end or None


def _picture(walker: Callable[[Reader, int], int | None]) -> Callable[[Reader, int, int], int | None]:
    return lambda r, s, cap: walker(r, s)


SIGNATURES: tuple[Signature, ...] = (
    Signature(b"\xff\xd8\xff", 0, _picture(_jpeg_end)),
    Signature(b"\x89PNG\r\n\x1a\n", 0, _picture(_png_end)),
    Signature(b"GIF87a", 0, _picture(_gif_end)),
    Signature(b"GIF89a", 0, _picture(_gif_end)),
    Signature(b"BM", 0, _picture(_bmp_end)),
    Signature(b"RIFF", 0, lambda r, s, cap: _riff_end(r, s, (b"WEBP",), MAX_PICTURE)
              or _riff_end(r, s, (b"AVI ",), cap)),
    Signature(b"ftyp", 4, _mp4_end),
)
_SPAN = max(len(sig.magic) + sig.back for sig in SIGNATURES)  # bytes a window reads past its end
_NONE = 1 << 62  # "no further hit in this window": never searched again


def _next_hit(data: bytes, start: int, sig: Signature, floor: int) -> int:
    """The first file start ≥ ``floor`` that ``sig`` marks in ``data`` (which begins at ``start``)."""
    at = data.find(sig.magic, floor + sig.back - start)
    return _NONE if at < 0 else start + at - sig.back


def scan(r: Reader, cap: int) -> Iterator[tuple[int, int]]:
    """Every (start, end) of a well-formed file in the reader's bytes, in order, non-overlapping."""
    pos = 0
    while pos < r.size:
        base, win_end = pos, min(r.size, pos + WINDOW)
        data = r.read(base, win_end - base + _SPAN)
        nexts = {sig: _next_hit(data, base, sig, pos) for sig in SIGNATURES}
        while pos < win_end:
            at, sig = min(((a, s) for s, a in nexts.items()), key=lambda pair: pair[0])
            if at >= win_end:
                pos = win_end
                break
            end = sig.end(r, at, cap)
            if end is not None and end > at:
                yield at, end
                pos = end
            else:
                pos = at + 1
            nexts = {s: a if a >= pos else _next_hit(data, base, s, pos) for s, a in nexts.items()}


def _reopened(reopen: Callable[[], BinaryIO], start: int, length: int) -> BinaryIO:
    return Window(reopen(), start, length)  # type: ignore[return-value]


def carve_stream(stream: BinaryIO, parent_ref: ItemRef, region: str, limits: Limits, *,
                 base: int = 0, size: int | None = None,
                 reopen: Callable[[], BinaryIO] | None = None) -> Iterator[Item | ItemWarning]:
    """Carve pictures and videos out of ``stream``.

    ``base`` is the stream's own offset within the parent (offsets in refs and facts are counted
    from the parent's start). ``reopen`` gives each carved item its own fresh stream; without it,
    carved items read through ``stream``, which must then stay open while they are read. A stream
    that cannot seek is first copied to a temporary file (in memory up to ``limits.in_memory``).
    """
    try:
        if not stream.seekable():
            stream = spooled(stream, limits)
            reopen = None
        total = size if size is not None else stream.seek(0, io.SEEK_END)
        r = Reader(stream, total)
        for start, end in scan(r, limits.max_member_size):
            opener = cast(Opener, partial(_reopened, reopen, start, end - start) if reopen
                          else partial(Window, stream, start, end - start))
            yield Item(ref=parent_ref.carved(base + start, region), size=end - start, opener=opener,
                       facts=ItemFacts(state=ItemState.CARVED, offset=base + start))
    except (OSError, ValueError, RuntimeError) as exc:
        yield ItemWarning(parent_ref, "source", f"carving {region} stopped: {type(exc).__name__}: {exc}")


def spooled(stream: BinaryIO, limits: Limits) -> BinaryIO:
    copy = tempfile.SpooledTemporaryFile(max_size=limits.in_memory)  # noqa: SIM115 - lives with items
    shutil.copyfileobj(stream, copy, BLOCK)
    copy.seek(0)
    return copy  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# Carving the content of a file: a picture appended to other bytes, or embedded in a .doc or a PDF
# ---------------------------------------------------------------------------------------------


class ContentSource(EvidenceSource):
    """The pictures and videos carved from one item's bytes, as ``item!content@0xOFFSET``.

    A hit at offset 0 is skipped only if it spans the whole item (the item is itself that file)."""

    name = "carve"

    def __init__(self, item: Item, limits: Limits) -> None:
        self.item, self.limits, self.ref = item, limits, item.ref

    def items(self) -> Iterator[Found]:
        try:
            stream = self.item.open()
        except (OSError, ValueError, RuntimeError) as exc:
            yield ItemWarning(self.ref, "source", f"carving content: cannot open: {exc}")
            return
        if _named_as_image(self.item):
            yield ItemWarning(self.ref, "source", "named as a disk or volume image, but no partition table or file "
                                                  "system was recognised in its first sectors (a damaged boot "
                                                  "sector or superblock?): its content is carved, so names, "
                                                  "folders, deleted state and empty files are not recovered")
        with stream:
            reopen = self.item.opener if stream.seekable() else None
            for found in carve_stream(stream, self.ref, "content", self.limits, reopen=reopen):
                if isinstance(found, Item) and found.facts.offset == 0 and found.size == self.item.size:
                    continue
                yield found


_IMAGE_NAMES = (".dd", ".img", ".raw", ".001", ".image", ".disk")


def _named_as_image(item: Item) -> bool:
    """An item whose name says it is a disk or volume image (x.dd, x.img, x.raw, x.001) and whose size a
    disk's could be (whole sectors, 1 MiB or more): carving it as content is a fallback to say."""
    size = item.size or 0
    return item.ref.name.lower().endswith(_IMAGE_NAMES) and size >= 1 << 20 and size % 512 == 0


_EMBEDDING = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-")  # OLE (.doc, .xls, .ppt, .msg), PDF


def looks_binary(head: bytes) -> bool:
    """Bytes that are not text: a NUL, or not UTF-8. Text files (notes, logs, HTML) are not carved:
    a picture cannot sit in one as raw bytes without making it binary."""
    if b"\0" in head:
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return True
    return False


class ContentCarveFormat(ContainerFormat):
    """Binary files of no recognised type (a picture after random bytes, an OLE .doc, a PDF, a page
    file): their content is carved. Listed last, so that any real container kind wins."""

    name = "carve"

    def sniff(self, head: bytes) -> bool:
        if not head or detect(head) is not None:
            return False
        return head.startswith(_EMBEDDING) or looks_binary(head)

    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        if later_piece(item):  # carved already, as part of the image its first piece reads
            return LaterPiece()
        return ContentSource(item, limits)


class LaterPiece(EvidenceSource):
    """A later piece of a split raw image beside its first (integrity.later_piece): no items of its own.
    The first piece reads it as part of the image, whose walk and carving cover its bytes; opened again
    on its own, a piece that starts like a file system (an ext4 backup superblock) would be walked a
    second time, and any other would be carved a second time."""

    name = "raw-piece"

    def items(self) -> Iterator[Found]:
        return iter(())


# ---------------------------------------------------------------------------------------------
# Where a picture file's own structure ends: bytes after it were appended (a polyglot, a motion photo)
# ---------------------------------------------------------------------------------------------

_PICTURE_SIGNATURES = (*(sig for sig in SIGNATURES if sig.back == 0 and sig.magic != b"RIFF"),
                       Signature(b"RIFF", 0, lambda r, s, cap: _riff_end(r, s, (b"WEBP",), MAX_PICTURE)))


def picture_end(data: bytes) -> int | None:
    """The end (exclusive) of the JPEG, PNG, GIF, BMP or WebP that ``data`` starts with, by walking its
    structure as the carver does; None when it is none of those or its structure is not whole."""
    r = Reader(io.BytesIO(data), len(data))
    for sig in _PICTURE_SIGNATURES:
        if data.startswith(sig.magic):
            return sig.end(r, 0, len(data))
    return None


def video_end(stream: BinaryIO, size: int) -> int | None:
    """The end of the MP4, QuickTime, AVI, Matroska/WebM, FLV or ASF (WMV) file ``stream`` holds, where
    bytes appended to it start; None when nothing follows it, it is no such file, or its structure runs
    past the end (a file cut short: the bytes are its own)."""
    r = Reader(stream, size)
    head = r.at(0, 16)
    if head[:4] == b"RIFF":
        return _avi_end(r, size)
    if head[4:8] == b"ftyp":
        return _boxes_end(r, size)
    for magic, walk in ((_EBML, _ebml_end), (b"FLV\x01", _flv_end), (_ASF_HEADER, _asf_end)):
        if head.startswith(magic):
            end = walk(r, size)
            return end if end is not None and end < size else None
    return None


def _avi_end(r: Reader, size: int) -> int | None:
    """An AVI's declared RIFF size, and the RIFF AVIX parts an OpenDML file over 1 GB adds after it."""
    end = _riff_end(r, 0, (b"AVI ",), size)
    while end is not None and r.at(end, 4) == b"RIFF" and r.at(end + 8, 4) == b"AVIX":
        part = end + 8 + int.from_bytes(r.at(end + 4, 4), "little")
        end = part if part <= size else None
    return end if end is not None and end < size else None


_EBML = b"\x1a\x45\xdf\xa3"  # an EBML header: Matroska, WebM
_SEGMENT = b"\x18\x53\x80\x67"


def _ebml_end(r: Reader, size: int) -> int | None:
    """A Matroska or WebM file: its EBML header, then its Segments, each of its declared size (a Segment
    of unknown size, as a live stream writes it, runs to the end of the file: None). What follows the
    last Segment is not the file's, a second EBML header (another file) included."""
    pos = _ebml_element_end(r, 0, size)
    if pos is None:
        return None
    segments = 0
    while pos < size and r.at(pos, 4) == _SEGMENT:
        pos = _ebml_element_end(r, pos, size)
        if pos is None:
            return None
        segments += 1
    return pos if segments else None


def _ebml_element_end(r: Reader, pos: int, size: int) -> int | None:
    """The end of the four-byte-ID element at ``pos``, by its declared size; None for an unknown size
    (every bit of the value set), a malformed size or one past the end of the file."""
    first = r.at(pos + 4, 1)
    if not first or first[0] == 0:
        return None
    length = 9 - first[0].bit_length()  # the size's bytes: as many as the first byte's leading zeros, plus one
    raw = r.at(pos + 4, length)
    if len(raw) < length:
        return None
    value = int.from_bytes(raw, "big") & ((1 << (7 * length)) - 1)
    if value == (1 << (7 * length)) - 1:
        return None
    end = pos + 4 + length + value
    return end if end <= size else None


def _flv_end(r: Reader, size: int) -> int | None:
    """An FLV file: its header, then tags (audio 8, video 9, script 18), each followed by the size of the
    tag before it; the file ends at the last tag whose trailing size agrees. A tag running past the end
    of the file is a file cut short (None)."""
    pos = int.from_bytes(r.at(5, 4), "big") + 4  # the header's declared size, then PreviousTagSize0
    tags = 0
    while pos + 11 <= size:
        tag = r.at(pos, 11)
        if tag[0] & 0xC0 or tag[0] & 0x1F not in (8, 9, 18):
            break
        data = int.from_bytes(tag[1:4], "big")
        end = pos + 11 + data + 4
        if end > size:
            return None
        if int.from_bytes(r.at(end - 4, 4), "big") != 11 + data:
            break
        pos, tags = end, tags + 1
    return pos if tags else None


_ASF_HEADER = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_ASF_DATA = bytes.fromhex("3626b2758e66cf11a6d900aa0062ce6c")
_ASF_INDEXES = {bytes.fromhex(g) for g in ("90080033b1e5cf1189f400a0c90349cb",  # Simple Index
                                           "d329e2d6da35d111903400a0c90349be",  # Index
                                           "f803b1fead12644c840f2a1d2f7ad48c",  # Media Object Index
                                           "d03fb73c4a0c0348953dedf7b6228f0c")}  # Timecode Index


def _asf_end(r: Reader, size: int) -> int | None:
    """An ASF file (WMV, WMA): its Header Object, its Data Object, then any of the index objects the
    format defines, each of its declared size (16-byte GUID, 8-byte size)."""
    pos, expected = 0, [_ASF_HEADER, _ASF_DATA]  # the objects that must come first, in order
    while pos + 24 <= size:
        head = r.at(pos, 24)
        guid, length = head[:16], int.from_bytes(head[16:24], "little")
        if (guid != expected[0] if expected else guid not in _ASF_INDEXES) or length < 24:
            break
        if pos + length > size:
            return None
        pos, expected = pos + length, expected[1:]
    return pos if not expected else None


def _boxes_end(r: Reader, size: int) -> int | None:
    """An MP4 or QuickTime file's top-level boxes: a box of a kind the carver does not know is still the
    file's (its type is four printable characters and it fits); a second ftyp is the next file."""
    pos = 0
    while pos + 8 <= size:
        head = r.at(pos, 16)
        kind, length = head[4:8], int.from_bytes(head[:4], "big")
        if length == 1 and len(head) == 16:
            length = int.from_bytes(head[8:16], "big")
        if length == 0:  # "to the end of the file"
            return None
        if not all(0x20 < b < 0x7F for b in kind) or length < 8 or (pos > 0 and kind == b"ftyp"):
            break
        if pos + length > size:
            return None
        pos += length
    return pos if pos < size else None


class AppendedSource(EvidenceSource):
    """What follows the end of a picture inside its file (see ``picture_end``): one item
    ``picture!content@0xEND`` when it is of a type footprint knows (a ZIP, an MP4, another picture),
    opened and walked like any item; else the pictures and videos carved from it."""

    name = "appended"

    def __init__(self, item: Item, end: int, limits: Limits) -> None:
        self.item, self.end, self.limits, self.ref = item, end, limits, item.ref

    def items(self) -> Iterator[Found]:
        try:
            stream = self.item.open()
            total = stream.seek(0, io.SEEK_END)
            stream.seek(self.end)
            head = stream.read(1 << 16)
        except (OSError, ValueError, RuntimeError) as exc:
            yield ItemWarning(self.ref, "source", f"appended bytes: cannot open: {exc}")
            return
        with stream:
            length = total - self.end
            if detect(head) is not None:
                opener = cast(Opener, partial(_reopened, self.item.opener, self.end, length))
                yield Item(ref=self.ref.carved(self.end, "content"), size=length, opener=opener,
                           facts=ItemFacts(state=ItemState.CARVED, offset=self.end))
                return
            window = cast(BinaryIO, Window(stream, self.end, length))
            reopen = cast(Callable[[], BinaryIO], partial(_reopened, self.item.opener, self.end, length))
            yield from carve_stream(window, self.ref, "content", self.limits, base=self.end, size=length,
                                    reopen=reopen)
