"""Publish a release: the working warehouse and the report it made, switched in as a pair.

Runs after everything else in the job (pipelines/release/releases.py says how the switch is atomic).
Before the copy the release is recorded in audit.releases, so every published warehouse lists
the releases up to and including itself.
"""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.marts import marts_specs
from pipelines.defs.metadata import table_metadata
from pipelines.release import releases
from pipelines.run.progress import report
from pipelines.run.warehouse import OLDEST_DUCKDB, POOL, STORAGE_VERSION, Warehouse, file_mode
from pipelines.sql import literal

RELEASES_COLUMNS = (
    ("release", "VARCHAR", "The release folder's name under releases/ (publish time, then run)."),
    ("run_id", "VARCHAR", "The Dagster run that published it."),
    ("started_at", "TIMESTAMP", "When that run started (UTC)."),
    ("published_at", "TIMESTAMP", "When the release was published: the run's end (UTC)."),
    ("as_at", "DATE", "The as-at date of its figures."),
    ("input_fingerprint", "VARCHAR", "marts.run_info.input_fingerprint of the release."),
)


RELEASE_DEPS = [
    ["report"],
    ["marts", "data_quality"],
    ["marts", "data_quality_rows"],
    ["marts", "run_info"],
    *(spec.key for spec in marts_specs()),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["release"],
            deps=RELEASE_DEPS,
            description="The analysts' warehouse and the managers' report, published together.",
            group_name="publish",
            kinds={"duckdb", "html"},
        ),
        dg.AssetSpec(
            ["audit", "releases"],
            deps=RELEASE_DEPS,
            description="Every release published from this working warehouse.",
            group_name="publish",
            kinds={"duckdb"},
        ),
    ],
    name="release",
    can_subset=False,  # the record goes into the warehouse it publishes
    pool=POOL,
)
def release(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """The analysts' warehouse and the managers' report, published together in one switch,
    recorded first in audit.releases."""
    run_id = context.run.run_id
    name = releases.release_name(run_id)
    with warehouse.connect(transaction=False) as con:
        info = dict(
            zip(
                [d[0] for d in con.execute("SELECT * FROM marts.run_info").description],
                con.execute("SELECT * FROM marts.run_info").fetchall()[0],
                strict=True,
            )
        )
        _record(con, name, run_id, info)
        recorded = table_metadata(con, "audit.releases")
        con.execute("CHECKPOINT")
    manifest = {
        "release": name,
        **{k: info[k] for k in ("run_id", "as_at", "as_at_source", "input_format", "input_dir")},
        "input_fingerprint": info["input_fingerprint"],
        "published_by_run": run_id,
        "frontdoor_version": info["frontdoor_version"],
        "git_commit": info["git_commit"],
        "duckdb_storage_version": STORAGE_VERSION,
        "oldest_duckdb": OLDEST_DUCKDB,
    }
    published = releases.publish(
        Path(warehouse.output_dir),
        run_id,
        warehouse.work_path,
        warehouse.report_build_path,
        manifest,
        mode=file_mode(warehouse.file_mode),
        keep=warehouse.keep_releases,
    )
    output = Path(warehouse.output_dir)
    report(
        context,
        f"published {output / releases.WAREHOUSE} and {output / releases.REPORT} ({published.name})",
    )
    yield dg.MaterializeResult(asset_key=["audit", "releases"], metadata=recorded)
    yield dg.MaterializeResult(
        asset_key=["release"],
        metadata={
            "release": published.name,
            "path": str(published.path),
            "warehouse": str(output / releases.WAREHOUSE),
            "report": str(output / releases.REPORT),
            "as_at": str(info["as_at"]),
        },
    )


def _record(
    con: duckdb.DuckDBPyConnection, name: str, run_id: str, info: dict[str, object]
) -> None:
    shape = ", ".join(f"{n} {t}" for n, t, _ in RELEASES_COLUMNS)
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(f"CREATE TABLE IF NOT EXISTS audit.releases ({shape})")
    con.execute(
        "INSERT INTO audit.releases VALUES (?, ?, ?, ?, ?, ?)",
        [
            name,
            run_id,
            info.get("started_at"),
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            info["as_at"],
            info["input_fingerprint"],
        ],
    )
    con.execute(
        "COMMENT ON TABLE audit.releases IS 'Every release published from this working "
        "warehouse, this one last: its run, when it started and was published, its as-at date.'"
    )
    for n, _, comment in RELEASES_COLUMNS:
        con.execute(f"COMMENT ON COLUMN audit.releases.{n} IS {literal(comment)}")
