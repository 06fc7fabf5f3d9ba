"""Decoding: every format an investigator meets, orientation, colour modes, reduced scale, and
hostile input (bombs, truncation, garbage) turned into clear errors."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from hasher_pictures import encode, picture
from PIL import Image, ImageFile

from footprint.errors import ItemError
from footprint.hashers.base import ImageHasher
from footprint.hashers.compute import analyse_picture, hash_image_bytes
from footprint.hashers.decode import ALPHA_BACKGROUND, MAX_PIXELS, REDUCED_MIN_SIDE, decode_image
from footprint.hashers.pdq import PdqHasher, hamming
from footprint.hashers.regions import RegionHasher
from footprint.model import PerceptualDigest, Skipped

HASHER = PdqHasher()
TOLERANCE = 10


def pdq(image: Image.Image) -> str:
    digest = HASHER.hash_image(image)
    assert isinstance(digest, PerceptualDigest), digest
    return digest.value


@pytest.fixture(scope="module")
def scene() -> Image.Image:
    return picture(640, 480, seed=1)


@pytest.mark.parametrize(("fmt", "params", "tolerance"), [
    ("JPEG", {"quality": 85}, TOLERANCE),
    ("PNG", {}, 0),
    ("BMP", {}, 0),
    ("TIFF", {"compression": "tiff_lzw"}, 0),
    ("WEBP", {"lossless": True}, 0),
    ("WEBP", {"quality": 80}, TOLERANCE),
    ("GIF", {}, 31),  # 256-colour palette with dithering: within the match radius, not the 10 bits
], ids=["jpeg", "png", "bmp", "tiff", "webp-lossless", "webp-lossy", "gif"])
def test_formats_decode_to_the_same_picture(scene: Image.Image, fmt: str, params: dict[str, object],
                                            tolerance: int) -> None:
    decoded = decode_image(encode(scene, fmt, **params))
    assert decoded.mode == "RGB" and decoded.size == scene.size
    assert hamming(pdq(scene), pdq(decoded)) <= tolerance


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_heif_and_avif(scene: Image.Image, fmt: str) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()  # only so that this test can *encode* one
    try:
        data = encode(scene, fmt, quality=85)
    except (KeyError, OSError, ValueError) as exc:
        pytest.skip(f"this libheif cannot encode {fmt}: {exc}")
    decoded = decode_image(data)
    assert decoded.size == scene.size and hamming(pdq(scene), pdq(decoded)) <= TOLERANCE


def test_gif_first_frame_is_hashed(scene: Image.Image) -> None:
    other = picture(640, 480, seed=99)
    out = io.BytesIO()
    scene.save(out, "GIF", save_all=True, append_images=[other], duration=100)
    decoded = decode_image(out.getvalue())
    assert hamming(pdq(decoded), pdq(scene)) < hamming(pdq(decoded), pdq(other))
    assert hamming(pdq(decoded), pdq(scene)) <= 31


# What Pillow's exif_transpose does for each EXIF orientation, and its inverse (to make the file).
_TO_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}
_INVERSE = {**_TO_UPRIGHT, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(scene: Image.Image, orientation: int) -> None:
    stored = scene.transpose(_INVERSE[orientation]) if orientation > 1 else scene
    exif = Image.Exif()
    exif[0x0112] = orientation
    decoded = decode_image(encode(stored, "JPEG", quality=92, exif=exif))
    assert decoded.size == scene.size
    assert hamming(pdq(decoded), pdq(scene)) <= TOLERANCE
    if orientation > 1:
        assert hamming(pdq(stored), pdq(scene)) > 64  # the stored pixels really were turned


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_damaged_exif_keeps_the_image(scene: Image.Image) -> None:
    data = encode(scene, "JPEG", quality=90, exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff")
    assert decode_image(data).size == scene.size


def test_transparency_is_composited_on_white() -> None:
    rgba = Image.new("RGBA", (64, 64), (200, 10, 10, 255))
    rgba.paste((0, 0, 0, 0), (0, 0, 32, 64))  # left half transparent black
    decoded = decode_image(encode(rgba, "PNG"))
    assert decoded.getpixel((5, 5)) == ALPHA_BACKGROUND
    assert decoded.getpixel((50, 5)) == (200, 10, 10)
    grey_alpha = decode_image(encode(rgba.convert("LA"), "PNG"))
    assert grey_alpha.getpixel((5, 5)) == ALPHA_BACKGROUND
    palette = rgba.convert("P")
    palette.info["transparency"] = palette.getpixel((5, 5))
    assert decode_image(encode(palette, "PNG", transparency=palette.getpixel((5, 5)))).getpixel(
        (5, 5)) == ALPHA_BACKGROUND


def test_sixteen_bit_and_float_images_are_rescaled_not_clipped() -> None:
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (64, 1))
    sixteen = Image.fromarray(ramp)
    assert sixteen.mode.startswith("I;16")
    deep = decode_image(encode(sixteen, "PNG"))
    row = np.asarray(deep)[0, :, 0]
    assert row[0] == 0 and row[-1] == 255 and 120 <= row[128] <= 135  # a ramp, not a white wall
    floats = Image.fromarray(np.tile(np.linspace(0, 1, 256, dtype=np.float32), (64, 1)), "F")
    row = np.asarray(decode_image(encode(floats, "TIFF")))[0, :, 0]
    assert row[0] == 0 and row[-1] == 255 and 120 <= row[128] <= 135


def test_cmyk_jpeg(scene: Image.Image) -> None:
    decoded = decode_image(encode(scene.convert("CMYK"), "JPEG", quality=92))
    assert decoded.mode == "RGB" and hamming(pdq(decoded), pdq(scene)) <= TOLERANCE


def test_a_colour_jpeg_is_decoded_in_rgb_even_for_luma_hashers(scene: Image.Image) -> None:
    """Not as its Y plane alone (decode.py, "Grey stays grey": that hashes smooth pictures into each other
    more often); a grey JPEG stays grey, at the same reduced scale as its RGB decode."""
    for data in (encode(scene, "JPEG", quality=90), encode(picture(2400, 1800, seed=4), "JPEG", quality=90)):
        grey = decode_image(data, grey=True)
        assert grey.mode == "RGB" and grey.tobytes() == decode_image(data).tobytes()
    data = encode(picture(2400, 1800, seed=4).convert("L"), "JPEG", quality=90)
    grey, rgb = decode_image(data, grey=True), decode_image(data)
    assert grey.mode == "L" and grey.size == rgb.size and min(grey.size) < 1800
    assert np.array_equal(np.asarray(grey), np.asarray(rgb)[:, :, 0])


def test_grey_decode_keeps_colour_where_the_picture_needs_it(scene: Image.Image) -> None:
    """Only a picture grey already comes back grey; a CMYK JPEG, a transparent grey PNG (composited on
    white) and colour pictures come back RGB as before."""
    grey_png = encode(scene.convert("L"), "PNG")
    assert decode_image(grey_png, grey=True).mode == "L"
    assert np.array_equal(np.asarray(decode_image(grey_png, grey=True)), np.asarray(decode_image(grey_png))[:, :, 0])
    see_through = scene.convert("LA")
    see_through.putalpha(Image.new("L", scene.size, 0))
    for data in (encode(scene.convert("CMYK"), "JPEG", quality=92), encode(see_through, "PNG"), encode(scene, "PNG")):
        assert decode_image(data, grey=True).tobytes() == decode_image(data).tobytes()
        assert decode_image(data, grey=True).mode == "RGB"


def test_a_grey_picture_hashes_as_its_rgb_copy(scene: Image.Image) -> None:
    """Kept grey, a grey picture gives every hasher what its RGB copy gives, bit for bit."""
    data = encode(scene.convert("L"), "PNG")
    for hasher in (HASHER, RegionHasher()):
        assert hasher.hash_image(decode_image(data, grey=True)) == hasher.hash_image(decode_image(data))


class _ModeSeen(ImageHasher):
    name: ClassVar[str] = "mode-seen"
    min_quality: ClassVar[int] = 0
    hash_bits: ClassVar[int] = 8

    def hash_image(self, image: Image.Image) -> PerceptualDigest | Skipped:
        return PerceptualDigest(algorithm=self.name, value=image.mode.encode().hex(), quality=100)


class _ColourSeen(_ModeSeen):
    name: ClassVar[str] = "colour-seen"
    colour: ClassVar[bool] = True


def test_a_hasher_that_needs_colour_gets_colour(scene: Image.Image) -> None:
    data = encode(scene.convert("L"), "PNG")
    seen = analyse_picture(data, (HASHER, _ModeSeen())).perceptual["mode-seen"]
    assert isinstance(seen, PerceptualDigest) and bytes.fromhex(seen.value) == b"L"
    found = analyse_picture(data, (_ModeSeen(), _ColourSeen())).perceptual
    assert {bytes.fromhex(d.value) for d in found.values() if isinstance(d, PerceptualDigest)} == {b"RGB"}


def test_reference_mode_images_agree(pdq_data: Path) -> None:
    """misc-images/modes: one photo saved in many Pillow modes (1, L, LA, P, RGBA, CMYK, ...)."""
    folder = pdq_data / "misc-images" / "modes"
    original = pdq(decode_image((folder / "original.jpg").read_bytes()))
    files = [p for p in sorted(folder.iterdir()) if p.suffix in {".png", ".jpg", ".webp", ".tiff"}]
    assert len(files) >= 10
    for path in files:
        assert hamming(pdq(decode_image(path.read_bytes())), original) <= TOLERANCE, path.name


def test_large_jpeg_decodes_at_reduced_scale_within_tolerance() -> None:
    data = encode(picture(4000, 3000, seed=2), "JPEG", quality=90)
    full = decode_image(data, min_side=0)
    reduced = decode_image(data)
    assert full.size == (4000, 3000)
    assert REDUCED_MIN_SIDE <= min(reduced.size) < 3000 // 2  # really reduced, not below the floor
    assert hamming(pdq(full), pdq(reduced)) <= TOLERANCE


def test_large_png_is_box_reduced_within_tolerance() -> None:
    data = encode(picture(3000, 2000, seed=3), "PNG")
    full, reduced = decode_image(data, min_side=0), decode_image(data)
    assert REDUCED_MIN_SIDE <= min(reduced.size) < 2000
    assert hamming(pdq(full), pdq(reduced)) <= TOLERANCE


def test_small_images_are_never_reduced() -> None:
    data = encode(picture(300, 200), "JPEG")
    assert decode_image(data).size == (300, 200)


def _png_header(width: int, height: int, colour_type: int = 2) -> bytes:
    """A PNG whose header claims width x height, followed by one tiny compressed row."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + chunk(b"IEND", b""))


