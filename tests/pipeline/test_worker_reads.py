"""Pictures that are files of their own are read by the worker that hashes them (pipeline.analyse): the
scan gives exactly what a one-process scan gives, and a read that fails in the worker is the item's error."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from footprint.demo import KNOWN, jpeg_bytes, picture
from footprint.hashers.registry import CRYPTO_HASHERS, IMAGE_HASHERS
from footprint.model import Item, ItemRef
from footprint.pipeline.analyse import analyse
from footprint.sources.folder import open_readonly


def test_two_workers_give_the_one_process_export(cli, demo_case):
    exports = []
    for case, jobs in (("pooled", "2"), ("inline", "1")):
        assert cli("case", "create", case).code == 0
        if not exports:
            assert cli("hashset", "import", str(demo_case.known_list), "--name", "known").code == 0
        result = cli("scan", str(demo_case.evidence), "--case", case, "--jobs", jobs)
        assert result.code == 0, result.stderr
        exports.append(cli("export", case, "--format", "jsonl").stdout)
    pooled, inline = exports
    matched = [item for item in map(json.loads, pooled.splitlines()) if item["matches"]]
    assert len(matched) >= KNOWN  # every known picture found, some more than once
    assert pooled == inline


def test_worker_read_gives_hashes_size_and_picture(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes(picture(11)))
    item = Item(ItemRef(("photo.jpg",)), path.stat().st_size, partial(open_readonly, path), path=str(path))
    with ThreadPoolExecutor(1) as pool:
        pooled = analyse(item, CRYPTO_HASHERS, IMAGE_HASHERS, 1 << 24, pool=pool)
        assert pooled.digests is None  # on its way from the worker
        pooled.settle()
    inline = analyse(item, CRYPTO_HASHERS, IMAGE_HASHERS, 1 << 24)
    assert pooled.digests == inline.digests and pooled.digests is not None
    assert pooled.digests.perceptual["pdq"].quality >= 50 and pooled.digests.size == path.stat().st_size
    assert (pooled.status, pooled.reason, pooled.warnings) == (inline.status, inline.reason, inline.warnings)
    assert pooled.camera == inline.camera


def test_worker_read_that_fails_is_the_items_error(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes(picture(12)))
    gone = tmp_path / "gone.jpg"  # listed, then gone by the time the worker reads it
    item = Item(ItemRef(("photo.jpg",)), path.stat().st_size, partial(open_readonly, path), path=str(gone))
    with ThreadPoolExecutor(1) as pool:
        analysis = analyse(item, CRYPTO_HASHERS, IMAGE_HASHERS, 1 << 24, pool=pool)
        analysis.settle()
    assert analysis.digests is None and analysis.status == "error"
    assert analysis.reason is not None and analysis.reason.startswith("unreadable:")
    assert analysis.warnings == [analysis.reason]


def test_a_file_that_is_not_a_picture_stays_in_this_process(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a picture\n" * 100)
    item = Item(ItemRef(("notes.txt",)), path.stat().st_size, partial(open_readonly, path), path=str(path))
    with ThreadPoolExecutor(1) as pool:
        analysis = analyse(item, CRYPTO_HASHERS, IMAGE_HASHERS, 1 << 24, pool=pool)
    assert analysis.digests is not None and analysis.pending is None and analysis.data is not None
