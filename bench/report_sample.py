"""Synthetic aggregates for trying the report without the pipeline (a demo, not part of frontdoor).

    uv run python bench/report_sample.py output/report-demo.html

Writes marts.metric_values (24 months and their financial years, four teams, out-of-hours
contacts), marts.run_info, marts.data_quality (three runs) and a quarantine table, with
plausible figures: nothing here is real data.
"""

from __future__ import annotations

import calendar
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipelines.report.catalogue import CATALOGUE

TEAMS = ("Assessment North", "Assessment South", "Child Protection", "MASH")
AS_AT = date(2025, 11, 14)

# metric -> (typical monthly cases for the whole authority, typical per cent / value)
PROFILE: dict[str, tuple[int, float]] = {
    "contacts": (420, 0),
    "contact_decision_1wd_pct": (420, 82),
    "contact_to_referral_pct": (400, 31),
    "contacts_awaiting_decision": (18, 0),
    "referrals": (130, 0),
    "rereferral_12m_pct": (130, 16),
    "referral_nfa_pct": (130, 3),
    "allocation_delay_median_wd": (110, 2.5),
    "allocated_within_5wd_pct": (110, 78),
    "unallocated_open_cases": (9, 0),
    "assessments_completed": (120, 0),
    "initial_assessment_timely_pct": (0, 0),
    "core_assessment_timely_pct": (0, 0),
    "single_assessment_timely_pct": (120, 84),
    "initial_assessment_median_wd": (0, 0),
    "core_assessment_median_wd": (0, 0),
    "single_assessment_median_wd": (120, 31),
    "assessments_open": (160, 0),
    "assessment_backlog": (22, 0),
    "assessment_child_seen_pct": (120, 93),
    "assessment_seen_alone_pct": (120, 61),
    "s47_enquiries": (40, 0),
    "icpc_15wd_pct": (14, 76),
    "s47_overdue_icpc": (4, 0),
    "cp_plans_open": (115, 0),
    "cp_plans_rate_per_10k": (115, 0),
    "cp_plans_started": (12, 0),
    "cp_plans_ended": (11, 0),
    "cp_second_or_subsequent_pct": (12, 20),
    "cp_plans_2y_plus_pct": (115, 4),
    "cp_ended_2y_plus_pct": (11, 5),
    "cp_reviews_timely_pct": (95, 91),
    "cp_allocated_qualified_pct": (115, 97),
    "cp_seen_alone_pct": (110, 72),
    "ethnicity_recorded_pct": (125, 88),
    "religion_recorded_pct": (125, 58),
    "agency_social_worker_pct": (60, 27),
    "caseload_per_social_worker": (55, 17),
}
POPULATION = 37_121


def months(first: date, as_at: date) -> list[tuple[str, date, date]]:
    out = []
    start = first.replace(day=1)
    while start <= as_at:
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        out.append((start.strftime("%Y-%m"), start, min(end, as_at)))
        start = end + timedelta(days=1)
    return out


def financial_years(first: date, as_at: date) -> list[tuple[str, date, date]]:
    out = []
    year = first.year if first.month >= 4 else first.year - 1
    while date(year, 4, 1) <= as_at:
        out.append(
            (f"{year}-{(year + 1) % 100:02d}", date(year, 4, 1), min(date(year + 1, 3, 31), as_at))
        )
        year += 1
    return out


def _rows_for(
    rng: random.Random, metric_id: str, unit: str, scale: float, shares: dict[str, float]
) -> list[tuple]:
    """(breakdown, value, numerator, denominator, value) rows for one period."""
    cases, level = PROFILE[metric_id]
    rows = []
    for (breakdown, name), share in shares.items():
        n = round(cases * scale * share * rng.uniform(0.85, 1.15))
        if unit == "count":
            rows.append((breakdown, name, float(n), None, float(n)))
        elif unit == "pct":
            p = min(100.0, max(0.0, rng.gauss(level, 4 if level > 10 else 1.5)))
            num = round(n * p / 100)
            rows.append((breakdown, name, float(num), float(n), 100 * num / n if n else None))
        elif unit == "wd":
            median = max(0.0, round(rng.gauss(level, level / 5), 1))
            rows.append((breakdown, name, None, None, median if n else None))
        elif unit == "rate":
            rows.append((breakdown, name, float(n), float(POPULATION), 10_000 * n / POPULATION))
        else:  # ratio: children per worker
            workers = max(1, round(n / level)) if n else 0
            pairs = round(workers * rng.gauss(level, 1.5))
            rows.append(
                (
                    breakdown,
                    name,
                    float(pairs),
                    float(workers),
                    pairs / workers if workers else None,
                )
            )
    return rows


