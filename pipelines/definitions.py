"""The Dagster code location: everything under pipelines/defs/ is picked up by file."""

from pathlib import Path

import dagster as dg

import pipelines.run_storage  # noqa: F401  (SQLite run storage without an fsync per event)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
