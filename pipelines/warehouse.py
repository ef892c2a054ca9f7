"""Where a run reads and writes, and how it publishes atomically.

A DuckDB writer cannot open a file that another process holds, even read-only, and analysts keep
the published warehouse open. So a run never writes the published file: it builds a new file
beside it (named after the run) and, only when every step succeeded, renames it over the published
one. A rename is atomic on one file system: an analyst's open connection keeps reading the old
file, and a run that fails or is killed leaves yesterday's warehouse as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = PROJECT_ROOT / "data" / "sample"
DEFAULT_OUTPUT = PROJECT_ROOT / "output"
BUILDING_SUFFIX = ".building"


def building_path(published: Path, run_id: str) -> Path:
    """Where a run builds the file it will publish: beside it, named after the run."""
    return published.with_name(f"{published.name}.{run_id[:8]}{BUILDING_SUFFIX}")


class Warehouse(dg.ConfigurableResource):
    """The run's input folder, published warehouse and report, and its as-at date."""

    input_dir: str = str(DEFAULT_INPUT)
    path: str = str(DEFAULT_OUTPUT / "warehouse.duckdb")
    report_path: str = str(DEFAULT_OUTPUT / "report.html")
    as_at: str | None = None  # YYYY-MM-DD; None = the latest contact or referral date
    # DfE's CIN census XSDs are not shipped with frontdoor: a folder of CIN_schema_<year>.xsd.
    cin_xsd_dir: str | None = None

    def build_path(self, run_id: str) -> Path:
        """The file this run builds; it becomes the published warehouse on success."""
        return building_path(Path(self.path), run_id)

    def report_build_path(self, run_id: str) -> Path:
        """The report this run writes; it becomes the published report on success."""
        return building_path(Path(self.report_path), run_id)

    @contextmanager
    def connect(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's build file, closed after use."""
        path = self.build_path(run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        try:
            yield con
        finally:
            con.close()


STALE_AFTER_SECONDS = 3600


def publish(build: Path, published: Path) -> None:
    """Rename a finished build over the published file, then clear stale builds beside it.

    Stale builds are what runs that failed or were killed left behind; one touched in the last
    hour may belong to a run still going, so it is left alone.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build, published)
    now = time.time()
    for stale in published.parent.glob(f"{published.name}.*{BUILDING_SUFFIX}*"):
        if now - stale.stat().st_mtime > STALE_AFTER_SECONDS:
            stale.unlink(missing_ok=True)
