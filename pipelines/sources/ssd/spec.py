"""The SSD mapping (mapping.toml beside this file) as typed objects.

The mapping is data so that a council whose deployment spells a role, a category or an outcome
differently changes one line of TOML, not the reader (docs/formats.md "SSD").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

MAPPING = Path(__file__).with_name("mapping.toml")


@dataclass(frozen=True)
class Field:
    """One SSD column read as one contract column."""

    to: str
    source: str | None  # the SSD column; None for a constant
    kind: str = "id"
    codes: str | None = None
    outcomes: str | None = None
    key: str | None = None
    negate: bool = False
    value: str | None = None
    feeds: tuple[str, ...] = ()
    reading: str | None = None


@dataclass(frozen=True, eq=False)
class Table:
    """One SSD table: the contract stem it feeds (or the table it is merged into)."""

    name: str
    stem: str | None = None
    fields: tuple[Field, ...] = ()
    merge_into: str | None = None
    on: str | None = None
    dated_by: str | None = None  # rows without it are scheduled, not held: left out
    held_by: str | None = None  # a merged table: the date that says it was held
    fill: dict[str, str] = field(default_factory=dict)  # merged: set where the target is blank
    only: tuple[str, str] | None = None  # (column, code map): rows kept when the value is in it
    lookup: str | None = None
    key: str | None = None
    name_column: str | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def headers(self) -> tuple[str, ...]:
        """Every SSD column the mapping reads from this table."""
        read = [f.source for f in self.fields if f.source]
        read += [c for c in (self.on, self.key, self.name_column) if c]
        if self.only:
            read.append(self.only[0])
        return tuple(dict.fromkeys(read))


@dataclass(frozen=True)
class Rule:
    """An outcome: the JSON flags or the words of Mosaic's text that mean it."""

    code: str
    flags: tuple[str, ...]
    words: tuple[str, ...]

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """The words as whole words, any case; None when the rule takes any text."""
        words = [re.escape(w) for w in self.words if w]
        return re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE) if words else None


@dataclass(frozen=True)
class Reading:
    name: str
    says: str
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    tables: dict[str, Table]
    codes: dict[str, dict[str, str]]
    outcomes: dict[str, tuple[Rule, ...]]
    readings: dict[str, Reading] = field(default_factory=dict)

    def by_stem(self, stem: str) -> Table | None:
        return next((t for t in self.tables.values() if t.stem == stem), None)


def fold(text: str) -> str:
    """A code-map key: upper-cased, runs of spaces made one."""
    return " ".join(text.upper().split())


def _field(entry: dict[str, object]) -> Field:
    return Field(
        to=str(entry["to"]),
        source=entry.get("from"),  # type: ignore[arg-type]
        kind=str(entry.get("as", "id")),
        codes=entry.get("codes"),  # type: ignore[arg-type]
        outcomes=entry.get("outcomes"),  # type: ignore[arg-type]
        key=entry.get("key"),  # type: ignore[arg-type]
        negate=bool(entry.get("not", False)),
        value=entry.get("value"),  # type: ignore[arg-type]
        feeds=tuple(entry.get("feeds", ())),  # type: ignore[arg-type]
        reading=entry.get("reading"),  # type: ignore[arg-type]
    )


def parse(data: dict[str, object]) -> Spec:
    """A Spec from the TOML's contents."""
    tables = {}
    for name, t in data["tables"].items():  # type: ignore[union-attr]
        only = t.get("only")
        tables[name] = Table(
            name=name,
            stem=t.get("stem"),
            fields=tuple(_field(f) for f in t.get("fields", ())),
            merge_into=t.get("merge_into"),
            on=t.get("on"),
            dated_by=t.get("dated_by"),
            held_by=t.get("held_by"),
            fill=dict(t.get("fill", {})),
            only=(only["column"], only["codes"]) if only else None,
            lookup=t.get("lookup"),
            key=t.get("key"),
            name_column=t.get("name"),
        )
    codes = {
        name: {fold(k): str(v) for k, v in entries.items()}
        for name, entries in data.get("codes", {}).items()  # type: ignore[union-attr]
    }
    outcomes = {
        name: tuple(
            Rule(r["code"], tuple(r.get("flags", ())), tuple(r.get("words", ()))) for r in rules
        )
        for name, rules in data.get("outcomes", {}).items()  # type: ignore[union-attr]
    }
    readings = {
        name: Reading(name, r["says"], tuple(r.get("metrics", ())))
        for name, r in data.get("readings", {}).items()  # type: ignore[union-attr]
    }
    return Spec(tables, codes, outcomes, readings)


@cache
def load(path: Path = MAPPING) -> Spec:
    """The mapping file, read once."""
    with path.open("rb") as f:
        return parse(tomllib.load(f))
