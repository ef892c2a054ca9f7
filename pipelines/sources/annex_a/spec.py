"""What the reader knows about Annex A (annex_a.toml beside this file), as Python values.

The knowledge is data so that a council whose workbook spells a header or a code differently
changes one line of TOML, not the reader. Loaded once, when the package is imported.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SPEC = Path(__file__).with_name("annex_a.toml")


def normalise_header(text: object) -> str:
    """Lower-case letters and digits only: spacing, case, quotes and punctuation all vary."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKC", str(text)).lower())


@dataclass(frozen=True)
class AnnexList:
    number: int
    title: str
    signature: str  # the field key that tells this list from the others
    used: tuple[str, ...] = ()  # field keys read; empty = the list is recognised and skipped


with SPEC.open("rb") as _file:
    _DATA = tomllib.load(_file)

HEADER_SEARCH_ROWS: int = _DATA["header_search_rows"]
PIVOT_PREFIXES: tuple[str, ...] = tuple(_DATA["pivot_prefixes"])
ALIASES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["aliases"].items()}
HEADERS: dict[str, str] = {alias: key for key, aliases in ALIASES.items() for alias in aliases}
TEMPLATE_HEADERS: dict[str, str] = dict(_DATA["template_headers"])
HEADER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p["pattern"]), p["key"]) for p in _DATA["header_patterns"]
)
_CHILD = tuple(_DATA["child_fields"])
LISTS: tuple[AnnexList, ...] = tuple(
    AnnexList(
        entry["number"],
        entry["title"],
        entry["signature"],
        (*(_CHILD if entry.get("child") else ()), *entry.get("used", ())),
    )
    for entry in _DATA["lists"]
)

SOURCE_LABELS: dict[str, str] = dict(_DATA["labels"]["source"])
CATEGORY_LABELS: dict[str, str] = dict(_DATA["labels"]["category"])
SEX_LABELS: dict[str, str] = dict(_DATA["labels"]["sex"])
UNKNOWN: set[str] = set(_DATA["unknown"])
EXCEL_ERRORS: set[str] = set(_DATA["excel_errors"])
# normalised -> as the template words them
CASE_STATUSES: dict[str, str] = {normalise_header(w): w for w in _DATA["case_statuses"]}

_STEMS: dict[str, dict] = _DATA["stems"]
FIELDS: dict[str, dict[str, str]] = {stem: dict(s["fields"]) for stem, s in _STEMS.items()}
ID_COLUMNS: dict[str, str] = {stem: s["id"] for stem, s in _STEMS.items() if "id" in s}
STEMS_OF_LIST: dict[int, tuple[str, ...]] = {
    s["list"]: (stem,) for stem, s in _STEMS.items() if "list" in s
}
EXTRA: dict[str, tuple[str, ...]] = {
    stem: tuple(s["extra"]) for stem, s in _STEMS.items() if "extra" in s
}
EXTRA_MEANINGS: dict[str, str] = dict(_DATA["extra_meanings"])
