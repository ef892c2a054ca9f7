"""Several Annex A returns (monthly workbooks) merged into one."""

from __future__ import annotations

from pathlib import Path

from pipelines.sources.annex_a.rows import Builder
from pipelines.sources.annex_a.spec import ID_COLUMNS
from pipelines.sources.result import Finding


def merge(builders: list[Builder]) -> Builder:
    """Several returns as one, the latest winning per record (liia's rule for overlapping
    monthly returns): a record is the same in two files when its id (the child and the list's
    own date, with its place among that child's records of that date) is; each copy dropped is
    a finding naming where it was. ``builders`` are in order, oldest first."""
    if len(builders) == 1:
        return builders[0]
    merged = Builder(builders[0].findings)
    for builder in builders:
        for stem, rows in builder.rows.items():
            by_id = {row[ID_COLUMNS[stem]]: i for i, row in enumerate(merged.rows.get(stem, []))}
            kept = merged.rows.setdefault(stem, [])
            for row in rows:
                record_id = row[ID_COLUMNS[stem]]
                if record_id is not None and record_id in by_id:
                    older = kept[by_id[record_id]]
                    merged.findings.append(
                        Finding(
                            str(older["_source_file"]),
                            "superseded_by_later_return",
                            f"the same record is in the later return {Path(str(row['_source_file'])).name}: "
                            "the later copy is kept",
                            older["sheet"],
                            older["_line"],
                        )
                    )
                    kept[by_id[record_id]] = row
                else:
                    by_id[record_id] = len(kept)
                    kept.append(row)
        for stem, headers in builder.headers.items():
            merged.headers.setdefault(stem, headers)
        merged.children.update(builder.children)
        merged.workers.update(builder.workers)
        merged.cin_episodes += builder.cin_episodes
    return merged


# The field (as ALIASES keys it) each contract column is read from, for messages that name the
