"""Acceptance of the scan on the forms pictures take on seized phones and laptops, through the real CLI.

Every form is made here from benign generated pictures (footprint.demo.picture), scanned with
``--jobs 1`` and ``--jobs 2`` (the two exports must agree), and checked as an examiner would: every
file is one item, exactly once, with its cryptographic hashes; every picture that can be decoded gets
a PDQ hash within a few bits of its plain RGB original; what is broken, hostile, animated, renamed or
has bytes appended says so in the item's warnings, and the scan goes on.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import tarfile
import warnings
import zipfile
import zlib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from footprint.cli.main import run
from footprint.demo import picture
from footprint.hashers.compute import analyse_picture
from footprint.hashers.decode import decode_image
from footprint.hashers.pdq import PdqHasher, hamming
from footprint.hashers.registry import IMAGE_HASHERS
from footprint.model import ItemRef, PerceptualDigest
from footprint.pipeline.fetch import read_item
from footprint.sources.base import Limits
from footprint.sources.carve import picture_end
from footprint.sources.detect import detect

# The items found in the bytes that follow the end of pictures
APPENDED: set[str] = set()  # filled by build_evidence
NEAR = 10  # bits: a re-encoding of the same picture
PALETTE_NEAR = 31  # 256 colours with dithering: within the match radius, not the 10 bits
HASHER = PdqHasher()


def pdq_of(image: Image.Image) -> str:
    digest = HASHER.hash_image(image.convert("RGB"))
    assert isinstance(digest, PerceptualDigest)
    return digest.value


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png16(rgb: np.ndarray) -> bytes:
    """A 16-bit RGB PNG (Pillow cannot write one)."""
    height, width = rgb.shape[:2]
    raw = b"".join(b"\0" + row.astype(">u2").tobytes() for row in rgb)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b""))


def png_claiming(width: int, height: int) -> bytes:
    """68 bytes whose header claims width x height."""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\0" * 16)) + _chunk(b"IEND", b""))


def ycck_jpeg(image: Image.Image) -> bytes:
    """An Adobe YCCK JPEG (as Photoshop writes CMYK): Pillow writes Adobe-inverted CMYK; the YCC of the
    inverted C, M, Y channels stored in their place and the APP14 transform set to 2 make it YCCK."""
    cmyk = np.asarray(image.convert("CMYK"))
    ycc = np.asarray(Image.fromarray(np.ascontiguousarray(cmyk[..., :3])).convert("YCbCr"))
    stored = Image.fromarray(np.dstack([255 - ycc, cmyk[..., 3]]).astype(np.uint8), "CMYK")
    data = bytearray(encode(stored, "JPEG", quality=95))
    adobe = data.index(b"Adobe")
    data[adobe + 11] = 2  # transform: YCCK
    return bytes(data)


def psd(image: Image.Image) -> bytes:
    """A flat Photoshop file (Pillow cannot write one): header, three empty sections, raw planar RGB."""
    rgb = np.asarray(image.convert("RGB"))
    height, width = rgb.shape[:2]
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3) + b"\0" * 12
    return header + struct.pack(">H", 0) + b"".join(rgb[..., c].tobytes() for c in range(3))


def top_down_bmp(image: Image.Image) -> bytes:
    data = bytearray(encode(image, "BMP"))
    width, height = struct.unpack("<ii", data[18:26])
    offset, stride = struct.unpack("<I", data[10:14])[0], (width * 3 + 3) & ~3
    rows = [data[offset + i * stride:offset + (i + 1) * stride] for i in range(height)]
    data[22:26] = struct.pack("<i", -height)
    return bytes(data[:offset] + b"".join(reversed(rows)))


# What turns each EXIF orientation's stored pixels upright, inverted (to make the file).
_STORE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
          5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
          8: Image.Transpose.ROTATE_270}


def oriented(image: Image.Image, orientation: int, fmt: str, **params: object) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image.transpose(_STORE[orientation]), fmt, exif=exif, **params)


def heic_turned(image: Image.Image) -> bytes | None:
    """A HEIC stored sideways with its turn in the container (irot), as a phone writes one; None when
    this libheif cannot encode."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    stored = image.transpose(_STORE[6])
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.info["exif"] = exif.tobytes()  # pillow_heif writes this as the irot box
    try:
        return encode(stored, "HEIF", quality=90)
    except (KeyError, OSError, ValueError):
        return None


