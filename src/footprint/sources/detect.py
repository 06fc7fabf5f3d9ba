"""Media type detection from content only.

A suspect renames ``holiday.jpg`` to ``tax.dat``; the extension is the one thing about a file that
costs nothing to fake, so it is never consulted here. ``detect`` looks at the first bytes (the head,
64 KiB or fewer) and answers a media type or ``None``. Each kind is one row of ``SIGNATURES``: a
media type and a test of the head. Rows are tried in order; the first that fits wins.
"""

from __future__ import annotations

from collections.abc import Callable

Test = Callable[[bytes], str | None]

HEAD_SIZE = 64 * 1024  # how much of an item callers should read for detect() and sniff()


def _magic(media_type: str, magic: bytes, at: int = 0) -> Test:
    """A test that fits when ``magic`` sits at offset ``at``."""

    def test(head: bytes) -> str | None:
        return media_type if head[at:at + len(magic)] == magic else None

    return test


def _any_magic(media_type: str, *magics: bytes) -> Test:
    def test(head: bytes) -> str | None:
        return media_type if any(head.startswith(m) for m in magics) else None

    return test


# ---------------------------------------------------------------------------------------------
# Tests that need more than a fixed magic
# ---------------------------------------------------------------------------------------------

_BMP_DIB_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}


def _bmp(head: bytes) -> str | None:
    """``BM`` alone is too weak (plain text starts so); the DIB header size must be a known one."""
    if head[:2] != b"BM" or len(head) < 18:
        return None
    return "image/bmp" if int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES else None


def _icon(head: bytes) -> str | None:
    """Windows icons (``00 00 01 00``) and cursors (``00 00 02 00``) have no magic of their own beyond
    those four bytes, which other binary files start with too: every directory entry in the head must
    be plausible (reserved byte 0, a non-empty image, stored after the directory). A cursor holding PNG
    images is left undetected: Pillow cannot decode one, and the carver finds its PNG instead."""
    kind = {b"\0\0\1\0": "image/vnd.microsoft.icon", b"\0\0\2\0": "image/x-win-cursor"}.get(head[:4])
    count = int.from_bytes(head[4:6], "little")
    if kind is None or not 1 <= count <= 64 or len(head) < 6 + 16 * count:
        return None
    for at in range(6, 6 + 16 * count, 16):
        size, offset = int.from_bytes(head[at + 8:at + 12], "little"), int.from_bytes(head[at + 12:at + 16], "little")
        if head[at + 3] != 0 or size < 8 or offset < 6 + 16 * count:
            return None
        if kind == "image/vnd.microsoft.icon" and int.from_bytes(head[at + 6:at + 8], "little") not in _ICON_BITS:
            return None
        if kind == "image/x-win-cursor" and head[offset:offset + 4] == b"\x89PNG":
            return None
    return kind


_ICON_BITS = {0, 1, 2, 4, 8, 16, 24, 32}


def _riff(head: bytes) -> str | None:
    if head[:4] != b"RIFF":
        return None
    return {b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}.get(head[8:12])


_HEIF_IMAGE_BRANDS = {
    b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
    b"hevc": "image/heic-sequence", b"hevx": "image/heic-sequence",
    b"avif": "image/avif", b"avis": "image/avif",
    b"mif1": "image/heif", b"msf1": "image/heif-sequence",
}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def _ftyp_brands(head: bytes) -> list[bytes]:
    """The major brand, then the compatible brands of an ISO base media ``ftyp`` box."""
    size = int.from_bytes(head[:4], "big")
    end = min(size if 16 <= size <= 4096 else 16, len(head))
    brands = [head[8:12]]
    brands += [head[i:i + 4] for i in range(16, end - 3, 4)]
    return brands


def _iso_media(head: bytes) -> str | None:
    """ISO base media files: HEIF/AVIF stills, MP4, QuickTime, 3GPP, told apart by ftyp brands."""
    if head[4:8] != b"ftyp" or len(head) < 12:
        return _bare_quicktime(head)
    brands = _ftyp_brands(head)
    major = brands[0]
    if major in _HEIF_IMAGE_BRANDS:
        return _heif_refined(major, brands)
    if major == b"qt  ":
        return "video/quicktime"
    if major.startswith(b"3gp"):
        return "video/3gpp"
    if major.startswith(b"3g2"):
        return "video/3gpp2"
    if major in _AUDIO_BRANDS:
        return "audio/mp4"
    return "video/mp4"


def _heif_refined(major: bytes, brands: list[bytes]) -> str:
    """``mif1`` only says "HEIF"; a compatible ``heic``/``avif`` brand says which codec."""
    if major in (b"mif1", b"msf1"):
        for brand in brands[1:]:
            if brand in (b"heic", b"heix", b"avif"):
                return _HEIF_IMAGE_BRANDS[brand]
    return _HEIF_IMAGE_BRANDS[major]


