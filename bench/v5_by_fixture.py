"""Which v5 metrics does each shared fixture give? One real `frontdoor run` per fixture.

    .venv/bin/python bench/v5_by_fixture.py [--fixtures ../shared/fixtures] [--out docs/v5-by-fixture.md]

Every file under the fixtures folder (an Annex A workbook, a CIN census XML; PROVENANCE.md and
the census XSDs excepted) is copied alone into a fresh input folder and run through the real CLI
(`frontdoor run`, its own output folder and DAGSTER_HOME; census files with `--cin-xsd` pointed
at the fixtures' XSDs), one at a time. From each published warehouse it reads the latest
financial year of marts.metric_values (breakdown `all`) for the 16 metrics of metrics.md v5 and
the staged rows of the tables they rest on, and checks each against docs/formats.md's table
"Which metrics each format supports" for the run's format (✓ or ⚠: the door gives it; ✗: not).
It writes one markdown page: the runs (exit status, as-at, the message of a run that failed or
refused), the metrics by fixture, and every disagreement with formats.md, explained where the
fixture has no rows for the metric to rest on. The fixtures are public fake data, so figures
are shown unsuppressed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.marts.metrics import CATALOGUE, SECTIONS_2013  # noqa: E402

V5 = tuple(
    m.metric_id
    for m in CATALOGUE
    if m.section in SECTIONS_2013 or m.metric_id == "permanent_sw_turnover_12m_pct"
)

# The staged tables each v5 metric rests on (sql/marts/ is the authority): where a fixture has
# no rows in one of them, a metric its door gives has nothing to be computed from.
RESTS_ON: dict[str, tuple[str, ...]] = {
    "cp_conference_views_pct": ("s47_enquiries", "cp_reviews"),
    "cp_conference_attended_pct": ("s47_enquiries", "cp_reviews"),
    "strategy_police_pct": ("s47_enquiries",),
    "s47_to_icpc_pct": ("s47_enquiries",),
    "icpc_to_plan_pct": ("s47_enquiries",),
    "referral_police_pct": ("referrals",),
    "missing_episodes": ("missing_episodes",),
    "missing_rhi_offered_pct": ("missing_episodes",),
    "missing_rhi_72h_pct": ("missing_episodes",),
    "pf_notifications": ("private_fostering",),
    "pf_initial_visit_7wd_pct": ("private_fostering",),
    "referrals_known_to_early_help_pct": ("referrals", "early_help"),
    "early_help_outcomes_met_pct": ("early_help",),
    "cin_plans_open": ("cin_plans",),
    "assessment_plan_10wd_pct": ("assessments", "cin_plans", "cp_plans"),
    "permanent_sw_turnover_12m_pct": ("workers",),
}
STEMS = tuple(dict.fromkeys(s for stems in RESTS_ON.values() for s in stems))
NOTES = "<!-- Below this line is written by hand; bench/v5_by_fixture.py keeps it. -->"
# The folder a fixture sits in names its format, for a run that failed before saying it.
FOLDER_FORMAT = {"annex_a": "annex_a", "cin_census": "cin_census"}


@dataclass
class Result:
    fixture: Path
    returncode: int
    seconds: float
    message: str = ""
    input_format: str | None = None
    as_at: dt.date | None = None
    la_code: str | None = None
    history_start: dt.date | None = None
    quarantined: int = 0
    # metric_id -> (period_label, numerator, denominator, value) of its latest financial year
    values: dict[str, tuple[str, float | None, float | None, float | None]] = field(
        default_factory=dict
    )
    staged: dict[str, int | None] = field(default_factory=dict)  # None: no such table


def fixtures(folder: Path) -> list[Path]:
    """Every fixture file: all files under the folder but the provenance note and the XSDs."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() not in {".md", ".xsd"} and not p.name.startswith(".")
    )


