"""Reading files out of a disk image against reading the same files from a folder.

    python bench/bench_disk.py [--count 2000] [--kib 4 256]

Builds N benign files (random bytes, sizes spread between the two --kib bounds), puts them in a
folder, a FAT32 image (mkfs.fat + mcopy) and an ext4 image (mke2fs -d), then for each: enumerates
every item through footprint's own source, reads it and takes its MD5. It prints files/s, MB/s and
the ratio against the folder, measured in the same run; then carving throughput over the ext4 image's
bytes against a plain read + MD5 of the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from footprint.model import Item, ItemRef
from footprint.sources.base import EvidenceSource, Limits
from footprint.sources.carve import carve_stream
from footprint.sources.disk import RawImageFormat
from footprint.sources.folder import FolderSource

PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def build(folder: Path, count: int, low: int, high: int) -> int:
    rng = np.random.default_rng(0)
    total = 0
    for i in range(count):
        sub = folder / f"d{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        data = rng.integers(0, 256, int(rng.integers(low, high)) << 10, dtype=np.uint8).tobytes()
        (sub / f"f{i:05d}.bin").write_bytes(data)
        total += len(data)
    return total


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, env={**os.environ, "PATH": PATH, "MTOOLS_SKIP_CHECK": "1"})


def fat_image(folder: Path, path: Path, total: int) -> Path:
    run("mkfs.fat", "-F", "32", "-C", str(path), str(int(total * 1.3) // 1024 + 65536))
    run("mcopy", "-s", "-i", str(path), *[str(p) for p in sorted(folder.iterdir())], "::/")
    return path


def ext4_image(folder: Path, path: Path, total: int) -> Path:
    run("mke2fs", "-q", "-F", "-t", "ext4", "-d", str(folder), str(path), f"{int(total * 1.3) // 1024 + 16384}k")
    return path


def image_source(path: Path) -> EvidenceSource:
    item = Item(ItemRef.root(path.name), path.stat().st_size, lambda: open(path, "rb"), path=str(path))  # noqa: SIM115
    return RawImageFormat().open(item, Limits())


def read_all(found: Iterable[object]) -> tuple[int, int]:
    files = size = 0
    for item in found:
        if isinstance(item, Item) and item.facts.state.value != "carved":
            digest = hashlib.md5()
            with item.open() as stream:
                while block := stream.read(1 << 20):
                    digest.update(block)
                    size += len(block)
            files += 1
    return files, size


def timed(label: str, found: Iterable[object], baseline: float | None) -> float:
    start = time.perf_counter()
    files, size = read_all(found)
    took = time.perf_counter() - start
    ratio = "" if baseline is None else f"  {took / baseline:.2f}x the folder's time"
    print(f"{label:8s} {files:6d} files  {files / took:8.0f} files/s  {size / took / 1e6:7.1f} MB/s{ratio}")
    return took


def carving(image: Path) -> None:
    data = image.read_bytes()
    start = time.perf_counter()
    hashlib.md5(data).hexdigest()
    plain = time.perf_counter() - start
    start = time.perf_counter()
    list(carve_stream(io.BytesIO(data), ItemRef.root("x"), "volume", Limits()))  # type: ignore[arg-type]
    carve = time.perf_counter() - start
    print(f"carving  {len(data) / carve / 1e6:7.1f} MB/s   md5 of the same bytes {len(data) / plain / 1e6:7.1f} MB/s"
          f"   ratio {carve / plain:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--kib", type=int, nargs=2, default=(4, 256))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-disk-"))
    try:
        folder = work / "files"
        total = build(folder, args.count, *args.kib)
        fat = fat_image(folder, work / "fat.dd", total)
        ext = ext4_image(folder, work / "ext4.dd", total)
        print(f"{args.count} files, {total / 1e6:.0f} MB; FAT32 image {fat.stat().st_size / 1e6:.0f} MB, "
              f"ext4 image {ext.stat().st_size / 1e6:.0f} MB")
        timed("folder", FolderSource(folder, "files").items(), None)  # warms the page cache
        base = timed("folder", FolderSource(folder, "files").items(), None)
        timed("fat32", image_source(fat).items(), base)
        timed("ext4", image_source(ext).items(), base)
        carving(ext)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
