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

import csv
import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.comments import comment_table
from pipelines.marts.build import METRIC_VALUES_COLUMNS
from pipelines.run.warehouse import connect
from pipelines.sql import literal
from pipelines.validation.quality import DATA_QUALITY_COLUMNS

REGION = "region"  # OUT/region/: the roll-up (a council may not be called this)
# Optional, beside the council folders: council,la_code per line, for inputs that do not say
# which council they are (CSV extracts); a census header or Annex A front sheet wins over it.
COUNCILS_CSV = "councils.csv"
STATUS = "region-status.json"  # OUT/<council>/.frontdoor/: how the council's last run ended
# A council's folder name becomes a Dagster partition key and a folder under OUT.
COUNCIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")

COUNCIL = ("council", "VARCHAR", "The council: its folder's name in the region folder.")
# Each council's own columns, as its warehouse defines them; data_quality without the run's own
# columns, the example line numbers and the messages (they point into a council's records).
PRIVATE = {"run_id", "run_at", "example_lines", "message"}
COUNCILS = (
    COUNCIL,
    ("status", "VARCHAR", "published (its figures are here) or failed (they are not)."),
    ("message", "VARCHAR", "For a failed council, what stopped its run; else NULL."),
    ("as_at", "DATE", "The as-at date of the council's published figures."),
    ("input_format", "VARCHAR", "csv, annex_a or cin_census."),
    ("history_start", "DATE", "The first day of the council's history (marts.run_info)."),
    ("la_code", "VARCHAR", "The council's old three-digit LA code (marts.run_info), when known."),
    ("la_name", "VARCHAR", "The council's name in DfE's list (marts.run_info), when known."),
    ("run_id", "VARCHAR", "The Dagster run (in the council's own history) that published them."),
)
TABLES = {
    "metric_values": (
        (COUNCIL, *METRIC_VALUES_COLUMNS),
        "Every council's figures: the council, then its own marts.metric_values.",
    ),
    "data_quality": (
        (COUNCIL, *(c for c in DATA_QUALITY_COLUMNS if c[0] not in PRIVATE)),
        "Each council's data-quality rule counts from its latest run (no line numbers).",
    ),
    "councils": (COUNCILS, "Each council's status in this roll-up, as-at date and input format."),
}
# What each council gives each table (``{names}``: the table's columns, the council's first).
SOURCES = {
    "metric_values": "SELECT {names} FROM council_db.marts.metric_values",
    # The council's latest run only: its warehouse keeps the history of every run.
    "data_quality": "SELECT {names} FROM council_db.marts.data_quality "
    "WHERE run_id = (SELECT run_id FROM council_db.marts.run_info)",
    "councils": "SELECT {names} FROM (SELECT *, 'published' AS status, NULL AS message "
    "FROM council_db.marts.run_info)",
}


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


def council_la_codes(region_dir: Path) -> dict[str, str]:
    """council folder -> old LA code, from the region folder's councils.csv (empty without
    one); a line whose code is not three digits is left out."""
    path = region_dir / COUNCILS_CSV
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {
            row["council"].strip(): row["la_code"].strip()
            for row in csv.DictReader(f)
            if (row.get("council") or "").strip()
            and (row.get("la_code") or "").strip().isdigit()
            and len(row["la_code"].strip()) == 3
        }


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
    statuses = [read_status(out_dir, council) for council in names]
    con = connect(path)
    try:
        con.execute("CREATE SCHEMA marts")
        for table, (columns, text) in TABLES.items():
            shape = ", ".join(f"{n} {t}" for n, t, _ in columns)
            con.execute(f"CREATE TABLE marts.{table} ({shape})")
            comment_table(con, f"marts.{table}", text, {n: c for n, _, c in columns})
        for status in statuses:
            warehouse = out_dir / status.council / "warehouse.duckdb"
            if status.status != "published" or not warehouse.exists():
                con.execute(
                    "INSERT INTO marts.councils (council, status, message) VALUES (?, 'failed', ?)",
                    [status.council, status.message or "no published warehouse"],
                )
                continue
            con.execute(f"ATTACH {literal(str(warehouse))} AS council_db (READ_ONLY)")
            try:
                for table, sql in SOURCES.items():
                    columns = [n for n, _, _ in TABLES[table][0]]
                    names = ", ".join(["$council", *columns[1:]])
                    con.execute(
                        f"INSERT INTO marts.{table} ({', '.join(columns)}) "
                        + sql.format(names=names),
                        {"council": status.council},
                    )
            finally:
                con.execute("DETACH council_db")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return statuses


def rollup_key(statuses: list[CouncilStatus]) -> str:
    """The roll-up's run key: one roll-up per set of council outcomes."""
    state = json.dumps([[s.council, s.status, s.finished_at] for s in statuses])
    return "rollup-" + hashlib.sha256(state.encode()).hexdigest()[:16]


def finished_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
