"""The run's resources: the settings and working warehouse, and the Great Expectations worker.

`frontdoor run` passes the settings as run config; `dg launch`, `dg dev`, the nightly schedule
and the sensor take them from FRONTDOOR_* environment variables or the defaults.
"""

from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from pipelines.progress import waiting
from pipelines.validation.gx_runner import Outcome
from pipelines.validation.gx_worker import GxWorker
from pipelines.warehouse import Warehouse, from_environment


class GreatExpectations(dg.ConfigurableResource):
    """A Great Expectations worker process, started when a run that validates begins, so that
    GX's import runs beside loading and staging instead of before the checks."""

    warehouse: dg.ResourceDependency[Warehouse]  # the worker's log goes in its working folder

    _worker: GxWorker | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run_id = context.run.run_id if context.run else "adhoc"
        self._worker = GxWorker(self.warehouse.work_dir / f"gx-{run_id[:8]}.log")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._worker is not None:
            self._worker.close()

    def validate(self, stem: str, frame: Path) -> list[Outcome]:
        if self._worker is None:  # used outside a run (a direct call in a test)
            self._worker = GxWorker(frame.with_suffix(".log"))
        return self._worker.validate(stem, frame)


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
