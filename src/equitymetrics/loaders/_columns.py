"""Parse one raw column into canonical values, collecting a problem per bad row.

Each distinct raw value is parsed once (see :mod:`equitymetrics.loaders._parsers`); ethnicity
columns go through the taxonomy layer. The result holds the canonical values as an object array
(``None`` where blank or invalid) and the problems by row position.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.exceptions import UnrecognisedCodeError
from equitymetrics.loaders._parsers import PARSERS, Invalid, NotApplicable, check_date_range
from equitymetrics.loaders._schemas import ColumnSpec
from equitymetrics.taxonomy import normalise_census_ethnic_group, normalise_ethnic_category

__all__ = ["ParsedColumn", "parse_column"]

ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class ParsedColumn:
    """Canonical values of one column and the problems found in it.

    ``values[i]`` is the canonical value of row position ``i``, or ``None`` if the raw value is
    blank or invalid; ``problems`` maps row positions to what is wrong there, and
    ``excluded`` maps row positions whose value puts the row outside the table to the reason.
    """

    values: ObjectArray
    problems: Mapping[int, Invalid]
    excluded: Mapping[int, str]


def _distinct(series: pd.Series) -> tuple[npt.NDArray[np.intp], list[Any]]:
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp), list(uniques)


def _spread(codes: npt.NDArray[np.intp], results: list[Any], spec: ColumnSpec) -> ParsedColumn:
    """Broadcast per-distinct results to rows; blanks in a required column become problems."""
    lookup = np.empty(len(results) + 1, dtype=object)
    lookup[: len(results)] = [
        None if isinstance(r, Invalid | NotApplicable) else r for r in results
    ]
    lookup[-1] = None
    values: ObjectArray = lookup[codes]
    problems: dict[int, Invalid] = {}
    excluded: dict[int, str] = {}
    special = [k for k, r in enumerate(results) if isinstance(r, Invalid | NotApplicable)]
    for position in np.flatnonzero(np.isin(codes, special)) if special else ():
        found = results[int(codes[position])]
        if isinstance(found, Invalid):
            problems[int(position)] = found
        else:
            excluded[int(position)] = found.reason
    if not spec.nullable:
        blank = Invalid(f"{spec.name} is required but blank", reason=f"missing {spec.name}")
        for position in np.flatnonzero(pd.isna(values)):
            if int(position) not in excluded:
                problems.setdefault(int(position), blank)
    return ParsedColumn(values, problems, excluded)


_PLAIN_TEXT = frozenset({"id", "text", "upper_text"})


def _parse_text_column(spec: ColumnSpec, series: pd.Series) -> ParsedColumn:
    """Fast path for text kinds of a column that already holds only text (a CSV column)."""
    stripped = series.str.strip()
    if spec.kind == "upper_text":
        stripped = stripped.str.upper()
    values = stripped.where(stripped.ne("").fillna(False)).to_numpy(dtype=object)
    values[pd.isna(values)] = None
    problems: dict[int, Invalid] = {}
    if not spec.nullable:
        blank = Invalid(f"{spec.name} is required but blank", reason=f"missing {spec.name}")
        problems = {int(p): blank for p in np.flatnonzero(pd.isna(values))}
    return ParsedColumn(values, problems, {})


def _parse_generic(spec: ColumnSpec, series: pd.Series, today: pd.Timestamp) -> ParsedColumn:
    if (
        spec.kind in _PLAIN_TEXT
        and pd.api.types.is_string_dtype(series.dtype)
        and series.dtype != object
    ):
        return _parse_text_column(spec, series)
    parser = PARSERS[spec.kind]
    codes, uniques = _distinct(series)
    results: list[Any] = []
    for value in uniques:
        result = parser(value, spec)
        if isinstance(result, pd.Timestamp):
            result = check_date_range(result, spec, today) or result
        results.append(result)
    return _spread(codes, results, spec)


def _first_failure(uniques: list[Any], normalise: Callable[[list[Any]], pd.Series]) -> list[Any]:
    """Normalise distinct values at once; if any is refused, find which, one by one."""
    try:
        return list(normalise(uniques).tolist())
    except UnrecognisedCodeError:
        pass
    results: list[Any] = []
    for value in uniques:
        try:
            results.append(normalise([value]).iloc[0])
        except UnrecognisedCodeError:
            results.append(None)
    return results


def _parse_ethnic_category(
    spec: ColumnSpec, series: pd.Series, today: pd.Timestamp
) -> ParsedColumn:
    codes, uniques = _distinct(series)
    normalised = _first_failure(
        uniques, lambda values: normalise_ethnic_category(values, unrecognised="raise")
    )
    unrecognised = Invalid(
        f"{spec.name} is not an NHS ethnic category code or a label the taxonomy recognises",
        reason="unrecognised ethnic category",
    )
    results: list[Any] = [unrecognised if code is None else str(code) for code in normalised]
    # Blanks are "not known" (99): valid but unusable, kept for the measures to count.
    results.append("99")
    extended = np.where(codes < 0, len(results) - 1, codes)
    return _spread(extended, results, spec)


def _parse_census_ethnic_group(
    spec: ColumnSpec, series: pd.Series, today: pd.Timestamp
) -> ParsedColumn:
    codes, uniques = _distinct(series)
    normalised = _first_failure(uniques, normalise_census_ethnic_group)
    results: list[Any] = []
    for code in normalised:
        if code is None:
            results.append(
                Invalid(f"{spec.name} is not a Census 2021 ethnic group code (1-19) or label")
            )
        elif int(code) < 1:
            results.append(NotApplicable("ethnic group does not apply"))
        else:
            results.append(int(code))
    return _spread(codes, results, spec)


_HANDLERS: Mapping[str, Callable[[ColumnSpec, pd.Series, pd.Timestamp], ParsedColumn]] = (
    MappingProxyType(
        {
            "ethnic_category": _parse_ethnic_category,
            "census_ethnic_group": _parse_census_ethnic_group,
        }
    )
)


def parse_column(spec: ColumnSpec, series: pd.Series, today: pd.Timestamp) -> ParsedColumn:
    """Parse the raw values of one column according to its specification.

    Parameters
    ----------
    spec : ColumnSpec
        The canonical column.
    series : pandas.Series
        Raw values, in source row order.
    today : pandas.Timestamp
        The day of loading (midnight), for "not in the future" checks.
    """
    handler = _HANDLERS.get(spec.kind, _parse_generic)
    return handler(spec, series, today)
