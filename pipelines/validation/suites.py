"""The Great Expectations suites, generated from the extract contract.

One suite per extract stem, written as plain JSON to ``expectations/<stem>.json`` by
``write_suites()``. A test asserts the committed files equal what this module writes, so a change
to pipelines/contract.py that is not carried into the suites fails the build.

Every expectation carries ``meta``: ``rule`` (the name it has in marts.data_quality), ``column``
and ``severity`` (``error`` or ``warning``). The same JSON drives two engines:

- GX validates a bounded sample of the staging table (pipelines.validation.gx_runner);
- the SQL translation (pipelines.validation.rules) counts every row of the table and names its
  file and line. The counts in marts.data_quality come from SQL; GX is the reference check.

Two derived columns are added to the frame both engines see (pipelines.validation.frames):
``_earliest_date`` (the child's date of birth, from children.csv) and ``_as_at_next`` (the day
after the extract date, as a timestamp). That keeps the "not before birth" and "not after the
extract date" rules plain column-pair expectations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.contract import EXTRACTS, Extract, Kind

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"

EARLIEST = "_earliest_date"
AS_AT_NEXT = "_as_at_next"

# The pandas dtype GX sees for each staging type when DuckDB hands over a frame (.df()).
PANDAS_TYPES: dict[Kind, str] = {
    "id": "str",
    "text": "str",
    "code": "str",
    "date": "datetime64",
    "datetime": "datetime64",
    "yn": "bool",
    "int": "int64",
}

# (later, earlier): the later column must not be before the earlier one, in the same row.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("decision_datetime", "contact_datetime"),),
    "referrals": (("closure_date", "referral_date"),),
    "assessments": (("completed_date", "start_date"),),
    "allocations": (("end_date", "start_date"),),
    "workers": (("end_date", "start_date"),),
    "s47_enquiries": (
        ("end_date", "strategy_discussion_date"),
        ("icpc_date", "strategy_discussion_date"),
    ),
    "cp_plans": (("end_date", "start_date"),),
    "early_help": (("end_date", "start_date"),),
    "cin_plans": (("end_date", "start_date"),),
    "missing_episodes": (
        ("return_date", "start_date"),
        ("return_interview_date", "return_date"),
    ),
    "private_fostering": (("initial_visit_date", "notification_date"),),
}

# The column that starts each child's event: it must not be before the child was born.
# (End dates follow from the date-order rules; early_help holds its own date of birth.)
BIRTH_BOUND: dict[str, str] = {
    "contacts": "contact_datetime",
    "referrals": "referral_date",
    "assessments": "start_date",
    "allocations": "start_date",
    "s47_enquiries": "strategy_discussion_date",
    "cp_plans": "start_date",
    "cin_plans": "start_date",
    "missing_episodes": "start_date",
    "private_fostering": "notification_date",
}

# Whole numbers that must lie in a range (inclusive; None = unbounded).
RANGES: dict[tuple[str, str], tuple[int | None, int | None]] = {
    ("population", "year"): (1990, 2100),
    ("population", "children_0_17"): (1, None),
    ("cp_plans", "number_of_previous_plans"): (0, None),
}

# Dates that may lawfully lie after the extract date: a due date and a planned leaving date.
MAY_BE_FUTURE: frozenset[tuple[str, str]] = frozenset(
    {("children", "expected_date_of_birth"), ("workers", "end_date")}
)


def _expectation(
    kind: str, kwargs: dict[str, Any], rule: str, column: str, severity: str
) -> dict[str, Any]:
    return {
        "type": kind,
        "kwargs": kwargs,
        "meta": {"rule": rule, "column": column, "severity": severity},
    }


def suite_for(e: Extract) -> dict[str, Any]:
    """The suite for one extract as a JSON-ready dict (GX 1.x ExpectationSuite shape)."""
    ex: list[dict[str, Any]] = []
    for name in e.required_columns:
        ex.append(
            _expectation(
                "expect_column_to_exist", {"column": name}, "column_present", name, "error"
            )
        )
    for c in e.columns:
        ex.append(
            _expectation(
                "expect_column_values_to_be_of_type",
                {"column": c.name, "type_": PANDAS_TYPES[c.kind]},
                "column_type",
                c.name,
                "error",
            )
        )
    for c in e.columns:
        if c.required:
            ex.append(
                _expectation(
                    "expect_column_values_to_not_be_null",
                    {"column": c.name},
                    "required",
                    c.name,
                    "error",
                )
            )
    for c in e.columns:
        if c.codes:
            ex.append(
                _expectation(
                    "expect_column_values_to_be_in_set",
                    {"column": c.name, "value_set": list(c.codes)},
                    "unknown_code",
                    c.name,
                    # An unknown required code makes the row unusable (staging quarantines it);
                    # an unknown optional code only leaves that field unknown.
                    "error" if c.required else "warning",
                )
            )
    if e.key:
        ex.append(
            _expectation(
                "expect_column_values_to_be_unique",
                {"column": e.key},
                "duplicate_id",
                e.key,
                "error",
            )
        )
    for c in e.columns:
        if (e.stem, c.name) in RANGES:
            low, high = RANGES[e.stem, c.name]
            ex.append(
                _expectation(
                    "expect_column_values_to_be_between",
                    {"column": c.name, "min_value": low, "max_value": high},
                    "out_of_range",
                    c.name,
                    "warning",
                )
            )
    for later, earlier in DATE_ORDER.get(e.stem, ()):
        ex.append(
            _expectation(
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": later,
                    "column_B": earlier,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "date_order",
                later,
                "warning",
            )
        )
    if e.stem in BIRTH_BOUND:
        column = BIRTH_BOUND[e.stem]
        ex.append(
            _expectation(
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": column,
                    "column_B": EARLIEST,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "before_birth",
                column,
                "warning",
            )
        )
    for c in e.columns:
        if c.kind in ("date", "datetime") and (e.stem, c.name) not in MAY_BE_FUTURE:
            ex.append(
                _expectation(
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    {
                        "column_A": AS_AT_NEXT,
                        "column_B": c.name,
                        "or_equal": False,
                        "ignore_row_if": "either_value_is_missing",
                    },
                    "after_as_at",
                    c.name,
                    "warning",
                )
            )
    return {
        "name": e.stem,
        "expectations": ex,
        "meta": {
            "generated_by": "pipelines/validation/suites.py write_suites(); do not edit by hand",
            "file": e.filename,
        },
    }


def suite_json(e: Extract) -> str:
    """The suite as the exact text committed in expectations/<stem>.json."""
    return json.dumps(suite_for(e), indent=2) + "\n"


def write_suites(folder: Path = EXPECTATIONS_DIR) -> list[Path]:
    """Write expectations/<stem>.json for every extract of the contract; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for e in EXTRACTS:
        path = folder / f"{e.stem}.json"
        path.write_text(suite_json(e), encoding="utf-8")
        written.append(path)
    return written


def load_suite(stem: str, folder: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The committed suite for one stem, as a dict."""
    return json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
