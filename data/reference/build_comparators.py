"""Rebuild published_comparators.csv and local_authorities.csv from the DfE files in
../shared/reference/dfe/.

The report reads only the committed CSVs; this script makes them reproducible:

    uv run python data/reference/build_comparators.py             # every local authority
    uv run python data/reference/build_comparators.py --la 314 --la 202   # only these

For each local authority (old three-digit code) it writes, for every published year, the
authority's own published figure and the plain mean of its ten statistical neighbours' published
figures (the April 2021 groupings), as DfE's LAIT tool averages them; and, once each, England and
every region (London as one region, as the neighbour groupings name it).

The children in need tables are for years ending 31 March; the social work workforce (CSWW)
figures are taken at 30 September, so each sits in the financial year containing that day
(time_period 2025: 30 September 2025, financial year 2025-26).
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "reference" / "dfe"
OUT = HERE / "published_comparators.csv"
AUTHORITIES = HERE / "local_authorities.csv"
# DfE reports London's boroughs under Inner and Outer London; the region is London.
LONDON = "E12000007"
REGION_OF = {"E13000001": LONDON, "E13000002": LONDON}

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
S47_FILE = "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
# The workforce census, at 30 September. Head counts, not FTE: the local metrics count people
# (docs/metrics.md: agency_social_worker_pct is "head count, not FTE").
WORKFORCE_FILE = "csww_indicators_2017_to_2025.csv"
WORKFORCE = {
    "permanent_sw_turnover_12m_pct": "turnover_rate_headcount",
    "agency_social_worker_pct": "agency_rate_headcount",
}
# DfE publishes some councils' workforce jointly (one workforce, e.g. "314 / 318": Kingston upon
# Thames and Richmond upon Thames, Achieving for Children): each council is given the joint figure.
JOINT = " / "
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
    "numerator",
    "denominator",
]


@dataclass
class Figures:
    """One metric's published figures by (time_period, area), with what says how to read them."""

    values: dict[tuple[int, str], float | None]
    # (time_period, area) -> the published counts the value is worked from (numerator, denominator)
    counts: dict[tuple[int, str], tuple[float, float]] = field(default_factory=dict)
    # (time_period, council) -> (the joint code, the joint name) where DfE publishes two councils
    # as one
    joint: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    at_30_september: bool = False

    def period(self, year: int) -> dict[str, str]:
        """The financial year a published time_period sits in, and the day it is taken at."""
        if self.at_30_september:
            return {
                "financial_year": f"{year}-{(year + 1) % 100:02d}",
                "year_ending": f"{year}-09-30",
            }
        return {"financial_year": f"{year - 1}-{year % 100:02d}", "year_ending": f"{year}-03-31"}


