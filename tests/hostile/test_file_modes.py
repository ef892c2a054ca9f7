"""Nothing frontdoor writes is readable by other users, whatever umask it was started with
(issue 19, item 3): the working warehouse and its log and spill files, the report being built,
the run lock, Dagster's history; published files are the group's to read, never the world's."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _modes(root: Path) -> dict[Path, int]:
    """Every file and folder under ``root`` (links are not followed: they have no mode)."""
    found = {root: stat.S_IMODE(root.lstat().st_mode)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[path] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_a_run_under_umask_0022_leaves_nothing_for_other_users(small_council, tmp_path):
    out, home = tmp_path / "out", tmp_path / "dagster_home"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--input", str(small_council),
         "--output", str(out), "--settle-seconds", "0"],
        cwd=ROOT, env={**os.environ, "DAGSTER_HOME": str(home)}, capture_output=True,
        text=True, preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    work = out / ".frontdoor"
    assert (work / "work.duckdb").is_file() and (work / "report.html").is_file()
    modes = _modes(out)
    assert len(modes) >= 9  # out, .frontdoor and its files, releases/, a release, its files
    world = {p: oct(m) for p, m in modes.items() if m & 0o007}
    assert world == {}
    # The working folder and all in it are the owner's alone; a release is the group's to read.
    for path, mode in modes.items():
        if work in (path, *path.parents):
            assert mode & 0o077 == 0, (path, oct(mode))
    (release,) = (out / "releases").iterdir()
    assert modes[release / "warehouse.duckdb"] == 0o640
    assert modes[release] == modes[out / "releases"] == modes[out] == 0o750
    history = _modes(home)
    assert {p: oct(m) for p, m in history.items() if m & 0o077} == {}
