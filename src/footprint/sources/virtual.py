"""Virtual disks: VMDK (VMware), VHD (Virtual PC, qemu's "vpc") and VHDX (Hyper-V), read through
libvmdk and libvhdi. The virtual disk's content, as the guest saw it, goes to the disk-image source
like a raw image: the same partitions, file systems, deleted files and carving.

What is recognised from an item's first bytes (``sniff``; formats see only the head):

* VMDK: a sparse extent's "KDMV" header (monolithicSparse, streamOptimized, and each extent of a
  split twoGbMaxExtentSparse disk), or a descriptor text "# Disk DescriptorFile" (monolithicFlat,
  twoGbMaxExtent*, a snapshot's delta disk: the data is in other files that it names);
* VHD, dynamic or differencing: the copy of the "conectix" footer at offset 0;
* VHDX: "vhdxfile" at offset 0.

What is not, and why nothing is lost by it: a *fixed* VHD has its footer only in its last 512 bytes
and begins with the disk itself, so its head is the disk's: it is recognised as the raw image it is
(by its partition table or file system) and read as one, with the same items; the footer lies past
the disk's end. A flat VMDK extent (``x-flat.vmdk``) is a raw disk too. Either one holding no
partition table or file system footprint knows is carved as any unrecognised file is. A lone sparse
extent of a split VMDK cannot be read without its descriptor: it says so, and its bytes are carved.

Where the other files of a disk are looked for. A disk of several files (a descriptor and its
extents, a differencing disk and its parents) is read only from the examiner's own disk: each file
it names is looked for by its base name in the folder of the file naming it, never anywhere else,
so that a hostile descriptor cannot make the scan read the examiner's files. One that is missing is
a warning naming it (the item's own bytes are then carved). Inside another container (an archive,
a disk image) only a self-contained disk is read: monolithic sparse or stream-optimised VMDK,
dynamic VHD, VHDX. A parent whose identifier is not the one its child records (the parent changed
after the snapshot) is refused, as libvmdk itself refuses it: the blocks the child does not hold would
not be the ones the guest saw. The refusal names the parent, and the child's own bytes are carved.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, BinaryIO

from footprint.errors import EvidenceError
from footprint.model import Item
from footprint.sources.base import ContainerFormat, EvidenceSource, Limits
from footprint.sources.folder import open_readonly
from footprint.sources.streams import MediaStream

CHUNK = 64 << 10  # a VMDK grain; what reads as zeros at a time when a read fails
MAX_CHAIN = 32  # parents of a differencing disk (VMware allows 32 snapshots)
_HEAD = 64 << 10


def _vmdk_descriptor(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:21].lower() == b"# disk descriptorfile"


def _embedded_descriptor(head: bytes) -> bool:
    """True if the sparse extent starting ``head`` holds a descriptor (a split disk's extents have
    none, or an empty area for one): its offset in sectors is at byte 28 of the header."""
    offset = int.from_bytes(head[28:36], "little") * 512
    return 0 < offset < len(head) and _vmdk_descriptor(head[offset:offset + 512])


def sniff_vmdk(head: bytes) -> bool:
    return head[:4] == b"KDMV" or _vmdk_descriptor(head)


def sniff_vhd(head: bytes) -> bool:
    return head[:8] == b"conectix"


def sniff_vhdx(head: bytes) -> bool:
    return head[:8] == b"vhdxfile"


def kind_of(head: bytes) -> str | None:
    """``vmdk``, ``vhd`` or ``vhdx`` if ``head`` starts a virtual disk recognised by its head."""
    for kind, test in (("vmdk", sniff_vmdk), ("vhd", sniff_vhd), ("vhdx", sniff_vhdx)):
        if test(head):
            return kind
    return None


class _Opening:
    """One virtual disk being opened: the files it is made of (for the fingerprint), and what must
    stay alive while it is read (file objects, parent handles)."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.files: list[Any] = []
        self.handles: list[Any] = []

    def open_file(self, path: Path) -> BinaryIO:
        stream = open_readonly(path)
        self.paths.append(path)
        self.files.append(stream)
        return stream

    def close(self) -> None:
        for thing in [*self.handles, *self.files]:
            with contextlib.suppress(OSError, RuntimeError):
                thing.close()


def _head(stream: BinaryIO) -> bytes:
    stream.seek(0)
    head = stream.read(_HEAD)
    stream.seek(0)
    return head


def _beside(path: Path | None, name: str, what: str) -> Path:
    """The file ``name`` (as a descriptor or a child records it) in ``path``'s folder, by base name."""
    if path is None:
        raise EvidenceError(f"its {what} {name!r} is a separate file, which cannot be reached from inside "
                            "another container: read the disk from the examiner's disk")
    where = path.parent / re.split(r"[\\/]", name)[-1]
    if not where.is_file():
        raise EvidenceError(f"its {what} {name!r} is missing (looked for {where.name} beside "
                            f"{path.name}, and nowhere else)")
    return where


def _disk(kind: str, path: Path | None, stream: BinaryIO, opening: _Opening, depth: int) -> Any:
    return (_vmdk if kind == "vmdk" else _vhdi)(path, stream, opening, depth)


