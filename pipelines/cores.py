"""How many threads a frontdoor process's DuckDB and Polars may use: FRONTDOOR_THREADS, else
every core the process may run on (each library's own default).

Runs that share a machine's cores each take their share: `frontdoor region` divides them among
the runs Dagster's queue starts at once (dagster.yaml's max_concurrent_runs, two as frontdoor
writes it), and the test suite among its two workers (tests/conftest.py). Two processes of two
threads each on two cores wait on each other's threads: the sample's library build and report
took 4.35 CPU-s with DuckDB and Polars on two threads against 3.82 on one, in the same wall time
(docs/architecture.md "Threads").

Polars reads its own setting, POLARS_MAX_THREADS, once, when it is first imported: `pipelines`
calls ``share_with_polars`` on import, before any of its modules imports Polars.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

VARIABLE = "FRONTDOOR_THREADS"


def threads() -> int | None:
    """FRONTDOOR_THREADS as a number of threads, or None when it is not set (every core).

    Raises ValueError, naming the variable, for anything but a whole number of 1 or more."""
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{VARIABLE}={text!r}: give a whole number of threads, 1 or more")
    return int(text)


def share_with_polars() -> None:
    """Polars's thread pool follows FRONTDOOR_THREADS, unless POLARS_MAX_THREADS says otherwise.
    A value that is not a number is left alone here: `frontdoor run` and `frontdoor region`
    refuse it, by name, before they start (pipelines/run/job.py: threads_problem)."""
    try:
        n = threads()
    except ValueError:
        return
    if n is not None and not os.environ.get("POLARS_MAX_THREADS"):
        os.environ["POLARS_MAX_THREADS"] = str(n)


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def share(env: MutableMapping[str, str], runs: int) -> None:
    """Give each of ``runs`` processes started with ``env`` its share of the cores (at least
    one thread), unless FRONTDOOR_THREADS is set already: a person's setting stands."""
    env.setdefault(VARIABLE, str(max(1, cores() // max(1, runs))))
