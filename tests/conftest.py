"""Shared fixtures: a small generated council, and one real pipeline run on data/sample."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared"


@dataclass(frozen=True)
class Run:
    input_dir: Path
    output: Path

    @property
    def warehouse(self) -> Path:
        """The published warehouse (a link into the current release)."""
        return self.output / "warehouse.duckdb"

    @property
    def report(self) -> Path:
        return self.output / "report.html"


def copy_run(run: Run, out: Path) -> Run:
    """A copy of a run's output folder (its releases, links and working warehouse) at ``out``:
    what a test that needs a published run to start from gets without running one again."""
    shutil.copytree(run.output, out, symlinks=True, dirs_exist_ok=True)
    return Run(run.input_dir, out)


def run_pipeline(
    input_dir: Path,
    out: Path,
    as_at: dt.date | None = None,
    history: bool = False,
    **options: Any,
) -> Run:
    """A real `frontdoor run` in this process (``options``: run()'s others, such as la_code);
    fails the test if the run fails.

    The run is recorded in Dagster's in-memory instance, the one Dagster's own testing guide
    uses: most tests read only the warehouse and report, and the SQLite run history is a third
    of a run's time. ``history``: recorded in the session's DAGSTER_HOME instead, as the command
    line does, for a test that reads the runs before it (killed runs it must mark failed)."""
    import dagster as dg

    from pipelines.run.job import run

    out.mkdir(parents=True, exist_ok=True)
    if history:
        published = run(input_dir, out, as_at, **options)
    else:
        with dg.DagsterInstance.ephemeral() as instance:
            published = run(input_dir, out, as_at, instance=instance, **options)
    assert published, f"run on {input_dir} failed"
    return Run(input_dir, out)


def frontdoor_run_here(*args: str) -> int:
    """`frontdoor run` as the command line runs it (its main, its exit code, all it writes to the
    console), in this process: a process of its own would import Dagster and start a Great
    Expectations worker again, seconds of CPU that a test of the console does not examine."""
    from pipelines.cli import main

    return main(["run", "--settle-seconds", "0", *args])


def load_and_check(
    folder: Path, path: Path, as_at: dt.date | None = None, cin_xsd_dir: Path | None = None
):
    """Load, stage and validate (in SQL) a folder into the DuckDB file at ``path``, keeping
    the findings: the job's steps up to the as-at date, calling the library functions in
    the order the job does; no Dagster. Returns the connection and the input format."""
    from pipelines.contract import EXTRACTS
    from pipelines.run.warehouse import connect
    from pipelines.sources.load import load_folder, record_outcomes
    from pipelines.validation.quality import evaluate_checks, record_checks

    con = connect(path)
    kind, outcomes = load_folder(con, folder, cin_xsd_dir=cin_xsd_dir)  # reads and stages
    record_outcomes(con, kind, outcomes)
    stems = [e.stem for e in EXTRACTS]
    evaluate_checks(con, stems, as_at)
    record_checks(con, stems)
    return con, kind


def build_warehouse(
    folder: Path, path: Path, as_at: dt.date | None = None, la_code: str | None = None
):
    """Everything the job builds, but the report, into the DuckDB file at ``path``: load,
    stage, validate, the as-at date and council (``la_code``, as --la-code sets it), data
    quality and every marts table; no Dagster."""
    from pipelines.marts.build import build_marts
    from pipelines.marts.run_info import Provenance, build_run_info
    from pipelines.staging.calendar import build_calendar
    from pipelines.validation import build_data_quality

    con, kind = load_and_check(folder, path, as_at)
    build_calendar(con)
    provenance = Provenance("run", None, kind, str(folder), "", "test", "test")
    build_run_info(con, provenance, as_at, la_code=la_code)
    build_data_quality(con, "run")
    build_marts(con)
    return con


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An .xlsx with one sheet per entry, its rows as given (first row: the headers)."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for cells in rows:
            sheet.append(cells)
    book.save(path)
    return path


def made_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]
) -> Path:
    """A folder ``make`` fills once for the whole test session, whichever of pytest-xdist's
    workers asks first (they share their base folder's parent); a worker that asks while it is
    being made waits for it. Its users read it, or start from a copy."""
    import fcntl
    import os

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed making it
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


# Where the session's files go when no --basetemp is given: memory, if the machine has plenty.
# The runs commit Dagster's history and the warehouses to disk at every event and checkpoint,
# which the tests wait for and no test examines; a killed process is a killed process either way.
MEMORY_FS = Path("/dev/shm")
MEMORY_FS_FREE = 8 * 2**30  # a whole session writes about 2.5 GB


@pytest.hookimpl(tryfirst=True)  # before pytest's own tmp_path plugin reads --basetemp
def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a pytest-xdist worker: its controller gave it both, before starting it
    if not config.option.basetemp:
        memory_basetemp(config)
    share_the_cores(config)
    session = contextlib.ExitStack()
    session.enter_context(one_great_expectations_service())
    config.add_cleanup(session.close)


def share_the_cores(config: pytest.Config) -> None:
    """Each of pytest-xdist's workers, and the runs it starts, takes its share of the cores for
    DuckDB and Polars (pipelines/cores.py), as a region's councils do; set before the workers
    start, which inherit it. tests/test_run.py builds with every core to show that the figures
    do not depend on it."""
    import os

    from pipelines.cores import share, share_with_polars

    workers = getattr(config.option, "numprocesses", None)
    share(os.environ, workers if isinstance(workers, int) and workers > 0 else 1)
    share_with_polars()


def memory_basetemp(config: pytest.Config) -> None:
    if MEMORY_FS.is_dir() and shutil.disk_usage(MEMORY_FS).free >= MEMORY_FS_FREE:
        config.option.basetemp = tempfile.mkdtemp(prefix="frontdoor-tests-", dir=MEMORY_FS)
        config.add_cleanup(lambda: shutil.rmtree(config.option.basetemp, ignore_errors=True))


@contextlib.contextmanager
def one_great_expectations_service() -> Iterator[None]:
    """One Great Expectations service for the whole session's runs, as a regional hub has one
    for its councils' runs: GX takes seconds of CPU to import, once rather than once a run. It
    is started before pytest-xdist starts its workers, which inherit FRONTDOOR_GX_SOCKET, as do
    the processes they start. A test of a run's own worker unsets it for its run."""
    import os

    from pipelines.validation import gx_service

    with tempfile.TemporaryFile() as log, gx_service.running(log) as socket:
        os.environ[gx_service.SOCKET_VARIABLE] = str(socket)
        yield
        del os.environ[gx_service.SOCKET_VARIABLE]


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tests keep their Dagster run history out of the developer's own DAGSTER_HOME."""
    import os

    from pipelines.run.instance import ensure_dagster_home

    os.environ["DAGSTER_HOME"] = str(tmp_path_factory.mktemp("dagster_home"))
    return ensure_dagster_home()


@pytest.fixture
def a_second_a_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each release a test publishes is named one second after the one before. A release's
    name carries the second it was published (its order among the releases), so without this a
    test that publishes several waited a second between them."""
    from pipelines.release import releases

    named = releases.release_name
    start, seconds = dt.datetime.now(dt.UTC), itertools.count()

    def one_second_on(run_id: str, when: dt.datetime | None = None) -> str:
        return named(run_id, when or start + dt.timedelta(seconds=next(seconds)))

    monkeypatch.setattr(releases, "release_name", one_second_on)


@pytest.fixture(scope="session")
def small_council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated council of 2,000 children: every extract file, realistic mess."""
    from pipelines.generate import generate

    return made_once(tmp_path_factory, "small_council", lambda out: generate(2000, 7, out))


@pytest.fixture(scope="session")
def small_council_run(small_council: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The small council through the whole job, once for the session. Tests that change its
    output start from a copy (``copy_run``)."""
    out = made_once(
        tmp_path_factory, "small_council_run", lambda out: run_pipeline(small_council, out)
    )
    return Run(small_council, out)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The README's run: data/sample through the whole job, once for the session."""
    return Run(
        SAMPLE, made_once(tmp_path_factory, "sample_run", lambda out: run_pipeline(SAMPLE, out))
    )


@dataclass(frozen=True)
class RegionRun:
    input_dir: Path
    output: Path
    dagster_home: Path
    postgres_url: str | None  # the hub's Dagster storage, or None: SQLite in dagster_home
    console: str
    returncode: int


@pytest.fixture(scope="session")
def hub_postgres() -> Iterator[str | None]:
    """The regional hub's Dagster storage: a real PostgreSQL server where PostgreSQL is installed
    (bootstrap.py installs it for the tests), as docs/deploy.md says a hub runs; else None, and
    the hub keeps Dagster's SQLite storage (only the test of PostgreSQL itself then skips)."""
    from tests.postgres import server

    with server() as url:
        yield url


@pytest.fixture(scope="session")
def region_run(tmp_path_factory: pytest.TempPathFactory, hub_postgres: str | None) -> RegionRun:
    """One region for every test that examines one: three generated councils (one per input
    format), a broken folder, and a council whose census plants a name in a parser's error,
    through `frontdoor region` (Dagster's daemon, run queue, sensor and council partitions) as a
    hub runs it, on PostgreSQL, started under umask 0022 (issue 19: items 3, 4 and 6)."""
    import os
    import subprocess
    import sys

    from pipelines.run.instance import POSTGRES_URL
    from tests.hostile.builders import LEAKY, leaky_census

    root = tmp_path_factory.mktemp("region")
    folder, out, home = root / "in", root / "out", root / "dagster_home"
    frontdoor = [sys.executable, "-m", "pipelines.cli"]
    subprocess.run(
        [*frontdoor, "generate", "--region", "3", "--children", "1500", "--out", str(folder)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    (folder / "council-broken").mkdir()
    (folder / "council-broken" / "contacts.csv").write_text("nonsense,header\n")
    leaky_census(folder / LEAKY)
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    if hub_postgres:
        env[POSTGRES_URL] = hub_postgres
    done = subprocess.run(
        [*frontdoor, "region", "--input", str(folder), "--output", str(out),
         "--settle-seconds", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
        preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    return RegionRun(folder, out, home, hub_postgres, done.stdout + done.stderr, done.returncode)


# The suite runs on two workers (pytest-xdist, pyproject.toml's addopts), a group of tests at a
# time: the tests of one file, or every test that shares one of these session fixtures (a whole
# region through the daemon), so that no worker makes what the other already made.
SHARED_BY_FILES = ("region_run",)


# First: xdist reads the groups in a hook of its own, and one that ran before this saw none.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group each test for the workers, and put the files that run whole processes (marked
    ``slow``) first, so the longest groups start first and the short ones fill in after."""
    groups: dict[pytest.Item, str] = {}
    for item in items:
        shared = [name for name in SHARED_BY_FILES if name in item.fixturenames]
        groups[item] = shared[0] if shared else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(groups[item]))
    # A whole group moves, never one test of it: a module's fixture (test_warehouse's halves) is
    # made again for each run of its tests that another file's tests break.
    slow = {groups[item] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: groups[item] not in slow)
