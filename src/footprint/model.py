"""The nouns every layer shares: item addresses, items, digests, known entries, matches, warnings.

Plain frozen dataclasses with no behaviour beyond formatting and parsing, so that every layer can
import them and none depends on another layer through them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import BinaryIO

# ---------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------

_ESCAPES = {"%": "%25", "!": "%21", "\n": "%0A", "\r": "%0D", "\t": "%09"}


def escape_part(text: str) -> str:
    """Escape one layer's path so that ``!`` always means "step into a container", and so that no
    character that does not print (a control, a bidirectional override such as U+202E, a lone surrogate
    from a name that was not UTF-8) hides in it: ``%XX``, the character's code up to U+00FF, above it
    the bytes of its UTF-8 (unescape_part reads both back)."""
    if text.isprintable() and "%" not in text and "!" not in text:
        return text  # nothing to escape: most names, and this runs for every item
    return "".join(_ESCAPES.get(ch, ch) if (ch in _ESCAPES or ch.isprintable()) else _escaped(ch) for ch in text)


def printable(text: str) -> str:
    """Text to show or record that is not an address (a user name as typed, a platform's value): every
    character that does not print escaped as escape_part escapes it, ``%`` and ``!`` left as they are."""
    return text if text.isprintable() else "".join(ch if ch.isprintable() else _escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    if ord(ch) <= 0xFF:
        return f"%{ord(ch):02X}"
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


def unescape_part(text: str) -> str:
    """escape_part's text back. A run of ``%XX`` is read byte by byte: a byte from 0xC2 up that starts a
    whole UTF-8 character is that character (no character escaped by its own code is that high: they
    are controls and spaces), any other byte the character of that code."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "%" and _is_hex(text[i + 1:i + 3]):
            codes = bytearray()
            while text[i:i + 1] == "%" and _is_hex(text[i + 1:i + 3]):
                codes.append(int(text[i + 1:i + 3], 16))
                i += 3
            out.append(_characters(bytes(codes)))
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


_UTF8_LENGTH = {0xC: 2, 0xD: 2, 0xE: 3, 0xF: 4}  # by a lead byte's high four bits


def _characters(codes: bytes) -> str:
    out, k = [], 0
    while k < len(codes):
        length = _UTF8_LENGTH.get(codes[k] >> 4, 1) if codes[k] >= 0xC2 and codes[k] <= 0xF4 else 1
        try:
            out.append(codes[k:k + length].decode("utf-8", "surrogatepass") if length > 1 else chr(codes[k]))
        except UnicodeDecodeError:  # not a whole UTF-8 character: the byte's own character
            out.append(chr(codes[k]))
            length = 1
        k += length
    return "".join(out)


def _is_hex(pair: str) -> bool:
    return len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair)


@dataclass(frozen=True, order=True)
class ItemRef:
    """The full address of an item: one path per layer, outermost first.

    ``str(ref)`` is the canonical form stored in the database and printed everywhere:
    ``evidence/x.zip!holiday/1.jpg`` (``!`` steps into a container, such as an archive, a
    partition or a carved region ``!unallocated@0x3f2a00``). Characters ``!`` and ``%`` inside a
    name are percent-escaped so the form parses back exactly.
    """

    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.parts:
            raise ValueError("an ItemRef needs at least one part")

    def __str__(self) -> str:
        return "!".join(escape_part(p) for p in self.parts)

    @classmethod
    def parse(cls, text: str) -> ItemRef:
        return cls(tuple(unescape_part(p) for p in text.split("!")))

    @classmethod
    def root(cls, name: str) -> ItemRef:
        return cls((name,))

    def join(self, name: str) -> ItemRef:
        """A path inside the same layer: ``folder`` → ``folder/name``."""
        last = self.parts[-1]
        joined = f"{last.rstrip('/')}/{name}" if last else name
        return ItemRef((*self.parts[:-1], joined))

    def enter(self, inner_path: str) -> ItemRef:
        """Step into this item as a container: ``x.zip`` → ``x.zip!inner_path``."""
        return ItemRef((*self.parts, inner_path))

    def carved(self, offset: int, region: str = "unallocated") -> ItemRef:
        return self.enter(f"{region}@0x{offset:x}")

    @property
    def depth(self) -> int:
        """How many containers deep the item sits (0 for an item of the evidence itself)."""
        return len(self.parts) - 1

    @property
    def parent_container(self) -> ItemRef | None:
        return ItemRef(self.parts[:-1]) if len(self.parts) > 1 else None

    @property
    def name(self) -> str:
        return self.parts[-1].rstrip("/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


class ItemState(StrEnum):
    """Whether the suspect could reach the item: reported apart, as UK law requires."""

    ALLOCATED = "allocated"
    DELETED = "deleted"
    CARVED = "carved"


@dataclass(frozen=True)
class ItemFacts:
    """File-system facts about an item, as far as its source knows them (UTC timestamps)."""

    state: ItemState = ItemState.ALLOCATED
    inode: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    accessed: datetime | None = None
    changed: datetime | None = None
    offset: int | None = None  # byte offset within the parent, for carved items

    def as_dict(self) -> dict[str, object]:
        def iso(t: datetime | None) -> str | None:
            return t.isoformat() if t else None

        return {
            "state": self.state.value,
            "inode": self.inode,
            "created": iso(self.created),
            "modified": iso(self.modified),
            "accessed": iso(self.accessed),
            "changed": iso(self.changed),
            "offset": self.offset,
        }


@dataclass(frozen=True)
class CameraFacts:
    """What a picture's EXIF says about the camera that took it, and when and where (hashers/exif.py).

    Text is as written (trimmed). ``taken_text`` is DateTimeOriginal in ISO form, with its
    OffsetTimeOriginal when the file has one; ``taken_utc`` is set only then: a camera's clock
    without a zone is local time somewhere, never UTC. Positions are decimal degrees (south and
    west negative), altitude metres above sea level; impossible values are left out.
    """

    make: str | None = None
    model: str | None = None
    serial: str | None = None  # body serial (0xA431), else the DNG camera serial (0xC62F)
    lens_serial: str | None = None
    taken_text: str | None = None
    taken_utc: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    software: str | None = None
    owner: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"make": self.make, "model": self.model, "serial": self.serial, "lens_serial": self.lens_serial,
                "taken_text": self.taken_text,
                "taken_utc": self.taken_utc.isoformat() if self.taken_utc else None,
                "latitude": self.latitude, "longitude": self.longitude, "altitude": self.altitude,
                "software": self.software, "owner": self.owner}


