"""Parsers for single raw values, one per column kind.

Each parser takes one distinct, non-missing raw value (a string from a CSV file, or a native
value from Parquet, Excel, SQL or a DataFrame) and the column's specification, and returns the
canonical value, ``None`` when the value is blank, or an :class:`Invalid` describing the problem.
Validation calls each parser once per *distinct* value of a column, so the rules may be plain
Python without costing time per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from equitymetrics.loaders._schemas import ColumnSpec

__all__ = [
    "DATE_FORMATS",
    "Invalid",
    "NotApplicable",
    "PARSERS",
    "as_text",
    "check_date_range",
    "display_value",
]

DATE_FORMATS = "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or DD/MM/YYYY [HH:MM[:SS]]"
"""The date formats accepted in text, as shown in messages."""

# Timezone of NHS England data: timezone-aware timestamps are converted to local clock time.
_LOCAL_ZONE = "Europe/London"

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?")
_UK = re.compile(r"(\d{2})/(\d{2})/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")
_AREA_CODE = re.compile(r"[A-Z]\d{8}")

# Limits of datetime64[ns], kept a day inside so that no conversion can overflow.
_FIRST_DAY = pd.Timestamp("1677-09-23")
_LAST_DAY = pd.Timestamp("2262-04-10")


@dataclass(frozen=True, slots=True)
class Invalid:
    """A value breaks its column's rule.

    Attributes
    ----------
    problem : str
        The rule, naming the column (the value itself is reported separately).
    reason : str or None
        Short reason for counting an excluded row; ``None`` means ``"invalid <column>"``.
    """

    problem: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """A valid value that puts the row outside the table (census "Does not apply").

    Such rows are not failures: they are always excluded and counted under ``reason``.
    """

    reason: str


def is_missing(value: Any) -> bool:
    """Whether a scalar is a missing value (None, NaN, NaT, pd.NA)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def display_value(value: Any) -> str | None:
    """The raw value as shown in a failures frame: text as given, ``None`` when missing."""
    if is_missing(value):
        return None
    if isinstance(value, str):
        return value
    return str(value)


def as_text(value: Any) -> str | None:
    """The stripped text of a raw value, ``None`` if blank.

    Whole numbers, including floats such as ``12.0`` from a numeric spreadsheet column, become
    their digits (``"12"``); dates become ISO text.
    """
    if is_missing(value):
        return None
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool | np.bool_):
        text = str(bool(value))
    elif isinstance(value, int | np.integer):
        text = str(int(value))
    elif isinstance(value, float | np.floating):
        number = float(value)
        text = str(int(number)) if number.is_integer() else repr(number)
    elif isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    return text or None


def _parse_id(value: Any, spec: ColumnSpec) -> Any:
    return as_text(value)


def _parse_upper(value: Any, spec: ColumnSpec) -> Any:
    text = as_text(value)
    return None if text is None else text.upper()


def _parse_area_code(value: Any, spec: ColumnSpec) -> Any:
    text = as_text(value)
    if text is None:
        return None
    code = text.upper()
    if not _AREA_CODE.fullmatch(code):
        return Invalid(
            f"{spec.name} must be an ONS area code: a letter and 8 digits, e.g. E06000045"
        )
    return code


def _timestamp_from_text(text: str) -> pd.Timestamp | Invalid | None:
    """Parse one of the accepted text formats; ``None`` if the text is in none of them."""
    iso = _ISO.fullmatch(text)
    if iso:
        year, month, day, hour, minute, second, fraction = iso.groups()
    else:
        uk = _UK.fullmatch(text)
        if not uk:
            return None
        day, month, year, hour, minute, second = uk.groups()
        fraction = None
    try:
        moment = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        return Invalid("not a real calendar date or time")
    return pd.Timestamp(moment)


