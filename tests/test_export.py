"""`frontdoor export --xlsx`: metric_values in Excel, one sheet per family and period type,
periods as columns, the report's suppression applied (known answers from a tiny warehouse)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl

from pipelines.release.export import export_xlsx
from tests.test_report import make_warehouse


def test_the_workbook_has_a_sheet_per_family_periods_as_columns_and_suppression(tmp_path: Path):
    con = duckdb.connect()
    make_warehouse(con)
    con.execute(
        "CREATE TABLE marts.metrics_contacts AS SELECT * FROM marts.metric_values "
        "WHERE metric_id LIKE 'contact%'"
    )
    path = export_xlsx(con, tmp_path / "values.xlsx")
    book = openpyxl.load_workbook(path)
    assert {"About", "contacts months", "contacts years", "other months"} <= set(book.sheetnames)
    rows = list(book["contacts months"].iter_rows(values_only=True))
    assert rows[0] == ("Measure", "metric_id", "breakdown", "breakdown_value", "2025-09",
                       "2025-10", "2025-11")  # fmt: skip
    by_key = {r[1:4]: r[4:] for r in rows[1:]}
    # contacts: 3 each month (suppressed); Red Team 5 and Blue Team 41 shown.
    assert by_key[("contacts", "all", "ALL")] == ("[c]", "[c]", "[c]")
    assert by_key[("contacts", "team", "Blue Team")] == (41, 41, 41)
    # 3 of 40 decided in a day: the numerator 3 is small, so the percentage is [c];
    # out of hours 6 of 8: 75.0.
    assert by_key[("contact_decision_1wd_pct", "all", "ALL")] == ("[c]", "[c]", "[c]")
    assert by_key[("contact_decision_1wd_pct", "out_of_hours", "Y")] == (75.0, 75.0, 75.0)
    other = {r[1:4]: r[4:] for r in list(book["other months"].iter_rows(values_only=True))[1:]}
    # 0 of 0: nothing to measure (an en dash), never 0.
    assert other[("referral_nfa_pct", "all", "ALL")] == ("\u2013", "\u2013", "\u2013")
    assert other[("cp_plans_open", "all", "ALL")] == (5, 5, 5)
