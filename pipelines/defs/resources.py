"""The run's resources: the settings and working warehouse, and the Great Expectations worker.

`frontdoor run` passes the settings as run config; `dg launch`, `dg dev`, the nightly schedule
and the sensor take them from FRONTDOOR_* environment variables or the defaults.
"""

import shutil
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import PrivateAttr

from pipelines.progress import waiting
from pipelines.validation.gx_runner import Outcome
from pipelines.validation.gx_worker import GxWorker
from pipelines.warehouse import Warehouse, from_environment


class GreatExpectations(dg.ConfigurableResource):
    """A Great Expectations worker process, started when a run that validates begins, so that
    GX's import runs beside loading and staging, and its suites beside the metrics: the
    validation step hands it each extract's sample (``submit``) and the great_expectations
    check step, after the metrics, takes the answers (``result``)."""

    warehouse: dg.ResourceDependency[Warehouse]  # the worker's log goes in its working folder

    _worker: GxWorker | None = PrivateAttr(default=None)
    _submitted: dict[str, Any] = PrivateAttr(default_factory=dict)

    _samples: Path | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run_id = context.run.run_id if context.run else "adhoc"
        self._worker = GxWorker(self.warehouse.work_dir / f"gx-{run_id[:8]}.log")
        self._samples = self.warehouse.work_dir / f"gx-samples-{run_id[:8]}"

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._worker is not None:
            self._worker.close()
        # The samples are children's records: they do not outlive the run.
        if self._samples is not None:
            shutil.rmtree(self._samples, ignore_errors=True)

    def samples_dir(self) -> Path:
        """An empty folder for this run's samples, removed when the run ends."""
        if self._samples is None:  # used outside a run (a direct call in a test)
            self._samples = self.warehouse.work_dir / "gx-samples-adhoc"
        shutil.rmtree(self._samples, ignore_errors=True)
        self._samples.mkdir(parents=True)
        return self._samples

    def submit(self, stem: str, frame: Path, found: Any) -> None:
        """Ask for ``stem``'s suite on the sample in ``frame``, with what SQL found over every
        row (kept for the comparison); answered while the run goes on."""
        if self._worker is None:  # used outside a run (a direct call in a test)
            self._worker = GxWorker(frame.with_suffix(".log"))
        self._worker.submit(stem, frame)
        self._submitted[stem] = found

    def submitted(self) -> dict[str, Any]:
        """What SQL found, for each stem asked for in this run and not yet taken."""
        return dict(self._submitted)

    def result(self, stem: str) -> list[Outcome]:
        """GX's outcomes for ``stem`` (waiting for them if GX is not done yet)."""
        assert self._worker is not None
        self._submitted.pop(stem, None)
        return self._worker.result(stem)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": (warehouse := from_environment()),
            "great_expectations": GreatExpectations(warehouse=warehouse),
        },
        # One DuckDB writer and no per-step re-import: every job runs in-process.
        executor=dg.in_process_executor,
        # `frontdoor run` turns this on to say when a step waits for another run's turn.
        loggers={"console": dg.colored_console_logger, "waiting": waiting},
    )
