"""Benign generated JPEGs carrying EXIF camera facts (make, model, serials, time, GPS), for the EXIF
and links tests. Pixels come from hasher_pictures.picture (smooth fields and shapes, PDQ quality 100)."""

from __future__ import annotations

import io
from collections.abc import Mapping

from hasher_pictures import picture
from PIL import Image

EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def dms(degrees: float) -> tuple[float, float, float]:
    """Unsigned decimal degrees as (degrees, minutes, seconds)."""
    whole = int(degrees)
    minutes = (degrees - whole) * 60
    return float(whole), float(int(minutes)), round((minutes - int(minutes)) * 60, 4)


def camera_exif(make: str | None = "Canon", model: str | None = "EOS 5D", serial: str | None = "123456",
                taken: str | None = "2024:05:01 12:30:00", offset: str | None = None,
                position: tuple[float, float] | None = None, altitude: float | None = None,
                main: Mapping[int, object] = (), sub: Mapping[int, object] = (),
                gps: Mapping[int, object] = ()) -> Image.Exif:
    """An EXIF block: IFD0 make/model, Exif IFD serial/time, GPS IFD position; extra raw tags win."""
    exif = Image.Exif()
    for tag, value in ((0x010F, make), (0x0110, model)):
        if value is not None:
            exif[tag] = value
    exif.update(dict(main))
    exif_ifd = exif.get_ifd(EXIF_IFD)
    for tag, value in ((0xA431, serial), (0x9003, taken), (0x9011, offset)):
        if value is not None:
            exif_ifd[tag] = value
    exif_ifd.update(dict(sub))
    gps_ifd = exif.get_ifd(GPS_IFD)
    if position is not None:
        lat, lon = position
        gps_ifd.update({1: "N" if lat >= 0 else "S", 2: dms(abs(lat)), 3: "E" if lon >= 0 else "W", 4: dms(abs(lon))})
    if altitude is not None:
        gps_ifd.update({5: b"\x00" if altitude >= 0 else b"\x01", 6: abs(altitude)})
    gps_ifd.update(dict(gps))
    return exif


def camera_jpeg(seed: int = 0, exif: Image.Exif | None = None, size: tuple[int, int] = (320, 240),
                image: Image.Image | None = None) -> bytes:
    """A JPEG of ``picture(seed)`` (or ``image``) with ``exif`` (a default Canon block when None)."""
    out = io.BytesIO()
    (image or picture(*size, seed=seed)).save(out, "JPEG", quality=90,
                                              exif=exif if exif is not None else camera_exif())
    return out.getvalue()


# -- hand-built EXIF: wrong types and damage Pillow's writer would never produce ---------------

ASCII, SHORT, LONG, RATIONAL, UNDEFINED = 2, 3, 4, 5, 7
_SIZES = {1: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1}
Entry = tuple[int, int, int, bytes]  # tag, type, count, raw little-endian value


def ascii_entry(tag: int, text: str) -> Entry:
    raw = text.encode("latin-1") + b"\x00"
    return tag, ASCII, len(raw), raw


def short_entry(tag: int, *values: int) -> Entry:
    return tag, SHORT, len(values), b"".join(v.to_bytes(2, "little") for v in values)


def rational_entry(tag: int, *pairs: tuple[int, int]) -> Entry:
    return tag, RATIONAL, len(pairs), b"".join(n.to_bytes(4, "little") + d.to_bytes(4, "little") for n, d in pairs)


def raw_exif(main: list[Entry], exif: list[Entry] | None = None, gps: list[Entry] | None = None) -> bytes:
    """An APP1 EXIF payload (little-endian TIFF) laid out by hand: IFD0, then the Exif and GPS IFDs."""
    main = list(main)
    subs = [(EXIF_IFD, exif), (GPS_IFD, gps)]
    main += [(tag, LONG, 1, b"\x00" * 4) for tag, entries in subs if entries is not None]
    ifds = [main] + [entries for _, entries in subs if entries is not None]
    sizes = [2 + 12 * len(ifd) + 4 + sum(len(e[3]) + len(e[3]) % 2 for e in ifd if len(e[3]) > 4) for ifd in ifds]
    offsets = [8 + sum(sizes[:i]) for i in range(len(ifds))]
    pointer = dict(zip([tag for tag, entries in subs if entries is not None], offsets[1:], strict=True))
    out = bytearray(b"II*\x00" + (8).to_bytes(4, "little"))
    for ifd, start in zip(ifds, offsets, strict=True):
        ifd = [(t, ty, c, pointer[t].to_bytes(4, "little")) if t in pointer and ifd is main else (t, ty, c, v)
               for t, ty, c, v in ifd]
        data_at = start + 2 + 12 * len(ifd) + 4
        head, data = bytearray(len(ifd).to_bytes(2, "little")), bytearray()
        for tag, type_, count, value in sorted(ifd):
            head += tag.to_bytes(2, "little") + type_.to_bytes(2, "little") + count.to_bytes(4, "little")
            if len(value) <= 4:
                head += value.ljust(4, b"\x00")
            else:
                head += (data_at + len(data)).to_bytes(4, "little")
                data += value + b"\x00" * (len(value) % 2)
        out += head + b"\x00\x00\x00\x00" + data
    return b"Exif\x00\x00" + bytes(out)