def _parse_date(value: Any, spec: ColumnSpec) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        parsed = _timestamp_from_text(text)
        if parsed is None:
            return Invalid(f"{spec.name} must be a date written {DATE_FORMATS}")
        if isinstance(parsed, Invalid):
            return Invalid(f"{spec.name} is {parsed.problem}")
        return parsed
    if isinstance(value, pd.Timestamp | dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(_LOCAL_ZONE).tz_localize(None)
        return stamp
    if isinstance(value, dt.date):
        return pd.Timestamp(value.year, value.month, value.day)
    return Invalid(
        f"{spec.name} must be a date written {DATE_FORMATS} (or a date value); "
        f"got a {type(value).__name__}"
    )


def check_date_range(stamp: pd.Timestamp, spec: ColumnSpec, today: pd.Timestamp) -> Invalid | None:
    """Check a parsed date against the supported range and the column's limits."""
    if stamp < _FIRST_DAY or stamp > _LAST_DAY:
        return Invalid(f"{spec.name} is outside the supported range of years 1678 to 2261")
    if spec.earliest is not None and stamp < pd.Timestamp(spec.earliest):
        return Invalid(f"{spec.name} may not be before {spec.earliest}")
    if spec.not_in_future and stamp.normalize() > today:
        return Invalid(f"{spec.name} may not be in the future (after {today:%Y-%m-%d})")
    return None


_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def _parse_bool(value: Any, spec: ColumnSpec) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        if value == 1:
            return True
        if value == 0:
            return False
    text = as_text(value)
    if text is None:
        return None
    folded = text.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return Invalid(f"{spec.name} must be true or false (also yes/no, y/n, 1/0)")


def _parse_integer(value: Any, spec: ColumnSpec) -> Any:
    number: int
    if isinstance(value, bool | np.bool_):
        return Invalid(f"{spec.name} must be a whole number; got a true/false value")
    if isinstance(value, int | np.integer):
        number = int(value)
    elif isinstance(value, float | np.floating):
        if not float(value).is_integer():
            return Invalid(f"{spec.name} must be a whole number")
        number = int(value)
    else:
        text = as_text(value)
        if text is None:
            return None
        if not _WHOLE_NUMBER.fullmatch(text):
            return Invalid(f"{spec.name} must be a whole number")
        number = int(text.split(".")[0])
    minimum = 0 if spec.kind == "count" else spec.minimum
    if minimum is not None and number < minimum:
        return Invalid(f"{spec.name} must be at least {minimum}")
    if spec.maximum is not None and number > spec.maximum:
        return Invalid(f"{spec.name} must be at most {spec.maximum}")
    return number


def _lookup(table: Mapping[str, str], rule: str) -> Callable[[Any, ColumnSpec], Any]:
    """A parser mapping case-folded text through ``table``."""

    def parse(value: Any, spec: ColumnSpec) -> Any:
        text = as_text(value)
        if text is None:
            return None
        found = table.get(" ".join(text.casefold().split()))
        return found if found is not None else Invalid(f"{spec.name} {rule}")

    return parse


_SEX = {
    "1": "1",
    "2": "2",
    "9": "9",
    "x": "X",
    "m": "1",
    "male": "1",
    "f": "2",
    "female": "2",
    "indeterminate": "9",
    "unknown": "X",
    "not known": "X",
}
_SEX_RULE = (
    'must be "1" (male), "2" (female), "9" (indeterminate) or "X" (not known); '
    "M/F, Male/Female and Unknown/Not known are also accepted"
)
_CENSUS_SEX = {**_SEX, "all": "all", "all persons": "all", "persons": "all", "total": "all"}

_BOARD = {"none": "none", "voting": "voting", "non-voting": "non-voting"}
_BOARD.update({"non voting": "non-voting", "nonvoting": "non-voting", "non_voting": "non-voting"})

_TYPE_CODES = frozenset(["01", *(f"{code:02d}" for code in range(4, 18))])


def _parse_type_code(value: Any, spec: ColumnSpec) -> Any:
    text = as_text(value)
    if text is None:
        return None
    if not text.isdigit() or len(text) > 2:
        return Invalid(f"{spec.name} must be a restrictive intervention type code: 01 or 04 to 17")
    code = text.zfill(2)
    if code in {"02", "03"}:
        return Invalid(
            f"{spec.name} {code} does not exist: the national list has no codes 02 or 03 "
            "(valid codes are 01 and 04 to 17)"
        )
    if code not in _TYPE_CODES:
        return Invalid(f"{spec.name} must be a restrictive intervention type code: 01 or 04 to 17")
    return code


_AGE_RANGE = re.compile(r"(?:aged )?(\d+) ?(?:-|to) ?(\d+)(?: years?)?")
_AGE_OVER = re.compile(r"(?:aged )?(\d+) ?(?:\+|years? and over|and over|or over|years? or over)")
_AGE_UNDER = re.compile(r"(?:aged )?(\d+) years? and under")
_AGE_BELOW = re.compile(r"(?:aged )?under (\d+)(?: years?)?")
_AGE_SINGLE = re.compile(r"(?:aged )?(\d+)(?: years?)?")
_AGE_ALL = frozenset({"all", "all ages", "total", "all usual residents"})


def _parse_age_band(value: Any, spec: ColumnSpec) -> Any:
    text = as_text(value)
    if text is None:
        return None
    folded = " ".join(text.casefold().split())
    if folded in _AGE_ALL:
        return "all"
    band: str | None = None
    if match := _AGE_RANGE.fullmatch(folded):
        low, high = int(match.group(1)), int(match.group(2))
        band = f"{low}-{high}" if low <= high else None
    elif match := _AGE_OVER.fullmatch(folded):
        band = f"{int(match.group(1))}+"
    elif match := _AGE_UNDER.fullmatch(folded):
        band = f"0-{int(match.group(1))}"
    elif match := _AGE_BELOW.fullmatch(folded):
        upper = int(match.group(1)) - 1
        band = f"0-{upper}" if upper > 0 else "0"
    elif match := _AGE_SINGLE.fullmatch(folded):
        band = str(int(match.group(1)))
    if band is None:
        return Invalid(
            f'{spec.name} must be an age band such as "0-4", "18-34", "90+", "16" or "all" '
            '(ONS labels such as "Aged 5 to 9 years" are also accepted)'
        )
    return band


PARSERS: Mapping[str, Callable[[Any, ColumnSpec], Any]] = MappingProxyType(
    {
        "id": _parse_id,
        "text": _parse_id,
        "upper_text": _parse_upper,
        "area_code": _parse_area_code,
        "date": _parse_date,
        "bool": _parse_bool,
        "count": _parse_integer,
        "integer": _parse_integer,
        "sex": _lookup(_SEX, _SEX_RULE),
        "census_sex": _lookup(_CENSUS_SEX, _SEX_RULE.replace("; M/F", ', or "all"; M/F')),
        "age_band": _parse_age_band,
        "type_code": _parse_type_code,
        "board_member": _lookup(_BOARD, 'must be "none", "voting" or "non-voting"'),
        "survey_indicator": _lookup(
            {str(code): str(code) for code in range(5, 9)}, 'must be "5", "6", "7" or "8"'
        ),
        "survey_group": _lookup({"white": "White", "bme": "BME"}, 'must be "White" or "BME"'),
    }
)
"""Kind -> parser of one distinct raw value. The two ethnicity kinds are handled separately,
through the taxonomy layer."""
