"""One line per step on the terminal, the same line in Dagster's log."""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_STARTED = time.perf_counter()


def report(context: dg.AssetExecutionContext, message: str) -> None:
    """Tell the person watching what a step did.

    In `frontdoor run` Dagster's own console log is quietened to warnings, so this line on
    stdout is the progress a person sees; in `dg dev` the same line lands in the run's log.
    """
    context.log.info(message)
    print(f"  [{time.perf_counter() - _STARTED:6.1f} s] {message}", file=sys.stdout, flush=True)


class _Waiting(logging.Handler):
    """Prints a progress line when Dagster holds a step back for the warehouse's pool."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "blocked by limit for pool" in message:
            step = getattr(record, "dagster_meta", {}).get("step_key") or "a step"
            print(
                f"  [{time.perf_counter() - _STARTED:6.1f} s] waiting: another run is writing "
                f"the warehouse ({step} waits for its turn in the pool)",
                file=sys.stdout,
                flush=True,
            )


@dg.logger(description="Tells the person at the terminal when a step waits for another run.")
def waiting(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("frontdoor.waiting")
    logger.setLevel(logging.DEBUG)  # Dagster logs its engine events at DEBUG
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(_Waiting())
    return logger
