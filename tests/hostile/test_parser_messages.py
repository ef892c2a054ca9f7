"""A parser's message never carries row text (issue 19, item 6): it is reduced to its kind, line
and column in the reader, so nothing of the row reaches stdout, Dagster's run databases, a
council's status file, the region's warehouse or its report."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest
from lxml import etree

from pipelines.errors import ExtractError
from pipelines.sources.cin_census import parse_census
from pipelines.sources.parser_errors import reduced
from pipelines.sources.workbook import check_workbook
from tests.hostile.builders import LEAKY, PLANTED, leaky_census
from tests.hostile.xlsx import write_xlsx


def test_the_census_reader_says_kind_line_and_column_only(tmp_path):
    leaky_census(tmp_path / "in")
    with pytest.raises(ExtractError) as raised:
        parse_census(tmp_path / "in" / "census.xml")
    said = str(raised.value)
    assert PLANTED not in said
    # The child is on line 2 (after the XML declaration); "&Smith;" ends at its 209th character.
    assert said.endswith(", line 2: not well-formed XML: undeclared entity at column 210"), said


def test_a_workbook_sheet_that_is_not_xml_is_named_without_its_text(tmp_path):
    path = tmp_path / "annex_a.xlsx"
    write_xlsx(
        path, [f"<row r='1'><c r='A1' t='inlineStr'><is><t>Jane &{PLANTED};</t></is></c></row>"]
    )
    with pytest.raises(ExtractError) as raised:
        check_workbook(path)
    assert PLANTED not in str(raised.value) and "undeclared entity" in str(raised.value)


def test_the_reducer_keeps_kind_and_place_of_each_parser_error():
    with pytest.raises(etree.XMLSyntaxError) as xml:
        etree.fromstring(f"<a>\n<b>Jane &{PLANTED};</b></a>".encode())
    assert (str(reduced(xml.value)), reduced(xml.value).line) == (
        "undeclared entity at column 16",
        2,
    )
    with pytest.raises(csv.Error) as bad_csv:
        list(csv.reader(io.StringIO(f'a,"{PLANTED}"x'), strict=True))
    assert str(reduced(bad_csv.value)) == "CSV syntax error"
    with pytest.raises(UnicodeDecodeError) as bad_bytes:
        f"{PLANTED}".encode().__add__(b"\xff").decode("utf-8")
    assert PLANTED not in str(reduced(bad_bytes.value))


def _files_holding(root, text: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and text in p.read_bytes()]


def _postgres_rows_holding(url: str, text: str) -> list[str]:
    """The tables of the hub's Dagster database with a row whose text holds ``text``."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.connect() as con:
        tables = [
            t for (t,) in con.exec_driver_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]  # fmt: skip
        assert "event_logs" in tables and "runs" in tables
        found = [
            t for t in tables
            if con.exec_driver_sql(
                f'SELECT count(*) FROM "{t}" r WHERE strpos(r::text, %(text)s) > 0', {"text": text}
            ).scalar()
        ]  # fmt: skip
    engine.dispose()
    return found


def test_no_row_text_reaches_console_dagster_status_region_warehouse_or_report(region_run):
    assert region_run.returncode == 0, region_run.console[-3000:]
    # The council failed, and was named with the reduced reason.
    assert f"{LEAKY}: " in region_run.console and "undeclared entity" in region_run.console
    assert PLANTED not in region_run.console
    with duckdb.connect(
        str(region_run.output / "region" / "warehouse.duckdb"), read_only=True
    ) as con:
        (message,) = con.execute(
            "SELECT message FROM marts.councils WHERE council = ?", [LEAKY]
        ).fetchone()
    assert "undeclared entity" in message and PLANTED not in message
    # Nowhere in the output folders (reports, warehouses, status files, the councils' Dagster
    # run databases, the daemon's log) nor in the region's Dagster home and storage.
    assert _files_holding(region_run.output, PLANTED.encode()) == []
    assert _files_holding(region_run.dagster_home, PLANTED.encode()) == []
    if region_run.postgres_url:
        assert _postgres_rows_holding(region_run.postgres_url, PLANTED) == []
    assert (region_run.output / LEAKY / ".frontdoor" / "region-status.json").is_file()
