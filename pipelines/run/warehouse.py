"""The run's settings, and the working warehouse that belongs to the pipeline.

Every asset materialises its own tables into one working DuckDB file, ``<output>/.frontdoor/
work.duckdb``. Analysts never open it: a DuckDB writer cannot open a file another process holds,
so the pipeline publishes releases from it instead (pipelines/release/releases.py). Because it persists
between runs, any asset can be materialised on its own, and a run can be re-executed from a
failure: what the asset reads is still there.

One run uses an output folder at a time: the resource holds the folder's run lock
(pipelines/run/lock.py) from the start of a run to its end, so a second run on the same output
waits for the first, visibly. Within a run, every step that opens the warehouse is also in the
Dagster concurrency pool ``POOL`` (limit 1 in the instance's dagster.yaml).
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from pipelines.cores import threads
from pipelines.run.lock import RunLock

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INPUT = PROJECT_ROOT / "data" / "sample"
DEFAULT_OUTPUT = PROJECT_ROOT / "output"
WORK_DIR = ".frontdoor"
POOL = "frontdoor_warehouse"
# The file format every frontdoor warehouse is written in: the DuckDB 1.4 storage format, which
# DuckDB 1.4.0 (the LTS the analysts' tools anchor on) and every later release can open (issue
# 23: readability by 1.1 is no longer required). Chosen by what it costs to write: the
# 2,800,000-child council's staging and quarantine tables took 47-59 s to write in it against
# 65-69 s in the 1.1 format (bench/bench_storage.py on 2 shared, busy cores), for a file 12%
# larger (125 against 112 MiB).
STORAGE_VERSION = "v1.4.0"
OLDEST_DUCKDB = "1.4.0"
# Published files: owner read-write, the pipeline's readers (the group) read-only, nobody else.
DEFAULT_FILE_MODE = "0640"
DEFAULT_KEEP_RELEASES = 7
# DuckDB keeps the blocks it reads and writes in memory up to its limit, 80% of the machine's
# memory by default: at 8 million input rows that cache alone took a run past 2 GB. Within this
# it drops clean blocks and spills to <work>.duckdb.tmp, and the run is no slower
# (bench/bench_run.py; docs/architecture.md "Memory").
DEFAULT_MEMORY_LIMIT = "1GB"


def connect(
    path: Path, read_only: bool = False, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection to a frontdoor DuckDB file, written in ``STORAGE_VERSION`` when new, with
    DuckDB's memory held to ``memory_limit`` (such as "1GB") when given and its threads to
    FRONTDOOR_THREADS when set (pipelines/cores.py)."""
    config: dict[str, str | int] = {"memory_limit": memory_limit} if memory_limit else {}
    if (n := threads()) is not None:
        config["threads"] = n
    if read_only:
        return duckdb.connect(str(path), read_only=True, config=config)
    path.parent.mkdir(parents=True, exist_ok=True)
    config["storage_compatibility_version"] = STORAGE_VERSION
    return duckdb.connect(str(path), config=config)


class DiskFull(Exception):
    """A write failed because the disk is full."""


def _raise_if_disk_full(path: Path, error: BaseException) -> None:
    """Raise DiskFull (from ``error``) when ``error`` is a full disk."""
    full = (isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)) or (
        "No space left on device" in str(error) or "Disk quota exceeded" in str(error)
    )
    if not full:
        return
    folder = path.parent if path.parent.exists() else Path("/")
    free = shutil.disk_usage(folder).free
    size = sum(p.stat().st_size for p in folder.glob(f"{path.name}*") if p.is_file())
    raise DiskFull(
        f"{path}: the disk is full ({free / 2**20:,.1f} MiB free): the working warehouse "
        f"({size / 2**20:,.1f} MiB) needs about as much again free to be rebuilt, and each "
        "release as much as the warehouse and report together. Free some space and run again; "
        "the published warehouse and report are as they were."
    ) from error


def file_mode(text: str) -> int:
    """The published files' mode from its octal text; never world-readable or executable."""
    try:
        mode = int(text, 8)
    except ValueError:
        raise ValueError(f"file mode {text!r} is not an octal mode such as 0640") from None
    if mode & 0o007 or mode & ~0o777:
        raise ValueError(f"file mode {text} would let anyone on the machine read the files")
    return mode


