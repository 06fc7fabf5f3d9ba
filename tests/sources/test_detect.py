"""Content-type detection: every kind from real bytes made by the library that writes it."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import shutil
import subprocess
import tarfile
import zipfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import py7zr
import pytest
from PIL import Image

from footprint.sources.detect import SIGNATURES, detect, is_image, is_video, tar_checksum_ok
from footprint.sources.folder import FolderSource

from .conftest import picture

# ------------------------------------------------------------------------------------------------
# Images
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "expected"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("BMP", "image/bmp"),
    ("TIFF", "image/tiff"), ("WEBP", "image/webp"),
])
def test_pillow_images(fmt: str, expected: str) -> None:
    assert detect(picture(1, fmt)) == expected


def test_big_endian_tiff() -> None:
    out = io.BytesIO()
    Image.new("I;16B", (8, 8)).save(out, "TIFF")  # Pillow writes big-endian samples as a Motorola TIFF
    head = out.getvalue()
    assert head[:4] == b"MM\0*"
    assert detect(head) == "image/tiff"


def test_heic() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.open(io.BytesIO(picture(2))).save(out, "HEIF")
    assert detect(out.getvalue()) == "image/heic"


def test_avif() -> None:
    from PIL import features

    if not features.check("avif"):
        pytest.skip("this Pillow has no AVIF encoder")
    out = io.BytesIO()
    Image.open(io.BytesIO(picture(3))).save(out, "AVIF")
    assert detect(out.getvalue()) == "image/avif"


def test_heif_brand_refined_by_compatible_brands() -> None:
    """A file whose major brand is the generic mif1 is still HEIC when it lists heic compatibility."""
    box = (24).to_bytes(4, "big") + b"ftyp" + b"mif1" + b"\0\0\0\0" + b"mif1" + b"heic"
    assert detect(box) == "image/heic"


# ------------------------------------------------------------------------------------------------
# Videos, written by PyAV (FFmpeg's muxers)
# ------------------------------------------------------------------------------------------------


def video(container: str, codec: str, size: tuple[int, int] = (64, 48), frames: int = 4,
          options: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=container, options=options or {}) as muxer:
        stream = muxer.add_stream(codec, rate=Fraction(25, 1) if codec != "wmv2" else 25)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            pixels = np.full((size[1], size[0], 3), i * 40, np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                muxer.mux(packet)
        for packet in stream.encode():
            muxer.mux(packet)
    return out.getvalue()


@pytest.mark.parametrize(("container", "codec", "expected"), [
    ("mp4", "mpeg4", "video/mp4"),
    ("mov", "mpeg4", "video/quicktime"),
    ("3gp", "h263", "video/3gpp"),
    ("avi", "mpeg4", "video/x-msvideo"),
    ("matroska", "mpeg4", "video/x-matroska"),
    ("webm", "libvpx", "video/webm"),
    ("asf", "wmv2", "video/x-ms-wmv"),
    ("flv", "flv", "video/x-flv"),
    ("mpeg", "mpeg1video", "video/mpeg"),
    ("mpegts", "mpeg2video", "video/mp2t"),
])
def test_videos(container: str, codec: str, expected: str) -> None:
    size = (176, 144) if codec == "h263" else (64, 48)
    data = video(container, codec, size)
    assert detect(data) == expected
    assert is_video(detect(data))


def test_m2ts_with_timecode_prefix() -> None:
    data = video("mpegts", "mpeg2video", options={"mpegts_m2ts_mode": "1"})
    assert data[4] == 0x47
    assert detect(data) == "video/mp2t"


# ------------------------------------------------------------------------------------------------
# Archives and compression
# ------------------------------------------------------------------------------------------------


def zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", "hello")
    return out.getvalue()


def tarred(fmt: int = tarfile.USTAR_FORMAT) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as t:
        info = tarfile.TarInfo("a.txt")
        info.size = 5
        t.addfile(info, io.BytesIO(b"hello"))
    return out.getvalue()


def v7_tar() -> bytes:
    """An old-style tar header: no ustar magic, only the checksum to recognise it by."""
    data = bytearray(tarred())
    data[257:265] = bytes(8)
    data[148:156] = b"        "
    data[148:156] = f"{sum(data[:512]):06o}\0 ".encode()
    return bytes(data)


def sevenzipped() -> bytes:
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        archive.writestr(b"hello", "a.txt")
    return out.getvalue()


@pytest.mark.parametrize(("make", "expected"), [
    (zipped, "application/zip"),
    (tarred, "application/x-tar"),
    (lambda: tarred(tarfile.GNU_FORMAT), "application/x-tar"),
    (lambda: tarred(tarfile.PAX_FORMAT), "application/x-tar"),
    (v7_tar, "application/x-tar"),
    (sevenzipped, "application/x-7z-compressed"),
    (lambda: gzip.compress(b"hello"), "application/gzip"),
    (lambda: bz2.compress(b"hello"), "application/x-bzip2"),
    (lambda: bz2.compress(b""), "application/x-bzip2"),
    (lambda: lzma.compress(b"hello"), "application/x-xz"),
])
def test_archives(make, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert detect(make()) == expected


def test_v7_tar_checksum_is_what_recognises_it() -> None:
    block = bytearray(v7_tar()[:512])
    assert tar_checksum_ok(bytes(block))
    block[0] ^= 0x01  # one changed byte in the name breaks the checksum
    assert not tar_checksum_ok(bytes(block))
    assert detect(bytes(block) + bytes(512)) is None


@pytest.mark.skipif(shutil.which("ewfacquire") is None, reason="ewfacquire (ewf-tools) is not installed")
def test_e01(tmp_path: Path) -> None:
    raw = tmp_path / "disk.raw"
    raw.write_bytes(bytes(64 * 1024))
    subprocess.run(["ewfacquire", "-u", "-q", "-t", str(tmp_path / "disk"), str(raw)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    assert detect((tmp_path / "disk.E01").read_bytes()[:4096]) == "application/x-ewf"


# ------------------------------------------------------------------------------------------------
# Content, never the name
# ------------------------------------------------------------------------------------------------


def test_a_jpeg_named_dat_is_a_jpeg(tmp_path: Path) -> None:
    (tmp_path / "tax-return.dat").write_bytes(picture(5))
    (tmp_path / "photo.jpg").write_bytes(b"just some text, named like a picture\n" * 20)
    found = {f.ref.name: f for f in FolderSource(tmp_path, "ex").items()}
    types = {name: detect(item.open().read(4096)) for name, item in found.items()}  # type: ignore[union-attr]
    assert types == {"tax-return.dat": "image/jpeg", "photo.jpg": None}


@pytest.mark.parametrize("head", [
    b"", b"BM", b"BMP is a format", b"RIFF\0\0\0\0WAVEfmt ", b"hello world", bytes(1024),
    b"\x00\x00\x00\x18ftyp",  # an ftyp box cut short before its brand
])
def test_unknown_or_too_short(head: bytes) -> None:
    assert detect(head) is None


def test_helpers_and_table() -> None:
    assert is_image("image/jpeg") and not is_image("video/mp4") and not is_image(None)
    assert is_video("video/webm") and not is_video("application/zip") and not is_video(None)
    names = [name for name, _ in SIGNATURES]
    assert len(names) == len(set(names))
