"""Shared fixtures: a small generated council, and one real pipeline run on data/sample."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared"


@dataclass(frozen=True)
class Run:
    input_dir: Path
    warehouse: Path
    report: Path


def run_pipeline(input_dir: Path, out: Path, as_at: dt.date | None = None) -> Run:
    """A real `frontdoor run` in this process; fails the test if the run fails."""
    from pipelines.cli import run

    out.mkdir(parents=True, exist_ok=True)
    result = Run(input_dir, out / "warehouse.duckdb", out / "report.html")
    assert run(input_dir, result.warehouse, result.report, as_at), f"run on {input_dir} failed"
    return result


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tests keep their Dagster run history out of the developer's own DAGSTER_HOME."""
    import os

    from pipelines.cli import ensure_dagster_home

    os.environ["DAGSTER_HOME"] = str(tmp_path_factory.mktemp("dagster_home"))
    return ensure_dagster_home()


@pytest.fixture(scope="session")
def small_council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated council of 2,000 children: every extract file, realistic mess."""
    from pipelines.generate import generate

    out = tmp_path_factory.mktemp("small_council")
    generate(children=2000, seed=7, out=out)
    return out


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The README's run: data/sample through the whole job, once for the session."""
    return run_pipeline(SAMPLE, tmp_path_factory.mktemp("sample_run"))
