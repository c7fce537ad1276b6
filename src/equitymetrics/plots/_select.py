"""Choosing the rows of a results table that one chart shows.

Every chart takes the whole results table (or a part the caller filtered) and keyword filters.
After filtering, a chart that shows one period, one unit or one grouping checks that only one is
left, and otherwise says which values are present and which keyword chooses among them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.measures import ALL_GROUP

PLACE_COLUMNS = ("period_start", "period_end", "unit_type", "unit", "grouping", "group")
"""Where, when and for whom a row is: columns that every chart reads."""
VALUE_COLUMNS = (*PLACE_COLUMNS, "adjustment", "numerator", "denominator", "value")
"""The place columns, the adjustment, and a row's value with its numerator and denominator."""

_DATE_COLUMNS = ("period_start", "period_end")
_NUMBER_COLUMNS = (
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence_level",
    "multiplier",
    "ratio",
    "ratio_lower_ci",
    "ratio_upper_ci",
)
_SHOWN = 8


def check_results(results: object, columns: Sequence[str]) -> pd.DataFrame:
    """Return ``results`` if it is a DataFrame with ``columns``, else raise."""
    if not isinstance(results, pd.DataFrame):
        raise InvalidTypeError(
            f"results must be a results table (a pandas DataFrame with the results columns); "
            f"got {type(results).__name__}."
        )
    missing = [column for column in columns if column not in results.columns]
    if missing:
        raise InvalidArgumentError(
            f"results is missing the column(s) {', '.join(missing)}; pass a results table as "
            "returned by the measures (see the results table in the data contract)."
        )
    return results


def display(value: object) -> str:
    """A table value as text: dates as YYYY-MM-DD, missing values as 'missing'."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):  # type: ignore[call-overload]
        return "missing"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def distinct(series: pd.Series) -> list[str]:
    """The distinct values of ``series`` as text, in order of first appearance."""
    return list(dict.fromkeys(display(value) for value in series))


def _listing(values: Sequence[str]) -> str:
    shown = ", ".join(repr(value) for value in values[:_SHOWN])
    more = len(values) - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _matches(series: pd.Series, wanted: object, column: str) -> pd.Series:
    if column in _DATE_COLUMNS:
        try:
            moment = pd.Timestamp(wanted)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"{column} must be a date such as '2025-04-01'; got {wanted!r}."
            ) from None
        return pd.to_datetime(series) == moment
    if not isinstance(wanted, str):
        raise InvalidTypeError(f"{column} must be a string such as 'ward'; got {wanted!r}.")
    return series.astype(str) == wanted


def _as_numbers(rows: pd.DataFrame, column: str) -> pd.Series:
    """``column`` as float64, with missing values (NaN, None, <NA>) as NaN."""
    try:
        numbers = pd.to_numeric(rows[column]).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"column {column!r} of results must hold numbers (or missing values); got "
            f"{rows[column].dtype} values such as {rows[column].iloc[0]!r}."
        ) from None
    return pd.Series(numbers, index=rows.index, dtype="float64")


def select_rows(
    results: object,
    *,
    measure: str,
    filters: Mapping[str, object],
    columns: Sequence[str],
) -> pd.DataFrame:
    """The rows of ``measure`` that match every filter whose value is not None.

    Raises
    ------
    InvalidArgumentError
        No row has the measure, or a filter matches no row (the message lists what is there).
    """
    table = check_results(results, ("measure", *filters, *columns))
    rows = table[table["measure"].astype(str) == measure]
    if rows.empty:
        present = distinct(table["measure"])
        raise InvalidArgumentError(
            f"results hold no rows for measure {measure!r}; the measures present are "
            f"{_listing(present) or 'none (the table is empty)'}."
        )
    for column, wanted in filters.items():
        if wanted is None:
            continue
        mask = _matches(rows[column], wanted, column)
        if not mask.any():
            raise InvalidArgumentError(
                f"no rows of measure {measure!r} have {column} = {wanted!r}; the values "
                f"present are {_listing(distinct(rows[column]))}."
            )
        rows = rows[mask.to_numpy()]
    numbers = {column: _as_numbers(rows, column) for column in _NUMBER_COLUMNS if column in rows}
    return rows.assign(**numbers).reset_index(drop=True)


def require_single(rows: pd.DataFrame, columns: Sequence[str], *, chart: str) -> None:
    """Raise unless each of ``columns`` holds one value in ``rows``."""
    for column in columns:
        values = distinct(rows[column])
        if len(values) > 1:
            raise InvalidArgumentError(
                f"a {chart} shows one {column} at a time, but the selected rows hold "
                f"{len(values)}: {_listing(values)}; choose one with {column}=..., or filter "
                "the results first."
            )


def single_value(rows: pd.DataFrame, column: str) -> object:
    """The one value of ``column`` (call :func:`require_single` first)."""
    return rows[column].iloc[0]


def single_number(rows: pd.DataFrame, column: str) -> float:
    """The one value of a numeric ``column`` as a float (call :func:`require_single` first)."""
    return float(single_value(rows, column))  # type: ignore[arg-type]


def choose_group(rows: pd.DataFrame, group: str | None, *, chart: str) -> pd.DataFrame:
    """Rows of ``group``; when None, of the 'All' group if present or of the only group."""
    if group is not None:
        if not isinstance(group, str):
            raise InvalidTypeError(f"group must be a group label such as 'All'; got {group!r}.")
        chosen = rows[rows["group"].astype(str) == group]
        if chosen.empty:
            raise InvalidArgumentError(
                f"no selected rows have group = {group!r}; the groups present are "
                f"{_listing(distinct(rows['group']))}."
            )
        return chosen.reset_index(drop=True)
    groups = distinct(rows["group"])
    if len(groups) == 1:
        return rows
    if ALL_GROUP in groups:
        return rows[rows["group"].astype(str) == ALL_GROUP].reset_index(drop=True)
    raise InvalidArgumentError(
        f"a {chart} shows one group at a time and the selected rows have no {ALL_GROUP!r} "
        f"row; choose one of {_listing(groups)} with group=..."
    )


def one_row_per(
    rows: pd.DataFrame, column: str, *, chart: str, same: Sequence[str] = ()
) -> pd.DataFrame:
    """Rows with one row per value of ``column``.

    Rows that repeat the same ``column`` value and the same ``same`` values (e.g. the 'All' row
    of one unit written once per grouping) are kept once; any other repetition raises and names
    the value.
    """
    unique = rows.drop_duplicates(subset=[column, *same], keep="first")
    repeated = unique[column][unique[column].duplicated(keep=False)]
    if not repeated.empty:
        first = display(repeated.iloc[0])
        raise InvalidArgumentError(
            f"a {chart} needs one row per {column}, but {column} {first!r} has several "
            "different rows; filter by grouping, adjustment, group or period first."
        )
    return unique.reset_index(drop=True)
