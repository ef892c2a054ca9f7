"""``frontdoor generate --format``: the synthetic council written in another input format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines.generate import story
from pipelines.generate.csc_api_writer import write_csc_api
from pipelines.generate.ssd_writer import write_ssd


def write_format(kind: str, frames: dict[str, pl.DataFrame], out: Path) -> list[Path]:
    """``frontdoor generate --format ssd|csc-api``: the council in that format in ``out``, taken
    at the story's end, with population.csv beside it (the rate per 10,000)."""
    as_at = dt.date.fromisoformat(story.END)
    if kind == "ssd":
        paths = [out / name for name in write_ssd(frames, out, as_at)]
    elif kind == "csc-api":
        paths = [write_csc_api(frames, out, as_at)]
    else:
        raise ValueError(f"no writer for format {kind!r}")
    frames["population"].write_csv(out / "population.csv")
    return [*paths, out / "population.csv"]
