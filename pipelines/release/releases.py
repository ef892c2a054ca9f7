"""Releases: the warehouse and the report published as a pair, switched in one atomic step.

The output folder looks like this::

    output/
      warehouse.duckdb -> current/warehouse.duckdb     the names analysts and managers open
      report.html      -> current/report.html
      current          -> releases/20140401-020113-3f2a9c1d
      releases/
        20140331-020108-8c41be20/  warehouse.duckdb  report.html  release.json
        20140401-020113-3f2a9c1d/  ...
      .frontdoor/      the working warehouse (pipelines/run/warehouse.py)

Publishing builds a release in ``releases/.building-<run>``, renames it to its final name, then
points ``current`` at it by renaming a new symlink over the old one: a single rename, so the
published names always show one release's warehouse beside the same release's report, whenever
a run is killed. An analyst's open connection keeps reading the file it opened. DuckDB resolves
the symlink, so a write-ahead log an analyst leaves behind lies beside that release's own file
and can never be paired with a newer one.

The last ``keep`` releases are kept (and always the current one), so ``rollback`` can switch back,
to a release whose files still match the SHA-256 recorded in its release.json at publish time.
Files are written read-only to the pipeline's readers (``file_mode``); a release folder left by
a run that died is removed by the next publish, whatever its age.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.private import folder_mode, open_to_readers

RELEASES = "releases"
CURRENT = "current"
WAREHOUSE = "warehouse.duckdb"
REPORT = "report.html"
MANIFEST = "release.json"
CHECKSUMS = "sha256"  # release.json: each published file's SHA-256 when it was published
BUILDING = ".building-"


class PublishError(Exception):
    """A release could not be written; the published pair is as it was."""


@dataclass(frozen=True)
class Release:
    name: str
    path: Path

    @property
    def warehouse(self) -> Path:
        return self.path / WAREHOUSE

    @property
    def report(self) -> Path:
        return self.path / REPORT

    def manifest(self) -> dict[str, Any]:
        """What release.json says of the run that made it ({} when unreadable)."""
        try:
            return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


def releases(output: Path) -> list[Release]:
    """Every finished release, oldest first (names sort by time)."""
    folder = output / RELEASES
    if not folder.is_dir():
        return []
    return [
        Release(p.name, p)
        for p in sorted(folder.iterdir())
        if p.is_dir() and not p.name.startswith(".")
    ]


def current(output: Path) -> Release | None:
    """The release the published names point at, or None before the first publish."""
    link = output / CURRENT
    if not link.is_symlink():
        return None
    target = (output / os.readlink(link)).resolve()
    return Release(target.name, target) if target.is_dir() else None


def release_name(run_id: str, when: datetime | None = None) -> str:
    """``20140401-020113-3f2a9c1d``: when it was published (UTC), then the run."""
    return f"{(when or datetime.now(UTC)):%Y%m%d-%H%M%S}-{run_id[:8]}"


def publish(
    output: Path,
    run_id: str,
    warehouse: Path,
    report: Path,
    manifest: dict[str, Any],
    *,
    mode: int = 0o640,
    keep: int = 7,
) -> Release:
    """Copy a closed, checkpointed warehouse and its report into a new release and switch the
    published names to it. Raises PublishError (naming the path and the space it needs) when
    the disk is full; the partial release is removed and the published pair is untouched."""
    root = output / RELEASES
    # Everything else frontdoor writes is its owner's alone (pipelines/private.py): the
    # readers of the files are let into the folders on the way to them.
    open_to_readers(output, mode)
    open_to_readers(root, mode)
    remove_leftovers(output)
    building = root / f"{BUILDING}{run_id}"
    needed = warehouse.stat().st_size + report.stat().st_size
    free = shutil.disk_usage(root).free
    if free < needed:
        raise PublishError(_no_space(root, needed, free))
    try:
        building.mkdir(mode=folder_mode(mode))
        for source, name in ((warehouse, WAREHOUSE), (report, REPORT)):
            shutil.copyfile(source, building / name)
        # What the files are at publish time: rollback refuses a release that no longer is.
        manifest = {**manifest, CHECKSUMS: {n: sha256(building / n) for n in (WAREHOUSE, REPORT)}}
        (building / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        for name in (WAREHOUSE, REPORT, MANIFEST):
            target = building / name
            os.chmod(target, mode)
            _fsync(target)
        os.chmod(building, folder_mode(mode))
        _fsync(building)
        name = release_name(run_id)
        while (root / name).exists():  # the same run publishing again within the second
            name += "+"
        release = Release(name, root / name)
        os.replace(building, release.path)
        _fsync(root)
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        if error.errno == errno.ENOSPC:
            raise PublishError(_no_space(root, needed, shutil.disk_usage(root).free)) from error
        raise
    switch(output, release)
    prune(output, keep)
    return release


def switch(output: Path, release: Release) -> None:
    """Point ``current`` at the release in one rename; make sure the published names exist."""
    link = output / CURRENT
    tmp = output / f".{CURRENT}-{release.name}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release.path, output), tmp)
    os.replace(tmp, link)
    for name in (WAREHOUSE, REPORT):
        published = output / name
        target = f"{CURRENT}/{name}"
        if published.is_symlink() and os.readlink(published) == target:
            continue
        # First publish, or a file from before releases: replaced by the link in one rename.
        tmp = output / f".{name}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, published)
    _fsync(output)


def rollback(output: Path) -> Release:
    """Switch the published names back to the release before the current one."""
    now = current(output)
    if now is None:
        raise PublishError(f"{output}: nothing is published yet, so there is nothing to roll back")
    earlier = [r for r in releases(output) if r.name < now.name]
    if not earlier:
        raise PublishError(f"{output}: {now.name} is the oldest release kept; no earlier one")
    changed = altered(earlier[-1])
    if changed:
        raise PublishError(
            f"{earlier[-1].path}: {changed}; it is not what was published, so it is not "
            "published again (the published pair is as it was)"
        )
    switch(output, earlier[-1])
    return earlier[-1]


def altered(release: Release) -> str | None:
    """How ``release`` differs from what was published (its files against the SHA-256
    recorded in release.json when it was published, and no write-ahead log beside its
    warehouse, which DuckDB would replay on opening it), or None when it is as published."""
    recorded = release.manifest().get(CHECKSUMS)
    if not isinstance(recorded, dict):
        return "no checksum was recorded when it was published, so it cannot be verified"
    for name in (WAREHOUSE, REPORT):
        path = release.path / name
        if not path.is_file():
            return f"{name} is missing"
        if sha256(path) != recorded.get(name):
            return f"{name} has changed since it was published (its SHA-256 differs)"
    if (release.path / f"{WAREHOUSE}.wal").exists():
        return f"{WAREHOUSE} has a write-ahead log beside it (it was opened read-write)"
    return None


def sha256(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()


def prune(output: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` releases (never the current one)."""
    now = current(output)
    old = releases(output)[: -keep or None] if keep > 0 else releases(output)
    removed = []
    for release in old:
        if now is not None and release.path == now.path:
            continue
        _make_removable(release.path)
        shutil.rmtree(release.path, ignore_errors=True)
        removed.append(release.path)
    return removed


def remove_leftovers(output: Path) -> list[Path]:
    """Remove what runs that died left behind: half-built releases and temporary links.

    Publishing happens in the warehouse's concurrency pool, one run at a time, so whatever is
    being built when a publish starts belongs to a run that is no longer running.
    """
    found: list[Path] = []
    root = output / RELEASES
    if root.is_dir():
        found += [p for p in root.iterdir() if p.name.startswith(BUILDING)]
    if output.is_dir():
        found += [p for p in output.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]
    for path in found:
        if path.is_dir() and not path.is_symlink():
            _make_removable(path)
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found


def _make_removable(folder: Path) -> None:
    """A release folder is read-only to its readers; its owner may still remove it."""
    if folder.is_dir():
        os.chmod(folder, stat.S_IMODE(folder.stat().st_mode) | stat.S_IRWXU)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _no_space(folder: Path, needed: int, free: int) -> str:
    return (
        f"{folder}: not enough disk space to publish: the release needs {needed / 2**20:,.1f} MiB "
        f"and {free / 2**20:,.1f} MiB is free. Free some space and run again; the published "
        "warehouse and report are as they were."
    )
