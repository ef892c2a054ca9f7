"""The Dagster instance frontdoor runs on: DAGSTER_HOME, its dagster.yaml, opened under a lock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.run.warehouse import PROJECT_ROOT

if TYPE_CHECKING:
    import dagster as dg

_WRITTEN_BY = "# Written by frontdoor"
# Runs Dagster's queue starts at once (a region's councils): this machine's kind has 2 cores.
CONCURRENT_RUNS = 2
# A deployment that runs Dagster's daemon (a regional hub) names its PostgreSQL database here.
POSTGRES_URL = "FRONTDOOR_DAGSTER_POSTGRES_URL"
# What bootstrap.py wrote before it left dagster.yaml to frontdoor: upgraded like our own.
_BOOTSTRAP_YAML = "telemetry:\n  enabled: false\n"
DAGSTER_YAML = """\
# Written by frontdoor: nothing about a council's runs leaves this machine, and one run at a
# time writes the working warehouse (every step that opens it is in the pool frontdoor_warehouse).
telemetry:
  enabled: false
# No "Join the community" pop-up asking for an e-mail address in dg dev's UI.
nux:
  enabled: false
# A region's councils are separate runs: Dagster's run queue starts two at a time (2 cores),
# the next as soon as one ends (its daemon looks every second, not every 5 s by default).
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: {max_concurrent_runs}
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    dequeue_interval_seconds: 1
run_monitoring:
  enabled: true
{storage}"""


def _storage(home: Path) -> str:
    """Dagster's own storage, by its public settings: SQLite files in DAGSTER_HOME (one
    database per run, committed to disk at every event), or, when FRONTDOOR_DAGSTER_POSTGRES_URL
    is set, PostgreSQL, which Dagster advises for a deployment running its daemon. The URL is
    read from the environment by Dagster, never written into the file (it holds a password)."""
    if os.environ.get(POSTGRES_URL):
        return (
            "# Dagster's PostgreSQL storage: the URL comes from the environment (docs/deploy.md).\n"
            f"storage:\n  postgres:\n    postgres_url:\n      env: {POSTGRES_URL}\n"
        )
    return (
        "# Dagster's SQLite storage in DAGSTER_HOME (history/, schedules/).\n"
        f"storage:\n  sqlite:\n    base_dir: {home}\n"
    )


def dagster_yaml(home: Path, max_concurrent_runs: int = CONCURRENT_RUNS) -> str:
    """The dagster.yaml frontdoor writes into ``home``."""
    return DAGSTER_YAML.format(
        home=home, storage=_storage(home), max_concurrent_runs=max_concurrent_runs
    )


def concurrent_runs(home: Path) -> int:
    """How many runs Dagster's queue starts at once in ``home`` (its dagster.yaml's
    ``concurrency.runs.max_concurrent_runs``, as frontdoor or a person wrote it), else
    CONCURRENT_RUNS."""
    import yaml

    try:
        config = yaml.safe_load((home / "dagster.yaml").read_text()) or {}
        runs = int(config["concurrency"]["runs"]["max_concurrent_runs"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError):
        return CONCURRENT_RUNS
    return runs if runs >= 1 else CONCURRENT_RUNS


def ensure_dagster_home() -> Path:
    """A persistent DAGSTER_HOME (run history survives) with telemetry off and the pool limit.

    Dagster's pyproject setting does not stop telemetry; only dagster.yaml does.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    ours = dagster_yaml(home)
    # A dagster.yaml frontdoor wrote is brought up to date; one written by a person is theirs.
    written = config.read_text() if config.exists() else None
    if written is None or (
        written != ours and (written.startswith(_WRITTEN_BY) or written == _BOOTSTRAP_YAML)
    ):
        config.write_text(ours)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@contextmanager
def open_instance() -> Iterator[dg.DagsterInstance]:
    """The Dagster instance of DAGSTER_HOME, opened under a lock: two runs starting at once on a
    new DAGSTER_HOME would otherwise both create its SQLite storage and corrupt it."""
    import fcntl

    import dagster as dg

    home = ensure_dagster_home()
    with (home / ".frontdoor.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            instance = dg.DagsterInstance.get()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    with instance:
        yield instance
