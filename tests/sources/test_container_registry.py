"""The container registry: one explicit list, unique names, sniffing by content."""

from __future__ import annotations

import gzip

from footprint.sources.base import Limits
from footprint.sources.registry import (
    CONTAINER_FORMATS,
    container_formats,
    format_named,
    open_container,
    sniff,
)

from .conftest import item_of, picture
from .test_archives import make_7z, make_tar, make_zip


def test_names_are_unique_and_permanent() -> None:
    names = [f.name for f in container_formats()]
    assert len(names) == len(set(names))
    assert {"zip", "tar", "7z", "gzip", "bzip2", "xz"} <= set(names)
    assert container_formats() is CONTAINER_FORMATS
    assert format_named("7z") is not None and format_named("nope") is None


def test_sniff_by_content_not_name() -> None:
    cases = {"zip": make_zip({"a": b"x"}), "tar": make_tar({"a": b"x"}), "7z": make_7z({"a": b"x"}),
             "gzip": gzip.compress(b"x")}
    for name, data in cases.items():
        found = sniff(data[:65536])
        assert found is not None and found.name == name
    assert sniff(picture(1)) is None


def test_open_container_names_the_source() -> None:
    source = open_container(item_of(make_tar({"a": b"x"}, "w:xz"), "whatever"), b"\xfd7zXZ\x00", Limits())
    assert source is not None and source.name == "tar"
    source = open_container(item_of(gzip.compress(b"plain"), "x.gz"), b"\x1f\x8b\x08", Limits())
    assert source is not None and source.name == "compressed"
