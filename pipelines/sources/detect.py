"""What an input folder holds, and the result every non-CSV reader returns.

The rule (docs/formats.md) looks only at the folder's own files, not its subfolders, and skips
hidden files and files of other types:

- ``csv``: a ``.csv`` file named after a contract extract (``contacts.csv``, any case);
- ``annex_a``: an ``.xlsx``/``.xlsm``/``.xls`` workbook, or a ``.csv`` file whose header row (within
  its first lines) is one of Ofsted's Annex A lists;
- ``cin_census``: an ``.xml`` file whose root element is ``Message`` (the DfE CIN census root).

One kind found is the answer. None found, or more than one kind, raises ExtractError naming the
folder (and, when mixed, which file is which), because loading half a folder would be wrong.
A ``.csv`` that is neither a contract extract nor an Annex A list, and an ``.xml`` with another
root, are ignored.

``population.csv`` is reference data, not a case extract: it may sit beside an Annex A workbook
or census files without making the folder mixed (load it with the CSV reader; it is what the
rate per 10,000 needs). Alone, it makes a ``csv`` folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from lxml import etree

from pipelines.contract import BY_STEM, extract
from pipelines.errors import ExtractError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
REFERENCE_STEMS = ("population",)  # may accompany any format (see above)

_NO_ALLOCATIONS = "no allocation dates: allocations are never invented"
_NO_WORKFORCE = "no workforce data (qualification, employment)"
_SINGLE_ONLY = "lists single (continuous) assessments only"
_NO_EARLY_HELP = "no early-help system extract"
# metric_id -> why a format cannot support it (docs/formats.md has the whole table). Some of these
# are never written because their table is absent; the others (marked *) have their table but
# not the field, and would be written wrongly, so the marts should skip them for that format.
UNSUPPORTED_METRICS: dict[str, dict[str, str]] = {
    "csv": {},
    "annex_a": {
        "contact_decision_1wd_pct": "* List 1 has no decision date",
        "contact_to_referral_pct": "* List 1 has no contact outcome",
        "contacts_awaiting_decision": "* List 1 has no decision date: every contact would wait",
        "rereferral_12m_pct": "* List 3 covers six months; its 12-month count has no dates",
        "initial_assessment_timely_pct": _SINGLE_ONLY,
        "core_assessment_timely_pct": _SINGLE_ONLY,
        "initial_assessment_median_wd": _SINGLE_ONLY,
        "core_assessment_median_wd": _SINGLE_ONLY,
        "assessment_seen_alone_pct": "* List 4 does not say whether the child was seen alone",
        "allocation_delay_median_wd": _NO_ALLOCATIONS,
        "allocated_within_5wd_pct": _NO_ALLOCATIONS,
        "unallocated_open_cases": _NO_ALLOCATIONS,
        "cp_allocated_qualified_pct": _NO_ALLOCATIONS,
        "caseload_per_social_worker": _NO_ALLOCATIONS,
        "agency_social_worker_pct": "* workers are names only: " + _NO_WORKFORCE,
        "cp_reviews_timely_pct": "List 7 gives the latest review only, not the chain of reviews",
        "cp_seen_alone_pct": "List 7 gives the latest visit only, not one per period",
        "religion_recorded_pct": "* Annex A has no religion",
        "early_help_mismatch_children": _NO_EARLY_HELP,
        "stepdown_unmatched_pct": _NO_EARLY_HELP,
    },
    "cin_census": {
        "contacts": "the census has no contacts",
        "contact_decision_1wd_pct": "the census has no contacts",
        "contact_to_referral_pct": "the census has no contacts",
        "contacts_awaiting_decision": "the census has no contacts",
        "initial_assessment_timely_pct": "the 2017+ census " + _SINGLE_ONLY,
        "core_assessment_timely_pct": "the 2017+ census " + _SINGLE_ONLY,
        "initial_assessment_median_wd": "the 2017+ census " + _SINGLE_ONLY,
        "core_assessment_median_wd": "the 2017+ census " + _SINGLE_ONLY,
        "assessment_child_seen_pct": "* the census does not say whether the child was seen",
        "assessment_seen_alone_pct": "* the census does not say whether the child was seen alone",
        "allocation_delay_median_wd": _NO_ALLOCATIONS,
        "allocated_within_5wd_pct": _NO_ALLOCATIONS,
        "unallocated_open_cases": _NO_ALLOCATIONS,
        "cp_allocated_qualified_pct": _NO_ALLOCATIONS,
        "caseload_per_social_worker": _NO_ALLOCATIONS,
        "agency_social_worker_pct": _NO_WORKFORCE,
        "cp_seen_alone_pct": "the census has no statutory visits",
        "religion_recorded_pct": "* the census has no religion",
        "early_help_mismatch_children": _NO_EARLY_HELP,
        "stepdown_unmatched_pct": _NO_EARLY_HELP,
    },
}


@dataclass(frozen=True)
class Finding:
    """An oddity a reader met and worked around: the file still loads."""

    file: str
    rule: str  # short name: unmatched_header, unknown_code, serial_date, schema ...
    message: str
    sheet: str | None = None  # Annex A sheet; None for a CSV list or an XML file
    line: int | None = None  # sheet row, CSV line or XML source line
    column: str | None = None  # the source's header or element name
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f" [{self.sheet}]"
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.rule}: {self.message}{value}"


@dataclass
class SourceFrames:
    """Raw frames per contract stem, and what the reader noticed on the way."""

    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def raw_frame(
    stem: str, rows: Iterable[dict[str, object]], extra: tuple[str, ...] = ()
) -> pl.DataFrame:
    """A raw frame: the stem's contract columns and any extra columns as Utf8, then lineage.

    Each row is a dict holding some contract columns, the extras, ``_source_file`` and ``_line``;
    a column a row lacks is null (a reader never invents a value).
    """
    names = (*extract(stem).column_names, *extra)
    schema = {name: pl.Utf8 for name in names} | {"_source_file": pl.Utf8, "_line": pl.Int64}
    data = [{name: row.get(name) for name in schema} for row in rows]
    return pl.DataFrame(data, schema=schema) if data else pl.DataFrame(schema=schema)


def _is_cin_census(path: Path) -> bool:
    """True when the XML's root element is the CIN census ``Message`` (reads only the start)."""
    try:
        for _event, element in etree.iterparse(str(path), events=("start",)):
            return etree.QName(element).localname == "Message"
    except (etree.XMLSyntaxError, OSError):
        return False
    return False


