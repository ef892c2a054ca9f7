"""SSD tables onto the contract's rows, driven by the mapping (mapping.toml).

Per table: each row's fields are read by their kind (parse.py), teams resolved through
ssd_department, conferences merged onto their enquiry, rows the SSD holds but the contract has no
place for (scheduled reviews, involvements in other roles) counted and left out. Per column: an
SSD column NULL in every row (or absent from the header) is a column this council's deployment
does not fill; the metrics it alone feeds are withheld, and a finding names it for the
data-quality page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pipelines.sources.result import Finding
from pipelines.sources.ssd import parse
from pipelines.sources.ssd.spec import Field, Reading, Spec, Table, fold

# Findings of one rule at one column beyond this many are counted, not listed (the pattern shows).
MAX_LISTED = 50


@dataclass
class Mapped:
    """The contract's rows per stem, and what the mapping met on the way."""

    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)  # metric_id -> why
    readings: dict[str, Reading] = field(default_factory=dict)
    source_names: dict[str, dict[str, str]] = field(default_factory=dict)
    _listed: Counter[tuple[str, str, str | None]] = field(default_factory=Counter)

    def note(
        self, file: str, rule: str, message: str, line: int | None = None, column: str | None = None
    ) -> None:
        """A finding at a cell; past MAX_LISTED of one rule and column, only counted."""
        self._listed[file, rule, column] += 1
        if line is None or self._listed[file, rule, column] <= MAX_LISTED:
            self.findings.append(Finding(file, rule, message, None, line, column))

    def summarise(self) -> None:
        """One finding per rule and column saying how many were not listed."""
        for (file, rule, column), count in sorted(self._listed.items(), key=str):
            if count > MAX_LISTED:
                self.findings.append(
                    Finding(file, rule, f"{count - MAX_LISTED} more not listed", column=column)
                )


class _Reader:
    """Reads one table's fields, noting what it worked around."""

    def __init__(
        self, spec: Spec, table: Table, file: str, out: Mapped, departments: dict[str, str]
    ):
        self.spec, self.table, self.file, self.out = spec, table, file, out
        self.departments = departments
        self.placeholders: Counter[str] = Counter()

    def value(self, f: Field, row: dict[str, str | None], line: int) -> str | None:
        if f.kind == "constant":
            return f.value
        raw = row.get(f.source) if f.source else None
        if f.kind == "registered":
            return "Y" if raw else "N"
        if raw is None:
            return None
        kind = f.kind
        if kind in ("id", "text"):
            return raw
        if kind == "code":
            return raw.upper()
        if kind in ("date", "datetime"):
            value, placeholder = parse.read_date(raw, keep_time=kind == "datetime")
            if placeholder:
                self.placeholders[f.source or ""] += 1
            return value
        if kind == "flag":
            return parse.read_flag(raw)
        if kind == "flag_not":
            flag = parse.read_flag(raw)
            return {"Y": "N", "N": "Y"}.get(flag or "", flag)
        if kind == "department":
            return self.departments.get(raw, raw)
        if kind == "map":
            code = self.spec.codes[f.codes or ""].get(fold(raw))
            if code is None:
                self.out.note(
                    self.file,
                    "unknown_code",
                    f"not a value of the code map {f.codes!r}; kept as written",
                    line,
                    f.source,
                )
                return raw
            return code
        if kind in ("outcome", "outcome_flag"):
            outcome = parse.read_outcome(raw)
            if outcome.problem == "unreadable":
                self.out.note(
                    self.file,
                    "outcome_unreadable",
                    "an outcome that is neither JSON nor text: read as blank",
                    line,
                    f.source,
                )
            elif outcome.problem == "repaired":
                self.out.note(
                    self.file,
                    "outcome_json_invalid",
                    "invalid JSON (an unescaped quote or comment?): its flags were read, "
                    "the rest ignored",
                    line,
                    f.source,
                )
            if kind == "outcome_flag":
                return parse.outcome_flag(outcome, f.key or "", f.negate)
            return parse.outcome_code(outcome, self.spec.outcomes[f.outcomes or ""])
        raise ValueError(f"mapping.toml: unknown kind {kind!r} for {f.to}")

    def finish(self) -> None:
        for column, count in self.placeholders.items():
            self.out.note(
                self.file,
                "placeholder_date",
                f"{count} dates of 1900-01-01 (SQL Server's zero date, a missing date) read "
                "as blank",
                column=column,
            )


def _departments(tables: dict[str, parse.Table], spec: Spec) -> dict[str, str]:
    """ssd_department's id -> name, for every "department" field."""
    lookup = next((t for t in spec.tables.values() if t.lookup == "department"), None)
    if lookup is None or lookup.name not in tables:
        return {}
    return {
        row[lookup.key]: row[lookup.name_column]  # type: ignore[index,misc]
        for _, row in tables[lookup.name].rows
        if row.get(lookup.key or "") and row.get(lookup.name_column or "")
    }


