"""Read one SSD table as SQL Server exports it, and read its values.

What SSMS's "Save Results As" and a trip through Excel leave in a real export: a BOM, CRLF line
ends, the literal word ``NULL`` for a missing value, ``YYYY-MM-DD HH:MM:SS.fff`` datetimes (or
``DD/MM/YYYY`` once Excel has saved the file), JSON with its quotes doubled inside a quoted
field, Windows-1252 bytes. The value readers here never invent: a value they cannot read is
returned as written, so that staging, which types every format the same way, quarantines the row
(a required column) or sets it to NULL and reports it (docs/validation.md) with the file, line
and SSD column.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pipelines.sources.csv_extract.encoding  # noqa: F401  (registers the frontdoor-cp1252 fallback)
from pipelines.sources.ssd.spec import Rule

# What SQL Server writes for a missing value, and what an empty cell is.
NULLS = frozenset({"", "NULL"})
# 1900-01-01 is SQL Server's zero date: deployments write it where the date is missing
# (ISNULL(..., '1900-01-01')). It is never a real event in a children's services record.
PLACEHOLDER_DATE = dt.date(1900, 1, 1)
YES = frozenset({"Y", "YES", "TRUE", "1"})
NO = frozenset({"N", "NO", "FALSE", "0"})
NOT_APPLICABLE = frozenset({"NA", "N/A"})

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?)?$"
)
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
# "KEY": "value" pairs, for a hand-built JSON made invalid by what follows them (a comment with
# an unescaped quote): the flags come before the comments, so they can still be read.
_PAIR = re.compile(r'"([A-Za-z_]+)"\s*:\s*"?([A-Za-z0-9]*)"?\s*[,}]')


@dataclass
class Table:
    """One SSD CSV: its headers (lower-cased, as the mapping names them) and its rows."""

    path: Path
    headers: list[str]
    rows: list[tuple[int, dict[str, str | None]]] = field(default_factory=list)


def header_of(line: str) -> list[str]:
    """A header line's names, lower-cased and trimmed (a BOM dropped)."""
    names = next(csv.reader([line.lstrip("\ufeff")]), [])
    return [name.strip().lower() for name in names]


def read_table(path: Path) -> Table:
    """Every row of an SSD CSV with the line it starts on (header = line 1); NULL is None.

    A row with more or fewer fields than the header keeps what it has (the cells beyond the
    header are dropped, the missing ones are None): its values are read as far as they go.
    """
    with path.open(encoding="utf-8-sig", errors="frontdoor-cp1252", newline="") as f:
        reader = csv.reader(f)
        headers = [h.strip().lower() for h in next(reader, [])]
        table = Table(path, headers)
        start = reader.line_num + 1
        for cells in reader:
            if cells:  # a blank line is no record
                values = {
                    name: (None if cell.strip() in NULLS else cell.strip())
                    for name, cell in zip(headers, cells, strict=False)
                }
                table.rows.append((start, values))
            start = reader.line_num + 1
    return table


def read_date(text: str, keep_time: bool = False) -> tuple[str | None, bool]:
    """(ISO date or datetime, was it the 1900-01-01 placeholder). Unreadable text is returned
    as written, for staging to report."""
    m = _ISO.match(text)
    if m:
        y, mo, d, h, mi, s = m.groups()
    else:
        m = _UK.match(text)
        if not m:
            return text, False
        d, mo, y, h, mi, s = m.groups()
    try:
        day = dt.date(int(y), int(mo), int(d))
        moment = dt.datetime(day.year, day.month, day.day, int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return text, False
    if day == PLACEHOLDER_DATE:
        return None, True
    return (moment.isoformat() if keep_time else day.isoformat()), False


def read_flag(text: str) -> str | None:
    """Y or N; None for NA (not applicable); anything else as written (staging reports it)."""
    folded = text.strip().upper()
    if folded in YES:
        return "Y"
    if folded in NO:
        return "N"
    if folded in NOT_APPLICABLE:
        return None
    return text


@dataclass(frozen=True)
class Outcome:
    """What an outcome column says: its flags (JSON), or its items (Mosaic's text)."""

    flags: dict[str, str]
    items: tuple[str, ...] = ()
    problem: str | None = None  # repaired, unreadable


def read_outcome(text: str) -> Outcome:
    """An outcome column: hand-built JSON (keys differ by table and deployment), JSON made
    invalid by an unescaped comment (its flags still read), or comma-separated text (Mosaic)."""
    body = text.strip()
    if not body.startswith("{"):
        items = tuple(item.strip() for item in body.split(",") if item.strip())
        return Outcome({}, items)
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        pairs = {key.upper(): value for key, value in _PAIR.findall(body)}
        if not pairs:
            return Outcome({}, problem="unreadable")
        return Outcome(pairs, problem="repaired")
    if not isinstance(data, dict):
        return Outcome({}, problem="unreadable")
    return Outcome({str(k).upper(): "" if v is None else str(v) for k, v in data.items()})


def holds(value: str) -> bool:
    """A JSON flag's value says yes (Y, YES, 1, true)."""
    return value.strip().upper() in YES


def outcome_code(outcome: Outcome, rules: tuple[Rule, ...]) -> str | None:
    """The first rule's code whose flag holds (JSON) or whose word is in the text (Mosaic);
    None when no flag holds (the outcome is not recorded yet)."""
    for rule in rules:
        if any(holds(outcome.flags.get(flag, "")) for flag in rule.flags):
            return rule.code
        if outcome.items:
            pattern = rule.pattern
            if pattern is None or any(pattern.search(item) for item in outcome.items):
                return rule.code
    return None


def outcome_flag(outcome: Outcome, key: str, negate: bool) -> str | None:
    """One flag of an outcome column as Y/N (the other way round when ``negate``); None when
    it is blank or absent."""
    value = outcome.flags.get(key.upper(), "").strip().upper()
    if value in YES:
        return "N" if negate else "Y"
    if value in NO:
        return "Y" if negate else "N"
    return None
