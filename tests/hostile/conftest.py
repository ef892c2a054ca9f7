"""A region run shared by the hostile tests that need one: three generated councils and one
whose census file plants a name in a parser's error, through `frontdoor region` started under
umask 0022 (issue 19: items 3, 4 and 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.hostile.builders import CENSUS_HEAD, census_child

# A name in the census that is not well-formed XML: lxml's message would quote it.
PLANTED = "Smith"
LEAKY = "council-leaky"


@dataclass(frozen=True)
class RegionRun:
    input_dir: Path
    output: Path
    dagster_home: Path
    console: str
    returncode: int


def leaky_census(folder: Path) -> None:
    """A census whose child's identifier holds an undeclared entity: not well-formed."""
    folder.mkdir(parents=True)
    (folder / "census.xml").write_text(
        CENSUS_HEAD + census_child(f"Jane &{PLANTED};") + "</Children></Message>"
    )


@pytest.fixture(scope="session")
def region_run(tmp_path_factory: pytest.TempPathFactory) -> RegionRun:
    root = tmp_path_factory.mktemp("hostile_region")
    folder, out, home = root / "in", root / "out", root / "dagster_home"
    frontdoor = [sys.executable, "-m", "pipelines.cli"]
    subprocess.run(
        [*frontdoor, "generate", "--region", "3", "--children", "3000", "--out", str(folder)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    leaky_census(folder / LEAKY)
    done = subprocess.run(
        [*frontdoor, "region", "--input", str(folder), "--output", str(out),
         "--settle-seconds", "0"],
        cwd=ROOT, env={**os.environ, "DAGSTER_HOME": str(home)}, capture_output=True,
        text=True, timeout=1200, preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    return RegionRun(folder, out, home, done.stdout + done.stderr, done.returncode)
