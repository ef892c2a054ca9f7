"""Read a folder of Standard Safeguarding Dataset tables (one CSV per ``ssd_*`` table, as a
council's SQL Server exports them) into the contract's raw frames.

Three jobs, one module each: ``discover`` (which files are SSD tables, for detect.py), ``parse``
(an SSMS CSV and its values), ``mapping`` (the SSD's fields onto the contract's, as
mapping.toml says). docs/formats.md "SSD" has the mapping table by table and the readings.
"""

from __future__ import annotations

from pipelines.contract import BY_STEM
from pipelines.sources.folder import InputFile, changed_error, unchanged
from pipelines.sources.result import SourceFrames, raw_frame
from pipelines.sources.ssd import parse
from pipelines.sources.ssd.mapping import map_tables
from pipelines.sources.ssd.spec import load

__all__ = ["read_ssd"]


def read_ssd(files: list[InputFile]) -> SourceFrames:
    """Read the SSD tables among ``files`` (detect.files_of(folder, "ssd")) into raw frames."""
    spec = load()
    tables: dict[str, parse.Table] = {}
    for f in files:
        table = parse.read_table(f.path)
        if not unchanged(f.path, f):
            raise changed_error(f.path)
        tables[f.stem] = table
    mapped = map_tables(tables, spec)
    result = SourceFrames(
        findings=mapped.findings,
        files=sorted(f.name for f in files),
        source_names=mapped.source_names,
        withheld=mapped.withheld,
        readings={r.name: (r.says, r.metrics) for r in mapped.readings.values()},
    )
    for stem, rows in mapped.rows.items():
        contract = BY_STEM.get(stem)
        if contract is None:  # a stem the contract does not have (yet): nothing to load it into
            continue
        mapped_to = {f.to for f in spec.by_stem(stem).fields} if spec.by_stem(stem) else set()
        # a column the mapping fills that the contract does not have yet is kept beside it
        extra = tuple(sorted(mapped_to - set(contract.column_names)))
        result.frames[stem] = raw_frame(stem, rows, extra=extra)
    return result
