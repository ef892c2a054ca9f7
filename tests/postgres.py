"""A real PostgreSQL server for a test: Debian's postgresql package, started in a temporary
folder, listening on a Unix socket only (nothing on the network), stopped at the end.

bootstrap.py's test step installs the package where it may (root with apt-get); elsewhere,
``start`` returns None and the tests that need it skip, saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PORT = 55432
DATABASE = "dagster"
USER = "frontdoor"


def binaries() -> Path | None:
    """The folder of PostgreSQL's server programs (the newest installed), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


@contextmanager
def server() -> Iterator[str | None]:
    """A PostgreSQL server with an empty database, as a SQLAlchemy URL (None when PostgreSQL
    is not installed). PostgreSQL will not run as root: as root it runs as the package's
    ``postgres`` user, in a folder of its own under /tmp (pytest's are root's alone)."""
    bin_dir = binaries()
    if bin_dir is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="frontdoor-postgres-"))
    data, socket = folder / "data", folder / "socket"
    data.mkdir(parents=True)
    socket.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for path in (data, socket):
            shutil.chown(path, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def pg(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True)

    pg(str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8")
    options = f"-k {socket} -p {PORT} -c listen_addresses='' -c fsync=on"
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
       "start")  # fmt: skip
    try:
        pg(str(bin_dir / "createdb"), "-h", str(socket), "-p", str(PORT), "-U", USER, DATABASE)
        yield f"postgresql+psycopg2://{USER}@/{DATABASE}?host={socket}&port={PORT}"
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
