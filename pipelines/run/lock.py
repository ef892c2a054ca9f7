"""One run at a time on an output folder: an exclusive lock held for the whole run.

Dagster's pool ``frontdoor_warehouse`` serialises steps, not runs: two runs on one output each
took turns step by step, and the first published the second's data. So a run takes an
exclusive ``flock`` on ``<output>/.frontdoor/run.lock`` before its first step and keeps it until
its last has ended. It is taken where every launcher passes: the ``warehouse`` resource's
setup (``Warehouse.setup_for_execution``), which Dagster calls once at the start of each run in
`frontdoor run`, `dg launch`, `dg dev` and the schedule and sensor's runs, and whose teardown
releases it. A second run on the same output waits, says so (on stdout and in its Dagster
log) and names the run it waits for; it then goes on from its own first step. The kernel frees
the lock when its holder's process dies, however it dies, so a killed run never leaves it held.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from pipelines.private import private_folder

LOCK_NAME = "run.lock"

# The locks this process holds, by path: [file descriptor, run id, holders]. Dagster sets a
# run's resources up more than once in one process (`execute_in_process` initialises them for the
# run and again in its in-process executor); a flock taken twice through two descriptors by one
# process blocks on itself, so a run that already holds its output's lock takes it again here.
_HELD: dict[Path, list] = {}


class RunLock:
    """The exclusive lock of one output folder's runs (``acquire``, then ``release``)."""

    def __init__(self, work_dir: Path) -> None:
        self.path = work_dir / LOCK_NAME
        self._fd: int | None = None

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it ("run <id>, process <pid>"), or ""."""
        try:
            return self.path.read_text().strip()
        except OSError:
            return ""

    def acquire(self, who: str, say: Callable[[str], None]) -> None:
        """Take the lock for ``who`` (a run id), waiting while another run holds it; ``say``
        is told once that this run waits and for whom."""
        held = _HELD.get(self.path)
        if held is not None and held[1] == who:
            held[2] += 1
            self._fd = held[0]
            return
        private_folder(self.path.parent)  # the working folder: every row of every extract
        # O_CLOEXEC: a process this run starts (the GX worker) must not keep the lock alive.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say(
                    f"waiting: another run is using {self.path.parent.parent} "
                    f"({self.holder() or 'a run'}); this run starts when it ends"
                )
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"run {who}, process {os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        _HELD[self.path] = [fd, who, 1]

    def release(self) -> None:
        """Let the next run go (closing the file frees the lock)."""
        if self._fd is None:
            return
        held = _HELD.get(self.path)
        if held is not None and held[0] == self._fd:
            held[2] -= 1
            if held[2] > 0:
                self._fd = None
                return
            del _HELD[self.path]
        os.close(self._fd)
        self._fd = None
