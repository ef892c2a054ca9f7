"""The header row: its fields as written, then as names checked against the contract."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.contract import Extract
from pipelines.errors import ExtractError
from pipelines.sources.csv_extract.encoding import HEAD_BYTES


def header_fields(path: Path, buf: bytes) -> list[str]:
    """The header's fields as written: the first non-blank record (polars skips leading blanks)."""
    # A header fits in the first 64 KiB; a character cut at the end does not matter.
    head = buf[:HEAD_BYTES].decode("utf-8", errors="ignore")
    try:
        for fields in csv.reader(io.StringIO(head)):
            if fields:
                return fields
    except csv.Error as exc:
        raise ExtractError(path, f"the header is not CSV: {exc}", line=1) from exc
    raise ExtractError(path, "file is empty: no header row", line=1)


# frontdoor's own columns start with "_" (and DuckDB gives every table a hidden "rowid"); a
# header that would take such a name is renamed so that no input column can pose as ours.
_RENAMED_PREFIX = "col"
_PSEUDO_COLUMNS = ("rowid",)


def _outside_our_namespace(name: str, taken: set[str]) -> str:
    """A header name that cannot be taken for one of frontdoor's columns: ``_rule`` ->
    ``col_rule``, ``rowid`` -> ``col_rowid`` (with _2, _3 ... if the file has those too)."""
    if not name.startswith("_") and name not in _PSEUDO_COLUMNS:
        return name
    base = _RENAMED_PREFIX + (name if name.startswith("_") else "_" + name)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def normalise_header(
    path: Path, header: list[str], extract: Extract
) -> tuple[list[str], list[str], dict[str, str]]:
    """Header names trimmed and lower-cased, checked against the contract; notes; and the
    renamed columns (new name -> the header as written).

    A message never quotes a header that may not be one (a file whose first line is data): it
    names the fields by position and count, and the contract's own names only.
    """
    names: list[str] = []
    warnings: list[str] = []
    renamed: dict[str, str] = {}
    lowered = [w.strip().lower() for w in header]
    for i, written in enumerate(header, start=1):
        name = lowered[i - 1]
        if not name:
            name = f"column_{i}"
            warnings.append(f"header field {i} is blank: named '{name}'")
        elif name != written and name in extract.column_names:
            warnings.append(f"header {written!r} read as '{name}'")
        if name in names:
            raise ExtractError(
                path,
                f"column appears twice in the header (fields {names.index(name) + 1} and {i})",
                line=1,
                column=name if name in extract.column_names else None,
            )
        safe = _outside_our_namespace(name, {*lowered, *names})
        if safe != name:
            renamed[safe] = written
            warnings.append(
                f"header field {i} starts with '_' or is 'rowid' (names frontdoor keeps for its "
                f"own columns): read as '{safe}'"
            )
        names.append(safe)
    missing = [c for c in extract.required_columns if c not in names]
    if missing:
        known = [n for n in names if n in extract.column_names]
        hint = ""
        if len(header) == 1 and any(s in header[0] for s in ("\t", ";", "|")):
            hint = " (the file looks separated by tabs, ';' or '|': save it comma-separated)"
        elif not known:
            hint = " (no header row? the first line reads as data)"
        found = f"the contract's {', '.join(known)}" if known else "none of the contract's columns"
        raise ExtractError(
            path,
            f"required column(s) {', '.join(missing)} missing: the header (line 1) has "
            f"{len(header)} field(s), {found}{hint}",
            line=1,
            column=missing[0],
        )
    return names, warnings, renamed
