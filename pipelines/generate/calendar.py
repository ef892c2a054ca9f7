"""Working-day arithmetic on whole arrays of day numbers (days since 1970-01-01).

The generator keeps every date as an integer day number so that a million children's histories
are a few numpy arrays; this module answers "is it a working day?" and "k working days after d"
for all of them at once. Bank holidays are England's (``holidays`` GB/ENG), as in metrics.md.
"""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np

EPOCH = dt.date(1970, 1, 1)


def day(value: str | dt.date) -> int:
    """The day number of an ISO date string or a date."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return (value - EPOCH).days


class WorkCalendar:
    """Working days (Monday-Friday less England bank holidays) between two dates, inclusive."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first = day(first)
        self.last = day(last)
        days = np.arange(self.first, self.last + 1, dtype=np.int64)
        bank = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
        bank_days = np.array(sorted(day(d) for d in bank), dtype=np.int64)
        # 1970-01-01 was a Thursday, so (d + 3) % 7 numbers Monday as 0.
        self._weekday = (days + 3) % 7
        self._bank = np.isin(days, bank_days)
        self._working = (self._weekday < 5) & ~self._bank
        self.working_days = days[self._working]

    def _pos(self, d: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(d, dtype=np.int64) - self.first, 0, self.last - self.first)

    def is_working(self, d: np.ndarray) -> np.ndarray:
        """True where d is a working day."""
        return self._working[self._pos(d)]

    def is_bank_holiday(self, d: np.ndarray) -> np.ndarray:
        """True where d is an England bank holiday (including ones falling at a weekend)."""
        return self._bank[self._pos(d)]

    def add(self, d: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """The k-th working day after the first working day on or after d (k = 0: that day).

        So from a working day, add(d, k) is k working days later; from a Saturday, add(d, 0) is
        the Monday (one working day later in the wd() sense of metrics.md).
        """
        base = np.searchsorted(self.working_days, np.asarray(d, dtype=np.int64), side="left")
        idx = np.clip(base + np.asarray(k, dtype=np.int64), 0, self.working_days.size - 1)
        return self.working_days[idx]
