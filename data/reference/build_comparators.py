"""Rebuild published_comparators.csv from the DfE files in ../shared/reference/dfe/.

The report reads only the small committed CSV; this script makes it reproducible:

    uv run python data/reference/build_comparators.py            # Kingston upon Thames (314)
    uv run python data/reference/build_comparators.py --la 314 --la 202

For each chosen local authority (old three-digit code) it writes, for every published year,
England, the authority's own published figure, and the plain mean of its ten statistical
neighbours' published figures (the April 2021 groupings), as DfE's LAIT tool averages them.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from statistics import mean

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "reference" / "dfe"
OUT = HERE / "published_comparators.csv"

# metric_id -> (file, column holding the published figure)
PUBLISHED_PERCENT = {
    "rereferral_12m_pct": (
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "rereferral_percent",
    ),
    "referral_nfa_pct": (
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "no_further_action_percent",
    ),
    "cp_second_or_subsequent_pct": (
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "CPP_subsequent_percent",
    ),
    "cp_plans_2y_plus_pct": (
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "2_years_or_more_percent",
    ),
}
PLANS_FILE = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
POPULATION_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"
NEIGHBOURS_FILE = "New_Statistical_Neighbour_Groupings_April_2021.csv"
ENGLAND = "england"
FIELDS = [
    "metric_id",
    "financial_year",
    "year_ending",
    "area",
    "la_code",
    "la_name",
    "value",
    "n_areas",
]


def number(text: str) -> float | None:
    """A published figure, or None for DfE's suppression and missing marks (c, z, x, blank)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def area_key(row: dict[str, str]) -> str | None:
    """England, or the LA's old code; regions and other levels are not used."""
    if row["geographic_level"] == "National":
        return ENGLAND
    if row["geographic_level"] == "Local authority":
        return row["old_la_code"]
    return None


def read_table(source: Path, name: str, column: str) -> dict[tuple[int, str], float | None]:
    """(year ending March, area) -> figure."""
    table: dict[tuple[int, str], float | None] = {}
    with open(source / name, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            key = area_key(row)
            if key is not None:
                table[(int(row["time_period"]), key)] = number(row[column])
    return table


def cp_rates(source: Path) -> dict[tuple[int, str], float | None]:
    """Plans open at 31 March per 10,000 children aged 0-17 (ONS mid-year estimate of the
    previous June: the year the financial year starts, as the metric catalogue defines)."""
    plans = read_table(source, PLANS_FILE, "CPP_At31")
    population = read_table(source, POPULATION_FILE, "population_estimate")
    rates: dict[tuple[int, str], float | None] = {}
    for (year, area), count in plans.items():
        children = population.get((year - 1, area))
        rates[(year, area)] = (
            round(10_000 * count / children, 1) if count is not None and children else None
        )
    return rates


def neighbours(source: Path) -> dict[str, tuple[str, list[str]]]:
    """Old LA code -> (name, its ten statistical neighbours' old codes)."""
    with open(source / NEIGHBOURS_FILE, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    # Columns: LA num, LA Name, LA number, GOInd, GOReg, then SN1, SNP, SN2, SNP ... SN10, SNP.
    return {row[0]: (row[1], [row[i] for i in range(5, 25, 2)]) for row in rows[1:] if row[0]}


def build(source: Path, la_codes: list[str]) -> list[dict[str, object]]:
    groups = neighbours(source)
    tables = {m: read_table(source, f, c) for m, (f, c) in PUBLISHED_PERCENT.items()}
    tables["cp_plans_rate_per_10k"] = cp_rates(source)
    rows: list[dict[str, object]] = []
    for metric_id, table in tables.items():
        for year in sorted({y for y, _ in table}):
            period = {
                "metric_id": metric_id,
                "financial_year": f"{year - 1}-{year % 100:02d}",
                "year_ending": f"{year}-03-31",
            }
            england = table.get((year, ENGLAND))
            if england is not None:
                rows.append(
                    period
                    | {
                        "area": ENGLAND,
                        "la_code": "",
                        "la_name": "England",
                        "value": england,
                        "n_areas": 1,
                    }
                )
            for code in la_codes:
                name, sns = groups[code]
                own = table.get((year, code))
                if own is not None:
                    rows.append(
                        period
                        | {
                            "area": "la",
                            "la_code": code,
                            "la_name": name,
                            "value": own,
                            "n_areas": 1,
                        }
                    )
                # A neighbour whose figure is suppressed or missing that year is left out of the mean.
                values = [v for v in (table.get((year, sn)) for sn in sns) if v is not None]
                if values:
                    rows.append(
                        period
                        | {
                            "area": "sn_average",
                            "la_code": code,
                            "la_name": name,
                            "value": round(mean(values), 1),
                            "n_areas": len(values),
                        }
                    )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument(
        "--la", action="append", help="old LA code (default 314, Kingston upon Thames)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = build(args.source, args.la or ["314"])
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
