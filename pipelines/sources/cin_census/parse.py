"""A census file parsed safely (size limit, no entities, no DTD, no network) and checked against
its collection year's XSD, a batch of children at a time."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

from lxml import etree

from pipelines.errors import ExtractError
from pipelines.sources.cin_census.header import CensusFile
from pipelines.sources.parser_errors import reduced
from pipelines.sources.result import Finding

MAX_SCHEMA_FINDINGS = 1000  # per file: enough to see the pattern without drowning the report
SCHEMA_CHUNK = 200  # children validated at a time (see chunks)


def max_xml_bytes() -> int:
    """The largest census file read (FRONTDOOR_XML_MAX_MIB, default 1024 MiB): the file is held
    as a tree, several times its size in memory. A council's yearly census is tens of MiB."""
    return int(os.environ.get("FRONTDOOR_XML_MAX_MIB", "1024")) * 2**20


def parse_census(path: Path) -> etree._ElementTree:
    """The file as a tree whose root is the census ``Message``, without a namespace.

    Raises ExtractError for a file over the size limit, not well-formed, or of another root.
    """
    limit = max_xml_bytes()
    if path.stat().st_size > limit:
        raise ExtractError(
            path,
            f"is larger than the limit of {limit / 2**20:,.0f} MiB for one census file "
            "(FRONTDOOR_XML_MAX_MIB): refused",
        )
    # No entity is expanded, no DTD or network fetched (a billion-laughs or XXE file is inert).
    parser = etree.XMLParser(
        huge_tree=True,
        remove_comments=True,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        problem = reduced(error)  # its kind and place: lxml's text may quote the row
        raise ExtractError(
            path, f"not well-formed XML: {problem}", line=problem.line
        ) from None  # its text may quote the row: not chained
    except OSError as error:
        raise ExtractError(path, f"cannot read the file: {error}") from error
    root = tree.getroot()
    if etree.QName(root).localname != "Message":
        raise ExtractError(path, f"root element is {root.tag!r}, not the CIN census Message")
    if etree.QName(root).namespace is not None:
        # DfE's schema has no namespace; a file given one is read (and checked) without it
        for element in root.iter(etree.Element):
            element.tag = etree.QName(element).localname
        etree.cleanup_namespaces(tree)
    return tree


_schemas: dict[Path, etree.XMLSchema] = {}


def chunks(tree: etree._ElementTree) -> list[etree._ElementTree]:
    """The file as documents of at most SCHEMA_CHUNK children each, for validation.

    lxml slows quadratically as a document's violations pile up (100,000 children with one each
    take minutes), so the children are validated a batch at a time. Copies keep their source
    lines, so a violation still names the file's line. The header goes with the first batch.
    """
    root = tree.getroot()
    children = root.find("Children")
    if children is None or len(children) <= SCHEMA_CHUNK:
        return [tree]
    kids = list(children)
    documents = []
    for start in range(0, len(kids), SCHEMA_CHUNK):
        message = etree.Element(root.tag)
        header = root.find("Header")
        if start == 0 and header is not None:
            message.append(copy.deepcopy(header))
        batch = etree.SubElement(message, "Children")
        batch.extend(copy.deepcopy(kid) for kid in kids[start : start + SCHEMA_CHUNK])
        documents.append(etree.ElementTree(message))
    return documents


def validate(tree: etree._ElementTree, census: CensusFile, xsd_dir: Path) -> None:
    """Check the file against its collection year's XSD, if the folder has it."""
    xsd = xsd_dir / f"CIN_schema_{census.collection_year}.xsd"
    if census.collection_year is None or not xsd.is_file():
        census.note("no_schema", f"no {xsd.name} in {xsd_dir}; the file was not validated")
        return
    if xsd not in _schemas:
        try:
            _schemas[xsd] = etree.XMLSchema(etree.parse(str(xsd)))
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
            census.note("no_schema", f"{xsd} is not a usable XSD ({error}); not validated")
            return
    schema = _schemas[xsd]
    violations = 0
    for document in chunks(tree):
        if schema.validate(document):
            continue
        for error in schema.error_log:
            violations += 1
            if violations > MAX_SCHEMA_FINDINGS:
                continue
            # error.path is like /Message/Children/Child[2]/ChildIdentifiers/Sex
            column = re.sub(r"\[\d+\]$", "", (error.path or "").rsplit("/", 1)[-1]) or None
            census.findings.append(
                Finding(
                    census.path,
                    "schema",
                    f"{xsd.name}: {without_values(error.message)}",
                    None,
                    error.line,
                    column,
                )
            )
    if violations > MAX_SCHEMA_FINDINGS:
        census.note(
            "schema", f"{violations - MAX_SCHEMA_FINDINGS} more schema violations not listed"
        )


_THE_VALUE = re.compile(r"\b(The value|value) '(?:[^']|'')*'")
_BARE_VALUE = re.compile(r": '(?:[^']|'')*' (?=is not)")


def without_values(message: str) -> str:
    """A schema validator's message with the offending value taken out ("The value 'X' is not
    an element of the set ..." -> "The value is not an element of the set ..."): the value may be
    a child's identifier or name."""
    return _BARE_VALUE.sub(": the value ", _THE_VALUE.sub(r"\1", message))
