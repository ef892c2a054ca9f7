"""Validation that protects the numbers (docs/validation.md).

- ``suites``: the Great Expectations suites generated from the contract (expectations/*.json);
- ``rules``: the same suites translated to SQL over every row, and the cross-file rules in
  sql/checks/*.sql;
- ``gx_runner``: GX itself, on a bounded sample (imported lazily: GX takes seconds to import);
- ``quality``: marts.data_quality and marts.data_quality_rows.
"""

from pipelines.validation.quality import build_data_quality, evaluate

__all__ = ["build_data_quality", "evaluate"]
