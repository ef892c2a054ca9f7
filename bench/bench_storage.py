"""What each DuckDB storage format costs to write: a warehouse's staging and quarantine tables.

    .venv/bin/python bench/bench_storage.py WAREHOUSE.duckdb [--repeat 2]

Copies every staging and quarantine table of WAREHOUSE (for example the working warehouse
bench/bench_run.py leaves at /tmp/frontdoor-bench/out_2800000/.frontdoor/work.duckdb) into a new
file written in each storage format frontdoor could choose, checkpointed, and prints the seconds
and the file's size. The formats alternate, so a busy machine weighs on both alike; read the
best of each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

FORMATS = ("v1.1.0", "v1.4.0")


def write(source: Path, target: Path, version: str) -> float:
    """Seconds to copy source's staging and quarantine tables into target, in ``version``."""
    con = duckdb.connect(
        str(target), config={"storage_compatibility_version": version, "memory_limit": "1GB"}
    )
    try:
        con.execute(f"ATTACH '{source}' AS s (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 's' "
            "AND schema_name IN ('staging', 'quarantine')"
        ).fetchall()
        started = time.perf_counter()
        con.execute("CREATE SCHEMA staging; CREATE SCHEMA quarantine")
        for schema, table in tables:
            con.execute(f'CREATE TABLE {schema}."{table}" AS SELECT * FROM s.{schema}."{table}"')
        con.execute("CHECKPOINT")
        return time.perf_counter() - started
    finally:
        con.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("warehouse", type=Path)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.repeat):
            for version in FORMATS:
                target = Path(work) / f"{version}.duckdb"
                target.unlink(missing_ok=True)
                seconds = write(args.warehouse, target, version)
                best[version] = min(best.get(version, seconds), seconds)
                print(f"{version}: {seconds:.1f} s, {target.stat().st_size / 2**20:,.0f} MiB")
    print("best: " + ", ".join(f"{v} {s:.1f} s" for v, s in best.items()))


if __name__ == "__main__":
    main()
