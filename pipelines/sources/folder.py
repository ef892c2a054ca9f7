"""The input folder: which files a run may read, and how it knows they held still.

Every reader lists the folder through ``input_files``, so the rules hold for every format:

- only the folder's own files count (not its subfolders); hidden files (``.name``) and Office's
  lock files (``~$name``) are skipped;
- a symbolic link is followed only when it leads to a file inside the input folder, and then the
  real file is what the run names (``_source_file``); a link that leaves the folder (to
  ``/etc/passwd``, to another council's extracts) is refused, with a message;
- a file that changed while it was being read (its size or modification time differ before and
  after: it was still being written) is refused rather than loaded cut short (``unchanged``);
- a file name is shown in messages with any control character escaped (``shown``), so a name
  holding a line end cannot forge a line of the run's output.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ExtractError

# Enough of a file to tell its format (a CSV header, an XML root element): detection never reads
# more, however large a stray file is.
HEAD_BYTES = 65536
# What an input file may be named (docs/formats.md): anything else is listed as not an input.
INPUT_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".xml", ".json", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class InputFile:
    """One entry of the input folder."""

    name: str  # as listed in the folder (a link's own name)
    path: Path  # the file to read: the link resolved
    listed: Path  # the entry in the folder (the link itself): what messages name
    size: int
    mtime_ns: int
    refused: str | None = None  # why it may not be read, or None

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def stem(self) -> str:
        return Path(self.name).stem.lower()


def shown(name: object) -> str:
    """A file name (or path) fit for a message: control characters escaped."""
    text = str(name)
    if text.isprintable():
        return text
    return text.encode("unicode_escape").decode("ascii")


def input_files(folder: Path) -> list[InputFile]:
    """The folder's own files, by name, each with why it is refused when it is."""
    if not folder.is_dir():
        raise ExtractError(folder, "the input folder does not exist or is not a folder")
    root = folder.resolve()
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "~$")):
            continue
        refused = None
        real = entry.resolve()
        if entry.is_symlink() and not real.is_relative_to(root):
            refused = "is a link to a file outside the input folder: refused"
        elif not real.is_file():
            if entry.is_dir() and entry.suffix.lower() not in INPUT_SUFFIXES:
                continue  # a subfolder is not an input (unless it is named like one)
            refused = "is not a regular file: refused"
        try:
            stat = real.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:
            size, mtime = 0, 0
            refused = refused or "cannot be read: refused"
        found.append(InputFile(entry.name, real, entry, size, mtime, refused))
    return found


def describe(path: Path) -> InputFile:
    """One file given by path (not by listing a folder): its size and time now."""
    try:
        stat = path.stat()
        return InputFile(path.name, path, path, stat.st_size, stat.st_mtime_ns)
    except OSError:
        return InputFile(path.name, path, path, 0, 0)


def unchanged(path: Path, before: InputFile | os.stat_result) -> bool:
    """True when the file's size and modification time are what they were before it was read."""
    size, mtime = (
        (before.size, before.mtime_ns)
        if isinstance(before, InputFile)
        else (before.st_size, before.st_mtime_ns)
    )
    try:
        now = path.stat()
    except OSError:
        return False
    return (now.st_size, now.st_mtime_ns) == (size, mtime)


def changed_error(path: Path) -> ExtractError:
    return ExtractError(
        path,
        "changed while it was being read (is it still being written?): not loaded; run again "
        "once the file is complete",
    )


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a file (all of it when shorter)."""
    with path.open("rb") as f:
        return f.read(size)


def newest_change(folder: Path) -> float | None:
    """Seconds since the epoch of the newest input file's last change, or None when none."""
    files = [f for f in input_files(folder) if f.refused is None]
    return max(f.mtime_ns for f in files) / 1e9 if files else None


def settled(folder: Path, seconds: float) -> bool:
    """True when no input file has changed in the last ``seconds`` (a copy is not still
    arriving): the rule the sensor, the nightly schedule and `frontdoor run` share."""
    newest = newest_change(folder)
    return newest is None or time.time() - newest >= seconds