def documented(formats_md: Path) -> dict[str, dict[str, str]]:
    """formats.md's support table: metric_id -> format -> the cell (✓ ..., ⚠ ..., ✗ ...)."""
    lines = formats_md.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Which metrics each format supports")
    header: list[str] | None = None
    table: dict[str, dict[str, str]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            if header:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set(cells[0]) <= {"-", ":"}:
            table[cells[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return table


def gives(cell: str) -> bool:
    return cell.startswith(("✓", "⚠"))


def run_fixture(fixture: Path, frontdoor: Path, xsd: Path, work: Path) -> Result:
    """Run the real CLI on the fixture alone and read what its warehouse says."""
    here = work / fixture.stem
    (here / "input").mkdir(parents=True)
    shutil.copy2(fixture, here / "input" / fixture.name)
    command = [
        str(frontdoor),
        "run",
        "--input",
        str(here / "input"),
        "--output",
        str(here / "output"),
        "--settle-seconds",
        "0",
    ]
    if fixture.suffix.lower() == ".xml":
        command += ["--cin-xsd", str(xsd)]
    env = dict(os.environ, DAGSTER_HOME=str(here / "dagster_home"))
    started = dt.datetime.now()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=here)
    seconds = (dt.datetime.now() - started).total_seconds()
    (here / "stdout.txt").write_text(done.stdout)
    (here / "stderr.txt").write_text(done.stderr)
    result = Result(fixture, done.returncode, seconds)
    if done.returncode != 0:
        # The CLI says each problem in one sentence on stderr; its closing line says only that
        # the run failed, so it is left out.
        said = [
            line.strip()
            for line in done.stderr.splitlines()
            if line.strip() and not line.startswith("frontdoor run failed after")
        ]
        result.message = " ".join(said[-5:]) or "(nothing on stderr)"
    warehouse = here / "output" / "warehouse.duckdb"
    if done.returncode == 0 and warehouse.exists():
        read_warehouse(warehouse, result)
    return result


def read_warehouse(warehouse: Path, result: Result) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        result.input_format, result.as_at, result.la_code, result.history_start = con.execute(
            "SELECT input_format, as_at, la_code, history_start FROM marts.run_info"
        ).fetchone()
        result.quarantined = con.execute(
            "SELECT coalesce(sum(quarantined), 0) FROM audit.input_files"
        ).fetchone()[0]
        rows = con.execute(
            "SELECT metric_id, period_label, numerator, denominator, value "
            "FROM marts.metric_values WHERE period_type = 'financial_year' AND breakdown = 'all' "
            "AND metric_id IN (SELECT unnest(?)) "
            "QUALIFY row_number() OVER (PARTITION BY metric_id ORDER BY period_start DESC) = 1",
            [list(V5)],
        ).fetchall()
        result.values = {r[0]: r[1:] for r in rows}
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'staging'"
            ).fetchall()
        }
        for stem in STEMS:
            result.staged[stem] = (
                con.execute(f'SELECT count(*) FROM staging."{stem}"').fetchone()[0]
                if stem in tables
                else None
            )


def number(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:,.0f}"


def cell(value: tuple[str, float | None, float | None, float | None] | None, year: str) -> str:
    """The latest financial year's figure: a count, or a share with its numerator/denominator;
    "n/a" where the metric is written but has no value (0/0); "—" where it is not written."""
    if value is None:
        return "—"
    label, num, den, val = value
    shown = "n/a" if val is None else number(round(val, 1))
    if den is not None:
        shown += f" ({number(num or 0)}/{number(den)})"
    return shown if label == year else f"{shown} [{label}]"


def format_of(result: Result) -> str:
    return result.input_format or FOLDER_FORMAT.get(result.fixture.parent.name, "?")


def disagreements(
    results: list[Result], doc: dict[str, dict[str, str]]
) -> list[tuple[Result, str, str, str]]:
    """(result, metric, what formats.md says, why) for every successful run whose metrics
    differ from its door's column; why is "" when the fixture's staged rows do not explain it."""
    found = []
    for r in results:
        if r.returncode != 0:
            continue
        door = format_of(r)
        for metric in V5:
            said = doc.get(metric, {}).get(door, "?")
            written = metric in r.values
            if written == gives(said):
                continue
            why = ""
            if not written:
                empty = [s for s in RESTS_ON[metric] if not r.staged.get(s)]
                if empty:
                    why = "the fixture has no " + " or ".join(f"`{s}` rows" for s in empty)
            found.append((r, metric, said, why))
    return found