def build_evidence(root: Path) -> dict[str, int | None]:
    """The evidence folder; returns each file's name and the PDQ tolerance to its original
    (None: not a decodable picture)."""
    scene, other = picture(1, (480, 360)), picture(2, (480, 360))
    tall = picture(3, (360, 480))
    forms: dict[str, tuple[bytes, int | None]] = {
        "original.png": (encode(scene, "PNG"), 0),
        "baseline.jpg": (encode(scene, "JPEG", quality=90), NEAR),
        "progressive.jpg": (encode(scene, "JPEG", quality=90, progressive=True), NEAR),
        "cmyk.jpg": (encode(scene.convert("CMYK"), "JPEG", quality=92), NEAR),
        "ycck.jpg": (ycck_jpeg(scene), NEAR),
        "grey.jpg": (encode(scene.convert("L"), "JPEG", quality=90), NEAR),
        "rgb16.png": (png16(np.asarray(scene).astype(np.uint16) * 257), 0),
        "palette-transparent.png": (encode(scene.convert("P", palette=Image.Palette.ADAPTIVE),
                                           "PNG", transparency=0), PALETTE_NEAR),
        "still.gif": (encode(scene, "GIF"), PALETTE_NEAR),
        "lossy.webp": (encode(scene, "WEBP", quality=80), NEAR),
        "lossless.webp": (encode(scene, "WEBP", lossless=True), 0),
        "lzw.tif": (encode(scene, "TIFF", compression="tiff_lzw"), 0),
        "jpeg.tif": (encode(scene, "TIFF", compression="jpeg"), NEAR),
        "cmyk.tif": (encode(scene.convert("CMYK"), "TIFF"), NEAR),
        "top-down.bmp": (top_down_bmp(scene), 0),
        "one-bit.bmp": (encode(scene.convert("1"), "BMP"), None),  # dithered: a different picture
        "avif.avif": (encode(scene, "AVIF", quality=85), NEAR),
        "jpeg2000.jp2": (encode(scene, "JPEG2000", quality_mode="dB", quality_layers=[40]), NEAR),
        "codestream.j2k": (encode(scene, "JPEG2000", no_jp2=True, quality_mode="dB", quality_layers=[40]), NEAR),
        "photoshop.psd": (psd(scene), 0),
        "icon.ico": (encode(scene.resize((256, 256)), "ICO", sizes=[(16, 16), (48, 48), (256, 256)]), None),
        # animations and pages: the first frame is hashed, and said to be
        "animated.gif": (encode(scene, "GIF", save_all=True, append_images=[other], duration=100), PALETTE_NEAR),
        "animated.png": (encode(scene, "PNG", save_all=True, append_images=[other], duration=100), 0),
        "animated.webp": (encode(scene, "WEBP", save_all=True, append_images=[other], quality=85), NEAR),
        "pages.tif": (encode(scene, "TIFF", save_all=True, append_images=[other]), 0),
        # renamed, appended to, broken, hostile, empty
        "renamed.pdf": (encode(scene, "JPEG", quality=90), NEAR),
        "polyglot.jpg": (encode(scene, "JPEG", quality=90) + _zip({"hidden/x.png": encode(other, "PNG")}), NEAR),
        "two-pictures.jpg": (encode(scene, "JPEG", quality=90) + encode(other, "JPEG", quality=90), NEAR),
        "vendor-trailer.jpg": (encode(scene, "JPEG", quality=90) + b"SEFH\x01\x00" + bytes(range(200)), NEAR),
        "padded.jpg": (encode(scene, "JPEG", quality=90) + b"\0" * 4096, NEAR),
        "camera.mpo": (encode(scene, "MPO", quality=90, save_all=True, append_images=[other]), NEAR),
        "not-a-picture.jpg": (b"plain text, not a picture\n" * 20, None),
        "empty.jpg": (b"", None),
        "bomb.png": (png_claiming(20000, 20000), None),
        "pixels-bomb.gif": (_gif_claiming(30000, 30000), None),
    }
    for orientation in range(2, 9):
        forms[f"orientation-{orientation}.jpg"] = (oriented(tall, orientation, "JPEG", quality=92), NEAR)
    forms["orientation-6.png"] = (oriented(tall, 6, "PNG"), 0)
    forms["orientation-8.webp"] = (oriented(tall, 8, "WEBP", lossless=True), 0)
    heic = heic_turned(tall)
    if heic is not None:
        forms["turned.heic"] = (heic, NEAR)
    for name in ("baseline.jpg", "progressive.jpg", "still.gif", "lzw.tif", "lossy.webp", "top-down.bmp",
                 "avif.avif"):
        data = forms[name][0]
        forms[f"truncated-{name}"] = (data[:len(data) // 2], None)
    jpeg_end = len(forms["baseline.jpg"][0])
    APPENDED.update({f"polyglot.jpg!content@0x{jpeg_end:x}", f"polyglot.jpg!content@0x{jpeg_end:x}!hidden/x.png",
                     f"two-pictures.jpg!content@0x{jpeg_end:x}",
                     f"camera.mpo!content@0x{picture_end(forms['camera.mpo'][0]):x}"})
    root.mkdir()
    for name, (data, _) in forms.items():
        (root / name).write_bytes(data)
    (root / "backup.tar").write_bytes(_tar({"old/pics.zip": _zip({"pics/deep.jpg": forms["baseline.jpg"][0]})}))
    (root / "thumbs").mkdir()
    for i, size in enumerate([(32, 32), (31, 40), (160, 120), (48, 48)] * 10):
        (root / "thumbs" / f"{i:03d}.jpg").write_bytes(encode(picture(10 + i % 4).resize(size), "JPEG", quality=75))
    return {name: tolerance for name, (_, tolerance) in forms.items()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _gif_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(picture(4, (64, 48)), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, int | None], dict[str, dict], list[str]]:
    """The evidence scanned with one and with two jobs: (tolerances, items by name, the two stderrs)."""
    base = tmp_path_factory.mktemp("forms")
    tolerances = build_evidence(base / "evidence")
    exports, caught = [], []
    for jobs in ("1", "2"):
        with pytest.MonkeyPatch.context() as env, warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            env.setenv("FOOTPRINT_HOME", str(base / f"home{jobs}"))
            env.delenv("FOOTPRINT_DATABASE_URL", raising=False)
            for args in (["case", "create", "forms"],
                         ["scan", str(base / "evidence"), "--case", "forms", "--jobs", jobs, "--quiet"],
                         ["export", "forms", "--format", "jsonl"]):
                out, err = io.StringIO(), io.StringIO()
                with redirect_stdout(out), redirect_stderr(err):
                    assert run(args) == 0, err.getvalue()
            exports.append(out.getvalue())
            caught += [str(w.category.__name__) for w in seen]
    assert exports[0] == exports[1]  # --jobs 2 reads pictures in its workers: the same export
    items = [json.loads(line) for line in exports[0].splitlines()]
    by_name = {item["ref"].split("/", 1)[1]: item for item in items}
    assert len(by_name) == len(items)  # every item once
    return tolerances, by_name, caught


def test_every_file_is_one_item_with_its_hashes(scanned):
    tolerances, items, _ = scanned
    files = set(tolerances) | {"backup.tar"} | {f"thumbs/{i:03d}.jpg" for i in range(40)}
    assert files <= set(items)
    inside = {"backup.tar!old/pics.zip", "backup.tar!old/pics.zip!pics/deep.jpg", *APPENDED}
    assert set(items) == files | inside
    for name, item in items.items():
        assert item["sha256"] and item["md5"] and item["sha1"], name


def test_every_form_hashes_near_its_original(scanned):
    tolerances, items, _ = scanned
    originals = {"scene": pdq_of(picture(1, (480, 360))), "tall": pdq_of(picture(3, (360, 480)))}
    for name, tolerance in tolerances.items():
        if tolerance is None:
            continue
        item = items[name]
        original = originals["tall" if "orientation" in name or "turned" in name else "scene"]
        assert item["status"] == "ok" and item["pdq"], (name, item["reason"])
        assert hamming(item["pdq"], original) <= tolerance, name
    deep = items["backup.tar!old/pics.zip!pics/deep.jpg"]
    assert hamming(deep["pdq"], originals["scene"]) <= NEAR


def test_icons_are_pictures_hashed_on_their_largest_size(scanned):
    _, items, _ = scanned
    icon = items["icon.ico"]
    assert icon["media_type"] == "image/vnd.microsoft.icon" and icon["status"] == "ok"
    assert hamming(icon["pdq"], pdq_of(picture(1, (480, 360)).resize((256, 256)))) <= NEAR


def test_animations_and_pages_say_which_frame_was_hashed(scanned):
    _, items, _ = scanned
    for name in ("animated.gif", "animated.png", "animated.webp", "pages.tif"):
        said = [w for w in items[name]["warnings"] if "perceptual hashes are of the first only" in w]
        assert len(said) == 1, (name, items[name]["warnings"])
    assert any(w.startswith("TIFF of 2 or more pages: ") for w in items["pages.tif"]["warnings"])
    for name in ("still.gif", "baseline.jpg", "original.png"):
        assert items[name]["warnings"] == [], name


def test_broken_and_hostile_files_are_warnings_and_the_scan_goes_on(scanned):
    _, items, caught = scanned
    for name in [n for n in items if n.startswith("truncated-")]:
        item = items[name]
        assert item["status"] == "skipped" and item["pdq"] is None and item["sha256"], name
        assert item["reason"].split(": ", 1)[1].startswith("undecodable image: "), (name, item["reason"])
    for name in ("bomb.png", "pixels-bomb.gif"):
        reason = items[name]["reason"]
        assert "too many pixels" in reason and "limit 250 MP" in reason and "not decoded" in reason, reason
        assert "500000000" not in reason  # Pillow's own limit is not ours: one limit, said once
    assert "DecompressionBombWarning" not in caught  # the refusal is the item's warning, not a Python one
    assert items["empty.jpg"]["reason"] == "empty file: never matched"


def test_a_name_that_lies_is_said(scanned):
    _, items, _ = scanned
    assert "signature mismatch: named .pdf but the content is image/jpeg" in items["renamed.pdf"]["warnings"]
    assert items["not-a-picture.jpg"]["warnings"] == [
        "signature mismatch: named .jpg but the content is not a recognised type"]
    assert not any("signature" in w for w in items["thumbs/000.jpg"]["warnings"])


def test_bytes_appended_to_a_picture_are_said_and_walked(scanned, tmp_path):
    _, items, _ = scanned
    other = pdq_of(picture(2, (480, 360)))
    end = len(encode(picture(1, (480, 360)), "JPEG", quality=90))
    polyglot, hidden = items["polyglot.jpg"], items[f"polyglot.jpg!content@0x{end:x}!hidden/x.png"]
    assert polyglot["status"] == "ok" and polyglot["warnings"] == [
        f"{polyglot['size'] - end} bytes follow the end of the image/jpeg picture (from byte {end}): "
        f"application/zip, at content@0x{end:x}"]
    assert items[f"polyglot.jpg!content@0x{end:x}"]["state"] == "carved"
    assert hidden["pdq"] == other  # the picture hidden in the appended ZIP is found, as any other
    assert hamming(items[f"two-pictures.jpg!content@0x{end:x}"]["pdq"], other) <= NEAR
    assert items["vendor-trailer.jpg"]["warnings"] == [
        f"206 bytes follow the end of the image/jpeg picture (from byte {end}): data of no recognised type"]
    for name in ("baseline.jpg", "padded.jpg"):  # zeros after the end are padding, not content
        assert items[name]["warnings"] == [], name
    assert not any(ref.startswith(("vendor-trailer.jpg!", "padded.jpg!")) for ref in items)


def test_a_multi_picture_jpeg_has_each_picture_hashed(scanned):
    """An MPO (cameras, phones' depth and gain maps): its second picture follows the first's end and is
    read as an item of its own, so no warning says it went unhashed."""
    _, items, _ = scanned
    second = next(item for ref, item in items.items() if ref.startswith("camera.mpo!content@0x"))
    assert hamming(second["pdq"], pdq_of(picture(2, (480, 360)))) <= NEAR
    said = items["camera.mpo"]["warnings"]
    assert len(said) == 1 and ": image/jpeg, at content@0x" in said[0]


def test_a_picture_in_appended_bytes_is_read_back_for_review(tmp_path):
    evidence = tmp_path / "ev"
    evidence.mkdir()
    inner = encode(picture(2, (96, 64)), "PNG")
    jpeg = encode(picture(1, (96, 64)), "JPEG")
    (evidence / "p.jpg").write_bytes(jpeg + _zip({"x.png": inner}))
    ref = ItemRef(("ev/p.jpg", f"content@0x{len(jpeg):x}", "x.png"))
    assert read_item(evidence, ref, Limits(), sha256=hashlib.sha256(inner).hexdigest()) == inner


def test_tiny_thumbnails_are_hashed_from_the_minimum_side(scanned):
    _, items, _ = scanned
    thumbs = {name: item for name, item in items.items() if name.startswith("thumbs/")}
    assert len(thumbs) == 40
    for name, item in thumbs.items():
        small = int(name[7:10]) % 4 == 1  # 31x40: below PDQ's 32-pixel minimum side
        assert (item["pdq"] is None) == small, name
        if small:
            assert item["reason"] == "pdq: image too small for pdq (31x40, needs 32px a side)"


def test_large_palette_picture_is_reduced_before_it_is_made_rgb() -> None:
    """A big transparent palette PNG is box-reduced as RGBA (not averaged as palette indices), and its
    transparent part still comes out white."""
    big = Image.new("P", (2200, 1100), 1)
    big.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    big.paste(0, (0, 0, 1100, 1100))
    decoded = decode_image(encode(big, "PNG", transparency=0))
    assert decoded.size == (1100, 550)
    assert decoded.getpixel((10, 10)) == (255, 255, 255) and decoded.getpixel((1000, 10)) == (200, 30, 30)


def test_large_sixteen_bit_picture_is_reduced_and_scaled_as_sixteen_bit() -> None:
    dark = np.full((1100, 1100), 200 * 257 // 255, dtype=np.uint16)  # all under 256: still 16-bit
    decoded = decode_image(encode(Image.fromarray(dark), "PNG"))
    assert decoded.size == (550, 550) and decoded.getpixel((5, 5)) == (1, 1, 1)


def test_icon_detection_needs_a_plausible_directory() -> None:
    icon = encode(picture(5, (64, 64)), "ICO", sizes=[(32, 32), (64, 64)], bitmap_format="bmp")
    assert detect(icon) == "image/vnd.microsoft.icon"
    cursor = bytearray(icon)
    cursor[2] = 2  # a cursor: the same directory, hotspots where an icon keeps planes and bits
    assert detect(bytes(cursor)) == "image/x-win-cursor"
    assert detect(b"\0\0\1\0" + b"\x07\0" + b"\xff" * 200) is None  # four common bytes and noise
    png_cursor = b"\0\0\2\0" + encode(picture(5, (64, 64)), "ICO", sizes=[(64, 64)])[4:]
    assert detect(png_cursor) is None  # Pillow cannot decode it: left to the carver, which finds the PNG


def test_a_tiff_of_very_many_pages_is_not_counted_page_by_page() -> None:
    """Pillow finds a TIFF's page count by walking every page, each looked up among those already seen:
    200,000 pages took minutes. The scan says '2 or more' without counting."""
    data = bytearray(encode(picture(1, (64, 48)), "TIFF"))
    first = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[first:first + 2])[0]
    link = first + 2 + 12 * entries  # where the first page says where the next one is
    page = bytes(data[first:link])
    data[link:link + 4] = struct.pack("<I", len(data))
    pages, at = [], len(data)
    for number in range(30_000):
        at += len(page) + 4
        pages.append(page + struct.pack("<I", at if number < 29_999 else 0))
    result = analyse_picture(bytes(data) + b"".join(pages), IMAGE_HASHERS)
    assert result.warnings == ("TIFF of 2 or more pages: perceptual hashes are of the first only; the other "
                               "pages were not hashed and cannot near-match",)
