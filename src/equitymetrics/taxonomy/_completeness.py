"""Ethnicity recording completeness: the share of records with a stated ethnic group."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, ShapeMismatchError, UnrecognisedCodeError
from equitymetrics.stats import proportion
from equitymetrics.taxonomy._tables import NOT_KNOWN, NOT_STATED, STATED_CODES, UNRECOGNISED
from equitymetrics.taxonomy._values import as_series, describe_values, distinct_values

__all__ = ["COMPLETENESS_COLUMNS", "recording_completeness"]

_COUNT_COLUMNS = ("stated", "not_stated", "not_known", "unrecognised")
COMPLETENESS_COLUMNS = (
    "records",
    *_COUNT_COLUMNS,
    "completeness",
    "lower_ci",
    "upper_ci",
    "confidence_level",
    "method",
    "note",
)
"""Columns of :func:`recording_completeness` after the unit columns, in order."""

_CATEGORY_OF_CODE = {
    **dict.fromkeys(STATED_CODES, 0),
    NOT_STATED: 1,
    NOT_KNOWN: 2,
    UNRECOGNISED: 3,
}


def _category_per_row(series: pd.Series) -> np.ndarray[Any, np.dtype[np.intp]]:
    """0 stated, 1 not stated, 2 not known, 3 unrecognised; any other value is an error."""
    distinct = distinct_values(series)
    mapped = [_CATEGORY_OF_CODE.get(v) if isinstance(v, str) else None for v in distinct.uniques]
    bad = [k for k, category in enumerate(mapped) if category is None]
    missing = int(np.count_nonzero(distinct.codes < 0))
    if bad or missing:
        listing, counts = describe_values(series, distinct, bad, missing=True)
        raise UnrecognisedCodeError(
            f"codes hold {len(counts)} distinct value(s) in {sum(counts.values())} row(s) that "
            f"are not normalised NHS codes: {listing}. Pass the codes through "
            "normalise_ethnic_category first (with unrecognised='keep' to count bad values).",
            counts,
        )
    lookup = np.array([*(c for c in mapped if c is not None), -1], dtype=np.intp)
    return lookup[distinct.codes]


def _check_length(by_rows: int, code_rows: int) -> None:
    if by_rows != code_rows:
        raise ShapeMismatchError(
            f"by must have one row per code; got {by_rows} rows of by for {code_rows} codes."
        )


def _unit_frame(by: Any, codes: pd.Series) -> pd.DataFrame:
    """The unit columns as a DataFrame on the index of ``codes``, after checking alignment."""
    if isinstance(by, pd.DataFrame):
        frame = by
    elif isinstance(by, pd.Series):
        frame = by.to_frame(name="unit" if by.name is None else by.name)
    else:
        unit = as_series(by, argument="by")
        _check_length(len(unit), len(codes))
        frame = pd.DataFrame({"unit": unit.to_numpy()}, index=codes.index)
    _check_length(len(frame), len(codes))
    if not frame.index.equals(codes.index):
        raise InvalidArgumentError(
            "by must be aligned with codes (the same index in the same order); the indexes "
            "differ. Take both from the same DataFrame, or reset both indexes."
        )
    clashes = sorted(str(c) for c in frame.columns if c in COMPLETENESS_COLUMNS)
    if clashes or frame.columns.empty:
        raise InvalidArgumentError(
            f"by must have at least one unit column and none named like the output columns "
            f"{list(COMPLETENESS_COLUMNS)}; got columns {list(frame.columns)!r}. Rename them."
        )
    return frame


def recording_completeness(
    codes: Any, *, by: Any = None, confidence_level: float = 0.95
) -> pd.DataFrame:
    """Ethnicity recording completeness with Wilson score intervals, overall or per unit.

    Completeness is the proportion of records with a stated ethnic group (codes A to S); its
    confidence interval is the Wilson (1927) score interval from
    :func:`equitymetrics.stats.proportion`. Not stated (Z), not known (99) and unrecognised
    records are counted separately, so the counts reconcile with the number of records.

    Parameters
    ----------
    codes : Series, list or array
        Normalised NHS codes, as returned by :func:`normalise_ethnic_category` ("A" ... "S",
        "Z", "99", and :data:`UNRECOGNISED`).
    by : Series, DataFrame or array-like, optional
        Organisational unit(s) of each record (e.g. ward, or division and ward), aligned with
        ``codes`` (same length and, for pandas inputs, the same index). An unnamed Series or an
        array gives a column ``unit``. Without ``by``, one overall row.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per unit (sorted by the unit columns; a missing unit is a unit of its own,
        never dropped), with the unit columns followed by ``records``, ``stated``,
        ``not_stated``, ``not_known``, ``unrecognised`` (int64), ``completeness`` (stated /
        records), ``lower_ci``, ``upper_ci``, ``confidence_level``, ``method`` ("wilson") and
        ``note`` (why a value is NaN, e.g. no records).

    Raises
    ------
    UnrecognisedCodeError
        When ``codes`` holds values other than normalised codes (listing them with counts).
    ShapeMismatchError, InvalidArgumentError
        When ``by`` is not aligned with ``codes`` or its column names clash with the output.

    Notes
    -----
    With x = stated records and n = all records of a unit, completeness = x / n and the
    limits are (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), z the standard normal
    quantile at 1 - (1 - confidence_level)/2 (Wilson EB, 1927, J Am Stat Assoc 22:209-212).
    Checked against the Wilson formula evaluated independently in the tests.

    Examples
    --------
    >>> table = recording_completeness(["A", "N", "Z", "99", "C"])
    >>> table[["records", "stated", "not_stated", "not_known", "completeness"]]
       records  stated  not_stated  not_known  completeness
    0        5       3           1          1           0.6
    """
    series = as_series(codes, argument="codes")
    category = _category_per_row(series)
    counts = {name: (category == k).astype(np.int64) for k, name in enumerate(_COUNT_COLUMNS)}
    if by is None:
        units = pd.DataFrame(index=pd.RangeIndex(1))
        totals = pd.DataFrame({name: [int(v.sum())] for name, v in counts.items()})
    else:
        unit_frame = _unit_frame(by, series)
        keys = list(unit_frame.columns)
        frame = unit_frame.reset_index(drop=True).assign(**counts)
        grouped = frame.groupby(keys, dropna=False, sort=True, observed=True)[
            list(_COUNT_COLUMNS)
        ].sum()
        totals = grouped.reset_index(drop=True).astype(np.int64)
        units = grouped.index.to_frame(index=False)
    records = totals[list(_COUNT_COLUMNS)].sum(axis=1).to_numpy(dtype=np.int64)
    interval = proportion(
        totals["stated"].to_numpy(dtype=np.int64),
        records,
        method="wilson",
        confidence_level=confidence_level,
    )
    result = pd.DataFrame(index=pd.RangeIndex(len(totals)))
    for column in units.columns:
        result[column] = units[column].to_numpy()
    result["records"] = records
    for name in _COUNT_COLUMNS:
        result[name] = totals[name].to_numpy(dtype=np.int64)
    result["completeness"] = np.asarray(interval.estimate, dtype=np.float64)
    result["lower_ci"] = np.asarray(interval.lower, dtype=np.float64)
    result["upper_ci"] = np.asarray(interval.upper, dtype=np.float64)
    result["confidence_level"] = float(interval.confidence_level)
    result["method"] = np.asarray(interval.method, dtype=object)
    result["note"] = np.asarray(interval.note, dtype=object)
    return result
