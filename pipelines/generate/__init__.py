"""The synthetic council: a Kingston-sized front door, 2008-2014, written as contract CSVs.

``generate(children, seed, out)`` simulates every child's history (pipelines.generate.simulate,
calibrated in pipelines.generate.story) and writes one CSV per extract of the contract, with the
contract's columns in contract order. The same seed gives byte-identical files.

The data are valid per the contract but messy the way real extracts are (weekend and bank-holiday
events, double-keyed referrals, blanks, NOBT/REFU ethnicity, two systems that disagree). Deliberate
contract faults would be a separate step between ``simulate`` and ``write_extracts`` (a ``faults=``
option of ``generate``), so the clean story stays one function.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.contract import EXTRACTS
from pipelines.generate.simulate import simulate

__all__ = ["generate", "simulate", "write_extracts"]


def write_extracts(frames: dict[str, pl.DataFrame], out: Path) -> dict[str, int]:
    """Write each contract extract from ``frames`` to ``out/<stem>.csv``; rows written per file."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for e in EXTRACTS:
        if e.stem not in frames:
            continue  # a file the simulation does not make is not written (absent, not empty)
        frame = frames[e.stem]
        # Every column but an optional one the simulation does not make (an older extract's
        # shape: the contract's later optional columns are absent, not blank).
        columns = [c.name for c in e.columns if c.name in frame.columns]
        if set(frame.columns) != set(columns) or not set(e.required_columns) <= set(columns):
            raise ValueError(f"{e.filename}: columns {frame.columns} != {e.column_names}")
        frame.select(columns).write_csv(
            out / e.filename,
            date_format="%Y-%m-%d",
            datetime_format="%Y-%m-%dT%H:%M",
            null_value="",
            line_terminator="\n",
        )
        written[e.filename] = frame.height
    return written


def generate(children: int, seed: int, out: Path) -> dict[str, int]:
    """Simulate a council of ``children`` resident children and write its extracts to ``out``.

    Returns the number of data rows written per file name (``{"contacts.csv": 24012, ...}``).
    """
    if children < 1:
        raise ValueError("children must be at least 1")
    return write_extracts(simulate(children, seed), Path(out))
