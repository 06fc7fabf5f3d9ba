"""A recursive archive bomb (42.zip's shape, small: a few levels of 8 copies, each leaf zeros) passes every
archive's own limits; the budget of its top-level archive stops it. The scan finishes, the item read when
the budget ran out and each container cut short say so, the rest of the evidence is read, and a
legitimate nested archive under the budget is read in full."""

from __future__ import annotations

import io
import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from footprint.demo import jpeg_bytes, picture
from footprint.pipeline.scan import Scanner
from footprint.settings import Settings
from footprint.sources.base import Limits
from footprint.store import open_store

LEAF = bytes(256 << 10)  # zeros: each inflates from about 300 bytes
BUDGET = 3 << 20  # 12 leaves' worth: the budget runs out inside the 12th leaf read
SMALL = Limits(nested_bytes=BUDGET, nested_ratio=1)


def recursive_zip(levels: int, copies: int, leaf: bytes = LEAF) -> bytes:
    data, name = leaf, "leaf{}.bin"
    for _ in range(levels):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for i in range(copies):
                archive.writestr(name.format(i), data)
        data, name = buffer.getvalue(), "z{}.zip"
    return data


def recursive_tgz(levels: int, copies: int, leaf: bytes = LEAF) -> bytes:
    data, name = leaf, "leaf{}.bin"
    for _ in range(levels):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for i in range(copies):
                info = tarfile.TarInfo(name.format(i))
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        data, name = buffer.getvalue(), "t{}.tar.gz"
    return data