def write_sample(
    con: duckdb.DuckDBPyConnection,
    *,
    as_at: date = AS_AT,
    n_months: int = 24,
    omit: tuple[str, ...] = ("early_help_mismatch_children", "stepdown_unmatched_pct"),
    seed: int = 2010,
) -> None:
    """Create marts.metric_values, run_info, data_quality and quarantine.contacts in con."""
    rng = random.Random(seed)
    first = as_at.replace(day=1)
    for _ in range(n_months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    shares: dict[tuple[str, str], float] = {("all", "ALL"): 1.0}
    shares |= {("team", t): s for t, s in zip(TEAMS, (0.38, 0.34, 0.2, 0.08), strict=True)}
    contact_shares = shares | {("out_of_hours", "Y"): 0.07, ("out_of_hours", "N"): 0.93}
    rows = []
    for period_type, periods in (
        ("month", months(first, as_at)),
        ("financial_year", financial_years(first, as_at)),
    ):
        for label, start, end in periods:
            days = (end - start).days + 1
            for m in CATALOGUE:
                if m.metric_id in omit:
                    continue
                # Flows grow with the period's length; snapshots do not.
                scale = 1.0 if m.snapshot else days / 30.4
                these = contact_shares if m.metric_id.startswith("contact") else shares
                for breakdown, value_, num, den, value in _rows_for(
                    rng, m.metric_id, m.unit, scale, these
                ):
                    if m.unit == "wd" and not PROFILE[m.metric_id][0]:
                        continue
                    rows.append(
                        (
                            m.metric_id,
                            period_type,
                            label,
                            start,
                            end,
                            breakdown,
                            value_,
                            num,
                            den,
                            value,
                        )
                    )
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE SCHEMA IF NOT EXISTS quarantine")
    con.execute(
        "CREATE OR REPLACE TABLE marts.metric_values (metric_id VARCHAR, period_type VARCHAR, period_label VARCHAR, "
        "period_start DATE, period_end DATE, breakdown VARCHAR, breakdown_value VARCHAR, numerator DOUBLE, "
        "denominator DOUBLE, value DOUBLE)"
    )
    con.executemany("INSERT INTO marts.metric_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(
        "CREATE OR REPLACE TABLE marts.run_info AS SELECT ?::DATE AS as_at, ?::DATE AS first_date",
        [as_at, first],
    )
    con.execute(
        "CREATE OR REPLACE TABLE marts.data_quality (run_at TIMESTAMP, source_file VARCHAR, rule VARCHAR, "
        "rows_checked BIGINT, rows_failed BIGINT)"
    )
    for i, run_day in enumerate((as_at - timedelta(days=2), as_at - timedelta(days=1), as_at)):
        for file, rule, checked, failed in (
            ("contacts.csv", "date_parses", 10_000, 40 - 12 * i),
            ("contacts.csv", "decision_not_before_contact", 10_000, 12 + i),
            ("referrals.csv", "child_id_present", 3_100, 3),
            ("assessments.csv", "completed_not_before_start", 2_900, 0),
        ):
            con.execute(
                "INSERT INTO marts.data_quality VALUES (?, ?, ?, ?, ?)",
                [f"{run_day} 02:00:00", file, rule, checked, failed],
            )
    con.execute(
        "CREATE OR REPLACE TABLE quarantine.contacts (contact_id VARCHAR, child_id VARCHAR, _source_file VARCHAR, "
        "_line BIGINT, _column VARCHAR, _rule VARCHAR, _value VARCHAR, _reason VARCHAR)"
    )
    con.executemany(
        "INSERT INTO quarantine.contacts VALUES (?, ?, 'contacts.csv', ?, ?, ?, ?, 'synthetic')",
        [
            (f"C{i}", f"SYN-{i:04d}", i + 2, "contact_datetime", "date_parses", "31/02/2025")
            for i in range(16)
        ]
        + [
            (
                f"D{i}",
                f"SYN-{i:04d}",
                i + 40,
                "decision_datetime",
                "decision_not_before_contact",
                "x",
            )
            for i in range(2)
        ],
    )


def main(argv: list[str] | None = None) -> None:
    from pipelines.report import build_report

    out = Path((argv or sys.argv[1:] or ["output/report-demo.html"])[0])
    con = duckdb.connect()
    write_sample(con)
    result = build_report(con, out)
    print(
        f"{result.path}: {result.size_bytes:,} bytes, {result.figures} figures, {result.suppressed} suppressed"
    )


if __name__ == "__main__":
    main()
