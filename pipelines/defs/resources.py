"""The run's resources: the settings and working warehouse, and the Great Expectations worker.

`frontdoor run` passes the settings as run config; `dg launch`, `dg dev`, the nightly schedule
and the sensor take them from FRONTDOOR_* environment variables or the defaults.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import PrivateAttr

from pipelines.run.progress import waiting
from pipelines.run.warehouse import from_environment
from pipelines.validation import gx_service
from pipelines.validation.gx_runner import Outcome
from pipelines.validation.gx_worker import GxChannel, GxWorker


class GreatExpectations(dg.ConfigurableResource):
    """A Great Expectations worker process, started when a run that validates begins, so that
    GX's import runs beside loading and staging, and its suites beside the metrics, the report
    and the release: the validation step hands it each extract's sample (``submit``) and the
    great_expectations check step, the run's last, takes the answers (``result``). Where a
    Great Expectations service is named (FRONTDOOR_GX_SOCKET: a regional hub's, for all its
    councils), the run asks it instead, and starts no worker (pipelines.validation.gx_service)."""

    # No nested Warehouse: Dagster sets a nested resource up with the definitions' settings, not
    # the run's config, so through one every run took the lock of, and left its worker's log
    # in, the default output folder. The validation step says where the samples go.

    _worker: GxChannel | None = PrivateAttr(default=None)
    _submitted: dict[str, Any] = PrivateAttr(default_factory=dict)
    _run: str = PrivateAttr(default="adhoc")
    _samples: Path | None = PrivateAttr(default=None)

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[GreatExpectations]:
        self._run = context.run.run_id[:8] if context.run else "adhoc"
        # The worker's stderr goes to a file with no name, private to this process and gone
        # when the run ends: never a file left in an output folder.
        with tempfile.TemporaryFile() as stderr:
            self._worker = gx_service.connect() or GxWorker(stderr)
            try:
                yield self
            finally:
                self._worker.close()
                # The samples are children's records: they do not outlive the run.
                if self._samples is not None:
                    shutil.rmtree(self._samples, ignore_errors=True)

    def samples_dir(self, work_dir: Path) -> Path:
        """An empty folder in the run's working folder for its samples, removed when the run
        ends."""
        self._samples = work_dir / f"gx-samples-{self._run}"
        shutil.rmtree(self._samples, ignore_errors=True)
        self._samples.mkdir(parents=True)
        return self._samples

    def submit(self, stem: str, frame: Path, found: Any) -> None:
        """Ask for ``stem``'s suite on the sample in ``frame``, with what SQL found over every
        row (kept for the comparison); answered while the run goes on."""
        assert self._worker is not None
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
            "warehouse": from_environment(),
            "great_expectations": GreatExpectations(),
        },
        # One DuckDB writer and no per-step re-import: every job runs in-process.
        executor=dg.in_process_executor,
        # `frontdoor run` turns this on to say when a step waits for another run's turn.
        loggers={"console": dg.colored_console_logger, "waiting": waiting},
    )
