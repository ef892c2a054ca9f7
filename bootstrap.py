"""Set up frontdoor on a machine that has only python3, then run the pipeline or the tests.

    python3 bootstrap.py run [frontdoor run options]   # the sample council -> output/
    python3 bootstrap.py test [pytest options]         # lint, format check, the test suite

The first call makes .venv/, puts uv in it and installs the locked stack (uv.lock) with bytecode
compiled (this machine never writes bytecode otherwise, and every Dagster + GX import would
cost 13-15 s). Later calls reuse it and take a second to check it is in sync.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
UV_VERSION = "0.13.8"


def sh(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=True)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["UV_COMPILE_BYTECODE"] = "1"
    env["UV_PROJECT_ENVIRONMENT"] = str(VENV)
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("DAGSTER_HOME", str(ROOT / ".dagster_home"))
    return env


def set_up(env: dict[str, str]) -> None:
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    if not (BIN / "uv").exists():
        sh(BIN / "python", "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}", env=env)
    sh(BIN / "uv", "sync", "--frozen", "--quiet", env=env)
    # frontdoor's own dagster.yaml (telemetry off, the warehouse pool, its event log), before any
    # Dagster tool (dg dev, dg check) opens the instance.
    code = "from pipelines.run.instance import ensure_dagster_home; ensure_dagster_home()"
    sh(BIN / "python", "-c", code, env=env)


def ensure_chromium() -> None:
    """The browser test needs Debian's Chromium; install it where we may, else it skips."""
    if shutil.which("chromium") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    try:
        sh("apt-get", "update", "-qq")
        sh("apt-get", "install", "-y", "-qq", "chromium")
    except subprocess.CalledProcessError:
        print("chromium could not be installed: the browser test will skip", flush=True)


def ensure_postgresql() -> None:
    """The regional hub's test runs it on a real PostgreSQL server (Debian's package, started by
    the test); install it where we may, else that test skips."""
    if list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")) or shutil.which("pg_ctl"):
        return
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return
    try:
        sh("apt-get", "update", "-qq")
        sh("apt-get", "install", "-y", "-qq", "postgresql")
    except subprocess.CalledProcessError:
        print("postgresql could not be installed: the hub's PostgreSQL test will skip", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    env = environment()
    set_up(env)
    command, rest = argv[0], argv[1:]
    try:
        if command == "run":
            sh(BIN / "frontdoor", "run", *rest, env=env)
        else:
            ensure_chromium()
            ensure_postgresql()
            sh(BIN / "ruff", "check", ".", env=env)
            sh(BIN / "ruff", "format", "--check", ".", env=env)
            sh(BIN / "pytest", *rest, env=env)
    except subprocess.CalledProcessError as failed:
        return failed.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
