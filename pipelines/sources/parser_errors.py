"""A parser's error reduced to what it is and where: its kind, line and column, never its text.

A parser's own message may quote the row it choked on ("Entity 'Smith' not defined", "Error
parsing 'Jane, ...'"), and a message goes everywhere: stdout, Dagster's run database,
audit.load_log, a region's status file and its report. Every reader passes a parser's exception
through ``reduced`` before it raises its own error, so only the kind (from the parser's error
code or class, never its message), the line and the column leave the reader.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from lxml import etree

# libxml2's error codes by number: ERR_UNDECLARED_ENTITY -> "undeclared entity".
_XML_KINDS = {
    code: name.removeprefix("ERR_").removeprefix("WAR_").lower().replace("_", " ")
    for name, code in vars(etree.ErrorTypes).items()
    if name.isupper() and isinstance(code, int)
}


@dataclass(frozen=True)
class Reduced:
    """What a parser said, less its words: ``kind``, and ``line`` and ``column`` if known."""

    kind: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        """The kind and column ("undeclared entity at column 16"); the line is given apart,
        as ExtractError's ``line``."""
        return f"{self.kind} at column {self.column}" if self.column else self.kind


def reduced(error: BaseException) -> Reduced:
    """``error`` reduced to its kind, line and column (from its attributes, not its text)."""
    if isinstance(error, etree.XMLSyntaxError):
        code, line, column = error.code, error.lineno, error.position[1]
        # iterparse raises an internal "no element found": the cause is libxml2's last error.
        logged = error.error_log.filter_from_errors() if error.error_log else []
        if code == etree.ErrorTypes.ERR_INTERNAL_ERROR and logged:
            code, line, column = logged[-1].type, logged[-1].line, logged[-1].column
        return Reduced(_XML_KINDS.get(code or 0, "XML syntax error"), line or None, column or None)
    if isinstance(error, csv.Error):
        return Reduced("CSV syntax error")
    if isinstance(error, UnicodeDecodeError):
        return Reduced(f"bytes not valid {error.encoding}")
    if isinstance(error, OSError):
        return Reduced(error.strerror or type(error).__name__)
    return Reduced(type(error).__name__)
