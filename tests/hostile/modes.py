"""What a run left for other users to read: the modes of every file and folder it wrote."""

from __future__ import annotations

import stat
from pathlib import Path


def modes(root: Path) -> dict[Path, int]:
    """Every file and folder under ``root`` (links are not followed: they have no mode)."""
    found = {root: stat.S_IMODE(root.lstat().st_mode)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[path] = stat.S_IMODE(path.lstat().st_mode)
    return found


def assert_nothing_for_other_users(out: Path, dagster_home: Path) -> None:
    """Issue 19, item 3, for runs started under umask 0022: the working warehouse and its log
    and spill files, the report being built, the run lock and Dagster's history are the owner's
    alone; published files are the group's to read, never the world's."""
    work = out / ".frontdoor"
    assert (work / "work.duckdb").is_file() and (work / "report.html").is_file()
    found = modes(out)
    assert len(found) >= 9  # out, .frontdoor and its files, releases/, a release, its files
    world = {p: oct(m) for p, m in found.items() if m & 0o007}
    assert world == {}
    # The working folder and all in it are the owner's alone; a release is the group's to read.
    for path, mode in found.items():
        if work in (path, *path.parents):
            assert mode & 0o077 == 0, (path, oct(mode))
    published = list((out / "releases").iterdir())
    assert published
    for release in published:
        assert found[release / "warehouse.duckdb"] == 0o640
        assert found[release] == 0o750
    assert found[out / "releases"] == found[out] == 0o750
    history = modes(dagster_home)
    assert {p: oct(m) for p, m in history.items() if m & 0o077} == {}
