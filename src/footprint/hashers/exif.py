"""Camera facts from a picture's EXIF: make, model, serial numbers, when and where it was taken.

A pure function of an image Pillow has already opened (the one decode a scan makes, see decode.py):
no second read. EXIF is written by whoever made the file, so it is hostile input like the rest:
a block that does not parse, a value of the wrong type, a latitude of 95 degrees or a time zone of
+31:00 becomes a warning string and the value is left out; nothing here raises.

What an investigator can rely on, and so what is kept:

* **Serials.** BodySerialNumber (0xA431) first, else the DNG CameraSerialNumber (0xC62F); the lens
  serial (0xA435); the owner name (0xA430). Kept as written (trimmed); placeholders such as
  ``0000000000`` are kept here and ignored where links are made (intel/links.py).
* **Time.** DateTimeOriginal is the camera's clock, a local time. With OffsetTimeOriginal it is
  placed in UTC; without one it stays zoneless (``taken_utc`` None), never assumed to be UTC.
* **Place.** GPS degrees/minutes/seconds with their N/S/E/W references, as signed decimal degrees.
  A position without its reference (hemisphere unknown), out of range, or exactly 0,0 (what
  devices without a fix often write) is left out with a warning: a wrong place links wrong people.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from warnings import catch_warnings, simplefilter

from PIL import Image

from footprint.model import CameraFacts

EXIF_IFD = 0x8769
GPS_IFD = 0x8825

MAKE, MODEL, SOFTWARE = 0x010F, 0x0110, 0x0131
DATE_TAKEN, OFFSET_TAKEN = 0x9003, 0x9011
OWNER, BODY_SERIAL, LENS_SERIAL = 0xA430, 0xA431, 0xA435
CAMERA_SERIAL = 0xC62F  # DNG, in IFD0

LAT_REF, LAT, LON_REF, LON, ALT_REF, ALT = 1, 2, 3, 4, 5, 6

MAX_TEXT = 200  # longer "names" are not what a camera writes: cut, with a warning
ALTITUDE_RANGE = (-12_000.0, 100_000.0)  # below the deepest ocean or above the Karman line: not a photo
_DATE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_NO_DATE = re.compile(r"[0: ]*")  # "0000:00:00 00:00:00" and blanks: a camera with no clock set


def read_camera(image: Image.Image) -> tuple[CameraFacts | None, list[str]]:
    """The camera facts of an opened picture (None when it has none), and warnings about its EXIF."""
    warnings: list[str] = []
    with catch_warnings(record=True) as said:  # Pillow reports a damaged block as Python warnings
        simplefilter("always")
        try:
            exif = _exif(image)
            main = _ifd(exif, None, warnings)
            sub = _ifd(exif, EXIF_IFD, warnings)
            gps = _ifd(exif, GPS_IFD, warnings)
        except Exception as exc:  # a block that does not parse: hostile input can raise anything
            return None, [f"EXIF unreadable: {_describe(exc)}"]
    warnings[:0] = sorted({f"EXIF damaged: {str(w.message).strip()[:200]}" for w in said})
    if not (main or sub or gps):
        return None, warnings
    tags = {**main, **sub}  # a few writers put Exif-IFD tags in IFD0: either place will do
    text = _TextReader(tags, warnings)
    taken_text, taken_utc = _taken(tags, warnings)
    latitude, longitude = _position(gps, warnings)
    facts = CameraFacts(
        make=text(MAKE, "make"), model=text(MODEL, "model"),
        serial=text(BODY_SERIAL, "body serial") or text(CAMERA_SERIAL, "camera serial"),
        lens_serial=text(LENS_SERIAL, "lens serial"), taken_text=taken_text, taken_utc=taken_utc,
        latitude=latitude, longitude=longitude, altitude=_altitude(gps, warnings),
        software=text(SOFTWARE, "software"), owner=text(OWNER, "owner name"))
    return (facts if facts != CameraFacts() else None), warnings


def _exif(image: Image.Image) -> Image.Exif:
    """The EXIF block parsed here, from its bytes when the format keeps them (JPEG, WebP, PNG eXIf):
    the opener may already have parsed it, and its complaints must reach the warnings of this item."""
    raw = image.info.get("exif")
    if isinstance(raw, bytes):
        exif = Image.Exif()
        exif.load(raw)
        return exif
    return image.getexif()


def _ifd(exif: Image.Exif, tag: int | None, warnings: list[str]) -> dict[int, Any]:
    """IFD0 (``tag`` None) or a sub-IFD as a plain dict; a damaged one is a warning and empty."""
    try:
        found = exif if tag is None else exif.get_ifd(tag)
        return dict(found.items()) if isinstance(found, Mapping) else {}
    except Exception as exc:
        name = {None: "IFD0", EXIF_IFD: "Exif IFD", GPS_IFD: "GPS IFD"}[tag]
        warnings.append(f"EXIF {name} unreadable: {_describe(exc)}")
        return {}


class _TextReader:
    """Reads ASCII tags: bytes decoded, NULs and spaces trimmed, wrong types and junk refused."""

    def __init__(self, tags: Mapping[int, Any], warnings: list[str]) -> None:
        self._tags, self._warnings = tags, warnings

    def __call__(self, tag: int, name: str) -> str | None:
        value = self._tags.get(tag)
        if value is None:
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if not isinstance(value, str):
            self._warnings.append(f"EXIF {name} is not text ({type(value).__name__}): ignored")
            return None
        value = value.replace("\x00", " ").strip()
        if not value.isprintable():
            self._warnings.append(f"EXIF {name} holds control characters: ignored")
            return None
        if len(value) > MAX_TEXT:
            self._warnings.append(f"EXIF {name} is {len(value)} characters long: cut to {MAX_TEXT}")
            value = value[:MAX_TEXT]
        return value or None


def _taken(tags: Mapping[int, Any], warnings: list[str]) -> tuple[str | None, datetime | None]:
    """DateTimeOriginal as ISO text (with its offset when known) and, only with an offset, in UTC."""
    raw = _TextReader(tags, warnings)(DATE_TAKEN, "DateTimeOriginal")
    if raw is None or _NO_DATE.fullmatch(raw):
        return None, None
    found = _DATE.fullmatch(raw)
    try:
        year, month, day, hour, minute, second = (int(part) for part in found.groups()) if found else (0,) * 6
        local = datetime(year, month, day, hour, minute, second) if found else None
    except ValueError:
        local = None
    if local is None:
        warnings.append(f"EXIF DateTimeOriginal {raw[:40]!r} is not a date: ignored")
        return None, None
    zone = _zone(_TextReader(tags, warnings)(OFFSET_TAKEN, "OffsetTimeOriginal"), warnings)
    if zone is None:
        return local.isoformat(), None
    placed = local.replace(tzinfo=zone)
    return placed.isoformat(), placed.astimezone(UTC)


def _zone(text: str | None, warnings: list[str]) -> timezone | None:
    if text is None:
        return None
    found = _OFFSET.fullmatch(text)
    if found is None or int(found.group(2)) > 14 or int(found.group(3)) >= 60:
        warnings.append(f"EXIF OffsetTimeOriginal {text[:20]!r} is not a UTC offset: time kept without zone")
        return None
    minutes = int(found.group(2)) * 60 + int(found.group(3))
    return timezone(timedelta(minutes=-minutes if found.group(1) == "-" else minutes))


def _position(gps: Mapping[int, Any], warnings: list[str]) -> tuple[float | None, float | None]:
    """Signed decimal degrees, or (None, None) when either half is missing or impossible."""
    if LAT not in gps and LON not in gps:
        return None, None
    if LAT not in gps or LON not in gps:
        warnings.append("EXIF GPS position has only one coordinate: not recorded")
        return None, None
    latitude = _coordinate(gps, LAT, LAT_REF, "NS", 90.0, "latitude", warnings)
    longitude = _coordinate(gps, LON, LON_REF, "EW", 180.0, "longitude", warnings)
    if latitude is None or longitude is None:
        return None, None
    if latitude == 0.0 and longitude == 0.0:
        warnings.append("EXIF GPS position 0,0 (a device without a fix): not recorded")
        return None, None
    return latitude, longitude


def _coordinate(gps: Mapping[int, Any], tag: int, ref_tag: int, refs: str, limit: float, name: str,
                warnings: list[str]) -> float | None:
    value = gps.get(tag)
    if value is None:
        return None
    degrees = _degrees(value)
    if degrees is None or degrees > limit:
        warnings.append(f"EXIF GPS {name} {_short(value)} is impossible: position not recorded")
        return None
    ref = gps.get(ref_tag)
    ref = ref.decode("ascii", errors="replace") if isinstance(ref, bytes) else ref
    ref = ref.replace("\x00", "").strip().upper() if isinstance(ref, str) else None
    if not ref or ref not in refs:
        warnings.append(f"EXIF GPS {name} without a valid hemisphere ({_short(gps.get(ref_tag))}): "
                        "position not recorded")
        return None
    return round(-degrees if ref == refs[1] else degrees, 7)


def _degrees(value: Any) -> float | None:
    """(degrees, minutes, seconds) rationals as decimal degrees; None when any part is impossible."""
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    numbers = [_number(part) for part in parts]
    if any(n is None or n < 0 for n in numbers):
        return None
    if any(n >= 60 for n in numbers[1:] if n is not None):
        return None
    return sum((n or 0.0) / 60 ** i for i, n in enumerate(numbers))


def _altitude(gps: Mapping[int, Any], warnings: list[str]) -> float | None:
    value = gps.get(ALT)
    if value is None:
        return None
    metres = _number(value[0] if isinstance(value, tuple | list) and len(value) == 1 else value)
    ref = gps.get(ALT_REF, 0)
    ref = ref[0] if isinstance(ref, bytes) and len(ref) == 1 else ref
    if metres is None or metres < 0 or ref not in (0, 1):
        warnings.append(f"EXIF GPS altitude {_short(value)} (reference {_short(ref)}) is not a height: ignored")
        return None
    metres = -metres if ref == 1 else metres
    if not ALTITUDE_RANGE[0] <= metres <= ALTITUDE_RANGE[1]:
        warnings.append(f"EXIF GPS altitude {metres:.0f} m is impossible: ignored")
        return None
    return round(metres, 2)


def _number(value: Any) -> float | None:
    """A finite float from an EXIF rational or number; None for anything else (NaN, 1/0, text)."""
    if isinstance(value, bool | str | bytes):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _short(value: Any) -> str:
    return repr(value)[:60]


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
