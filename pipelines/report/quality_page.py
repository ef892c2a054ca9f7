"""The data-quality section, written for the person who must fix the data: each finding as a
sentence, the file by its own name, the column, how many records, and what frontdoor did.

Counts here are of records in a file, not of children, and are shown in full: a data officer
needs to know there are 3 broken rows, not "[c]" (the About section says so)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape

from pipelines.marts.metrics import BY_ID, FLAGS
from pipelines.report import charts
from pipelines.report.data import QualityData
from pipelines.report.figures import Report, html_table, series_table
from pipelines.report.quality_text import ACTIONS, describe
from pipelines.report.suppress import Shown

SEVERITY = {"error": "Must fix", "warning": "Check", "info": "For the record"}
ORDER = {"error": 0, "warning": 1, "info": 2}


def run_label(run: object) -> str:
    """A run as a reader wants it: to the minute, not the microsecond."""
    return run.strftime("%Y-%m-%d %H:%M") if isinstance(run, datetime) else str(run)


def file_names(files: object) -> str:
    """Files by their own names (never a server's path), comma-separated as stored."""
    if not files:
        return ""
    return ", ".join(part.strip().rsplit("/", 1)[-1] for part in str(files).split(","))


def _count(value: object) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else ""


def quality(r: Report, dq: QualityData | None) -> str:
    out = [
        '<section id="quality" aria-labelledby="h-quality"><h2 id="h-quality">Data quality</h2>',
        "<p class='lead'>What the pipeline found in the input, file by file, and what it did "
        "about it. The counts are of records, not children, so they are shown in full (see "
        "About); analysts find the records themselves in the warehouse: marts.data_quality_rows "
        "lists the rows behind each finding (file and line) except blank yes/no answers, which "
        "are the NULLs of that column in staging, and the quarantine tables hold the rows not "
        "used.</p>",
    ]
    if dq is None:
        out.append(
            "<p class='missing'>Check results not available: marts.data_quality is not in this "
            "warehouse.</p></section>"
        )
        return "".join(out)
    rows = [dict(zip([*dq.labels, *dq.counts, "run_at"], row, strict=True)) for row in dq.rows]
    runs = sorted({row["run_at"] for row in rows if row["run_at"] is not None}, key=str)
    latest = [row for row in rows if not runs or row["run_at"] == runs[-1]]
    when = f" ({run_label(runs[-1])})" if runs else ""

    files = [
        row for row in latest if row["kind"] == "load" and str(row["rule"]).startswith("file_")
    ]
    if files:
        out.append("<h3>Files</h3>")
        out.append(
            html_table(
                ["File", "What happened", "Records"],
                [
                    [
                        file_names(row["file"]),
                        describe("load", row["rule"])[1],
                        _count(row["rows_checked"]),
                    ]
                    for row in sorted(files, key=lambda row: str(row["file"]))
                ],
            )
        )
    found = [row for row in latest if (row["rows_failed"] or 0) > 0 and row not in files]
    found.sort(key=lambda row: (ORDER.get(row["severity"], 3), -(row["rows_failed"] or 0)))
    out.append(f"<h3>What was found in the latest run{escape(when)}</h3>")
    if not found:
        out.append("<p>Nothing: every check passed.</p>")
    else:
        out.append(
            html_table(
                ["What was found", "File", "Column", "Records", "What frontdoor did", "Severity"],
                [
                    [
                        describe(row["kind"], row["rule"])[1],
                        file_names(row["file"]),
                        row["column_name"] or "",
                        _count(row["rows_failed"]),
                        ACTIONS.get(row["action"], row["action"] or ""),
                        SEVERITY.get(row["severity"], row["severity"] or ""),
                    ]
                    for row in found
                ],
            )
        )
    out.append(
        f"<details><summary>Every check ({len(latest)})</summary>"
        + html_table(
            ["Check", "File", "Column", "Records checked", "Records found"],
            [
                [
                    describe(row["kind"], row["rule"])[1],
                    file_names(row["file"]),
                    row["column_name"] or "",
                    _count(row["rows_checked"]),
                    _count(row["rows_failed"]),
                ]
                for row in sorted(latest, key=lambda row: (str(row["kind"]), str(row["rule"])))
            ],
        )
        + "</details>"
    )
    out.append(flag_answers(r))
    if len(runs) > 1:
        out.append(_over_runs(r, rows, runs))
    out.append("</section>")
    return "".join(out)


def flag_answers(r: Report) -> str:
    """Each yes/no answer the figures rest on, once: how many records left it blank or
    unreadable (counted as "not Y"), and the measures that read it. Said here, not on every
    card that reads it."""
    readers: dict[tuple[str, str], list[str]] = defaultdict(list)
    kinds = {}
    for metric_id, flags in FLAGS.items():
        for flag in flags:
            readers[(flag.stem, flag.column)].append(BY_ID[metric_id].label)
            kinds[(flag.stem, flag.column)] = flag
    rows = []
    for key, flag in kinds.items():
        count = r.flags.get(key)
        if count is None:
            continue
        rows.append(
            [
                flag.answer[0].upper() + flag.answer[1:],
                f"{count.rows:,}",
                f"{count.blank:,}",
                f"{count.unreadable:,}",
                flag.taken_as,
                "; ".join(readers[key]),
            ]
        )
    if not rows:
        return ""
    return "<h3>Yes/no answers the figures rest on</h3>" + html_table(
        ["Answer", "Records", "Blank", "Unreadable", "Blank or unreadable counts as", "Measures"],
        rows,
        'A blank or unreadable answer counts as its "not" (docs/metrics.md)',
    )


def _over_runs(r: Report, rows: list[dict[str, object]], runs: list[object]) -> str:
    """Records found per check across runs: the checks that ever found any, the eight largest."""
    totals: dict[str, dict[object, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        found = row["rows_failed"]
        if isinstance(found, int | float) and row["run_at"] is not None:
            name = describe(str(row["kind"]), str(row["rule"]))[0]
            totals[name][row["run_at"]] += found
    ever = sorted(
        (t for t in totals.items() if sum(t[1].values()) > 0), key=lambda t: -sum(t[1].values())
    )
    if not ever:
        return "<p>No check has found a record in any run.</p>"
    x = [run_label(run) for run in runs]
    series = [
        charts.Series(
            name, x, [Shown(by_run.get(run, 0), f"{by_run.get(run, 0):,.0f}") for run in runs]
        )
        for name, by_run in ever[:8]
    ]
    title = "Records found by each check, run by run"
    fig = charts.line_figure(title, "Records found", "Run", series)
    charts.set_axis(fig, "xaxis", type="category")
    return r.figure(fig, title, series_table(x, series))
