"""Great Expectations in a worker process, so that its import overlaps the run's SQL work.

GX takes seconds to import and set up, and the suites need only a bounded sample of each table
(pipelines.validation.gx_runner). So a run starts this worker at its beginning (the
``great_expectations`` resource) and hands it, when staging is done, one Parquet file per
extract; by then GX is ready. It never opens the warehouse (DuckDB allows one writer).

The protocol is one JSON object a line. The worker says ``{"ready": true}`` once GX is loaded;
then, for each request ``{"stem": ..., "frame": <parquet path>}`` on its stdin, it answers
``{"stem": ..., "outcomes": [...]}`` (or ``{"stem": ..., "error": ...}``). It exits at the end
of its stdin, so a run that dies takes its worker with it. The same protocol runs over a Unix
socket to a Great Expectations service that answers many runs (pipelines.validation.gx_service).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import IO

from pipelines.validation.gx_runner import Outcome


class GxWorkerError(Exception):
    """The worker could not answer: it failed to start or died."""


class GxChannel:
    """The protocol, over a pair of text streams: requests written, answers read in order."""

    def __init__(self, answers: IO[str], requests: IO[str]) -> None:
        self._answers_in = answers
        self._requests = requests
        self._ready = False
        self._pending: list[str] = []  # stems asked for, in order, not yet answered
        self._answers: dict[str, dict] = {}  # answers read, not yet taken

    def _stopped(self) -> GxWorkerError:
        """Why no answer came: the other end has gone."""
        return GxWorkerError("Great Expectations stopped answering")

    def _answer(self) -> dict:
        line = self._answers_in.readline()
        if not line:
            raise self._stopped()
        return json.loads(line)

    def submit(self, stem: str, frame: Path) -> None:
        """Ask for the suite of ``stem`` on the frame in the Parquet file ``frame``, without
        waiting: the worker answers in order, and ``result`` reads the answers."""
        try:
            self._requests.write(json.dumps({"stem": stem, "frame": str(frame)}) + "\n")
            self._requests.flush()
        except (BrokenPipeError, ConnectionError) as error:
            raise self._stopped() from error
        self._pending.append(stem)

    def result(self, stem: str) -> list[Outcome]:
        """The answer to the request for ``stem`` (waiting for it and any asked before it)."""
        if not self._ready:
            self._answer()  # {"ready": true}: waits for the import if it is not done yet
            self._ready = True
        while stem not in self._answers:
            if not self._pending:
                raise GxWorkerError(f"{stem}: no request was made for it")
            answer = self._answer()
            self._answers[self._pending.pop(0)] = answer
        answer = self._answers.pop(stem)
        if "error" in answer:
            raise GxWorkerError(f"{stem}: {answer['error']}")
        return [Outcome(**o) for o in answer["outcomes"]]

    def close(self) -> None:
        """Nothing more to ask."""
        self._requests.close()


class GxWorker(GxChannel):
    """The parent's handle on a worker process of its own."""

    def __init__(self, stderr: IO[bytes]) -> None:
        """``stderr``: an open file (its caller's to close) for the worker's stderr, read back
        for the message when the worker dies."""
        self._stderr = stderr
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.validation.gx_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        assert self._proc.stdout is not None and self._proc.stdin is not None
        super().__init__(self._proc.stdout, self._proc.stdin)

    def _stopped(self) -> GxWorkerError:
        self._proc.wait()
        size = self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, size - 2000))  # its last words, however much it said
        tail = self._stderr.read().decode("utf-8", errors="replace")
        return GxWorkerError(
            f"the Great Expectations worker stopped (exit {self._proc.returncode}): {tail}"
        )

    def close(self) -> None:
        """End the worker: stopped, not waited for. An answer not yet taken is no longer
        wanted (the run has ended, most often failed; a failed run used to wait seconds for GX
        to finish its warm-up), and a worker that has answered everything has nothing left to
        do but Python's slow exit from GX (0.8 s at the end of every run). It writes nothing
        but its answers, so nothing is left half-written.

        Killed (SIGKILL), which nothing in the worker can catch, ignore or hold back: once, in a
        whole test session, a SIGTERM went unheeded and the run waited 4 s for GX's import and
        a clean exit. Killed before its stdin is closed: closed first, an idle worker reads the
        end of its input and begins that slow exit itself, and a parent slow to look (a loaded
        machine) found it ended with 0 rather than stopped."""
        if self._proc.poll() is None:
            self._proc.kill()
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        self._proc.wait()


def answers_channel() -> IO[str]:
    """This process's stdout, for its answers alone; anything else written to stdout from now
    on goes to its stderr. DuckDB draws a progress bar on stdout, carriage returns and all, for
    a query that takes over 2 s (a large sample, a loaded machine), and a library may print: on
    the answers' stdout either broke a line and failed the run's check step."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return channel


def answer(request: dict) -> dict:
    """The answer to one request: the stem's suite on its frame, or what went wrong."""
    import duckdb

    from pipelines.validation.gx_runner import validate_frame
    from pipelines.validation.suites import load_suite

    stem = request["stem"]
    try:
        # No progress bar: it would only fill the worker's stderr, the parent's message when
        # the worker dies.
        with duckdb.connect() as con:
            con.execute("SET enable_progress_bar = false")
            frame = con.execute("SELECT * FROM read_parquet(?)", [request["frame"]]).df()
        outcomes = validate_frame(stem, frame, load_suite(stem))
        return {"stem": stem, "outcomes": [asdict(o) for o in outcomes]}
    except Exception as error:  # reported to the parent, which fails the check
        return {"stem": stem, "error": f"{type(error).__name__}: {error}"}


READY = json.dumps({"ready": True})


def main() -> None:
    answers = answers_channel()

    from pipelines.validation.gx_runner import warm_up

    warm_up()
    print(READY, file=answers, flush=True)
    for line in sys.stdin:
        print(json.dumps(answer(json.loads(line))), file=answers, flush=True)


if __name__ == "__main__":
    main()
