"""One line per step on the terminal, the same line in Dagster's log."""

from __future__ import annotations

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