_QT_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _bare_quicktime(head: bytes) -> str | None:
    """Old QuickTime files have no ftyp box; they start straight with a known atom."""
    if len(head) >= 8 and head[4:8] in _QT_ATOMS and int.from_bytes(head[:4], "big") >= 8:
        return "video/quicktime"
    return None


def _ebml(head: bytes) -> str | None:
    """Matroska and WebM share EBML; the DocType element (0x4282) in the header tells them apart."""
    if head[:4] != b"\x1a\x45\xdf\xa3":
        return None
    header = head[:64]
    at = header.find(b"\x42\x82")
    if at >= 0 and b"webm" in header[at:at + 16]:
        return "video/webm"
    return "video/x-matroska"


def _mpeg_ts(head: bytes) -> str | None:
    """Transport streams: a 0x47 sync byte every 188 bytes (192 with the M2TS time code prefix)."""
    for start, stride in ((0, 188), (4, 192)):
        packets = min(5, (len(head) - start) // stride)
        if packets >= 3 and all(head[start + i * stride] == 0x47 for i in range(packets)):
            return "video/mp2t"
    return None


def _bzip2(head: bytes) -> str | None:
    """``BZh`` + level digit, then the block magic (pi) or the end-of-stream magic (sqrt pi)."""
    if head[:3] != b"BZh" or head[3:4] not in b"123456789" or len(head) < 10:
        return None
    return "application/x-bzip2" if head[4:10] in (b"1AY&SY", b"\x17rE8P\x90") else None


def _tar(head: bytes) -> str | None:
    """POSIX/GNU tar say ``ustar`` at 257; old V7 tar only has a header checksum to go by."""
    if len(head) < 512:
        return None
    if head[257:262] == b"ustar":
        return "application/x-tar"
    return "application/x-tar" if tar_checksum_ok(head[:512]) else None


def tar_checksum_ok(block: bytes) -> bool:
    """True if a 512-byte block is a tar header whose stored checksum matches its bytes."""
    if len(block) < 512 or block[0] == 0 or not block[:100].rstrip(b"\0").isascii():
        return False
    field = block[148:156].replace(b"\0", b" ").strip()
    if not field or any(c not in b"01234567" for c in field):
        return False
    stored = int(field, 8)
    rest = block[:148] + block[156:512]
    unsigned = sum(rest) + 8 * 32  # the checksum field itself counts as eight spaces
    signed = unsigned - 256 * sum(1 for b in rest if b >= 128)  # some old tars summed signed chars
    return stored in (unsigned, signed)


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------

SIGNATURES: tuple[tuple[str, Test], ...] = (
    ("jpeg", _magic("image/jpeg", b"\xff\xd8\xff")),
    ("png", _magic("image/png", b"\x89PNG\r\n\x1a\n")),
    ("gif", _any_magic("image/gif", b"GIF87a", b"GIF89a")),
    ("bmp", _bmp),
    ("tiff", _any_magic("image/tiff", b"II*\0", b"MM\0*", b"II+\0", b"MM\0+")),
    ("riff", _riff),
    ("icon", _icon),
    ("jpeg2000", _any_magic("image/jp2", b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")),
    ("psd", _magic("image/vnd.adobe.photoshop", b"8BPS\x00\x01")),  # version 1: Pillow reads no PSB (2)
    ("iso-media", _iso_media),
    ("ebml", _ebml),
    ("asf", _magic("video/x-ms-wmv", b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c")),
    ("flv", _magic("video/x-flv", b"FLV\x01")),
    ("mpeg-ps", _any_magic("video/mpeg", b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")),
    ("mpeg-ts", _mpeg_ts),
    ("zip", _any_magic("application/zip", b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")),
    ("7z", _magic("application/x-7z-compressed", b"7z\xbc\xaf\x27\x1c")),
    ("gzip", _magic("application/gzip", b"\x1f\x8b\x08")),
    ("bzip2", _bzip2),
    ("xz", _magic("application/x-xz", b"\xfd7zXZ\x00")),
    ("ewf", _any_magic("application/x-ewf", b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\x0d\x0a\x81\x00")),
    ("tar", _tar),
)


def detect(head: bytes) -> str | None:
    """The media type of content starting with ``head``, or None when no signature fits."""
    for _name, test in SIGNATURES:
        found = test(head)
        if found:
            return found
    return None


def is_image(media_type: str | None) -> bool:
    return media_type is not None and media_type.startswith("image/")


def is_video(media_type: str | None) -> bool:
    return media_type is not None and media_type.startswith("video/")
