"""One sheet or CSV being read (where it is, the findings it yields) and its records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pipelines.sources.result import Finding


@dataclass
class Table:
    """One sheet or CSV being read: where it is, and the findings it yields."""

    file: str
    sheet: str | None
    findings: list[Finding]
    headers: dict[str, str] = field(default_factory=dict)  # field key -> header as written

    def note(
        self,
        rule: str,
        message: str,
        line: int | None = None,
        key: str | None = None,
        column: str | None = None,
    ) -> None:
        """Record a finding; ``key`` (a field key) is shown as the header it was read from."""
        if column is None and key is not None:
            column = self.headers.get(key, key)
        self.findings.append(Finding(self.file, rule, message, self.sheet, line, column))


Rows = Iterable[tuple[int, list[object]]]  # (sheet row or CSV line, cells)


@dataclass
class Record:
    line: int
    cells: dict[str, object]
