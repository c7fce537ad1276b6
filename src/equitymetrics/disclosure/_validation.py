"""Checks on the inputs of :func:`~equitymetrics.disclosure.apply_disclosure`.

Every problem in the results table is collected first, then reported at once in a
:class:`~equitymetrics.exceptions.DataValidationError` whose ``failures`` frame lists the
column, row (1-based position in the frame), value and problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from equitymetrics.disclosure._linear import FloatArray
from equitymetrics.disclosure._policies import ADDITIVE_COLUMNS, DisclosurePolicy, get_policy
from equitymetrics.disclosure._tables import TABLE_KEY
from equitymetrics.exceptions import FAILURE_COLUMNS, DataValidationError, InvalidTypeError

__all__ = [
    "count_values",
    "resolve_policy",
    "validate_nesting",
    "validate_parents",
    "validate_results",
]

_TABLE = "results"


def resolve_policy(policy: DisclosurePolicy | str) -> DisclosurePolicy:
    """A policy object from a policy or the name of a built-in one."""
    if isinstance(policy, DisclosurePolicy):
        return policy
    if isinstance(policy, str):
        return get_policy(policy)
    raise InvalidTypeError(
        "policy must be a DisclosurePolicy or the name of a built-in policy such as "
        f"'nhs_secondary_care'; got {type(policy).__name__}."
    )


def validate_nesting(nested: Any) -> dict[tuple[str, str], dict[str, str]]:
    """``nested_groupings`` as a plain dict, or an error naming what is wrong."""
    if nested is None:
        return {}
    example = "{('nhs16', 'broad'): {'African': 'Black', ...}}"
    if not isinstance(nested, Mapping):
        raise InvalidTypeError(
            f"nested_groupings must be a mapping like {example}; got {type(nested).__name__}."
        )
    checked: dict[tuple[str, str], dict[str, str]] = {}
    for key, mapping in nested.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)):
            raise InvalidTypeError(
                "nested_groupings keys must be (fine grouping, coarse grouping) pairs of "
                f"strings, like {example}; got {key!r}."
            )
        if not isinstance(mapping, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise InvalidTypeError(
                f"nested_groupings[{key!r}] must map each fine group to its coarse group "
                f"(strings to strings), like {example}."
            )
        checked[key] = dict(mapping)
    return checked


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def validate_parents(parents: Any) -> dict[tuple[str, str], tuple[str, str]]:
    """``unit_parents`` as a plain dict, or an error naming what is wrong."""
    if parents is None:
        return {}
    example = "{('ward', 'Oak'): ('division', 'Adult mental health'), ...}"
    if not isinstance(parents, Mapping):
        raise InvalidTypeError(
            f"unit_parents must be a mapping like {example}; got {type(parents).__name__}."
        )
    for child, parent in parents.items():
        if not (_is_pair(child) and _is_pair(parent)):
            raise InvalidTypeError(
                "unit_parents must map (unit_type, unit) pairs of strings to the (unit_type, "
                f"unit) that contains them, like {example}; got {child!r}: {parent!r}."
            )
    return dict(parents)


def count_values(frame: pd.DataFrame, column: str) -> FloatArray:
    """A count column as float64, missing values as NaN (the column was validated)."""
    numbers = pd.to_numeric(frame[column].astype(object), errors="coerce")
    return np.asarray(numbers, dtype=np.float64)


def _failure(column: str, row: Any, value: Any, problem: str) -> dict[str, Any]:
    return dict(zip(FAILURE_COLUMNS, (_TABLE, column, row, value, problem), strict=True))


def _count_failures(frame: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    series = frame[column]
    failures: list[dict[str, Any]] = []
    raw = series.astype(object).to_numpy()
    present = ~pd.isna(raw)
    if pd.api.types.is_bool_dtype(series.dtype):
        return [_failure(column, pd.NA, str(series.dtype), "must hold numbers, not True/False")]
    numbers = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=np.float64)
    not_numbers = present & np.isnan(numbers)
    for position in np.flatnonzero(not_numbers):
        failures.append(_failure(column, int(position) + 1, raw[position], "is not a number"))
    for position in np.flatnonzero(np.isinf(numbers)):
        failures.append(_failure(column, int(position) + 1, raw[position], "is not finite"))
    if column in ADDITIVE_COLUMNS:
        for position in np.flatnonzero(numbers < 0):
            failures.append(
                _failure(column, int(position) + 1, raw[position], "is a negative count")
            )
    return failures


def validate_results(frame: Any, policy: DisclosurePolicy) -> None:
    """Raise if ``frame`` is not a results table that ``policy`` can be applied to."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidTypeError(
            f"results must be a pandas DataFrame (the results table); got {type(frame).__name__}."
        )
    required = [*TABLE_KEY, "group", *policy.count_columns]
    missing = [column for column in dict.fromkeys(required) if column not in frame.columns]
    failures = [_failure(column, pd.NA, pd.NA, "required column is missing") for column in missing]
    for column in dict.fromkeys(policy.count_columns):
        if column in frame.columns:
            failures.extend(_count_failures(frame, column))
    if "suppressed" in frame.columns:
        flags = frame["suppressed"].astype(object).to_numpy()
        for number, flag in enumerate(flags, start=1):
            if not (pd.isna(flag) or isinstance(flag, bool | np.bool_)):
                failures.append(_failure("suppressed", number, flag, "must be True or False"))
    if not missing:
        key = [*TABLE_KEY, "group"]
        duplicated = frame[key].astype(object).duplicated(keep=False).to_numpy()
        for position in np.flatnonzero(duplicated):
            failures.append(
                _failure(
                    "group",
                    int(position) + 1,
                    frame["group"].iloc[position],
                    "repeats a table row (same measure, period, unit, grouping, adjustment "
                    "and group)",
                )
            )
    if failures:
        table = pd.DataFrame(failures, columns=list(FAILURE_COLUMNS))
        first = failures[0]
        raise DataValidationError(
            f"results table cannot be disclosure-controlled: {len(failures)} problem(s); "
            f"first: column {first['column']!r}, row {first['row']}: {first['problem']} "
            f"(value {first['value']!r}). Fix the rows listed in .failures (split a frame "
            "that holds several confidence levels or versions of a table before applying "
            "disclosure control).",
            table,
        )
