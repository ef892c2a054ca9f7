"""Read an input folder as the load step does, under a hard memory ceiling.

    python -m tests.hostile.read_under_limit FOLDER CEILING_MIB

The ceiling is set with RLIMIT_AS before anything is imported, so a reader that tries to
allocate past it fails at once (a MemoryError, or the process dies), deterministically: it does
not depend on how busy the machine is. Prints one JSON line: the format and each extract's
status and message, or the folder's error; then the peak resident memory in KiB on stderr.

The peak is this process's own (VmHWM, the high-water mark of the memory it was given at exec),
not getrusage's ru_maxrss: Linux carries the high-water mark of the memory a process had before
exec into ru_maxrss, and that memory was a copy of its parent's, so ru_maxrss reported the test
process's size (444 MiB after a long pytest session) in place of the reader's (about 180 MiB).
"""

from __future__ import annotations

import json
import resource
import sys

ceiling = int(sys.argv[2]) * 2**20
resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))

from pathlib import Path  # noqa: E402  (after the ceiling, on purpose)

import duckdb  # noqa: E402

from pipelines.errors import ExtractError  # noqa: E402
from pipelines.sources.load import load_folder  # noqa: E402

con = duckdb.connect()
try:
    kind, outcomes = load_folder(con, Path(sys.argv[1]))
    answer: dict[str, object] = {
        "kind": kind,
        "outcomes": {o.stem: [o.status, o.message, o.warnings] for o in outcomes},
    }
except ExtractError as error:
    answer = {"error": str(error)}
print(json.dumps(answer), flush=True)
status = Path("/proc/self/status").read_text().splitlines()
print(next(line.split()[1] for line in status if line.startswith("VmHWM:")), file=sys.stderr)
