"""Find one item again in its evidence, by its ref, and read its bytes (read-only).

The review workspace shows a thumbnail of an item long after the scan: rather than keep a copy of
every picture, it re-reads the item from the exhibit. The walk is the scan's own: open the exhibit
with ``open_evidence``, step through the sources part by part (``a.zip!b/c.jpg`` is the item
``a.zip`` in the exhibit, opened as a container, then its item ``b/c.jpg``), opening containers
through the same registry. The bytes read are checked against the SHA-256 the scan recorded, so a
reviewer never sees something other than the item the case holds.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from footprint.errors import EvidenceError, NotFound
from footprint.hashers.compute import HEAD_SIZE
from footprint.model import Item, ItemRef
from footprint.pipeline.analyse import appended_end, video_appended_end
from footprint.pipeline.evidence import open_evidence
from footprint.sources.base import EvidenceSource, Limits
from footprint.sources.carve import AppendedSource
from footprint.sources.detect import detect, is_image, is_video
from footprint.sources.folder import facts_from_stat, open_readonly
from footprint.sources.registry import open_container

T = TypeVar("T")

MAX_FETCH = 512 << 20  # an item larger than this is not read back whole (a thumbnail needs less)


def read_item(exhibit_path: Path, ref: ItemRef, limits: Limits, *, sha256: str | None = None,
              max_size: int = MAX_FETCH, keep_in_memory: int = 256 << 20) -> bytes:
    """The bytes of the item at ``ref`` in the exhibit at ``exhibit_path``.

    NotFound when the ref is not in the evidence (any more); EvidenceError when it is too large or
    its bytes do not hash to ``sha256`` (the evidence changed since the scan).
    """
    data = with_item(exhibit_path, ref, limits, partial(_read_all, max_size=max_size),
                     keep_in_memory=keep_in_memory)
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256.lower():
        raise EvidenceError(f"item {ref} read back from {exhibit_path} does not have the SHA-256 the scan "
                            f"recorded: the evidence changed")
    return data


def with_item(exhibit_path: Path, ref: ItemRef, limits: Limits, use: Callable[[Item], T], *,
              keep_in_memory: int = 256 << 20) -> T:
    """``use(item)`` on the item at ``ref``, called while every container on its path is still open."""
    direct = _folder_file(exhibit_path, ref)
    if direct is not None:
        return use(direct)
    evidence = open_evidence(exhibit_path, limits)
    if ref.parts[0] != evidence.name and not ref.parts[0].startswith(evidence.name + "/"):
        raise NotFound(f"item {ref} is not in exhibit {evidence.name}")
    return _find(evidence.source, ref, 0, limits, use, keep_in_memory)


def _find(source: EvidenceSource, ref: ItemRef, depth: int, limits: Limits, use: Callable[[Item], T],
          keep_in_memory: int) -> T:
    wanted = ItemRef(ref.parts[:depth + 1])
    for found in source.items():
        if not isinstance(found, Item) or found.ref != wanted:
            continue
        if depth + 1 == len(ref.parts):
            return use(found)
        inner = _open_inner(found, limits, keep_in_memory)
        if inner is None:
            break
        return _find(inner, ref, depth + 1, limits, use, keep_in_memory)
    raise NotFound(f"item {ref} not found in its evidence")


def _open_inner(item: Item, limits: Limits, keep_in_memory: int) -> EvidenceSource | None:
    """The item opened as a container, from memory when small, as the scan opens it (a picture with
    bytes appended after it is opened as those bytes, as the scan walks them)."""
    data = None
    if item.size is not None and item.size <= keep_in_memory:
        with item.open() as stream:
            data = stream.read(keep_in_memory + 1)
        item = replace(item, opener=partial(io.BytesIO, data))
        head = data[:HEAD_SIZE]
    else:
        with item.open() as stream:
            head = stream.read(HEAD_SIZE)
    found = open_container(item, head, limits)
    media_type = detect(head)
    if found is not None or not media_type:
        return found
    end = None
    if data is not None and is_image(media_type):
        end = appended_end(data)
    elif is_video(media_type):
        end, _ = video_appended_end(item, data, media_type)
    return AppendedSource(item, end, limits) if end is not None else None


def _folder_file(exhibit_path: Path, ref: ItemRef) -> Item | None:
    """A file of a folder exhibit, found by its path without walking the folder; None when the
    ref is anything else, or the path is not plainly that file (a link on the way, an odd name)."""
    root = str(exhibit_path.resolve())
    name = os.path.basename(root)
    if len(ref.parts) != 1 or not os.path.isdir(root) or not ref.parts[0].startswith(name + "/"):
        return None
    relative = ref.parts[0][len(name) + 1:]
    path = os.path.join(root, *relative.split("/"))
    if os.path.realpath(path) != os.path.normpath(path) or ".." in relative.split("/"):
        return None
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Item(ref=ref, size=st.st_size, opener=partial(open_readonly, path), facts=facts_from_stat(st),
                path=path)


def _read_all(item: Item, max_size: int) -> bytes:
    if item.size is not None and item.size > max_size:
        raise EvidenceError(f"item {item.ref} is {item.size} bytes, more than {max_size} read back for review")
    with item.open() as stream:
        data = stream.read(max_size + 1)
    if len(data) > max_size:
        raise EvidenceError(f"item {item.ref} is more than {max_size} bytes, too large to read back for review")
    return data