def render(results: list[Result], doc: dict[str, dict[str, str]], command: str) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    names = {r.fixture: f"`{r.fixture.parent.name}/{r.fixture.name}`" for r in results}
    out = [
        "# The v5 metrics, fixture by fixture",
        "",
        f"Made by `{command}` on {now} at commit {commit}: one real `frontdoor run` per shared "
        "fixture (`../shared/fixtures/`, PROVENANCE.md), each fixture alone in its own input "
        "folder, output folder and DAGSTER_HOME, census files with `--cin-xsd "
        "../shared/fixtures/cin_census/xsd`. The fixtures are public fake data, so figures are "
        "not suppressed here.",
        "",
        "## The runs",
        "",
        "| fixture | format | exit | seconds | as at | history from | rows quarantined | LA code "
        "| v5 metrics written | message |",
        "|---|---|---:|---:|---|---|---:|---|---:|---|",
    ]
    for r in results:
        status = "0 (published)" if r.returncode == 0 else f"{r.returncode} (failed)"
        out.append(
            f"| {names[r.fixture]} | {format_of(r)} | {status} | {r.seconds:.0f} | "
            f"{r.as_at or '—'} | {r.history_start or '—'} | "
            f"{r.quarantined if r.returncode == 0 else '—'} | {r.la_code or '—'} | "
            f"{len(r.values) if r.returncode == 0 else '—'} | "
            f"{r.message.replace('|', '/') or '—'} |"
        )
    out += [
        "",
        "## Latest financial year, by metric",
        "",
        "Each cell is the metric's `financial_year` row (breakdown `all`) for the fixture's "
        "latest financial year (the year of its as-at date; another year is named in brackets): "
        "a count, or a percentage with numerator/denominator. `n/a (0/0)`: written, nothing to "
        "divide (the list is there with no rows for it); `—`: not written. The `annex_a` and "
        "`cin_census` columns are docs/formats.md's (✓ or ⚠: the door gives it; ✗: not). A "
        "cell marked † disagrees with them (below).",
        "",
    ]
    flagged = {(d[0].fixture, d[1]) for d in disagreements(results, doc)}
    short = [f"{r.fixture.name.rsplit('.', 1)[0]}" for r in results]
    out.append("| metric | annex_a | cin_census | " + " | ".join(short) + " |")
    out.append("|---|---|---|" + "---|" * len(results))
    for metric in V5:
        row = [f"`{metric}`"]
        for door in ("annex_a", "cin_census"):
            said = doc.get(metric, {}).get(door, "?")
            row.append(said[:1] or "?")
        for r in results:
            year = max((v[0] for v in r.values.values()), default="")
            text = cell(r.values.get(metric), year) if r.returncode == 0 else "(failed)"
            row.append(text + (" †" if (r.fixture, metric) in flagged else ""))
        out.append("| " + " | ".join(row) + " |")
    out += [
        "",
        "## Staged rows of the tables the v5 metrics rest on",
        "",
        "`—`: the format makes no such table.",
        "",
        "| table | " + " | ".join(short) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for stem in STEMS:
        row = [f"`{stem}`"]
        for r in results:
            n = r.staged.get(stem)
            row.append("(failed)" if r.returncode != 0 else "—" if n is None else f"{n:,}")
        out.append("| " + " | ".join(row) + " |")
    found = disagreements(results, doc)
    out += ["", "## Against docs/formats.md", ""]
    if not found:
        out.append(
            "Every successful run wrote exactly the v5 metrics its door's column in formats.md "
            "gives, no more and no fewer."
        )
    for r, metric, said, why in found:
        written = "written" if metric in r.values else "not written"
        out.append(
            f"- {names[r.fixture]}, `{metric}`: {written}, where formats.md's {format_of(r)} "
            f'column says "{said}". ' + (f"Explained: {why}." if why else "**Not explained.**")
        )
    failed = [r for r in results if r.returncode != 0]
    out += [
        "",
        "Runs that failed or refused: "
        + (", ".join(names[r.fixture] for r in failed) or "none")
        + ".",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT.parent / "shared" / "fixtures")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "v5-by-fixture.md")
    parser.add_argument("--work", type=Path, help="keep each run's folders here (default: temp)")
    args = parser.parse_args(argv)
    frontdoor = Path(sys.executable).parent / "frontdoor"
    xsd = args.fixtures / "cin_census" / "xsd"
    doc = documented(ROOT / "docs" / "formats.md")
    with tempfile.TemporaryDirectory(prefix="v5-by-fixture-") as temp:
        work = args.work or Path(temp)
        results = []
        for fixture in fixtures(args.fixtures):
            result = run_fixture(fixture, frontdoor, xsd, work)
            print(
                f"{fixture.name}: exit {result.returncode}, {len(result.values)} v5 metrics, "
                f"{result.seconds:.0f} s {result.message}",
                flush=True,
            )
            results.append(result)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join([".venv/bin/python bench/v5_by_fixture.py", *given])
    # What follows the marker in the page is written by hand (reading the table) and kept.
    kept = ""
    if args.out.exists() and NOTES in (old := args.out.read_text(encoding="utf-8")):
        kept = old[old.index(NOTES) :]
    page = render(results, doc, command)
    args.out.write_text(page + ("\n" + kept if kept else ""), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
