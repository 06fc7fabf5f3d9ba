"""The scan's picture workers, and what happens when one dies.

A worker can die under a picture: a decoder that crashes on hostile bytes, the system's out-of-memory
killer. ``ProcessPoolExecutor`` then breaks: every picture handed to it and not yet answered fails with
BrokenProcessPool, and so does every later hand-over. Left so, a scan recorded each of those pictures as
unreadable, without even its MD5 or SHA-256, and went on to call the exhibit complete (a known file among
them never matched; a second scan read nothing again).

So the pool is started again at the next hand-over (``Workers``), and each picture whose answer was lost
is read again, alone, in a process of its own (``Task.result``): one whose reading kills that process too
is the picture that crashes the decoder, and only it is recorded as failed; the others get their hashes,
with a warning that they were read again.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

READ_AGAIN = ("read again in a process of its own: the worker reading it stopped (another picture's decoder "
              "crash, or the system's out-of-memory killer)")
DIED_ALONE = "a worker died reading it, and died again reading it alone: the picture crashes its decoder"


class Workers(Executor):
    """A process pool started again (``start``) when it broke: a hand-over never fails for a worker's death."""

    def __init__(self, start: Callable[[], ProcessPoolExecutor]) -> None:
        self._start = start
        self._pool = start()
        self.started_again = 0

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        try:
            return self._pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = self._start()
            self.started_again += 1
            return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@dataclass
class Task(Generic[T]):
    """A call handed to the workers, that can be made again alone when its worker died."""

    future: Future[T]
    fn: Callable[..., T]
    args: tuple[Any, ...]
    again: bool = field(default=False, init=False)  # made again alone: the answer carries READ_AGAIN

    def result(self) -> T:
        """The answer; when the worker died first, the answer of the call made again in a process of its
        own (BrokenProcessPool with DIED_ALONE if that process dies too)."""
        try:
            return self.future.result()
        except BrokenProcessPool:
            self.again = True
            return alone(self.fn, *self.args)


def hand(pool: Executor, fn: Callable[..., T], *args: Any) -> Task[T]:
    return Task(pool.submit(fn, *args), fn, args)


def ignore_ctrl_c() -> None:
    """In a worker: Ctrl-C is the scan's to answer (it reaches the whole process group). The signal blocked
    while the pool starts (pipeline.scan._interrupt_held) does not stay blocked in the workers: the fork
    server is started with a mask of its own (measured: SigBlk 0 in the server and its children), and a
    worker caught in its task queue printed a traceback of its own above the scan's one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def alone(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a process of its own (from the scan's fork server, whose modules are loaded)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"),
                             initializer=ignore_ctrl_c) as one:
        try:
            return one.submit(fn, *args).result()
        except BrokenProcessPool as exc:
            raise BrokenProcessPool(DIED_ALONE) from exc
