"""The one error type for input that cannot be used as a whole.

A row-level problem never raises: the row goes to quarantine. ExtractError is for a file that
cannot be read at all or lacks a required column; it blocks what depends on that extract and
nothing else, and its message names the file, and the line and column where they are known.
"""

from __future__ import annotations

from pathlib import Path


class ExtractError(Exception):
    def __init__(
        self,
        file: Path | str,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"