Opener = Callable[[], BinaryIO]


@dataclass(frozen=True)
class Item:
    """One file-like thing found in the evidence: its address, size, facts and a way to read it.

    ``open()`` returns a fresh binary stream each time; the caller closes it. Streams of items in
    archives are not always seekable.
    """

    ref: ItemRef
    size: int | None
    opener: Opener = field(repr=False, compare=False)
    facts: ItemFacts = ItemFacts()
    # The item's own file on the local file system, when it is one: lets a format that spans
    # several files (split raw images, E01 segments) find its siblings.
    path: str | None = field(default=None, compare=False)

    def open(self) -> BinaryIO:
        return self.opener()


@dataclass(frozen=True)
class ItemWarning:
    """Bad evidence is data: a problem met on one item, recorded and reported, never a crash."""

    ref: ItemRef
    stage: str  # "source", "read", "hash", "decode", "match", ...
    message: str
    # where the warning stands for an entry that gives no item (a deleted name whose content is gone), that
    # entry's state: the warning's record is counted with the deleted, not the live, files
    state: ItemState | None = None


# ---------------------------------------------------------------------------------------------
# Digests
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """An explicit "no hash", with the reason that reaches the report. Never an empty string."""

    reason: str


@dataclass(frozen=True)
class PerceptualDigest:
    """A perceptual hash (hex) with its quality, plus the dihedral variants used for querying."""

    algorithm: str
    value: str
    quality: int
    variants: tuple[str, ...] = ()  # the eight rotations/flips, value first when present


@dataclass(frozen=True)
class Digests:
    """Everything the hashers produced for one item, from one read of its bytes."""

    size: int
    crypto: Mapping[str, str]  # algorithm name → lower-case hex
    perceptual: Mapping[str, PerceptualDigest | Skipped] = field(default_factory=dict)
    media_type: str | None = None  # detected from content, e.g. "image/jpeg"


# ---------------------------------------------------------------------------------------------
# Known lists and matches
# ---------------------------------------------------------------------------------------------


class CategoryScheme(StrEnum):
    UK = "uk"  # A, B, C, N (not indecent)
    VICS = "vics"  # 0-4 (Project VIC)


UK_CODES = ("A", "B", "C", "N")
VICS_CODES = ("0", "1", "2", "3", "4")


@dataclass(frozen=True, order=True)
class Category:
    scheme: CategoryScheme
    code: str

    def __post_init__(self) -> None:
        allowed = UK_CODES if self.scheme is CategoryScheme.UK else VICS_CODES
        if self.code not in allowed:
            raise ValueError(f"category {self.code!r} is not in the {self.scheme.value} scheme")

    def __str__(self) -> str:
        return f"{self.scheme.value}:{self.code}"

    @classmethod
    def parse(cls, text: str) -> Category:
        scheme, _, code = text.partition(":")
        return cls(CategoryScheme(scheme), code)


@dataclass(frozen=True)
class KnownEntry:
    """One entry of a hash set, as read from its file. Hex values are lower case."""

    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    category: Category | None = None
    label: str | None = None
    series: str | None = None
    victim_identified: bool | None = None
    extra: Mapping[str, str] = field(default_factory=dict)  # other alternative hashes by name

    def hashes(self) -> dict[str, str]:
        found = {"md5": self.md5, "sha1": self.sha1, "sha256": self.sha256, "pdq": self.pdq}
        return {k: v for k, v in found.items() if v}


class MatchKind(StrEnum):
    EXACT = "exact"
    NEAR = "near"


@dataclass(frozen=True)
class Match:
    """An item found in a known list, and how: exact or near, by which algorithm, at what distance."""

    hashset: str
    entry_id: int
    kind: MatchKind
    algorithm: str
    distance: int
    label: str | None = None
    category: Category | None = None
    details: Mapping[str, object] = field(default_factory=dict)  # e.g. dihedral variant, video shares