class Warehouse(dg.ConfigurableResource):
    """Where a run reads and writes: the input folder, the output folder and its settings.

    ``output_dir`` holds the published names (``warehouse.duckdb`` and ``report.html``, which
    always point into the same release), ``releases/`` and the working folder ``.frontdoor/``.
    """

    input_dir: str = str(DEFAULT_INPUT)
    output_dir: str = str(DEFAULT_OUTPUT)
    as_at: str | None = None  # YYYY-MM-DD; None = from the data (docs/metrics.md "As at")
    # An as_at after today or before the earliest record is refused unless this is set.
    as_at_anyway: bool = False
    # DfE's CIN census XSDs are not shipped with frontdoor: a folder of CIN_schema_<year>.xsd.
    cin_xsd_dir: str | None = None
    keep_releases: int = DEFAULT_KEEP_RELEASES
    file_mode: str = DEFAULT_FILE_MODE
    # DuckDB's memory limit for each step ("1GB", "4GB"; DEFAULT_MEMORY_LIMIT).
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    # Keep every input row as read in raw.<stem> too (a data-migration investigation); off: the
    # warehouse holds staging, quarantine and audit.input_files (issue 23).
    keep_raw: bool = False
    # The council's old three-digit LA code, for an input that does not say it (CSV extracts).
    la_code: str | None = None
    # The council's own targets (CSV: metric_id,target,amber_within), for red/amber/green.
    targets: str | None = None

    _run_lock: RunLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Dagster sets a run's resources up once, before its first step, whatever launched it:
        # the run holds its output's lock from here to teardown. A schedule or sensor
        # evaluation (no run) only reads settings and takes no lock.
        if context.run is None:
            return

        def say(message: str) -> None:
            if context.log is not None:
                context.log.warning(message)
            print(f"  {message}", flush=True)

        self._run_lock = RunLock(self.work_dir)
        self._run_lock.acquire(context.run.run_id, say)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._run_lock is not None:
            self._run_lock.release()
            self._run_lock = None

    @property
    def output(self) -> Path:
        return Path(self.output_dir)

    @property
    def work_dir(self) -> Path:
        """The pipeline's own folder: the working warehouse, the report being built."""
        return self.output / WORK_DIR

    @property
    def work_path(self) -> Path:
        return self.work_dir / "work.duckdb"

    @property
    def report_build_path(self) -> Path:
        """Where the report asset writes the page; a release copies it."""
        return self.work_dir / "report.html"

    @contextmanager
    def connect(self, transaction: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the working warehouse, closed after use. A write that
        fails for want of disk space is said as such (DiskFull), naming the path and the room
        the warehouse needs.

        With ``transaction`` (the default) a step's writes are one transaction, committed when
        it ends and rolled back if it fails: the working warehouse is rebuilt by every run, so
        one wait for the disk per step is enough (a commit a statement cost 1.5 s of the sample
        run). Without it, the caller manages its own (the marts; the release's CHECKPOINT)."""
        try:
            con = connect(self.work_path, memory_limit=self.memory_limit)
        except (duckdb.Error, OSError) as error:
            _raise_if_disk_full(self.work_path, error)
            raise
        try:
            if transaction:
                con.begin()
            yield con
            if transaction:
                con.commit()
        except (duckdb.Error, OSError) as error:
            _raise_if_disk_full(self.work_path, error)
            raise
        finally:
            con.close()


def from_environment() -> Warehouse:
    """The settings `dg dev`, `dg launch`, the schedule and the sensor use: FRONTDOOR_* or the
    defaults (the sample council into output/)."""
    return Warehouse(
        input_dir=os.environ.get("FRONTDOOR_INPUT", str(DEFAULT_INPUT)),
        output_dir=os.environ.get("FRONTDOOR_OUTPUT", str(DEFAULT_OUTPUT)),
        as_at=os.environ.get("FRONTDOOR_AS_AT") or None,
        as_at_anyway=os.environ.get("FRONTDOOR_AS_AT_ANYWAY", "") == "1",
        cin_xsd_dir=os.environ.get("FRONTDOOR_CIN_XSD_DIR") or None,
        keep_releases=int(os.environ.get("FRONTDOOR_KEEP_RELEASES", DEFAULT_KEEP_RELEASES)),
        file_mode=os.environ.get("FRONTDOOR_FILE_MODE", DEFAULT_FILE_MODE),
        memory_limit=os.environ.get("FRONTDOOR_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        keep_raw=os.environ.get("FRONTDOOR_KEEP_RAW", "") == "1",
        la_code=os.environ.get("FRONTDOOR_LA_CODE") or None,
        targets=os.environ.get("FRONTDOOR_TARGETS") or None,
    )
