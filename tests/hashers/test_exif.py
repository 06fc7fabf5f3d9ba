"""EXIF camera facts (hashers/exif.py) on generated JPEGs: what is kept, and hostile EXIF as warnings."""

from __future__ import annotations

import io
import pickle
import warnings
from datetime import UTC, datetime

import pytest
from exif_pictures import (
    ascii_entry,
    camera_exif,
    camera_jpeg,
    rational_entry,
    raw_exif,
    short_entry,
)
from PIL import Image

from footprint.hashers.compute import analyse_picture
from footprint.hashers.exif import read_camera
from footprint.hashers.pdq import PdqHasher
from footprint.model import CameraFacts, PerceptualDigest


def facts(data: bytes) -> tuple[CameraFacts | None, list[str]]:
    with Image.open(io.BytesIO(data)) as image:
        return read_camera(image)


def test_every_fact_an_investigator_needs():
    exif = camera_exif(serial="  SN-0042\x00 ", offset="+02:00", position=(-33.8568, 151.2153), altitude=-4.5,
                       main={0x0131: "Firmware 1.1"}, sub={0xA430: "J. Owner", 0xA435: "LENS-77"})
    camera, found = facts(camera_jpeg(1, exif))
    assert found == []
    assert camera == CameraFacts(make="Canon", model="EOS 5D", serial="SN-0042", lens_serial="LENS-77",
                                 taken_text="2024-05-01T12:30:00+02:00",
                                 taken_utc=datetime(2024, 5, 1, 10, 30, tzinfo=UTC),
                                 latitude=camera.latitude, longitude=camera.longitude, altitude=-4.5,
                                 software="Firmware 1.1", owner="J. Owner")
    assert camera.latitude == pytest.approx(-33.8568, abs=1e-6)  # south: negative
    assert camera.longitude == pytest.approx(151.2153, abs=1e-6)


def test_a_time_without_offset_has_no_zone_and_no_utc():
    camera, found = facts(camera_jpeg(1, camera_exif()))
    assert camera.taken_text == "2024-05-01T12:30:00" and camera.taken_utc is None and found == []


def test_dng_camera_serial_when_there_is_no_body_serial_and_body_serial_first():
    only_dng, _ = facts(camera_jpeg(1, camera_exif(serial=None, main={0xC62F: "DNG-9"})))
    both, _ = facts(camera_jpeg(1, camera_exif(serial="BODY-1", main={0xC62F: "DNG-9"})))
    assert only_dng.serial == "DNG-9" and both.serial == "BODY-1"


def test_no_exif_no_facts_no_warnings():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(out, "JPEG")
    assert facts(out.getvalue()) == (None, [])
    assert facts(camera_jpeg(1, camera_exif(make=None, model=None, serial=None, taken=None))) == (None, [])


@pytest.mark.parametrize("position, gps, expected", [
    ((95.0, 10.0), {}, "GPS latitude"),  # beyond a pole
    ((10.0, 10.0), {3: "X"}, "GPS longitude without a valid hemisphere"),
    ((10.0, 10.0), {1: ""}, "GPS latitude without a valid hemisphere"),
    ((10.0, 10.0), {2: (10.0, 75.0, 0.0)}, "GPS latitude"),  # 75 minutes
    ((0.0, 0.0), {}, "0,0"),
    (None, {1: "N", 2: (10.0, 0.0, 0.0)}, "only one coordinate"),
])
def test_impossible_positions_are_left_out_with_a_warning(position, gps, expected):
    camera, found = facts(camera_jpeg(1, camera_exif(position=position, gps=gps)))
    assert camera.latitude is None and camera.longitude is None
    assert camera.serial == "123456"  # the rest stands
    assert any(expected in w for w in found), found


def test_an_absurd_altitude_or_offset_is_a_warning():
    camera, found = facts(camera_jpeg(1, camera_exif(offset="+31:00", altitude=250_000.0, position=(1.0, 2.0))))
    assert camera.altitude is None and camera.taken_utc is None and camera.taken_text == "2024-05-01T12:30:00"
    assert (camera.latitude, camera.longitude) == (1.0, 2.0)
    assert any("altitude" in w for w in found) and any("OffsetTimeOriginal" in w for w in found)


def test_wrong_types_written_by_hand_are_warnings_not_crashes():
    exif = raw_exif([short_entry(0x010F, 5), ascii_entry(0x0110, "Model X")],
                    [ascii_entry(0xA431, "SER1"), ascii_entry(0x9003, "2024:13:45 99:00:00")],
                    [ascii_entry(1, "N"), ascii_entry(2, "abc"), ascii_entry(3, "E"),
                     rational_entry(4, (1, 0), (2, 1), (3, 1)), rational_entry(6, (10, 0))])
    result = analyse_picture(camera_jpeg(3, exif), [PdqHasher()])
    assert isinstance(result.perceptual["pdq"], PerceptualDigest)  # the picture is still hashed
    assert result.camera == CameraFacts(model="Model X", serial="SER1")
    text = "\n".join(result.warnings)
    assert all(w.startswith("exif: ") for w in result.warnings)
    for expected in ("make is not text", "DateTimeOriginal", "GPS latitude 'abc'", "GPS longitude", "altitude"):
        assert expected in text


@pytest.mark.parametrize("keep, expected", [(8, "EXIF unreadable"), (14, "EXIF damaged"), (30, "EXIF damaged")])
def test_a_truncated_exif_block_is_a_warning_and_the_picture_still_hashed(keep, expected):
    data = camera_jpeg(1, camera_exif(position=(51.5, -0.12)))
    start = data.index(b"Exif\x00\x00")
    length = int.from_bytes(data[start - 2:start], "big")
    payload = data[start:start + keep]
    cut = data[:start - 4] + b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload + data[start - 2 + length:]
    with warnings.catch_warnings():  # Pillow's own complaint when it opens the file, not ours to test
        warnings.simplefilter("ignore")
        result = analyse_picture(cut, [PdqHasher()])
    assert isinstance(result.perceptual["pdq"], PerceptualDigest)
    assert result.camera is None
    assert len(result.warnings) == 1 and expected in result.warnings[0]


def test_the_result_travels_between_processes():
    result = analyse_picture(camera_jpeg(1, camera_exif(offset="-05:00", position=(40.0, -74.0))), [PdqHasher()])
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.camera.taken_utc == datetime(2024, 5, 1, 17, 30, tzinfo=UTC)