def _kind(path: Path) -> str | None:
    """Which format one file belongs to, or None when it is not an input file."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return "annex_a"
    if suffix == ".xml":
        return "cin_census" if _is_cin_census(path) else None
    if suffix == ".csv":
        if path.stem.lower() in REFERENCE_STEMS:
            return "reference"
        if path.stem.lower() in BY_STEM:
            return "csv"
        # annex_a imports this module's types, so it is imported here, not at the top
        from pipelines.sources.annex_a import is_annex_a_csv

        return "annex_a" if is_annex_a_csv(path) else None
    return None


def cin_census_files(folder: Path) -> list[Path]:
    """The folder's CIN census files, by the rule above (another ``.xml`` is not one)."""
    return [
        path
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix.lower() == ".xml" and _is_cin_census(path)
    ]


def detect_format(folder: Path) -> str:
    """``csv``, ``annex_a`` or ``cin_census``: which reader the folder needs (rule above)."""
    if not folder.is_dir():
        raise ExtractError(folder, "the input folder does not exist or is not a folder")
    kinds: dict[str, list[str]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith((".", "~$")):
            kind = _kind(path)
            if kind is not None:
                kinds.setdefault(kind, []).append(path.name)
    reference = kinds.pop("reference", None)
    if not kinds and reference:
        return "csv"
    if not kinds:
        raise ExtractError(
            folder, "no input found: no contract .csv, Annex A workbook or list, or CIN census .xml"
        )
    if len(kinds) > 1:
        listing = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in sorted(kinds.items()))
        raise ExtractError(folder, f"the folder mixes input formats ({listing})")
    return next(iter(kinds))
