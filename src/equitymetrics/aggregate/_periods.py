"""Reporting periods: validation, calendar arithmetic and the small periods table.

A period is a pair of :class:`datetime.date` values ``(start, end)``, both inclusive. Inside the
aggregation every period becomes one row of a small table that is cross-joined with the records,
so that all periods are counted in one pass. Comparisons are half-open at day resolution:
a date (or a date-time) ``d`` lies in the period when ``start <= d < end + 1 day``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = [
    "NEXT",
    "WINDOW_START",
    "as_date",
    "months_before",
    "period_table",
    "validate_periods",
]

NEXT = "_period_next"
"""Column of the periods table: the day after the period end (exclusive upper bound)."""

WINDOW_START = "_window_start"
"""Column of the periods table: the first day of the 12 calendar months ending at period end."""


def as_date(value: object, argument: str) -> dt.date:
    """Return ``value`` as a :class:`datetime.date`, refusing date-times with a time of day.

    Parameters
    ----------
    value : datetime.date, datetime.datetime or pandas.Timestamp
        The value to check. A date-time is accepted only at midnight.
    argument : str
        Name used in error messages.
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise InvalidArgumentError(
                f"{argument} must be a date; got the date-time {value!r}. Pass value.date()."
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise InvalidTypeError(
        f"{argument} must be a datetime.date; got {type(value).__name__} {value!r}. "
        "Use datetime.date(2025, 6, 30) (or datetime.date.fromisoformat('2025-06-30'))."
    )


def validate_periods(periods: object) -> tuple[tuple[dt.date, dt.date], ...]:
    """Check ``periods``: a non-empty sequence of distinct ``(start, end)`` date pairs.

    Raises
    ------
    InvalidTypeError
        ``periods`` is not a sequence of pairs of dates.
    InvalidArgumentError
        ``periods`` is empty, a start is after its end, or a period is repeated.
    """
    if isinstance(periods, str | bytes) or not isinstance(periods, Sequence):
        raise InvalidTypeError(
            "periods must be a sequence of (start, end) date pairs, e.g. "
            f"[(date(2025, 4, 1), date(2025, 6, 30))]; got {type(periods).__name__}."
        )
    if len(periods) == 0:
        raise InvalidArgumentError("periods must name at least one (start, end) pair; got none.")
    checked: list[tuple[dt.date, dt.date]] = []
    for index, pair in enumerate(periods):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise InvalidTypeError(
                f"periods[{index}] must be a (start, end) pair of dates; got {pair!r}."
            )
        start = as_date(pair[0], f"periods[{index}] start")
        end = as_date(pair[1], f"periods[{index}] end")
        if start > end:
            raise InvalidArgumentError(
                f"periods[{index}] starts after it ends ({start} > {end}); give (start, end) "
                "with start <= end (both inclusive)."
            )
        if (start, end) in checked:
            raise InvalidArgumentError(
                f"periods[{index}] ({start}, {end}) is repeated; give each period once."
            )
        checked.append((start, end))
    return tuple(checked)


def months_before(day: dt.date, months: int) -> dt.date:
    """Return the date ``months`` calendar months before ``day``, clipped to the month's end.

    Examples
    --------
    >>> months_before(dt.date(2025, 6, 30), 12)
    datetime.date(2024, 6, 30)
    >>> months_before(dt.date(2024, 2, 29), 12)
    datetime.date(2023, 2, 28)
    """
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def period_table(periods: Sequence[tuple[dt.date, dt.date]]) -> pd.DataFrame:
    """Build the periods table: period start and end, :data:`NEXT`, :data:`WINDOW_START`.

    :data:`WINDOW_START` is the day after ``period_end`` minus 12 calendar months, so that
    ``WINDOW_START <= d < NEXT`` is "in the 12 months to period end" (``end - 12 months < d <=
    end``).
    """

    def stamps(values: list[dt.date]) -> pd.Series:
        return pd.Series(pd.to_datetime(values)).astype("datetime64[us]")

    starts = [start for start, _ in periods]
    ends = [end for _, end in periods]
    return pd.DataFrame(
        {
            "period_start": stamps(starts),
            "period_end": stamps(ends),
            NEXT: stamps([end + dt.timedelta(days=1) for end in ends]),
            WINDOW_START: stamps([months_before(end, 12) + dt.timedelta(days=1) for end in ends]),
        }
    )
