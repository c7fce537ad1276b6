"""The results table: its columns, their order and their types.

One row per measure x period x unit x grouping x group x adjustment. The columns up to
``suppressed`` are the stable contract (docs/data-contract.md); the extra columns after them may
grow.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["EXTRA_COLUMNS", "RESULT_COLUMNS", "empty_results", "finalise_results"]

RESULT_COLUMNS: tuple[str, ...] = (
    "measure",
    "period_start",
    "period_end",
    "unit_type",
    "unit",
    "grouping",
    "group",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence_level",
    "multiplier",
    "method",
    "adjustment",
    "reference_group",
    "ratio",
    "ratio_lower_ci",
    "ratio_upper_ci",
    "ratio_method",
    "excess_events",
    "note",
    "suppressed",
)
"""The contract columns, in order."""

EXTRA_COLUMNS: tuple[str, ...] = (
    "significance",
    "ratio_sensitivity_lower",
    "ratio_sensitivity_upper",
    "non_adverse_range",
    "small_numbers",
    "interpretation",
)
"""Columns beyond the contract: significance of the ratio ("higher", "lower", "no evidence of a
difference", "not compared"), the range of the ratio if every record of unknown ethnicity
belonged to the group or to the reference, whether a WRES ratio lies in 0.80-1.25, a small-numbers
flag, and a plain-English sentence."""

_FLOAT = (
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
    "excess_events",
    "ratio_sensitivity_lower",
    "ratio_sensitivity_upper",
)
_TEXT = (
    "measure",
    "unit_type",
    "unit",
    "grouping",
    "group",
    "method",
    "adjustment",
    "reference_group",
    "ratio_method",
    "note",
    "significance",
    "interpretation",
)
_SORT_KEYS = [
    "measure",
    "period_start",
    "unit_type",
    "unit",
    "grouping",
    "adjustment",
    "group_order",
]


def empty_results() -> pd.DataFrame:
    """A results table with no rows and the right columns and types."""
    return finalise_results([])


def finalise_results(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate partial results, add missing columns, fix types and a deterministic order.

    Numerators and denominators are floats because some (bed days, standardised populations)
    are not whole numbers. Missing values are NaN for numbers and "" for text, except that the
    extra flag ``non_adverse_range`` is a nullable boolean (only WRES ratios have one).
    """
    parts = [frame for frame in frames if len(frame)]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    columns: dict[str, Any] = {}
    n = len(table)
    for name in (*RESULT_COLUMNS, *EXTRA_COLUMNS):
        present = name in table.columns
        if name in _FLOAT:
            columns[name] = (
                pd.to_numeric(table[name], errors="raise").astype("float64")
                if present
                else pd.Series([float("nan")] * n, dtype="float64")
            )
        elif name in _TEXT:
            series = table[name] if present else pd.Series([""] * n)
            columns[name] = series.fillna("").astype(str).astype(object)
        elif name in ("period_start", "period_end"):
            series = table[name] if present else pd.Series([pd.NaT] * n)
            columns[name] = pd.to_datetime(series).astype("datetime64[ns]")
        elif name in ("suppressed", "small_numbers"):
            series = table[name] if present else pd.Series([False] * n)
            columns[name] = series.fillna(False).astype(bool)
        elif name == "non_adverse_range":
            series = table[name] if present else pd.Series([pd.NA] * n)
            columns[name] = series.astype("boolean")
    result = pd.DataFrame({k: v.reset_index(drop=True) for k, v in columns.items()})
    order = table["group_order"] if "group_order" in table.columns else pd.Series([0] * n)
    result["group_order"] = pd.to_numeric(order).fillna(0).astype("int64").to_numpy()
    result = result.sort_values(_SORT_KEYS, kind="mergesort").reset_index(drop=True)
    return result.drop(columns="group_order")
