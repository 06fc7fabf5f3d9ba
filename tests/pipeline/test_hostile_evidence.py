"""Hostile and broken evidence through the whole scan: each problem is a warning on its item, the
scan finishes, and nothing outside the evidence is touched or followed."""

from __future__ import annotations

import io
import os
import zipfile

from footprint.demo import jpeg_bytes, picture


def _nested_zip(depth: int, payload: bytes) -> bytes:
    data = payload
    for level in range(depth):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("inner.zip" if level else "deep.jpg", data)
        data = buffer.getvalue()
    return data


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (300 << 20))
    return buffer.getvalue()


def test_hostile_folder_scans_with_warnings(cli, tmp_path):
    evidence = tmp_path / "evidence"
    (evidence / "loop").mkdir(parents=True)
    os.symlink("..", evidence / "loop" / "back")  # a symlink loop
    os.symlink("/etc/passwd", evidence / "outside")  # out of the evidence
    (evidence / "nested.zip").write_bytes(_nested_zip(20, jpeg_bytes(picture(3))))
    (evidence / "bomb.zip").write_bytes(_bomb())
    traversal = io.BytesIO()
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("../../escape.jpg", jpeg_bytes(picture(4)))
    (evidence / "traversal.zip").write_bytes(traversal.getvalue())
    (evidence / "truncated.zip").write_bytes(traversal.getvalue()[:-30])
    (evidence / "photo.jpg").write_bytes(jpeg_bytes(picture(5))[:2000])

    assert cli("case", "create", "hostile").code == 0
    result = cli("scan", str(evidence), "--case", "hostile")
    assert result.code == 0, result.stderr
    items = {i["ref"]: i for i in cli("export", "hostile", "--format", "jsonl").jsonl()}

    def warned(prefix: str, word: str) -> bool:
        return any(ref.startswith(prefix) and any(word in w.lower() for w in item["warnings"])
                   for ref, item in items.items())

    assert warned("evidence/loop/back", "symbolic link")
    assert warned("evidence/outside", "symbolic link")
    assert not any("passwd" in ref and item["sha256"] for ref, item in items.items())
    assert warned("evidence/nested.zip", "deep")  # nesting limit reached, said on the item
    assert warned("evidence/bomb.zip", "")  # the bomb member is a warning, never read whole
    assert not any(item["size"] and item["size"] >= 300 << 20 for item in items.values())
    assert warned("evidence/traversal.zip", "")
    escaped = [ref for ref in items if ref.startswith("evidence/traversal.zip!") and ref.endswith("escape.jpg")]
    assert escaped and items[escaped[0]]["sha256"], "the member is still hashed under a safe address"
    assert warned("evidence/truncated.zip", "")
    assert items["evidence/photo.jpg"]["status"] == "skipped" and items["evidence/photo.jpg"]["warnings"]
