"""Numbers and dates as report text: fixed digits, thousands separators, English month names.

Formatting never depends on the locale, so the same results give the same bytes everywhere.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

__all__ = [
    "SUPPRESSED",
    "format_count",
    "format_date",
    "format_interval",
    "format_number",
    "format_period",
    "format_percent_level",
    "format_timestamp",
    "is_missing",
]

SUPPRESSED = "*"
"""What a withheld cell shows."""

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def is_missing(value: object) -> bool:
    """Whether ``value`` is None, NaN, NaT or pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def format_number(value: object, digits: int) -> str:
    """``value`` with ``digits`` decimals and thousands separators; "" when missing.

    Examples
    --------
    >>> format_number(1234.567, 1), format_number(float("inf"), 2), format_number(None, 1)
    ('1,234.6', 'infinite', '')
    """
    if is_missing(value):
        return ""
    number = float(value)  # type: ignore[arg-type]
    if math.isinf(number):
        return "infinite" if number > 0 else "minus infinite"
    text = f"{number:,.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text.replace(",", "")) == 0 else text


def format_count(value: object) -> str:
    """A count: whole numbers without decimals, others with one; "" when missing.

    Examples
    --------
    >>> format_count(12345.0), format_count(12.5)
    ('12,345', '12.5')
    """
    if is_missing(value):
        return ""
    number = float(value)  # type: ignore[arg-type]
    return format_number(number, 0 if number.is_integer() else 1)


def format_interval(lower: object, upper: object, digits: int) -> str:
    """ "lower to upper", or "" when either limit is missing."""
    if is_missing(lower) or is_missing(upper):
        return ""
    return f"{format_number(lower, digits)} to {format_number(upper, digits)}"


def format_date(value: object) -> str:
    """A date as "1 April 2025"; "" when missing."""
    if is_missing(value):
        return ""
    day = pd.Timestamp(value).date()  # type: ignore[arg-type]
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_period(start: object, end: object) -> str:
    """A period as "1 April 2025 to 30 June 2025"."""
    return f"{format_date(start)} to {format_date(end)}"


def format_percent_level(confidence_level: object) -> str:
    """A confidence level (a fraction) as "95%"; "" when missing."""
    if is_missing(confidence_level):
        return ""
    return f"{round(float(confidence_level) * 100, 1):g}%"  # type: ignore[arg-type]


def format_timestamp(value: dt.datetime) -> str:
    """A timestamp as ISO 8601 to the second."""
    return value.replace(microsecond=0).isoformat()