def _empty_columns(table: Table, data: parse.Table, out: Mapped) -> None:
    """Withhold what a column the council does not fill feeds, and say so."""
    file = data.path.name
    for f in table.fields:
        if not f.source or not data.rows:
            continue
        if f.source not in data.headers:
            why, rule = "is not in the header", "missing_column"
        elif all(row.get(f.source) is None for _, row in data.rows):
            why, rule = "is NULL in every row", "empty_column"
        else:
            continue
        feeds = ", ".join(f.feeds) if f.feeds else "no metric on its own"
        out.note(
            file,
            rule,
            f"{why}: this council's SSD does not fill it ({f.to} left blank); not written: {feeds}",
            column=f.source,
        )
        for metric in f.feeds:
            out.withheld.setdefault(metric, f"{table.name}.{f.source} {why}")


def _map_table(
    spec: Spec, table: Table, data: parse.Table, out: Mapped, departments: dict[str, str]
) -> list[dict[str, object]]:
    file = data.path.name
    reader = _Reader(spec, table, file, out, departments)
    rows: list[dict[str, object]] = []
    skipped = 0
    for line, raw in data.rows:
        if table.only is not None:
            column, codes = table.only
            if fold(raw.get(column) or "") not in spec.codes[codes]:
                skipped += 1
                continue
        if table.dated_by is not None and raw.get(table.dated_by) is None:
            skipped += 1
            continue
        row: dict[str, object] = {f.to: reader.value(f, raw, line) for f in table.fields}
        row["_source_file"] = str(data.path)
        row["_line"] = line
        rows.append(row)
    reader.finish()
    if skipped and table.only is not None:
        out.note(
            file,
            "not_allocated_worker",
            f"{skipped} involvements in another role (not code map {table.only[1]!r}): "
            "not allocations",
            column=table.only[0],
        )
    elif skipped:
        out.note(
            file,
            "scheduled_not_held",
            f"{skipped} rows with no {table.dated_by} (scheduled, not yet held): not loaded",
            column=table.dated_by,
        )
    _empty_columns(table, data, out)
    for f in table.fields:
        if f.reading and data.rows:
            out.readings[f.reading] = spec.readings[f.reading]
    return rows


def _merge(
    spec: Spec,
    table: Table,
    data: parse.Table,
    into: list[dict[str, object]],
    key: str,
    out: Mapped,
    departments: dict[str, str],
) -> None:
    """A merged table's fields onto the rows they belong to: the earliest dated one of each
    key wins; a key whose only rows are undated is planned (the needed-conference flag is N)."""
    file = data.path.name
    reader = _Reader(spec, table, file, out, departments)
    by_key: dict[str, list[dict[str, object]]] = {}
    for line, raw in data.rows:
        values: dict[str, object] = {f.to: reader.value(f, raw, line) for f in table.fields}
        by_key.setdefault(raw.get(table.on or "") or "", []).append(values)
    reader.finish()
    held = next((f.to for f in table.fields if f.source == table.held_by), None)
    targets = {str(row[key]): row for row in into if row.get(key) is not None}
    unmatched = planned = 0
    for k, candidates in by_key.items():
        target = targets.get(k)
        if target is None:
            unmatched += len(candidates)
            continue
        dated = sorted((c for c in candidates if held and c[held]), key=lambda c: str(c[held]))
        chosen = dated[0] if dated else candidates[0]
        planned += not dated
        target.update(chosen)
        for column, value in table.fill.items():
            if target.get(column) is None:
                target[column] = value
    if unmatched:
        out.note(
            file,
            "no_enquiry",
            f"{unmatched} rows whose {table.on} is no row of {table.merge_into}: not loaded",
            column=table.on,
        )
    if planned:
        out.note(
            file,
            "planned_not_held",
            f"{planned} enquiries whose conference is planned (no date): needed, not yet held",
            column=table.held_by,
        )
    _empty_columns(table, data, out)


def map_tables(tables: dict[str, parse.Table], spec: Spec) -> Mapped:
    """Every SSD table read, mapped onto the contract's rows per stem."""
    out = Mapped()
    departments = _departments(tables, spec)
    by_table: dict[str, list[dict[str, object]]] = {}
    for name, table in spec.tables.items():
        if table.stem is None or name not in tables:
            continue
        by_table[name] = _map_table(spec, table, tables[name], out, departments)
        out.rows[table.stem] = by_table[name]
        out.source_names[table.stem] = {
            f.to: f"column {f.source!r}" for f in table.fields if f.source
        }
    for name, table in spec.tables.items():
        if table.merge_into is None or name not in tables:
            continue
        target = spec.tables[table.merge_into]
        if table.merge_into not in by_table or target.stem is None:
            out.note(tables[name].path.name, "no_enquiry", f"no {target.filename}: not loaded")
            continue
        key = target.fields[0].to
        _merge(spec, table, tables[name], by_table[table.merge_into], key, out, departments)
        out.source_names[target.stem].update(
            {f.to: f"column {f.source!r} of {table.filename}" for f in table.fields if f.source}
        )
    out.summarise()
    return out
