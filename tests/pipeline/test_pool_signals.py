"""The scan's worker pool and Ctrl-C (pipeline.scan._interrupt_held): held back while the pool starts,
raised once it is up, and never delivered to the processes started meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from footprint.pipeline.scan import _interrupt_held


def _blocked_signals(pid: int) -> int:
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            return int(line.split()[1], 16)
    raise AssertionError("no SigBlk line")


@pytest.fixture
def answers_ctrl_c():
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_ctrl_c_while_held_is_raised_when_the_hold_ends(answers_ctrl_c):
    reached_the_end = False
    with pytest.raises(KeyboardInterrupt), _interrupt_held():
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the eval loop looks for signals between these
            pass
        reached_the_end = True
    assert reached_the_end
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, []) & {signal.SIGINT}


def test_processes_started_while_held_never_receive_ctrl_c(answers_ctrl_c):
    with _interrupt_held():
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert _blocked_signals(child.pid) & (1 << (signal.SIGINT - 1))
        os.kill(child.pid, signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)
    finally:
        child.kill()
        child.wait()


def test_without_a_ctrl_c_nothing_is_raised(answers_ctrl_c):
    with _interrupt_held():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_process_that_ignores_ctrl_c_still_ignores_it() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _interrupt_held():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignored_signals(pid: int) -> int:
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return int(line.split()[1], 16)
    raise AssertionError("no SigIgn line")


def test_the_picture_workers_ignore_ctrl_c(answers_ctrl_c):
    """Ctrl-C reaches the whole process group and is the scan's to answer: each worker ignores it (the
    mask blocked while the pool starts does not reach the workers through the fork server), so none
    prints a traceback of its own above the scan's one line."""
    from footprint.pipeline.scan import _pool

    with _pool(2) as pool:
        assert pool is not None
        pids = {f.result() for f in [pool.submit(_pid_after, 0.3) for _ in range(2)]}  # both workers, started
        assert len(pids) == 2
        assert all(_ignored_signals(pid) & (1 << (signal.SIGINT - 1)) for pid in pids)


def _pid_after(seconds: float) -> int:
    import time

    time.sleep(seconds)  # long enough that the other task goes to the other worker
    return os.getpid()
