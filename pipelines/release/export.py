"""`frontdoor export --xlsx`: marts.metric_values as analysts use it in Excel.

One sheet per metric family (the ``marts.metrics_<family>`` table each metric comes from) and
period type: a row per metric and breakdown, a column per period, oldest first. Every figure is
as the managers' report shows it (pipelines/report: the small-number rule and complementary
suppression of suppress.py applied): a number Excel can sum, "[c]" for a suppressed figure,
an en dash for nothing to measure; figures rounded as the report shows them. Only aggregates are read (marts.metric_values, run_info).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pipelines.marts.metrics import BY_ID
from pipelines.report.data import read_metrics, read_run_info
from pipelines.report.figures import Report
from pipelines.sql import tables_in

PERIOD_SHEETS = (("month", "months"), ("financial_year", "years"))


def families(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """metric_id -> its family (the marts.metrics_<family> table it is written from)."""
    out: dict[str, str] = {}
    for table in sorted(t for t in tables_in(con, "marts") if t.startswith("metrics_")):
        for (metric_id,) in con.execute(f"SELECT DISTINCT metric_id FROM marts.{table}").fetchall():
            out.setdefault(metric_id, table.removeprefix("metrics_"))
    return out


def export_xlsx(con: duckdb.DuckDBPyConnection, out_path: Path, suppress_below: int = 5) -> Path:
    """Write the workbook to out_path (beside, then renamed: never half a file)."""
    metrics = read_metrics(con)
    run = read_run_info(con)
    report = Report(metrics, suppress_below, history_start=run.history_start)
    family_of = families(con)
    book = Workbook()
    about = book.active
    about.title = "About"
    about.append(["frontdoor metric values", run.la_name or run.la_code or "Council not named"])
    about.append(["Data as at", str(run.as_at) if run.as_at else "not known"])
    about.append(
        [
            "Small numbers",
            f"a count from 1 to {suppress_below - 1} (and a figure built on one) is [c]; "
            "\u2013 is nothing to measure",
        ]
    )
    about.append(["Definitions", "docs/metrics.md; one sheet per metric family and period type"])
    by_family: dict[str, list[str]] = {}
    for metric_id in sorted(metrics.metric_ids):
        if metric_id in BY_ID:
            by_family.setdefault(family_of.get(metric_id, "other"), []).append(metric_id)
    for family, metric_ids in sorted(by_family.items()):
        for period_type, suffix in PERIOD_SHEETS:
            periods = [p for p in metrics.periods(period_type)]
            if run.history_start is not None:
                periods = [p for p in periods if p.end >= run.history_start]
            sheet = book.create_sheet(f"{family} {suffix}"[:31])
            sheet.append(
                [
                    "Measure",
                    "metric_id",
                    "breakdown",
                    "breakdown_value",
                    *(p.label for p in periods),
                ]
            )
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for metric_id in metric_ids:
                metric = BY_ID[metric_id]
                keys = sorted(
                    {
                        (b, v)
                        for (m, pt, b, v) in metrics.index
                        if m == metric_id and pt == period_type
                    },
                    key=lambda k: (k[0] != "all", k),
                )
                for breakdown, value in keys:
                    row: list[object] = [metric.label, metric_id, breakdown, value]
                    for p in periods:
                        shown = report.shown(metric, period_type, p.label, breakdown, value)
                        if shown is None:
                            row.append(None)
                        elif shown.value is None:
                            row.append(shown.text)
                        else:
                            digits = 0 if metric.unit == "count" else 1
                            row.append(round(shown.value, digits))
                    sheet.append(row)
            sheet.freeze_panes = "E2"
            sheet.column_dimensions["A"].width = 48
            for i in range(5, 5 + len(periods)):
                sheet.column_dimensions[get_column_letter(i)].width = 10
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    book.save(tmp)
    os.replace(tmp, out_path)
    return out_path