def legitimate() -> bytes:
    """A zip of pictures holding a tar.gz of pictures holding a zip of pictures: 12 pictures, 3 levels."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for seed in range(4):
            archive.writestr(f"deep/{seed}.jpg", jpeg_bytes(picture(seed)))
    middle = io.BytesIO()
    with tarfile.open(fileobj=middle, mode="w:gz") as archive:
        members = {f"mid/{seed}.jpg": jpeg_bytes(picture(seed)) for seed in range(4, 8)}
        members["mid/inner.zip"] = inner.getvalue()
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as archive:
        for seed in range(8, 12):
            archive.writestr(f"top/{seed}.jpg", jpeg_bytes(picture(seed)))
        archive.writestr("top/middle.tar.gz", middle.getvalue())
    return outer.getvalue()


def scan(cli, folder: Path, limits: Limits):
    assert cli("case", "create", "nest").code == 0
    settings = Settings.from_env(limits=limits)
    store = open_store(settings.database_url)
    summary = Scanner(store, settings).scan("nest", [folder])
    records = {r.ref: r for r in store.iter_items(store.get_case("nest").id)}
    return summary, records


def cut_short(records) -> dict[str, str]:
    """Each container cut short by the budget: its ref → the first member it did not give."""
    found = {}
    for ref, record in records.items():
        for warning in record.warnings:
            if "the rest of this container not read" in warning:
                assert ref not in found, f"{ref} cut short twice"
                found[ref] = warning.split(", from ")[1].split(" ")[0]
    return found


def ancestors(ref: str) -> list[str]:
    parts = ref.split("!")
    return ["!".join(parts[:n]) for n in range(1, len(parts))]


def next_sibling(ref: str) -> str:
    """``a!z3.zip`` → ``a!z4.zip``: the member after ``ref`` in its container (members are numbered)."""
    head, _, last = ref.rpartition("!")
    stem, number, suffix = re.fullmatch(r"(\D*)(\d+)(.*)", last).groups()  # type: ignore[union-attr]
    return f"{head}!{stem}{int(number) + 1}{suffix}"


@pytest.mark.parametrize("make, name", [(recursive_zip, "bomb.zip"), (recursive_tgz, "bomb.tar.gz")])
def test_a_recursive_bomb_is_cut_short_and_the_rest_is_read(cli, tmp_path, make, name):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / name).write_bytes(make(4, 8))  # 4096 leaves: 1 GiB were each read
    (evidence / "legit.zip").write_bytes(legitimate())  # walked after the bomb (by name)
    (evidence / "photo.jpg").write_bytes(jpeg_bytes(picture(20)))
    summary, records = scan(cli, evidence, SMALL)

    stopped = [ref for ref, r in records.items() if r.reason and "read no further" in r.reason]
    assert len(stopped) == 1, stopped  # the one item being read when the budget ran out
    (last,) = stopped
    assert last.endswith(".bin") and records[last].status == "error" and records[last].digests is None
    assert f"the budget for everything inside evidence/{name} is spent" in records[last].reason

    # each container on its way up is cut short, at the member after the one it was reading, once
    cut = cut_short(records)
    assert set(cut) == set(ancestors(last))
    on_the_way = [*ancestors(last)[1:], last]
    for container, member in zip(ancestors(last), on_the_way, strict=True):
        assert cut[container] == next_sibling(member)
        assert "more than 3145728 bytes read out of it" in next(w for w in records[container].warnings
                                                                 if "not read" in w)

    # nothing past the cut was read, and what came before it all was: 11 leaves and the 5 containers
    bomb = {ref: r for ref, r in records.items() if ref.startswith(f"evidence/{name}")}
    leaves = [ref for ref, r in bomb.items() if ref.endswith(".bin") and r.status != "error"]
    assert len(leaves) == 11 and all(bomb[ref].size == len(LEAF) for ref in leaves)
    assert len(bomb) == 11 + 1 + 5

    # the rest of the evidence goes on, in full
    legit = [ref for ref in records if ref.startswith("evidence/legit.zip")]
    assert len([ref for ref in legit if ref.endswith(".jpg")]) == 12
    assert not any(records[ref].warnings for ref in legit)
    assert records["evidence/photo.jpg"].digests is not None

    # counted once each: the summary's warnings are the records' warnings
    assert summary.items == len(records)
    assert summary.warnings == sum(len(r.warnings) for r in records.values())


def test_a_legitimate_nested_archive_under_the_budget_is_read_in_full(cli, tmp_path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    data = legitimate()
    (evidence / "legit.zip").write_bytes(data)
    _, records = scan(cli, evidence, Limits(nested_bytes=len(data) * 3, nested_ratio=1))
    pictures = sorted(ref for ref in records if ref.endswith(".jpg"))
    assert len(pictures) == 12 and all(records[ref].digests is not None for ref in pictures)
    assert not any(r.warnings for r in records.values())


def test_the_member_budget_stops_a_bomb_of_empty_members(cli, tmp_path):
    """Members cost a record each even when they hold nothing: their number is bounded too."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "bomb.zip").write_bytes(recursive_zip(4, 8, leaf=b"x"))  # 4096 one-byte leaves, 584 zips
    _, records = scan(cli, evidence, Limits(max_nested_members=100))
    assert len(records) == 1 + 100  # the top-level archive and the 100 members its budget allows
    cut = cut_short(records)
    assert "evidence/bomb.zip" in cut and all(ref.endswith(".zip") for ref in cut)
    said = [w for r in records.values() for w in r.warnings]
    assert len(said) == len(cut) and all("more than 100 members found inside it" in w for w in said)


def test_each_top_level_archive_has_a_budget_of_its_own(cli, tmp_path):
    """Two identical bombs side by side: each is cut short the same way, neither starves the other."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for name in ("a.zip", "b.zip"):
        (evidence / name).write_bytes(recursive_zip(3, 8))
    _, records = scan(cli, evidence, SMALL)
    counts = [len([ref for ref in records if ref.startswith(f"evidence/{name}")]) for name in ("a.zip", "b.zip")]
    assert counts[0] == counts[1] > 12
    assert {ref.split("!")[0] for ref in cut_short(records)} == {"evidence/a.zip", "evidence/b.zip"}
