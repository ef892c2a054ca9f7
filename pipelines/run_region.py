"""Running a region: every council folder a partition run on Dagster's daemon, then the roll-up."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.instance import ensure_dagster_home
from pipelines.run_council import as_at_problem, wait_until_settled
from pipelines.sources.folder import shown

if TYPE_CHECKING:
    from pipelines.region import CouncilStatus


def region(
    input_dir: Path,
    output: Path,
    as_at: dt.date | None = None,
    settle_seconds: float = 0,
    timeout_seconds: float = 6 * 3600,
) -> bool:
    """Run every council of a region folder and the roll-up, on Dagster's daemon.

    Each council is a partition run, queued by Dagster's run queue (run_queue in dagster.yaml)
    and launched in a process of its own; the region_folders sensor requests them and the
    roll-up (pipelines/defs/region.py). This starts the daemon on those definitions, waits for
    the roll-up it requests and stops the daemon. True when the roll-up was published (a
    council may have failed: it is named)."""
    import subprocess

    from pipelines import region as regions
    from pipelines.private import private_folder
    from pipelines.releases import current

    home = ensure_dagster_home()
    problem = as_at_problem(as_at, False)
    if problem:
        print(f"frontdoor region: {problem}", file=sys.stderr)
        return False
    try:
        names = regions.councils(input_dir)
    except (OSError, ValueError) as error:
        print(f"frontdoor region: {error}", file=sys.stderr)
        return False
    print(f"frontdoor region: {len(names)} councils in {shown(input_dir)} -> {shown(output)}")
    wait_until_settled(input_dir, settle_seconds)
    rollup = output / regions.REGION
    before = current(rollup)
    if before and _region_is_current(input_dir, output, names, before.manifest()):
        print("  nothing has changed since the last roll-up: it is current")
        return True
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "FRONTDOOR_REGION_INPUT": str(input_dir.resolve()),
        "FRONTDOOR_REGION_OUTPUT": str(output.resolve()),
        "FRONTDOOR_AS_AT": as_at.isoformat() if as_at else "",
        "FRONTDOOR_SETTLE_SECONDS": "0",  # waited for above
    }
    private_folder(rollup / ".frontdoor")  # the daemon's log: the owner's alone
    started = time.perf_counter()
    with (rollup / ".frontdoor" / "daemon.log").open("w") as log:
        daemon = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-m",
             "pipelines.definitions"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            reported: set[str] = set()
            while time.perf_counter() - started < timeout_seconds:
                time.sleep(2)
                for name in names:
                    status = regions.read_status(output, name)
                    if name not in reported and _ran_since(status, started):
                        reported.add(name)
                        said = "published" if status.status == "published" else status.message
                        print(f"  [{time.perf_counter() - started:6.1f} s] {name}: {said}")
                now = current(rollup)
                if now and (before is None or now.name != before.name):
                    failed = now.manifest().get("failed") or []
                    print(
                        f"done in {time.perf_counter() - started:.1f} s: {rollup}/warehouse.duckdb "
                        f"and report.html ({len(names) - len(failed)} councils"
                        + (f"; failed: {', '.join(failed)})" if failed else ")")
                    )
                    return True
                if daemon.poll() is not None:
                    print(f"frontdoor region: Dagster's daemon stopped (see {log.name})",
                          file=sys.stderr)  # fmt: skip
                    return False
            print(f"frontdoor region: no roll-up after {timeout_seconds:.0f} s", file=sys.stderr)
            return False
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)


def _ran_since(status: CouncilStatus, started: float) -> bool:
    """Whether the council's run ended after ``started`` (a perf_counter reading)."""
    if not status.finished_at:
        return False
    age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(status.finished_at)
    return age.total_seconds() <= time.perf_counter() - started + 1


def _region_is_current(
    input_dir: Path, output: Path, names: list[str], manifest: dict[str, object]
) -> bool:
    """True when the published roll-up was made from every council's current extracts."""
    from pipelines import region as regions
    from pipelines.run_info import input_fingerprint

    statuses = [regions.read_status(output, name) for name in names]
    return manifest.get("rollup_key") == regions.rollup_key(statuses) and all(
        s.fingerprint == input_fingerprint(input_dir / s.council) for s in statuses
    )
