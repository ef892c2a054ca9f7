"""Working days on the awkward dates of metrics.md; every expected figure counted by hand."""

import random
from datetime import date, timedelta

import duckdb
import polars as pl
import pytest

from pipelines.staging.calendar import bank_holidays, build_calendar, working_days


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    build_calendar(con)
    yield con
    con.close()


def sql_wd(con, a: date, b: date) -> int:
    return con.execute("SELECT ref.wd($a, $b)", {"a": a, "b": b}).fetchall()[0][0]


D = date.fromisoformat

# (a, b, wd(a, b), why)
CASES = [
    ("2012-06-06", "2012-06-06", 0, "same day"),
    ("2012-06-09", "2012-06-11", 1, "Saturday -> Monday"),
    ("2012-06-08", "2012-06-11", 1, "Friday -> Monday"),
    ("2012-06-09", "2012-06-10", 0, "Saturday -> Sunday"),
    ("2011-04-28", "2011-05-03", 1, "royal wedding Fri 29 Apr + May Day Mon 2 May"),
    ("2011-04-21", "2011-05-03", 4, "Good Friday, Easter Monday, wedding, May Day"),
    ("2012-05-25", "2012-05-28", 1, "Mon 28 May 2012 is a working day (late May moved)"),
    ("2012-06-01", "2012-06-06", 1, "Mon 4 Jun spring holiday + Tue 5 Jun diamond jubilee"),
    ("2020-05-01", "2020-05-04", 1, "Mon 4 May 2020 is a working day (May Day moved)"),
    ("2020-05-07", "2020-05-11", 1, "Fri 8 May 2020 VE Day"),
    ("2022-05-27", "2022-05-30", 1, "Mon 30 May 2022 is a working day (spring holiday moved)"),
    ("2022-06-01", "2022-06-06", 1, "Thu 2 + Fri 3 Jun 2022 platinum jubilee"),
    ("2022-09-16", "2022-09-20", 1, "Mon 19 Sep 2022 state funeral"),
    ("2023-05-05", "2023-05-09", 1, "Mon 8 May 2023 coronation"),
    ("2023-04-06", "2023-04-11", 1, "Good Friday 7 Apr + Easter Monday 10 Apr 2023"),
    ("2023-08-25", "2023-08-29", 1, "Mon 28 Aug 2023 summer holiday"),
    ("2010-12-24", "2010-12-29", 1, "Christmas Sat/Sun 2010: substitutes Mon 27 + Tue 28"),
    ("2021-12-24", "2021-12-29", 1, "Christmas Sat/Sun 2021: substitutes Mon 27 + Tue 28"),
    ("2012-12-21", "2013-01-02", 5, "across Christmas: 24, 27, 28, 31 Dec, 2 Jan"),
    ("2022-12-31", "2023-12-31", 251, "2023: 365 - 105 weekend days - 9 weekday holidays"),
    ("2021-12-31", "2022-12-31", 250, "2022: 365 - 105 weekend days - 10 weekday holidays"),
    ("2012-06-11", "2012-06-08", -1, "reversed: the negative of Friday -> Monday"),
]


@pytest.mark.parametrize(("a", "b", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_working_days_known_answers(con, a, b, expected, why):
    assert working_days(D(a), D(b)) == expected, why
    assert sql_wd(con, D(a), D(b)) == expected, why


@pytest.mark.parametrize(
    "day",
    [
        "2011-04-29",
        "2012-06-04",
        "2012-06-05",
        "2020-05-08",
        "2022-06-02",
        "2022-06-03",
        "2022-09-19",
        "2023-05-08",
        "2023-04-10",  # Easter Monday (plain GB would drop it)
        "2023-08-28",  # August holiday (plain GB would drop it)
        "2010-12-27",
        "2010-12-28",
    ],
)
def test_bank_holidays_are_not_working_days(con, day):
    row = con.execute(
        "SELECT is_working_day, bank_holiday FROM ref.calendar WHERE date = $d", {"d": D(day)}
    ).fetchall()[0]
    assert row[0] is False
    assert row[1]
    assert D(day) in bank_holidays(D(day), D(day))


@pytest.mark.parametrize("day", ["2012-05-28", "2020-05-04", "2022-05-30"])
def test_moved_holidays_leave_a_working_day(con, day):
    row = con.execute(
        "SELECT is_working_day, bank_holiday FROM ref.calendar WHERE date = $d", {"d": D(day)}
    ).fetchall()[0]
    assert row == (True, None)


def test_calendar_shape_and_wd_index():
    con = duckdb.connect()
    # Thu 2012-05-31 .. Thu 2012-06-07: Thu, Fri working; Sat, Sun; Mon, Tue holidays; Wed, Thu.
    assert build_calendar(con, D("2012-05-31"), D("2012-06-07")) == 8
    rows = con.execute("SELECT date, is_working_day, wd_index FROM ref.calendar").fetchall()
    assert [r[2] for r in rows] == [1, 2, 2, 2, 2, 2, 3, 4]
    assert [r[1] for r in rows] == [True, True, False, False, False, False, True, True]
    types = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'ref' AND table_name = 'calendar' ORDER BY ordinal_position"
    ).fetchall()
    assert types == [
        ("date", "DATE"),
        ("is_working_day", "BOOLEAN"),
        ("bank_holiday", "VARCHAR"),
        ("wd_index", "INTEGER"),
    ]


def test_macro_takes_timestamps_and_is_null_outside_the_calendar(con):
    got = con.execute(
        "SELECT ref.wd(TIMESTAMP '2012-06-08 23:59', TIMESTAMP '2012-06-11 00:01'), "
        "ref.wd(DATE '1970-01-01', DATE '2012-01-01')"
    ).fetchall()[0]
    assert got == (1, None)


def test_sql_macro_and_python_agree_on_random_pairs(con):
    rng = random.Random(20120604)
    first = D("2005-01-01")
    pairs = [
        (first + timedelta(rng.randrange(7000)), first + timedelta(rng.randrange(7000)))
        for _ in range(400)
    ]
    # short spans too, where an off-by-one would show
    pairs += [(a, a + timedelta(rng.randrange(-10, 11))) for a, _ in pairs[:200]]
    frame = pl.DataFrame(pairs, schema={"a": pl.Date, "b": pl.Date}, orient="row")
    con.register("pairs", frame)
    got = con.execute("SELECT ref.wd(a, b) FROM pairs").fetchall()
    con.unregister("pairs")
    assert [g[0] for g in got] == [working_days(a, b) for a, b in pairs]