def number(text: str) -> float | None:
    """A published figure, or None for DfE's suppression and missing marks (c, z, x, blank)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def area_key(row: dict[str, str]) -> str | None:
    """England, a region's code (E12...), or the LA's old code; other levels are not used."""
    if row["geographic_level"] == "National":
        return ENGLAND
    if row["geographic_level"] == "Regional" and row["region_code"].startswith("E12"):
        return row["region_code"]
    if row["geographic_level"] == "Local authority":
        return row["old_la_code"]
    return None


def regions(source: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(old LA code -> its region's code in the latest year it is published, region code ->
    name), from table C1."""
    of_la: dict[str, tuple[int, str]] = {}
    names: dict[str, str] = {}
    with open(source / PUBLISHED_PERCENT["rereferral_12m_pct"][0], encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            code = REGION_OF.get(row["region_code"], row["region_code"])
            if row["geographic_level"] == "Regional" and row["region_code"].startswith("E12"):
                names[code] = row["region_name"]
            if row["geographic_level"] == "Local authority":
                year = int(row["time_period"])
                if year >= of_la.get(row["old_la_code"], (0, ""))[0]:
                    of_la[row["old_la_code"]] = (year, code)
    return {la: code for la, (_, code) in of_la.items()}, names


def read_table(source: Path, name: str, column: str) -> dict[tuple[int, str], float | None]:
    """(year ending March, area) -> figure."""
    table: dict[tuple[int, str], float | None] = {}
    with open(source / name, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            key = area_key(row)
            if key is not None:
                table[(int(row["time_period"]), key)] = number(row[column])
    return table


def s47_to_icpc(source: Path) -> Figures:
    """Initial conferences as a share of section 47 enquiries, from table C4's counts for the
    year (DfE publishes no followed cohort), rounded to 1 decimal place as DfE's percentages."""
    icpcs = read_table(source, S47_FILE, "ICPC")
    enquiries = read_table(source, S47_FILE, "Section47")
    figures = Figures({})
    for key, icpc in icpcs.items():
        s47 = enquiries.get(key)
        if icpc is None or not s47:
            figures.values[key] = None
            continue
        figures.values[key] = round(100 * icpc / s47, 1)
        figures.counts[key] = (icpc, s47)
    return figures


def workforce(source: Path, column: str) -> Figures:
    """A workforce census rate at 30 September; a joint figure is each of its councils'."""
    figures = Figures({}, at_30_september=True)
    with open(source / WORKFORCE_FILE, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            key = area_key(row)
            if key is None:
                continue
            year, value = int(row["time_period"]), number(row[column])
            for code in key.split(JOINT):
                figures.values[(year, code)] = value
                if JOINT in key:
                    figures.joint[(year, code)] = (key, row["la_name"])
    return figures


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


def authorities(source: Path) -> list[dict[str, str]]:
    """Every local authority of the neighbour groupings: code, name, region, neighbours."""
    of_la, names = regions(source)
    return [
        {
            "la_code": code,
            "la_name": name,
            "region_code": of_la.get(code, ""),
            "region_name": names.get(of_la.get(code, ""), ""),
            "neighbours": " ".join(sns),
        }
        for code, (name, sns) in neighbours(source).items()
    ]


def _row(
    metric_id: str,
    figures: Figures,
    year: int,
    area: str,
    code: str,
    name: str,
    value: float,
    n_areas: int = 1,
) -> dict[str, object]:
    """One published row; with the published counts the value is worked from, where it is (a
    neighbours' mean has none)."""
    row: dict[str, object] = (
        {"metric_id": metric_id}
        | figures.period(year)
        | {"area": area, "la_code": code, "la_name": name, "value": value, "n_areas": n_areas}
    )
    counts = figures.counts.get((year, code or ENGLAND))
    if counts is not None and area != "sn_average":
        row |= {"numerator": round(counts[0]), "denominator": round(counts[1])}
    return row


def build(source: Path, la_codes: list[str] | None = None) -> list[dict[str, object]]:
    """The published rows: England and every region once, then each LA's own figure and its
    neighbours' mean (every LA when ``la_codes`` is None)."""
    groups = neighbours(source)
    _, region_names = regions(source)
    la_codes = list(groups) if la_codes is None else la_codes
    tables = {m: Figures(read_table(source, f, c)) for m, (f, c) in PUBLISHED_PERCENT.items()}
    tables["cp_plans_rate_per_10k"] = Figures(cp_rates(source))
    tables["s47_to_icpc_pct"] = s47_to_icpc(source)
    tables |= {m: workforce(source, c) for m, c in WORKFORCE.items()}
    rows: list[dict[str, object]] = []
    for metric_id, figures in tables.items():
        table = figures.values
        for year in sorted({y for y, _ in table}):
            england = table.get((year, ENGLAND))
            if england is not None:
                rows.append(_row(metric_id, figures, year, ENGLAND, "", "England", england))
            for code, region_name in sorted(region_names.items()):
                figure = table.get((year, code))
                if figure is not None:
                    rows.append(_row(metric_id, figures, year, "region", code, region_name, figure))
            for code in la_codes:
                name, sns = groups[code]
                own = table.get((year, code))
                if own is not None:
                    # A joint figure is named as DfE publishes it, so the page can say so.
                    own_name = figures.joint.get((year, code), ("", name))[1]
                    rows.append(_row(metric_id, figures, year, "la", code, own_name, own))
                # A neighbour whose figure is suppressed or missing that year is left out of the
                # mean; a joint figure counts once, and not at all in its own council's mean.
                values, seen = [], set()
                for sn in sns:
                    value = table.get((year, sn))
                    joint = figures.joint.get((year, sn), (sn, ""))[0]
                    if value is None or joint in seen or code in joint.split(JOINT):
                        continue
                    seen.add(joint)
                    values.append(value)
                if values:
                    rows.append(
                        _row(
                            metric_id,
                            figures,
                            year,
                            "sn_average",
                            code,
                            name,
                            round(mean(values), 1),
                            len(values),
                        )
                    )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument(
        "--la", action="append", help="old LA code (default: every local authority)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--authorities", type=Path, default=AUTHORITIES)
    args = parser.parse_args(argv)
    rows = build(args.source, args.la)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}")
    las = authorities(args.source)
    with open(args.authorities, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(las[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(las)
    print(f"wrote {len(las)} local authorities to {args.authorities}")


if __name__ == "__main__":
    main()
