"""A benign demo case, generated: pictures of random shapes and smooth colour fields, never real
material. ``make demo`` scans it end to end; the tests build the same case and check every expected
match, that nothing else matches, and that each broken file gives a warning.

The "known" list is simply a list built from some of these generated pictures. The evidence folder
holds exact copies under other names and types, resized, recompressed and mirrored copies, copies
inside archives (nested), unrelated distractors, flat pictures that must never match, and broken files.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

KNOWN = 8  # pictures in the known list
DISTRACTORS = 24


def picture(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A benign, detailed, deterministic picture: a smooth colour field with random shapes."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    channels = []
    for _ in range(3):
        field_ = np.zeros((h, w), np.float32)
        for _ in range(6):
            fx, fy = rng.uniform(0.5, 6, 2) * 2 * np.pi / np.array([w, h])
            field_ += rng.uniform(0.3, 1) * np.sin(fx * x + fy * y + rng.uniform(0, 2 * np.pi))
        channels.append(field_)
    rgb = np.stack(channels, axis=-1)
    rgb = (rgb - rgb.min()) / (np.ptp(rgb) + 1e-6) * 255
    image = Image.fromarray(rgb.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(20, w // 2)), y0 + int(rng.integers(20, h // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = (draw.ellipse, draw.rectangle)[int(rng.integers(0, 2))]
        shape((x0, y0, x1, y1), fill=colour, outline=(0, 0, 0), width=3)
    return image


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Expected:
    """What a correct scan must find for one evidence item (ref relative to the exhibit)."""

    ref: str
    entry: str | None  # label of the known entry it must match, None: must match nothing
    kind: str | None = None  # exact | near
    warning: bool = False  # must carry a warning


@dataclass
class DemoCase:
    root: Path
    evidence: Path
    known_list: Path
    expected: list[Expected] = field(default_factory=list)


def build_demo(root: Path) -> DemoCase:
    """Write the demo's known list and evidence folder under ``root``; return what a scan must find."""
    evidence = root / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    known = [picture(1000 + i) for i in range(KNOWN)]
    known_bytes = [jpeg_bytes(p) for p in known]
    case = DemoCase(root, evidence, root / "known-list.json")
    _write_known_list(case.known_list, known_bytes)
    _write_copies(case, known, known_bytes)
    _write_archives(case, known, known_bytes)
    _write_distractors(case)
    _write_broken(case, known_bytes[0])
    return case


def _label(i: int) -> str:
    return f"demo-known-{i}"


def _write_known_list(path: Path, data: list[bytes]) -> None:
    """A VICS 2.0 list with MD5, SHA-1 and the PDQ and SHA-256 as alternative hashes."""
    from footprint.hashers.compute import hash_image_bytes  # the same path a scan takes
    from footprint.hashers.pdq import PdqHasher

    media = []
    for i, blob in enumerate(data):
        pdq = getattr(hash_image_bytes(blob, (PdqHasher(),))["pdq"], "value", None)
        alternatives = [{"HashName": "SHA256", "HashValue": hashlib.sha256(blob).hexdigest()}]
        if pdq:
            alternatives.append({"HashName": "PDQ", "HashValue": pdq})
        media.append({
            "MediaID": _label(i), "MD5": hashlib.md5(blob).hexdigest().upper(),
            "SHA1": hashlib.sha1(blob).hexdigest().upper(), "Category": 1 + i % 3,
            "Series": f"demo-series-{i % 2}", "VictimIdentified": "false",
            "AlternativeHashes": alternatives,
        })
    document = {"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",
                "value": media}
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")


def _write_copies(case: DemoCase, known: list[Image.Image], data: list[bytes]) -> None:
    ev, add = case.evidence, case.expected.append
    (ev / "Pictures").mkdir(exist_ok=True)
    (ev / "Pictures" / "holiday-001.jpg").write_bytes(data[0])
    add(Expected("Pictures/holiday-001.jpg", _label(0), "exact"))
    (ev / "Pictures" / "notes.dat").write_bytes(data[1])  # a JPEG named .dat is a JPEG
    add(Expected("Pictures/notes.dat", _label(1), "exact"))
    small = known[2].resize((320, 240), Image.Resampling.LANCZOS)
    (ev / "Pictures" / "small.jpg").write_bytes(jpeg_bytes(small, 85))
    add(Expected("Pictures/small.jpg", _label(2), "near"))
    (ev / "Pictures" / "recompressed.jpg").write_bytes(jpeg_bytes(known[3], 35))
    add(Expected("Pictures/recompressed.jpg", _label(3), "near"))
    (ev / "Pictures" / "mirrored.png").write_bytes(png_bytes(ImageOps.mirror(known[4])))
    add(Expected("Pictures/mirrored.png", _label(4), "near"))
    (ev / "Pictures" / "rotated.jpg").write_bytes(jpeg_bytes(known[5].rotate(90, expand=True)))
    add(Expected("Pictures/rotated.jpg", _label(5), "near"))


def _write_archives(case: DemoCase, known: list[Image.Image], data: list[bytes]) -> None:
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        _tar_add(tar, "deep/copy.jpg", data[6])
    with zipfile.ZipFile(case.evidence / "Downloads.zip", "w") as archive:
        archive.writestr("holiday/1.jpg", data[7])
        archive.writestr("holiday/2.png", png_bytes(known[6].resize((400, 300))))
        archive.writestr("more.tar.gz", inner.getvalue())
    case.expected += [
        Expected("Downloads.zip!holiday/1.jpg", _label(7), "exact"),
        Expected("Downloads.zip!holiday/2.png", _label(6), "near"),
        Expected("Downloads.zip!more.tar.gz!deep/copy.jpg", _label(6), "exact"),
        Expected("Downloads.zip", None), Expected("Downloads.zip!more.tar.gz", None),
    ]


def _tar_add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _write_distractors(case: DemoCase) -> None:
    folder = case.evidence / "Camera"
    folder.mkdir(exist_ok=True)
    for i in range(DISTRACTORS):
        name = f"IMG_{i:04d}.jpg"
        (folder / name).write_bytes(jpeg_bytes(picture(5000 + i)))
        case.expected.append(Expected(f"Camera/{name}", None))
    flat = {"white.png": Image.new("RGB", (300, 200), (255, 255, 255)),
            "grey.jpg": Image.new("RGB", (300, 200), (128, 128, 128)),
            "gradient.png": Image.linear_gradient("L").resize((300, 200)).convert("RGB")}
    for name, image in flat.items():
        (folder / name).write_bytes(png_bytes(image) if name.endswith(".png") else jpeg_bytes(image))
        case.expected.append(Expected(f"Camera/{name}", None))


def _write_broken(case: DemoCase, good: bytes) -> None:
    folder = case.evidence / "Broken"
    folder.mkdir(exist_ok=True)
    broken = {"truncated.jpg": good[: len(good) // 3],
              "random.jpg": np.random.default_rng(7).integers(0, 256, 5000, dtype=np.uint8).tobytes(),
              "empty.jpg": b""}
    for name, blob in broken.items():
        (folder / name).write_bytes(blob)
        case.expected.append(Expected(f"Broken/{name}", None, warning=True))
