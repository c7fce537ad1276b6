"""Reporting periods: the period being reported, earlier periods for trends, WRES years."""

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


def _whole_months(start: dt.date, end: dt.date) -> int | None:
    """How many calendar months ``start..end`` spans, if it is whole months; else ``None``."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def reporting_periods(start: dt.date, end: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The reporting period and the ``count - 1`` periods of the same length before it.

    Periods tile without gaps or overlaps, oldest first, each ending the day before the next
    one starts. A period of whole calendar months (it starts on the 1st and ends on a month's
    last day) is preceded by periods of the same number of months: a quarter by quarters, a
    year by years, a month by months. Any other period is preceded by periods of the same
    number of days.

    Examples
    --------
    >>> for period in reporting_periods(dt.date(2025, 4, 1), dt.date(2025, 6, 30), 2):
    ...     print(period[0].isoformat(), period[1].isoformat())
    2025-01-01 2025-03-31
    2025-04-01 2025-06-30
    >>> for period in reporting_periods(dt.date(2024, 4, 1), dt.date(2025, 3, 31), 2):
    ...     print(period[0].isoformat(), period[1].isoformat())
    2023-04-01 2024-03-31
    2024-04-01 2025-03-31
    """
    months = _whole_months(start, end)
    length = end - start
    periods = [(start, end)]
    for _ in range(count - 1):
        next_start = periods[0][0]
        if months is None:
            first = next_start - length - dt.timedelta(days=1)
        else:
            first = _add_months(next_start, -months)
        periods.insert(0, (first, next_start - dt.timedelta(days=1)))
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
