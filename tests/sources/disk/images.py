"""Disk images built with the real tools (mkfs.fat + mtools, mke2fs, mkntfs + ntfscp, mkfs.exfat, xorriso,
sfdisk, ewfacquire), small and in the test's own tmp_path, plus a reader of the items a source yields."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from footprint.model import Item, ItemRef, ItemWarning
from footprint.sources.base import EvidenceSource, Limits
from footprint.sources.detect import HEAD_SIZE
from footprint.sources.registry import open_container

_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def tool(name: str) -> str:
    found = shutil.which(name, path=_PATH)
    if found is None:
        pytest.skip(f"{name} is not installed (scripts/install-system-deps.sh installs it)")
    return found


def run(*args: str | Path) -> None:
    env = {**os.environ, "PATH": _PATH, "MTOOLS_SKIP_CHECK": "1"}
    subprocess.run([tool(str(args[0])), *map(str, args[1:])], check=True, capture_output=True, env=env)


def fat_image(path: Path, files: dict[str, bytes], delete: tuple[str, ...] = (), size_kb: int = 4096) -> Path:
    """A FAT image holding ``files`` (``dir/name`` paths), then ``delete``d through mtools."""
    run("mkfs.fat", "-C", path, str(size_kb))
    staging = path.parent / f"{path.name}.staging"
    for name, data in files.items():
        parts = name.split("/")
        for depth in range(1, len(parts)):
            subprocess.run([tool("mmd"), "-i", str(path), "::/" + "/".join(parts[:depth])],
                           capture_output=True, env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
        staging.write_bytes(data)
        run("mcopy", "-i", path, staging, f"::/{name}")
    staging.unlink(missing_ok=True)
    for name in delete:
        run("mdel", "-i", path, f"::/{name}")
    return path


def ext4_image(path: Path, files: dict[str, bytes], size: str = "8M") -> Path:
    root = path.parent / f"{path.name}.root"
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    run("mke2fs", "-q", "-F", "-t", "ext4", "-d", root, path, size)
    return path


def ntfs_image(path: Path, files: dict[str, bytes], streams: dict[str, bytes] | None = None,
               size_mb: int = 8) -> Path:
    """An NTFS image; ``streams`` are alternate data streams as ``file:stream``."""
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    run("mkntfs", "-F", "-Q", "-q", path)
    staging = path.parent / f"{path.name}.staging"
    for name, data in files.items():
        staging.write_bytes(data)
        run("ntfscp", "-f", path, staging, name)
    for spec, data in (streams or {}).items():
        name, stream = spec.split(":")
        staging.write_bytes(data)
        run("ntfscp", "-f", "-N", stream, path, staging, name)
    staging.unlink(missing_ok=True)
    return path


def exfat_image(path: Path, label: str, size_mb: int = 8) -> Path:
    """An empty exFAT volume (no tool here writes files into exFAT without mounting it)."""
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    run("mkfs.exfat", "-L", label, path)
    return path


def iso_image(path: Path, files: dict[str, bytes]) -> Path:
    """An ISO 9660 disc with Rock Ridge and Joliet names, made by xorriso from a folder."""
    root = path.parent / f"{path.name}.root"
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-o", path, root)
    return path


def mbr_disk(path: Path, partitions: list[tuple[Path, str]], gap_sectors: int = 2048, label: str = "dos") -> list[int]:
    """A disk with a partition table (sfdisk; ``label`` dos or gpt) holding each (file-system image,
    type) in turn; byte offsets back. A GPT disk keeps room at its end for the backup table."""
    starts, sector = [], gap_sectors
    script = [f"label: {label}"]
    for image, kind in partitions:
        sectors = image.stat().st_size // 512
        script.append(f"start={sector}, size={sectors}, type={kind}")
        starts.append(sector * 512)
        sector += sectors + gap_sectors
    with open(path, "wb") as f:
        f.truncate(sector * 512)
    env = {**os.environ, "PATH": _PATH}
    subprocess.run([tool("sfdisk"), "-q", str(path)], input="\n".join(script).encode(), check=True,
                   capture_output=True, env=env)
    with open(path, "r+b") as f:
        for (image, _), start in zip(partitions, starts, strict=True):
            f.seek(start)
            f.write(image.read_bytes())
    return starts


def e01(raw: Path, target: Path, compression: str = "deflate:fast") -> Path:
    """``raw`` acquired as ``target.E01`` (EnCase 6, MD5 and SHA-1 stored), unattended."""
    run("ewfacquire", "-u", "-q", "-t", target, "-f", "encase6", "-c", compression, "-d", "sha1", raw)
    return target.with_name(target.name + ".E01")


def write_at(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@dataclass
class Found:
    """What one source gave: items by ref string (with their bytes' MD5), and warnings."""

    items: dict[str, Item] = field(default_factory=dict)
    md5s: dict[str, str] = field(default_factory=dict)
    warnings: list[ItemWarning] = field(default_factory=list)

    def by_name(self, name: str) -> list[str]:
        return [ref for ref in self.items if ref.rsplit("/", 1)[-1] == name]

    def state(self, ref: str) -> str:
        return self.items[ref].facts.state.value


def file_item(path: Path, name: str | None = None) -> Item:
    return Item(ItemRef.root(name or path.name), path.stat().st_size, lambda: open(path, "rb"), path=str(path))


def open_image(path: Path, limits: Limits | None = None) -> EvidenceSource:
    """The image opened as the pipeline would: sniffed from its head through the registry."""
    item = file_item(path)
    with open(path, "rb") as f:
        head = f.read(HEAD_SIZE)
    source = open_container(item, head, limits or Limits())
    assert source is not None, f"{path.name} was not recognised as a container"
    return source


def collect(source: EvidenceSource) -> Found:
    found = Found()
    for f in source.items():
        if isinstance(f, ItemWarning):
            found.warnings.append(f)
            continue
        with f.open() as stream:
            data = stream.read()
        assert len(data) == f.size, f"{f.ref}: read {len(data)} bytes of {f.size}"
        found.items[str(f.ref)] = f
        found.md5s[str(f.ref)] = md5(data)
    return found
