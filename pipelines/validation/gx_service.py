"""One Great Expectations process answering many runs, over a Unix socket.

A run's own worker (pipelines.validation.gx_worker) imports GX afresh: about 4.5 CPU-seconds,
a fifth of what a council costs a regional hub. `frontdoor region` starts this service once for
all its councils instead, and names its socket in FRONTDOOR_GX_SOCKET; a run that finds the
variable set asks the service (the same protocol as a worker's, one connection a run), and one
that cannot reach it starts its own worker as before.

    python -m pipelines.validation.gx_service SOCKET

The service says ``{"listening": true}`` on its stdout once its socket is open, before GX is
loaded: a run may connect and ask at once, and its answers wait for GX (the first thing a
connection reads is ``{"ready": true}``, as from a worker). It answers each connection's
requests in order (one suite at a time: GX's context is shared), and ends when its stdin ends,
so a hub that dies takes its service with it. It logs one line per connection on stderr: how
many requests it answered (a count, nothing else). The socket lies in a folder of its
own that only its owner may enter: the requests name files of children's records.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pipelines.validation.gx_worker import READY, GxChannel, GxWorkerError, answer, answers_channel

SOCKET_VARIABLE = "FRONTDOOR_GX_SOCKET"
LISTENING = json.dumps({"listening": True})


class GxServiceClient(GxChannel):
    """One run's connection to the service."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._socket.connect(str(path))
        except OSError:
            self._socket.close()
            raise
        super().__init__(
            self._socket.makefile("r", encoding="utf-8"),
            self._socket.makefile("w", encoding="utf-8"),
        )

    def _stopped(self) -> GxWorkerError:
        return GxWorkerError(f"the Great Expectations service at {self._path} stopped answering")

    def close(self) -> None:
        """Hang up: an answer not yet taken is no longer wanted."""
        with contextlib.suppress(OSError):
            self._requests.close()
        self._answers_in.close()
        self._socket.close()


def connect() -> GxServiceClient | None:
    """A connection to the service FRONTDOOR_GX_SOCKET names, or None (none named, or it is not
    there: the run starts a worker of its own)."""
    path = os.environ.get(SOCKET_VARIABLE)
    if not path:
        return None
    try:
        return GxServiceClient(Path(path))
    except OSError:
        return None


@contextlib.contextmanager
def running(log: IO[bytes]) -> Iterator[Path]:
    """A service in a process of its own for the life of the block, logging to ``log``; yields
    its socket's path once it listens (GX's import goes on beside the caller's work)."""
    folder = Path(tempfile.mkdtemp(prefix="frontdoor-gx-"))  # 0700: its owner's alone
    path = folder / "gx.sock"
    service = subprocess.Popen(
        [sys.executable, "-m", "pipelines.validation.gx_service", str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert service.stdout is not None
        if service.stdout.readline().strip() != LISTENING:
            service.wait()
            raise GxWorkerError(f"the Great Expectations service did not start (see {log.name})")
        yield path
    finally:
        if service.stdin is not None:
            service.stdin.close()  # the end of its stdin: it stops
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
        path.unlink(missing_ok=True)
        folder.rmdir()


def serve(path: Path) -> None:
    said = answers_channel()  # stdout carries the one line that says it listens
    one_at_a_time = threading.Lock()

    class Connection(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            answered = 0
            try:
                self.wfile.write(f"{READY}\n".encode())
                for line in self.rfile:
                    with one_at_a_time:
                        reply = answer(json.loads(line))
                    self.wfile.write(f"{json.dumps(reply)}\n".encode())
                    answered += 1
            except (BrokenPipeError, ConnectionError):
                pass  # the run hung up (it ended, or was killed): its answers are not wanted
            print(f"a run's connection ended: {answered} requests answered", file=sys.stderr)

    # Listening before GX is loaded: a connection waits in the socket's queue until it is.
    server = socketserver.ThreadingUnixStreamServer(str(path), Connection)
    server.daemon_threads = True
    print(LISTENING, file=said, flush=True)

    from pipelines.validation.gx_runner import warm_up

    warm_up()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until its starter closes our stdin, or dies
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
