"""What the reader knows about the CIN census (cin_census.toml beside this file), as Python values.

The knowledge is data so that a schema year that names an element or a code differently changes
one line of TOML, not the reader. Loaded once, when the package is imported.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

SPEC = Path(__file__).with_name("cin_census.toml")

with SPEC.open("rb") as _file:
    _DATA = tomllib.load(_file)

_STEMS: dict[str, dict] = _DATA["stems"]

# The contract stems the census feeds, in the order their frames are made.
STEMS: tuple[str, ...] = tuple(_STEMS)
# The extra columns of each stem's frame, and what each holds.
EXTRA: dict[str, tuple[str, ...]] = {stem: tuple(s["extra"]) for stem, s in _STEMS.items()}
EXTRA_MEANINGS: dict[str, str] = dict(_DATA["extra_meanings"])
# The element each contract column is read from, for messages that point at the cell.
ELEMENTS: dict[str, dict[str, str]] = {stem: dict(s["elements"]) for stem, s in _STEMS.items()}
# Columns worked out rather than read, and from what.
DERIVED: dict[str, dict[str, str]] = {
    stem: dict(s["derived"]) for stem, s in _STEMS.items() if "derived" in s
}
# The keys the reader builds: stem -> (column, the elements it is built from).
BUILT_FROM: dict[str, tuple[str, tuple[str, ...]]] = {
    stem: (s["built"], tuple(s["built_from"])) for stem, s in _STEMS.items() if "built" in s
}
# The natural key of each record nested in an episode: what matches it across collection years.
NESTED_KEYS: dict[str, str] = {stem: s["start"] for stem, s in _STEMS.items() if "start" in s}
# Each nested record's id: stem -> (id column, tag, start column): <referral_id>/<tag>/<start>.
ID_PARTS: dict[str, tuple[str, str, str]] = {
    stem: (s["built"], s["tag"], s["start"]) for stem, s in _STEMS.items() if "tag" in s
}

SEX: dict[str, str] = dict(_DATA["sex"])
XS_TRUE: set[str] = set(_DATA["yes_no"]["true"])
XS_FALSE: set[str] = set(_DATA["yes_no"]["false"])
NO_DISABILITY: str = _DATA["disability"]["none"]


def source_names() -> dict[str, dict[str, str]]:
    """Where each column of each stem comes from, in words, for messages that point at it."""
    names = {
        stem: {column: f"element {tag!r}" for column, tag in tags.items()}
        for stem, tags in ELEMENTS.items()
    }
    for stem, (column, parts) in BUILT_FROM.items():
        names[stem][column] = "the key built from " + ", ".join(f"element {p!r}" for p in parts)
    for stem, derived in DERIVED.items():
        names[stem].update(derived)
    return names
