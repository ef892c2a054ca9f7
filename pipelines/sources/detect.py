"""What an input folder holds: which reader it needs.

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

from pathlib import Path

from lxml import etree

from pipelines.contract import BY_STEM, REFERENCE_STEMS
from pipelines.errors import ExtractError
from pipelines.sources.annex_a import WORKBOOK_SUFFIXES, is_annex_a_csv


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
