"""Build a hash set from a folder of known pictures: every file's MD5, SHA-1 and SHA-256, and for
pictures the full-frame PDQ and footprint's region signature (hashers/regions.py), so that crops, bars
and captions of these pictures are found later (pipeline/match.py) and the list can be shared as VICS;
for videos their vPDQ frames (``extra["vpdq"]``, as a vPDQ list's), so that re-encoded or cut copies of
them are found as a scan finds known videos (pipeline/video.py).

A full-frame PDQ is kept only when it can be trusted (quality >= 50, not degenerate): a list entry has
no quality of its own, and a flat picture's hash would match every other flat picture.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from footprint.errors import NotFound, UsageError
from footprint.hashers.compute import hash_image_bytes, hash_stream
from footprint.hashers.pdq import MIN_QUALITY, PdqHasher, is_degenerate
from footprint.hashers.regions import ALGORITHM as REGIONS
from footprint.hashers.regions import RegionHasher
from footprint.hashers.registry import CRYPTO_HASHERS
from footprint.hashsets.vics import write_vics
from footprint.model import Category, Item, ItemRef, KnownEntry, PerceptualDigest
from footprint.pipeline.video import hash_video
from footprint.sources.detect import detect, is_video
from footprint.sources.folder import open_readonly
from footprint.store.base import HashSetRecord, Store

KEEP_IN_MEMORY = 256 << 20  # pictures larger than this are listed by their cryptographic hashes only
BUILT_FORMAT = "footprint"


@dataclass(frozen=True)
class BuildSummary:
    hashset: HashSetRecord
    files: int
    pictures: int  # files with a trustworthy PDQ or a region signature
    videos: int = 0  # files with vPDQ frames


def build_hashset(store: Store, folder: Path, name: str, *, category: Category | None = None,
                  pdq_threshold: int = 31) -> BuildSummary:
    """Hash every file under ``folder`` (sorted, recursively) into a new hash set ``name``."""
    if not folder.is_dir():
        raise NotFound(f"no such folder: {folder}")
    entries = list(folder_entries(folder, category))
    if not entries:
        raise UsageError(f"{folder} holds no files")
    record = store.create_hashset(name, BUILT_FORMAT, str(folder.resolve()), pdq_threshold,
                                  details={"folder": str(folder.resolve()), "files": len(entries)})
    try:
        store.add_entries(record.id, entries)
    except Exception:
        store.remove_hashset(name)
        raise
    pictures = sum(1 for e in entries if e.pdq or REGIONS in e.extra)
    videos = sum(1 for e in entries if "vpdq" in e.extra)
    return BuildSummary(store.get_hashset(name), len(entries), pictures, videos)


def folder_entries(folder: Path, category: Category | None = None) -> Iterator[KnownEntry]:
    """One entry per file, labelled by its path under ``folder``."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        yield file_entry(path, path.relative_to(folder).as_posix(), category)


def file_entry(path: Path, label: str, category: Category | None = None) -> KnownEntry:
    with path.open("rb") as stream:
        read = hash_stream(stream, CRYPTO_HASHERS, keep=KEEP_IN_MEMORY)
    pdq, extra = None, {}
    if read.size > 0 and is_video(detect(read.head)):  # its frames, so that copies of it are found too
        video, _ = hash_video(Item(ItemRef.root(label), read.size, opener=partial(open_readonly, str(path))),
                              read.data)
        if isinstance(video, PerceptualDigest):
            extra["vpdq"] = video.value
    elif read.data is not None and read.size > 0:
        found = hash_image_bytes(read.data, (PdqHasher(), RegionHasher()))
        plain, regions = found.get("pdq"), found.get(REGIONS)
        if isinstance(plain, PerceptualDigest) and plain.quality >= MIN_QUALITY \
                and not is_degenerate(plain.value, plain.quality):
            pdq = plain.value
        if isinstance(regions, PerceptualDigest):
            extra[REGIONS] = regions.value
    return KnownEntry(md5=read.crypto["md5"], sha1=read.crypto["sha1"], sha256=read.crypto["sha256"], pdq=pdq,
                      category=category, label=label, extra=extra)


def write_hashset_vics(store: Store, name: str, out: TextIO, profile: str) -> int:
    """Write a stored hash set as a VICS 2.0 document (region signatures as AlternativeHashes)."""
    record = store.get_hashset(name)
    return write_vics(((hit.entry, {}) for hit in store.iter_entries(record.id)), out, profile=profile)
