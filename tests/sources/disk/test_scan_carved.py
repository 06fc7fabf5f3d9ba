"""Through the whole scan: a known benign picture hidden in a raw image's unallocated space, and one
appended after random bytes inside a file, are carved and matched against a hash set."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..conftest import picture
from .images import fat_image, write_at
from .test_carving import noise


def test_carved_pictures_are_matched(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    in_free_space, in_a_file = picture(21, size=(256, 192)), picture(22, size=(256, 192))
    image = fat_image(tmp_path / "usb.dd", {"data/blob.bin": noise(23, 20000) + in_a_file + noise(24, 999),
                                             "live.png": picture(25, "PNG")})
    offset = image.stat().st_size - (256 << 10)
    write_at(image, offset, in_free_space)
    known = tmp_path / "known.csv"
    known.write_text("sha256,label,category\n" + "".join(
        f"{hashlib.sha256(data).hexdigest()},{label},C\n"
        for label, data in (("free", in_free_space), ("file", in_a_file))))
    cli("case", "create", "usb")
    assert cli("hashset", "import", str(known), "--name", "known").code == 0
    result = cli("scan", str(image), "--case", "usb")
    assert result.code == 0, result.stderr
    items = cli("export", "usb", "--format", "jsonl").jsonl()
    matched = {i["matches"][0]["label"]: i for i in items if i["matches"]}
    assert set(matched) == {"free", "file"}
    assert matched["free"]["ref"] == f"usb.dd!fs!unallocated@0x{offset:x}"
    assert matched["file"]["ref"] == f"usb.dd!fs/data/blob.bin!content@0x{20000:x}"
    assert {matched[k]["state"] for k in matched} == {"carved"}
