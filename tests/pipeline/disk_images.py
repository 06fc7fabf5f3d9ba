"""Disk images made by the real tools for the pipeline tests (dosfstools, mtools)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from footprint.demo import jpeg_bytes, picture


def run_tool(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def make_fat_image(folder: Path) -> Path:
    """A 16 MiB FAT16 image ``usb.dd`` with LIVE.JPG and the deleted GONE.JPG, and beside it
    ``known.csv`` listing both by SHA-256 (category A)."""
    image = folder / "usb.dd"
    run_tool("dd", "if=/dev/zero", f"of={image}", "bs=1M", "count=16")
    run_tool("mkfs.fat", "-F", "16", str(image))
    lines = ["sha256,label,category"]
    for name, seed in (("live.jpg", 11), ("gone.jpg", 12)):
        (folder / name).write_bytes(jpeg_bytes(picture(seed)))
        run_tool("mcopy", "-i", str(image), str(folder / name), f"::/{name.upper()}")
        lines.append(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()},{name},A")
    run_tool("mdel", "-i", str(image), "::/GONE.JPG")
    (folder / "known.csv").write_text("\n".join(lines) + "\n")
    return image