def _vmdk(path: Path | None, stream: BinaryIO, opening: _Opening, depth: int) -> Any:
    import pyvmdk

    head = _head(stream)
    handle = pyvmdk.handle()
    try:
        handle.open_file_object(stream)
    except (OSError, RuntimeError) as exc:
        if head[:4] == b"KDMV" and not _embedded_descriptor(head):
            raise EvidenceError("a sparse extent of a split VMDK, with no descriptor of its own: its disk "
                                "is read through the descriptor file that names it") from exc
        raise
    opening.handles.append(handle)
    names = [str(handle.get_extent_descriptor(i).filename) for i in range(handle.get_number_of_extents())]
    if head[:4] == b"KDMV" and len(names) == 1:
        extents = [stream]  # monolithic: the data follows the embedded descriptor, whatever its name
    else:
        extents = [opening.open_file(_beside(path, name, "extent")) for name in names]
    handle.open_extent_data_files_as_file_objects(extents)
    parent_name = handle.get_parent_filename()
    if parent_name:
        parent = _parent("vmdk", path, parent_name, opening, depth)
        if parent.get_content_identifier() != handle.get_parent_content_identifier():
            raise _changed_parent(parent_name, "content ID")
        handle.set_parent(parent)
    return handle


def _vhdi(path: Path | None, stream: BinaryIO, opening: _Opening, depth: int) -> Any:
    import pyvhdi

    handle = pyvhdi.file()
    handle.open_file_object(stream)
    opening.handles.append(handle)
    parent_name = handle.get_parent_filename()
    if parent_name or handle.get_disk_type() == pyvhdi.disk_types.DIFFERENTIAL:
        if not parent_name:
            raise EvidenceError("a differencing disk that does not name its parent")
        parent = _parent("vhd", path, parent_name, opening, depth)
        if parent.get_identifier() != handle.get_parent_identifier():
            raise _changed_parent(parent_name, "identifier")
        handle.set_parent(parent)
    return handle


def _changed_parent(name: str, key: str) -> EvidenceError:
    return EvidenceError(f"a differencing disk whose parent {name!r} is not the disk it was made from (its {key} "
                         "differs from the one the child records: the parent changed since), so the guest's "
                         "disk cannot be rebuilt from them")


def _parent(kind: str, path: Path | None, name: str, opening: _Opening, depth: int) -> Any:
    try:
        where = _beside(path, name, "parent disk")
    except EvidenceError as exc:
        raise EvidenceError(f"a differencing disk, whose parent cannot be read: {exc}") from exc
    if depth + 1 >= MAX_CHAIN or where in opening.paths:
        raise EvidenceError(f"a differencing disk whose chain of parents loops or is deeper than {MAX_CHAIN}")
    stream = opening.open_file(where)
    found = kind_of(_head(stream))
    if found is None or (found == "vmdk") != (kind == "vmdk"):
        raise EvidenceError(f"its parent disk {where.name} is not a {kind.upper()} disk")
    return _disk(found, where, stream, opening, depth + 1)


def _open(kind: str, item: Item, limits: Limits, opening: _Opening) -> Any:
    if item.path and Path(item.path).is_file():
        path: Path | None = Path(item.path)
        stream = opening.open_file(Path(item.path))
    else:
        from footprint.sources.carve import spooled

        path, stream = None, item.open()
        opening.files.append(stream)
        if not stream.seekable():
            stream = spooled(stream, limits)
            opening.files.append(stream)
    return _disk(kind, path, stream, opening, 0)


def open_virtual_item(kind: str, item: Item, limits: Limits) -> MediaStream:
    """The content of the virtual disk ``item`` (with its extents and parents when it is a file on the
    examiner's disk), as a read-only stream."""
    opening = _Opening()
    try:
        handle = _open(kind, item, limits, opening)
    except EvidenceError:
        opening.close()
        raise
    except (OSError, RuntimeError, MemoryError) as exc:
        opening.close()
        raise EvidenceError(f"not a readable {kind.upper()} disk: {_reason(exc)}") from exc
    return MediaStream(handle, CHUNK, keep=opening.handles, owned=tuple(opening.files))


def virtual_disk_files(path: Path) -> list[Path]:
    """The files the evidence file ``path`` is made of, in order: itself, then, when it is a virtual
    disk, the extents and parents it names that exist (all that the disk's content depends on)."""
    with open_readonly(path) as stream:
        kind = kind_of(stream.read(_HEAD))
    if kind is None:
        return [path]
    opening = _Opening()
    try:
        _disk(kind, path, opening.open_file(path), opening, 0)
    except (EvidenceError, OSError, RuntimeError, MemoryError):
        pass  # a damaged or incomplete disk: the files found so far are still what it is made of
    finally:
        opening.close()
    return list(dict.fromkeys(opening.paths))


def _reason(exc: BaseException) -> str:
    """libyal's error chain, shortened to its first two links (the rest repeats them deeper down)."""
    links = [part.strip() for part in str(exc).split(". ") if part.strip()]
    return (". ".join(links[:2]) or type(exc).__name__)[:300]


class _VirtualFormat(ContainerFormat):
    def open(self, item: Item, limits: Limits) -> EvidenceSource:
        from footprint.sources.disk import DiskImageSource

        return DiskImageSource(item, limits, lambda: open_virtual_item(self.name, item, limits),  # type: ignore[arg-type,return-value]
                               kind=self.name)


class VmdkFormat(_VirtualFormat):
    """VMware virtual disks: a sparse extent or a descriptor (see the module notes)."""

    name = "vmdk"

    def sniff(self, head: bytes) -> bool:
        return sniff_vmdk(head)


class VhdFormat(_VirtualFormat):
    """Microsoft VHD, dynamic or differencing (a fixed VHD is read as the raw image it begins with)."""

    name = "vhd"

    def sniff(self, head: bytes) -> bool:
        return sniff_vhd(head)


class VhdxFormat(_VirtualFormat):
    """Microsoft VHDX, fixed, dynamic or differencing."""

    name = "vhdx"

    def sniff(self, head: bytes) -> bool:
        return sniff_vhdx(head)
