"""Carving: pictures and videos found by structure in unallocated space and inside other files,
at the right offsets, with the right bytes, and nothing made up from damaged or partial data."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest

from footprint.model import Item, ItemRef, ItemWarning
from footprint.sources.base import Limits
from footprint.sources.carve import ContentCarveFormat, carve_stream

from ..conftest import NonSeekable, picture
from .images import collect, fat_image, md5, open_image, write_at


def noise(seed: int, size: int) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()


def video(fmt: str, seed: int = 0) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            level = (i * 20 + seed * 7) % 256
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), level, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return out.getvalue()


def carve(data: bytes, seekable: bool = True) -> list[Item | ItemWarning]:
    stream = io.BytesIO(data) if seekable else NonSeekable(data)
    return list(carve_stream(stream, ItemRef.root("x"), "content", Limits()))  # type: ignore[arg-type]


def layout(files: list[bytes], seed: int = 0) -> tuple[bytes, list[int]]:
    parts, offsets, pos = [], [], 0
    for i, data in enumerate(files):
        gap = noise(seed + i, 999 + 531 * i)
        parts += [gap, data]
        offsets.append(pos + len(gap))
        pos += len(gap) + len(data)
    parts.append(noise(seed + 99, 5000))
    return b"".join(parts), offsets


def test_every_format_carved_at_its_offset() -> None:
    files = [picture(1), picture(2, "PNG"), picture(3, "GIF"), picture(4, "BMP"), picture(5, "WEBP"),
             picture(6, size=(800, 600)), video("mp4"), video("avi")]
    data, offsets = layout(files)
    found = carve(data)
    assert [f.facts.offset for f in found if isinstance(f, Item)] == offsets
    for item, original, offset in zip(found, files, offsets, strict=True):
        assert isinstance(item, Item)
        assert str(item.ref) == f"x!content@0x{offset:x}"
        assert item.facts.state.value == "carved"
        assert md5(item.open().read()) == md5(original)


def test_videos_stored_back_to_back_are_carved_apart() -> None:
    first, second = video("mp4"), video("mp4", seed=5)
    assert first != second
    data = noise(1, 999) + first + second + noise(2, 999)
    found = [f for f in carve(data) if isinstance(f, Item)]
    assert [f.facts.offset for f in found] == [999, 999 + len(first)]
    assert [md5(f.open().read()) for f in found] == [md5(first), md5(second)]


def test_damaged_or_partial_pictures_are_not_guessed() -> None:
    jpeg, png = picture(1), bytearray(picture(2, "PNG"))
    png[60] ^= 0xFF  # inside a chunk: its CRC no longer matches
    cut = jpeg[: len(jpeg) // 2]  # no EOI: a fragment
    data, _ = layout([cut, bytes(png), b"BM" + noise(7, 60), b"\xff\xd8\xff" + noise(8, 300)])
    assert carve(data) == []


def test_a_stream_that_cannot_seek_is_carved_too() -> None:
    data, offsets = layout([picture(9)])
    (item,) = carve(data, seekable=False)
    assert isinstance(item, Item) and item.facts.offset == offsets[0]
    assert item.open().read() == picture(9)


def test_picture_in_unallocated_space_of_a_raw_image(tmp_path: Path) -> None:
    hidden = picture(10, size=(320, 240))
    image = fat_image(tmp_path / "stick.dd", {"a.jpg": picture(1), "b.png": picture(2, "PNG")})
    offset = image.stat().st_size - (512 << 10) + 100  # free clusters near the end, off a boundary
    write_at(image, offset, hidden)
    found = collect(open_image(image))
    carved = [r for r in found.items if found.state(r) == "carved"]
    assert carved == [f"stick.dd!fs!unallocated@0x{offset:x}"]  # the live pictures are not re-carved
    assert found.md5s[carved[0]] == md5(hidden)
    assert found.items[carved[0]].facts.offset == offset


def test_picture_appended_to_random_bytes_inside_a_file(tmp_path: Path) -> None:
    hidden = picture(11)
    blob = noise(12, 30000) + hidden + noise(13, 777)
    image = fat_image(tmp_path / "stick.dd", {"data/blob.bin": blob, "notes.txt": b"plain text " * 50})
    found = collect(open_image(image))
    blob_item = found.items["stick.dd!fs/data/blob.bin"]
    with blob_item.open() as stream:
        head = stream.read(65536)
    assert ContentCarveFormat().sniff(head)
    inner = collect(ContentCarveFormat().open(blob_item, Limits()))
    assert list(inner.md5s.items()) == [(f"stick.dd!fs/data/blob.bin!content@0x{30000:x}", md5(hidden))]


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize("head", [OLE, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"])
def test_documents_are_carved_and_text_and_pictures_are_not(head: bytes) -> None:
    fmt = ContentCarveFormat()
    doc = head + noise(14, 2000) + picture(15) + noise(16, 100)
    item = Item(ItemRef.root("report.doc"), len(doc), lambda: io.BytesIO(doc))
    assert fmt.sniff(doc[:65536])
    (carved,) = [f for f in fmt.open(item, Limits()).items() if isinstance(f, Item)]
    assert carved.open().read() == picture(15)
    assert not fmt.sniff(b"plain notes, nothing else " * 100)
    assert not fmt.sniff(picture(15))
