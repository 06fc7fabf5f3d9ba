"""A picture worker killed in the middle of a scan (a decoder crash, the out-of-memory killer): the pool
is started again, the pictures it was reading are read again alone, and every item keeps its hashes; a
known file among them still matches and nothing is recorded as unreadable. (The pool had broken for
good: every later picture was 'unreadable' without even its MD5, and the exhibit was called complete.)"""

from __future__ import annotations

import hashlib
import os
import signal
import threading

import psutil

from footprint.demo import jpeg_bytes, picture
from footprint.model import CategoryScheme
from footprint.pipeline.importing import import_hashset
from footprint.pipeline.scan import Scanner
from footprint.pipeline.workers import READ_AGAIN
from footprint.settings import Settings
from footprint.store import open_store


class _KillOneWorker:
    """A scan observer that, once some items are done, kills one of the scan's picture workers."""

    def __init__(self, after: int) -> None:
        self.after, self.done, self.killed = after, 0, 0

    def exhibit_started(self, name: str, resumed: int) -> None: ...

    def exhibit_finished(self, exhibit) -> None: ...

    def item_done(self, ref: str, size: int) -> None:
        self.done += 1
        if self.done == self.after:
            threading.Thread(target=self._kill).start()

    def _kill(self) -> None:
        for server in psutil.Process().children():  # the fork server; the workers are its children
            for worker in server.children():
                os.kill(worker.pid, signal.SIGKILL)
                self.killed += 1
                return


def test_a_worker_killed_mid_scan_loses_no_item(tmp_path):
    evidence = tmp_path / "ev"
    evidence.mkdir()
    for n in range(160):
        (evidence / f"p{n:03d}.jpg").write_bytes(jpeg_bytes(picture(n).resize((1200, 900))))
    known = jpeg_bytes(picture(999))
    (evidence / "zz_known.jpg").write_bytes(known)
    (tmp_path / "known.csv").write_text(f"md5,category\n{hashlib.md5(known).hexdigest()},A\n")
    url = f"sqlite:///{tmp_path / 'case.db'}"
    store = open_store(url)
    import_hashset(store, tmp_path / "known.csv", "known")
    store.create_case("c", CategoryScheme.UK)
    killer = _KillOneWorker(after=20)
    summary = Scanner(store, Settings(home=tmp_path / "home", database_url=url, jobs=2), killer).scan("c", [evidence])
    assert killer.killed == 1 and summary.exhibits[0].status == "complete"
    items = list(store.iter_items(store.get_case("c").id))
    assert len(items) == 161 and all(r.status == "ok" and r.digests and r.digests.crypto.get("md5") for r in items)
    assert all("pdq" in r.digests.perceptual and not hasattr(r.digests.perceptual["pdq"], "reason") for r in items)
    assert [m.hashset for r in items if r.ref.endswith("zz_known.jpg") for m in r.matches] == ["known"]
    assert any(READ_AGAIN in r.warnings for r in items)  # the pictures its worker was reading, read again alone
    store.close()
