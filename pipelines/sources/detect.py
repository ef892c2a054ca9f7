"""What an input folder holds: which reader it needs, and why each other file is not used.

The rule (docs/formats.md) looks only at the folder's own files (pipelines/sources/folder.py:
not subfolders, hidden files or links leading out of the folder), and reads at most the first
64 KiB of any file, however large:

- ``csv``: a ``.csv`` file named after a contract extract (``contacts.csv``, any case);
- ``annex_a``: an ``.xlsx``/``.xlsm``/``.xls`` workbook, or a ``.csv`` file whose header row (within
  its first lines) is one of Ofsted's Annex A lists;
- ``cin_census``: an ``.xml`` file whose root element is ``Message`` (the DfE CIN census root);
- ``ssd``: a ``.csv`` named after a Standard Safeguarding Dataset table frontdoor reads
  (``ssd_contacts.csv``) whose header holds the columns it needs (pipelines/sources/ssd/discover.py);
- ``csc_api``: a ``.json``/``.jsonl``/``.ndjson`` file holding DfE CSC API child records (its
  first bytes open an array, an object or a line with ``la_child_id``).

One kind found is the answer. None found, or more than one kind, raises ExtractError naming the
folder and listing every file seen with why it was not used, because loading half a folder would
be wrong. A ``.csv`` that is neither a contract extract nor an Annex A list, and an ``.xml`` with
another root, are not used, and the listing says so.

``population.csv`` is reference data, not a case extract: it may sit beside an Annex A workbook
or census files without making the folder mixed (load it with the CSV reader; it is what the
rate per 10,000 needs). Alone, it makes a ``csv`` folder.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipelines.contract import BY_STEM, REFERENCE_STEMS
from pipelines.errors import ExtractError
from pipelines.sources.annex_a import WORKBOOK_SUFFIXES, is_annex_a_head
from pipelines.sources.csc_api.stream import JSON_SUFFIXES, is_payload_head
from pipelines.sources.folder import InputFile, input_files, read_head, shown
from pipelines.sources.ssd import discover as ssd

FORMATS = {
    "csv": "contract CSV extracts",
    "annex_a": "an Annex A return",
    "cin_census": "CIN census XML",
    "ssd": "Standard Safeguarding Dataset tables",
    "csc_api": "a DfE CSC API payload",
}


@dataclass(frozen=True)
class Seen:
    """One file of the input folder, what it was taken for, and why."""

    file: InputFile
    kind: str | None  # csv, annex_a, cin_census, reference; None = not used
    why: str


def _xml_root(head: bytes) -> str | None:
    """The local name of an XML document's root element, from its first bytes; None if none."""
    try:
        for _event, element in etree.iterparse(io.BytesIO(head), events=("start",)):
            return etree.QName(element).localname
    except etree.XMLSyntaxError:
        return None
    return None


def _look(f: InputFile) -> Seen:
    """What one file is (reading at most its first 64 KiB)."""
    if f.refused:
        return Seen(f, None, f.refused)
    if f.suffix in WORKBOOK_SUFFIXES:
        return Seen(f, "annex_a", "a workbook: read as an Annex A return")
    if f.suffix not in (".xml", ".csv", *JSON_SUFFIXES):
        return Seen(f, None, f"not an input type ({f.suffix or 'no extension'}): not used")
    try:
        head = read_head(f.path)
    except OSError:
        return Seen(f, None, "cannot be read: not used")
    if f.suffix in JSON_SUFFIXES:
        if is_payload_head(head):
            return Seen(f, "csc_api", "JSON holding CSC API child records (la_child_id)")
        return Seen(
            f, None, "JSON, but no CSC API child record (la_child_id) at its start: not used"
        )
    if f.suffix == ".xml":
        root = _xml_root(head)
        if root == "Message":
            return Seen(f, "cin_census", "XML whose root is Message: a CIN census file")
        found = f"root element is {shown(root)}" if root else "no XML root element found"
        return Seen(f, None, f"XML, but its {found}, not the CIN census Message: not used")
    if f.stem in REFERENCE_STEMS:
        return Seen(f, "reference", "reference data (population for rates per 10,000)")
    if f.stem in BY_STEM:
        return Seen(f, "csv", "a contract extract")
    if f.stem.startswith(ssd.PREFIX):
        used, why = ssd.look(f.stem, head)
        return Seen(f, "ssd" if used else None, why)
    if is_annex_a_head(head):
        return Seen(f, "annex_a", "a CSV holding an Annex A list")
    return Seen(f, None, "a CSV that is neither a contract extract nor an Annex A list: not used")


def survey(folder: Path) -> list[Seen]:
    """Every file of the folder with what it is and why (the rule above)."""
    return [_look(f) for f in input_files(folder)]


def listing(seen: list[Seen]) -> str:
    """The files seen and why each was (not) used, for a message."""
    if not seen:
        return "the folder is empty"
    return "; ".join(f"{shown(s.file.name)}: {s.why}" for s in seen)


def detect_format(folder: Path) -> str:
    """``csv``, ``annex_a``, ``cin_census``, ``ssd`` or ``csc_api``: which reader the folder
    needs (rule above)."""
    seen = survey(folder)
    kinds = {s.kind for s in seen if s.kind is not None}
    reference = "reference" in kinds
    kinds.discard("reference")
    if not kinds and reference:
        return "csv"
    if not kinds:
        raise ExtractError(
            folder,
            "no input found: no contract .csv, Annex A workbook or list, CIN census .xml, SSD "
            "table or CSC API .json. "
            f"Seen: {listing(seen)}",
        )
    if len(kinds) > 1:
        mixed = "; ".join(
            f"{FORMATS[k]}: {', '.join(shown(s.file.name) for s in seen if s.kind == k)}"
            for k in sorted(kinds)
        )
        raise ExtractError(folder, f"the folder mixes input formats ({mixed})")
    return next(iter(kinds))


def files_of(folder: Path, kind: str) -> list[InputFile]:
    """The folder's files of one kind (the rule above), by name."""
    return [s.file for s in survey(folder) if s.kind == kind]


def ssd_files(folder: Path) -> list[InputFile]:
    """The folder's SSD tables frontdoor reads."""
    return files_of(folder, "ssd")


def cin_census_files(folder: Path) -> list[Path]:
    """The folder's CIN census files (another ``.xml`` is not one), as real paths."""
    return [f.path for f in files_of(folder, "cin_census")]
