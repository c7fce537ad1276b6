"""Reporting periods: the quarter being reported, earlier quarters for trends, WRES years."""

from __future__ import annotations

import datetime as dt

__all__ = ["reporting_periods", "wres_year"]


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (day clipped to the month's length)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def reporting_periods(start: dt.date, end: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The reporting period and the ``count - 1`` periods before it, oldest first.

    Each earlier period starts three calendar months before the next one and ends the day
    before it starts, so quarters tile without gaps: 2025-04-01..2025-06-30 is preceded by
    2025-01-01..2025-03-31.

    Examples
    --------
    >>> for period in reporting_periods(dt.date(2025, 4, 1), dt.date(2025, 6, 30), 2):
    ...     print(period[0].isoformat(), period[1].isoformat())
    2025-01-01 2025-03-31
    2025-04-01 2025-06-30
    """
    periods = [(start, end)]
    for _ in range(count - 1):
        next_start = periods[0][0]
        periods.insert(0, (_add_months(next_start, -3), next_start - dt.timedelta(days=1)))
    return periods


def wres_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The latest WRES year (1 April to 31 March) that ends on or before ``day``.

    Examples
    --------
    >>> wres_year(dt.date(2025, 6, 30))
    (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    """
    year_end = dt.date(day.year, 3, 31)
    if year_end > day:
        year_end = dt.date(day.year - 1, 3, 31)
    return dt.date(year_end.year - 1, 4, 1), year_end
