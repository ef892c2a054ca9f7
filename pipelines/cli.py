"""The `frontdoor` command: its arguments, and a call to the module that does each job.

`run` -> pipelines.run.job, `region` -> pipelines.region.run, `rollback` ->
pipelines.release.releases, `generate` -> pipelines.generate. Nothing here imports Dagster: a bad
argument is refused at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.region.run import region
from pipelines.run.job import run
from pipelines.run.warehouse import (
    DEFAULT_FILE_MODE,
    DEFAULT_INPUT,
    DEFAULT_KEEP_RELEASES,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_OUTPUT,
    file_mode,
)

if TYPE_CHECKING:
    import polars as pl

# A person at a terminal waits ten seconds for a copy to finish; the sensor and schedule, a minute.
SETTLE_SECONDS_RUN = 10


def rollback(output: Path) -> int:
    """Switch the published warehouse and report back to the previous release."""
    from pipelines.release.releases import PublishError, current, rollback

    before = current(output)
    try:
        now = rollback(output)
    except PublishError as error:
        print(f"frontdoor rollback: {error}", file=sys.stderr)
        return 1
    print(f"rolled back {output}: {before.name if before else '-'} -> {now.name}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _mode(text: str) -> str:
    try:
        file_mode(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _memory(text: str) -> str:
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s*[KMGT]i?B", text.strip(), flags=re.IGNORECASE):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an amount of memory such as 1GB or 512MB"
        )
    return text.strip()


def _settle_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settle-seconds",
        type=float,
        default=float(os.environ.get("FRONTDOOR_RUN_SETTLE_SECONDS", SETTLE_SECONDS_RUN)),
        help="wait until no input file has changed for this long (default "
        f"{SETTLE_SECONDS_RUN:g} s; the sensor and schedule wait a minute)",
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="frontdoor", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="load the extracts, compute the metrics, write the report")
    r.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="folder of extracts")
    r.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where warehouse.duckdb and report.html are published (default output/)",
    )
    r.add_argument(
        "--as-at", type=_date, default=None, help="extract date (default: latest contact/referral)"
    )
    r.add_argument(
        "--as-at-anyway",
        action="store_true",
        help="run with an --as-at after today or before the earliest record",
    )
    _settle_argument(r)
    r.add_argument(
        "--keep-releases",
        type=int,
        default=DEFAULT_KEEP_RELEASES,
        help=f"how many releases to keep for rollback (default {DEFAULT_KEEP_RELEASES})",
    )
    r.add_argument(
        "--file-mode",
        type=_mode,
        default=DEFAULT_FILE_MODE,
        help=f"the published files' mode (default {DEFAULT_FILE_MODE}; never world-readable)",
    )
    r.add_argument(
        "--memory-limit",
        type=_memory,
        default=os.environ.get("FRONTDOOR_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        help=f"DuckDB's memory limit for each step (default {DEFAULT_MEMORY_LIMIT}; past it DuckDB "
        "spills to disk)",
    )
    r.add_argument(
        "--keep-raw",
        action="store_true",
        default=os.environ.get("FRONTDOOR_KEEP_RAW", "") == "1",
        help="also keep every input row as read in raw.* (for a data-migration investigation)",
    )
    r.add_argument(
        "--la-code",
        default=os.environ.get("FRONTDOOR_LA_CODE") or None,
        help="the council's old three-digit LA code, when the input does not say it (CSV)",
    )
    r.add_argument(
        "--targets",
        type=Path,
        default=os.environ.get("FRONTDOOR_TARGETS") or None,
        help="the council's targets CSV (metric_id,target,amber_within): red/amber/green",
    )
    r.add_argument(
        "--cin-xsd",
        type=Path,
        default=None,
        help="folder of DfE CIN_schema_<year>.xsd files to validate CIN census XML against",
    )

    rg = sub.add_parser(
        "region", help="run every council of a region folder and roll their figures up"
    )
    rg.add_argument("--input", type=Path, required=True, help="one sub-folder per council")
    rg.add_argument(
        "--output",
        type=Path,
        required=True,
        help="OUTPUT/<council>/ for each council, OUTPUT/region/ for the roll-up",
    )
    rg.add_argument("--as-at", type=_date, default=None, help="extract date for every council")
    _settle_argument(rg)

    x = sub.add_parser("export", help="metric_values as an Excel workbook (suppression applied)")
    x.add_argument("--warehouse", type=Path, default=DEFAULT_OUTPUT / "warehouse.duckdb")
    x.add_argument("--xlsx", type=Path, required=True, help="the workbook to write")

    b = sub.add_parser("rollback", help="publish the previous release again")
    b.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the output folder")

    g = sub.add_parser("generate", help="write a synthetic council's extracts")
    g.add_argument("--children", type=int, default=None, help="resident children aged 0-17")
    g.add_argument(
        "--region",
        type=int,
        default=None,
        metavar="N",
        help="write N councils of varied size, story and input format, one folder each",
    )
    g.add_argument("--seed", type=int, default=2010)
    g.add_argument("--out", type=Path, required=True, help="folder to write the extracts to")
    g.add_argument(
        "--faults",
        action="store_true",
        help="plant a known set of faults in the CSV extracts (each reported once by a run)",
    )
    g.add_argument(
        "--format",
        choices=("csv", "ssd", "csc-api"),
        default="csv",
        help="csv: the contract's extracts; ssd: SSD tables as SQL Server exports them; "
        "csc-api: a DfE CSC API payload",
    )
    g.add_argument(
        "--annex-a", action="store_true", help="also write an Annex A workbook to OUT/annex_a/"
    )
    g.add_argument(
        "--cin-census",
        action="store_true",
        help="also write CIN census XML, one file per collection year, to OUT/cin_census/",
    )
    return p


def _write_statutory_returns(
    frames: dict[str, pl.DataFrame], out: Path, annex_a: bool, cin_census: bool
) -> None:
    """The same council as Ofsted's Annex A and DfE's CIN census, each in its own subfolder
    (a folder holds one format), with population.csv beside each for the rate per 10,000."""
    from pipelines.generate import story
    from pipelines.generate.annex_a_writer import write_annex_a
    from pipelines.generate.cin_writer import write_cin_census

    as_at = dt.date.fromisoformat(story.END)
    written: list[Path] = []
    if annex_a:
        written.append(write_annex_a(frames, out / "annex_a", as_at))
    if cin_census:
        written += write_cin_census(frames, out / "cin_census", as_at)
    for folder in {path.parent for path in written}:
        frames["population"].write_csv(folder / "population.csv")
    for path in written:
        print(f"  {path.relative_to(out)}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "run":
        ok = run(
            args.input,
            args.output,
            args.as_at,
            args.cin_xsd,
            args.keep_releases,
            args.file_mode,
            args.as_at_anyway,
            args.settle_seconds,
            args.memory_limit,
            args.la_code,
            args.targets,
            args.keep_raw,
        )
        return 0 if ok else 1
    if args.command == "region":
        ok = region(args.input, args.output, args.as_at, args.settle_seconds)
        return 0 if ok else 1
    if args.command == "rollback":
        return rollback(args.output)
    if args.command == "export":
        import duckdb

        from pipelines.release.export import export_xlsx

        with duckdb.connect(str(args.warehouse), read_only=True) as con:
            print(f"wrote {export_xlsx(con, args.xlsx)}")
        return 0
    from pipelines.generate import simulate, write_extracts

    if args.region is not None:
        from pipelines.generate.region import write_region

        if args.region < 1:
            raise SystemExit("--region must be at least 1")
        for name, kind, children in write_region(args.region, args.out, args.seed, args.children):
            print(f"  {name}: {children:,} children, {kind}")
        return 0
    if args.children is None or args.children < 1:
        raise SystemExit("--children must be at least 1 (or give --region N)")
    started = time.perf_counter()
    frames = simulate(args.children, args.seed)
    if args.format != "csv":
        from pipelines.generate.formats import write_format

        for path in write_format(args.format, frames, args.out):
            print(f"  {path.name}")
        return 0
    rows = write_extracts(frames, args.out)
    for name, count in rows.items():
        print(f"  {name}: {count:,} rows")
    if args.annex_a or args.cin_census:
        _write_statutory_returns(frames, args.out, args.annex_a, args.cin_census)
    if args.faults:
        from pipelines.generate.faults import plant_faults

        planted = plant_faults(args.out, args.seed)
        for fault in planted:
            print(f"  planted {fault.rule}: {fault.file} line {fault.line}, column {fault.column}")
        print(f"  {len(planted)} faults planted in the CSV extracts (docs/validation.md)")
    seconds = time.perf_counter() - started
    print(f"wrote {args.out} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