def _jpeg_with_size(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF0 header is rewritten to claim width x height."""
    data = bytearray(encode(picture(64, 48), "JPEG", quality=80))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("data", [_png_header(20000, 20000), _jpeg_with_size(20000, 20000),
                                  _png_header(60000, 60000)], ids=["png", "jpeg", "png-huge"])
def test_decompression_bombs_are_refused(data: bytes) -> None:
    with pytest.raises(ItemError, match="undecodable image: too many pixels"):
        decode_image(data)


def test_a_200_megapixel_header_is_not_called_a_bomb() -> None:
    """Phone sensors make 200 MP photos: such a file must not be refused as a bomb (this one's
    header lies about its size, so it may still fail, but not for that reason)."""
    assert MAX_PIXELS >= 16320 * 12240
    try:
        image = decode_image(_jpeg_with_size(16320, 12240))
    except ItemError as exc:
        assert "too many pixels" not in str(exc)
    else:  # libjpeg pads the missing rows: a reduced, mostly grey picture
        assert REDUCED_MIN_SIDE <= min(image.size) <= 12240 // 8


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "TIFF"])
def test_truncated_images_raise_clear_errors(scene: Image.Image, fmt: str) -> None:
    data = encode(scene, fmt)
    with pytest.raises(ItemError, match=r"^undecodable image: ") as caught:
        decode_image(data[: len(data) // 2])
    if fmt != "WEBP":  # libwebp only says it "could not create decoder object"
        assert "truncated" in str(caught.value)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("data", [b"", b"\x00" * 100, bytes(range(256)) * 50, b"\xff\xd8\xff\xe0garbage",
                                  b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a\x01"],
                         ids=["empty", "zeros", "bytes", "jpeg-magic", "png-magic", "gif-magic"])
def test_garbage_becomes_skipped_with_reason(data: bytes) -> None:
    result = hash_image_bytes(data, [HASHER])["pdq"]
    assert isinstance(result, Skipped) and result.reason.startswith("undecodable image: ")
    assert "0x" not in result.reason  # no object addresses in a report


def test_decode_accepts_a_stream(scene: Image.Image) -> None:
    stream = io.BytesIO(encode(scene, "PNG"))
    assert decode_image(stream).size == scene.size
    assert not stream.closed  # the caller's stream is the caller's to close


def test_what_the_decoder_says_is_the_items_warning_not_stderr(scene: Image.Image) -> None:
    """A TIFF cut inside its directory makes Pillow warn 'Truncated File Read': the warning belongs to
    that item (once), and nothing escapes to the terminal, where it would name no item."""
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    stream = io.BytesIO()
    scene.save(stream, "TIFF", exif=exif)
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        result = analyse_picture(stream.getvalue()[:100], [HASHER])
    assert [str(w.message) for w in escaped] == []
    assert result.warnings == ("decoder: Truncated File Read",)
    skipped = result.perceptual["pdq"]
    assert isinstance(skipped, Skipped) and skipped.reason.startswith("undecodable image: ")


def test_a_sound_picture_has_no_decoder_warning(scene: Image.Image) -> None:
    assert analyse_picture(encode(scene, "TIFF"), [HASHER]).warnings == ()


def test_a_picture_needing_no_turn_is_not_copied(scene: Image.Image) -> None:
    """Pillow's exif_transpose copies a picture that needs no turning unless asked to work in place: a
    second full-size copy (400 MB for a 100 MP PNG) for nothing."""
    from footprint.hashers.decode import _upright

    with Image.open(io.BytesIO(encode(scene, "PNG"))) as im:
        im.load()
        assert _upright(im) is im
