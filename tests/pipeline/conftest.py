"""Shared by the pipeline tests: a scan observer that interrupts the scan like Ctrl-C, and a FAT disk
image holding a live and a deleted known picture (disk_images.py)."""

from __future__ import annotations

import pytest
from disk_images import make_fat_image


class StopAfter:
    """Raises KeyboardInterrupt once ``n`` items are done, as Ctrl-C would mid-scan."""

    def __init__(self, n: int) -> None:
        self.n = n

    def exhibit_started(self, name: str, resumed: int) -> None:
        pass

    def item_done(self, ref: str, size: int) -> None:
        self.n -= 1
        if self.n < 0:
            raise KeyboardInterrupt

    def exhibit_finished(self, exhibit) -> None:
        pass


@pytest.fixture
def stop_after_items():
    return StopAfter


@pytest.fixture
def fat_image(tmp_path):
    return make_fat_image(tmp_path)
