"""Who may read what frontdoor writes: its owner only, unless it is published.

The working warehouse holds every row of every extract, and so do its write-ahead log, its spill
folder, the report being built, the Great Expectations samples, a region's status files and the
daemon's log. Rather than set a mode on each (and miss the next one, or a file DuckDB makes for
itself), every process that loads frontdoor's code (the `frontdoor` command, `dg dev`'s code
server and run workers, `dg launch`, Dagster's daemon) sets its umask to ``PRIVATE_UMASK`` when
``pipelines`` is imported: whatever it or a library in it creates is its owner's alone,
whatever umask it was started with.

Published releases are the one thing others read: their files are given the run's file mode
(0640 by default) and the folders on the way to them ``folder_mode`` (pipelines/release/releases.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def keep_private() -> None:
    """From now on, files and folders this process creates are readable by its owner only."""
    os.umask(PRIVATE_UMASK)


def folder_mode(file_mode: int) -> int:
    """A folder's mode for files of ``file_mode``: whoever may read the files may list and
    enter the folder (0640 -> 0750)."""
    return stat.S_IRWXU | file_mode | ((file_mode & 0o444) >> 2)


def open_to_readers(folder: Path, file_mode: int) -> None:
    """Let the readers of files of ``file_mode`` reach into ``folder`` (created if absent):
    the folders on the way to a published release."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, folder_mode(file_mode))


def private_folder(folder: Path) -> Path:
    """``folder`` (created if absent) made its owner's alone, whatever mode an older frontdoor
    or another umask left it with: nobody else can reach what lies in it."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, stat.S_IRWXU)
    return folder
