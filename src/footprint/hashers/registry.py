"""The hashers footprint knows: the built-ins listed explicitly, plus optional plugins.

Plugins come in through the ``footprint.hashers`` entry-point group, through the same function as
the built-ins (``all_hashers``); nothing registers itself as a side effect of being imported. Names
are permanent (they key the database and the exports), so they are checked for clashes and shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from footprint.errors import AlreadyExists, FootprintError, UsageError
from footprint.hashers.base import CryptoHasher, ImageHasher
from footprint.hashers.crypto import Md5, Sha1, Sha256
from footprint.hashers.pdq import PdqHasher
from footprint.hashers.regions import RegionHasher

ENTRY_POINT_GROUP = "footprint.hashers"

CRYPTO_HASHERS: tuple[CryptoHasher, ...] = (Md5(), Sha1(), Sha256())
IMAGE_HASHERS: tuple[ImageHasher, ...] = (PdqHasher(), RegionHasher())

# Lower-case letters, digits, "_" and "-": safe as a column name, a CSV header and a URL part.
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Hashers:
    """Every hasher of a run, by kind, in a fixed order (built-ins first)."""

    crypto: tuple[CryptoHasher, ...]
    image: tuple[ImageHasher, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.crypto) + tuple(h.name for h in self.image)


def all_hashers(*, plugins: bool = True, points: Iterable[EntryPoint] | None = None) -> Hashers:
    """The built-in hashers, then plugins; raises if two share a name.

    ``points`` defaults to the installed ``footprint.hashers`` entry points.
    """
    crypto, image = list(CRYPTO_HASHERS), list(IMAGE_HASHERS)
    if plugins:
        found_points = entry_points(group=ENTRY_POINT_GROUP) if points is None else points
        for hasher in _load_plugins(found_points):
            if isinstance(hasher, CryptoHasher):
                crypto.append(hasher)
            else:
                image.append(hasher)
    found = Hashers(tuple(crypto), tuple(image))
    check_names(found.names)
    return found


def check_skipped(names: Iterable[str], images: Iterable[ImageHasher] = IMAGE_HASHERS) -> tuple[str, ...]:
    """The perceptual hashes a scan is told to leave out (``footprint scan --skip``), each once: each must be
    one of ``images``, and one at least must stay (pictures are decoded for it, and their camera facts and
    decoding warnings come with that decode)."""
    known = [h.name for h in images]
    skipped = tuple(dict.fromkeys(names))
    unknown = [name for name in skipped if name not in known]
    if unknown:
        raise UsageError(f"--skip takes a perceptual hash a scan computes ({', '.join(known)}), not "
                         f"{', '.join(unknown)}")
    if set(known) <= set(skipped):
        raise UsageError(f"--skip cannot leave out every perceptual hash ({', '.join(known)}): pictures are decoded "
                         "for them, and their camera facts and decoding warnings come with that decode")
    return skipped


def check_names(names: Iterable[str]) -> None:
    """Refuse malformed names and names used twice."""
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise FootprintError(f"hasher name {name!r} is not a short lower-case name")
        if name in seen:
            raise AlreadyExists(f"two hashers are named {name!r}")
        seen.add(name)


def _load_plugins(points: Iterable[EntryPoint]) -> list[CryptoHasher | ImageHasher]:
    return [_load_plugin(point) for point in sorted(points, key=lambda p: p.name)]


def _load_plugin(point: EntryPoint) -> CryptoHasher | ImageHasher:
    """An entry point names a hasher class (instantiated with no arguments) or a hasher instance."""
    try:
        target = point.load()
        hasher = target() if isinstance(target, type) else target
    except Exception as exc:  # a broken plugin is reported by name, not as a bare traceback
        raise FootprintError(f"hasher plugin {point.name!r} ({point.value}) failed to load: {exc}") from exc
    if not isinstance(hasher, CryptoHasher | ImageHasher):
        raise FootprintError(f"hasher plugin {point.name!r} ({point.value}) is not a CryptoHasher or "
                             "ImageHasher")
    return hasher
