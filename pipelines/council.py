"""Which council a warehouse is about: the old three-digit LA code, looked up in DfE's list of
local authorities (data/reference/local_authorities.csv: name, region, statistical neighbours).

A reader that finds the code in its input (a census header's LEA, an Annex A front sheet) sets
``SourceFrames.la_code``; otherwise the run's setting (``--la-code``, ``FRONTDOOR_LA_CODE``) says
it; otherwise no council is named and the report compares with England only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LOCAL_AUTHORITIES = (
    Path(__file__).resolve().parents[1] / "data" / "reference" / "local_authorities.csv"
)


@dataclass(frozen=True)
class Authority:
    """A local authority as DfE lists it (April 2021 statistical neighbour groupings)."""

    la_code: str
    la_name: str
    region_code: str
    region_name: str
    neighbours: tuple[str, ...]


@cache
def authorities(path: Path = LOCAL_AUTHORITIES) -> dict[str, Authority]:
    """Old LA code -> the authority (empty when the file is absent)."""
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {
            row["la_code"]: Authority(
                row["la_code"],
                row["la_name"],
                row["region_code"],
                row["region_name"],
                tuple(row["neighbours"].split()),
            )
            for row in csv.DictReader(f)
        }


def authority(la_code: str | None) -> Authority | None:
    """The authority with this old LA code, or None (no code, or not one DfE lists)."""
    return authorities().get(la_code) if la_code else None
