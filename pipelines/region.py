"""A regional hub: every council's published figures side by side, aggregates only.

A region folder holds one sub-folder per council (any of the three input formats). Each council
is run exactly as `frontdoor run` runs it, into OUT/<council>/ (pipelines/defs/region.py makes
each council a partition). The roll-up then reads each published warehouse and writes
OUT/region/: a warehouse and a report of every council's figures.

Only aggregates cross a council's boundary, as the hubs' information-sharing agreements require:
the regional warehouse holds

- ``marts.metric_values``: every council's figures (``council`` first, then the columns of a
  council's own metric_values), unsuppressed, as each council's own warehouse holds them;
- ``marts.data_quality``: each council's rule counts from its latest run (the rule, file and
  column, rows checked and failed; never the example line numbers or messages);
- ``marts.councils``: each council's status (published, failed, or no extracts), its as-at date
  and input format, and for a failed one the sentence its run ended with.

No child-, referral- or worker-level table or value is copied (tests/test_region.py checks every
table and column of the regional warehouse).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from pipelines.sql import literal
from pipelines.warehouse import STORAGE_VERSION

REGION = "region"  # OUT/region/: the roll-up (a council may not be called this)
STATUS = "region-status.json"  # OUT/<council>/.frontdoor/: how the council's last run ended
# A council's folder name becomes a Dagster partition key and a folder under OUT.
COUNCIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")

DATA_QUALITY_COLUMNS = (
    "kind",
    "rule",
    "severity",
    "action",
    "stem",
    "file",
    "column_name",
    "rows_checked",
    "rows_failed",
)


@dataclass(frozen=True)
class CouncilStatus:
    """How a council's last run in the region ended."""

    council: str
    status: str  # published | failed
    message: str | None = None
    finished_at: str | None = None
    fingerprint: str | None = None  # of the council's input folder when it was run


def councils(region_dir: Path) -> list[str]:
    """The council sub-folders of a region folder, by name (hidden folders and the name
    ``region`` are not councils). A folder name Dagster cannot take as a partition key is refused
    with its name."""
    names = sorted(
        p.name for p in region_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    for name in names:
        if name == REGION or not COUNCIL_NAME.match(name):
            raise ValueError(
                f"{region_dir / name}: a council folder's name is letters, digits, spaces, "
                f"'_', '.' or '-' (at most 64, not '{REGION}')"
            )
    return names


def write_status(council_out: Path, status: CouncilStatus) -> None:
    folder = council_out / ".frontdoor"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STATUS).write_text(json.dumps(asdict(status), indent=2) + "\n")


def read_status(out_dir: Path, council: str) -> CouncilStatus:
    path = out_dir / council / ".frontdoor" / STATUS
    if not path.is_file():
        return CouncilStatus(council, "failed", "it has not been run yet")
    return CouncilStatus(**json.loads(path.read_text()))


def build_rollup(out_dir: Path, names: list[str], path: Path) -> list[CouncilStatus]:
    """The regional warehouse at ``path`` (made new) from each council's published warehouse
    under ``out_dir``; returns each council's status, failed ones included."""
    path.unlink(missing_ok=True)
    statuses = []
    con = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.councils (council VARCHAR, status VARCHAR, message VARCHAR, "
            "as_at DATE, input_format VARCHAR, history_start DATE, run_id VARCHAR)"
        )
        first = True
        for council in names:
            status = read_status(out_dir, council)
            warehouse = out_dir / council / "warehouse.duckdb"
            if status.status != "published" or not warehouse.exists():
                statuses.append(status)
                con.execute(
                    "INSERT INTO marts.councils VALUES (?, 'failed', ?, NULL, NULL, NULL, NULL)",
                    [council, status.message or "no published warehouse"],
                )
                continue
            statuses.append(status)
            con.execute(f"ATTACH {literal(str(warehouse))} AS council_db (READ_ONLY)")
            try:
                _copy_council(con, council, first)
                first = False
            finally:
                con.execute("DETACH council_db")
        if first:  # no council published: the tables still exist, empty
            con.execute(
                "CREATE TABLE marts.metric_values AS SELECT NULL::VARCHAR AS council, * "
                "FROM (SELECT NULL::VARCHAR AS metric_id) WHERE false"
            )
            con.execute(
                "CREATE TABLE marts.data_quality (council VARCHAR, "
                + ", ".join(f"{c} VARCHAR" for c in DATA_QUALITY_COLUMNS)
                + ")"
            )
        _comment(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return statuses


def _copy_council(con: duckdb.DuckDBPyConnection, council: str, first: bool) -> None:
    c = literal(council)
    dq = ", ".join(DATA_QUALITY_COLUMNS)
    metric_values = f"SELECT {c} AS council, * FROM council_db.marts.metric_values"
    # The council's latest run only: its warehouse keeps the history of every run.
    data_quality = (
        f"SELECT {c} AS council, {dq} FROM council_db.marts.data_quality "
        "WHERE run_id = (SELECT run_id FROM council_db.marts.run_info)"
    )
    if first:
        con.execute(f"CREATE TABLE marts.metric_values AS {metric_values}")
        con.execute(f"CREATE TABLE marts.data_quality AS {data_quality}")
    else:
        con.execute(f"INSERT INTO marts.metric_values {metric_values}")
        con.execute(f"INSERT INTO marts.data_quality {data_quality}")
    con.execute(
        f"INSERT INTO marts.councils SELECT {c}, 'published', NULL, as_at, input_format, "
        "history_start, run_id FROM council_db.marts.run_info"
    )


def _comment(con: duckdb.DuckDBPyConnection) -> None:
    for table, text in (
        ("metric_values", "Every council's figures: council, then its own metric_values."),
        ("data_quality", "Each council's data-quality rule counts from its latest run."),
        ("councils", "Each council's status in this roll-up, as-at date and input format."),
    ):
        con.execute(f"COMMENT ON TABLE marts.{table} IS {literal(text)}")


def rollup_key(statuses: list[CouncilStatus]) -> str:
    """The roll-up's run key: one roll-up per set of council outcomes."""
    state = json.dumps([[s.council, s.status, s.finished_at] for s in statuses])
    return "rollup-" + hashlib.sha256(state.encode()).hexdigest()[:16]


def finished_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
