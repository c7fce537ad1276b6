"""Shared pieces of every aggregation: exclusion reasons, the exclusions frame, output frames.

Each record-level row (for each period) gets one ``reason``: the first rule in a fixed order
that it breaks, or none when it is used. Rows with a reason are counted in the ``exclusions``
frame (``period_start``, ``period_end``, ``table``, ``reason``, ``rows``), so that for every
period and table the rows used plus the rows excluded add up to the rows given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import pandas as pd
from pandas.api.types import pandas_dtype

from equitymetrics.aggregate._engine import Frame
from equitymetrics.aggregate._periods import NEXT
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = [
    "Classified",
    "Counts",
    "EXCLUSION_COLUMNS",
    "EXCLUSION_DTYPES",
    "PERIOD_DTYPES",
    "REASON",
    "exclusion_counts",
    "finalise",
    "first_reason",
    "missing_rules",
    "check_label",
    "classify",
    "distinct",
]

REASON = "_reason"
"""Internal column holding each row's exclusion reason (null when the row is used)."""

PERIOD_DTYPES: dict[str, str] = {
    "period_start": "datetime64[ns]",
    "period_end": "datetime64[ns]",
}

EXCLUSION_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "table": "str",
    "reason": "str",
    "rows": "int64",
}
EXCLUSION_COLUMNS: tuple[str, ...] = tuple(EXCLUSION_DTYPES)


@dataclass(frozen=True, slots=True)
class Counts:
    """A counts table and the exclusions made while building it.

    Attributes
    ----------
    counts : pandas.DataFrame
        The sufficient statistics, one row per combination of the key columns that occurs.
    exclusions : pandas.DataFrame
        ``period_start``, ``period_end``, ``table``, ``reason``, ``rows``: the number of input
        rows not used, by reason.
    """

    counts: pd.DataFrame
    exclusions: pd.DataFrame


def first_reason(rules: Sequence[tuple[nw.Expr, str]]) -> nw.Expr:
    """Expression: the reason of the first rule whose condition holds, else null (row used).

    Conditions are evaluated in order, so a later condition may assume that the earlier ones
    are false (for example that a column checked for missing values earlier is present).
    """
    result = nw.lit(None, nw.String)
    for condition, reason in reversed(rules):
        result = nw.when(condition).then(nw.lit(reason)).otherwise(result)
    return result.alias(REASON)


def missing_rules(columns: Sequence[str]) -> list[tuple[nw.Expr, str]]:
    """Rules ``"missing <column>"`` for required columns."""
    return [(nw.col(name).is_null(), f"missing {name}") for name in columns]


def distinct(frame: Frame, *columns: str) -> Frame:
    """The distinct combinations of ``columns`` (a hash group-by: fast on every engine)."""
    return frame.group_by(*columns).agg(nw.len().alias("_rows")).select(*columns)


@dataclass(frozen=True, slots=True)
class Classified:
    """Rows placed in periods and used, and the exclusions (:data:`EXCLUSION_COLUMNS`)."""

    used: Frame
    exclusions: Frame


OUTSIDE_PERIOD = "outside the period"


def classify(
    frame: Frame,
    periods: Frame,
    *,
    table: str,
    unplaceable: Sequence[tuple[nw.Expr, str]],
    inside: nw.Expr,
    rules: Sequence[tuple[nw.Expr, str]],
    enrich: Callable[[Frame], Frame] | None = None,
    persist: Callable[[Frame], Frame] | None = None,
    keep: Sequence[str] | None = None,
) -> Classified:
    """Place each row in the periods it belongs to, and give each placed row its reason.

    1. A row that breaks an ``unplaceable`` rule (for example, no date) cannot be placed in any
       period: it is excluded, with that reason, in every period.
    2. Every other row is paired with each period where ``inside`` holds (a join that engines
       run as a range join), then ``enrich`` adds columns (such as person attributes) and the
       row gets the first of ``rules`` it breaks, or none when it is used. Only the period
       columns, the reason and ``keep`` (when given) are kept; ``persist`` (the session's)
       computes these placed rows once, as later steps read them several times.
    3. A placeable row not placed in a period is counted there as "outside the period".

    So for each period, the rows of the table are the used rows plus the excluded rows.
    """
    flagged = frame.with_columns(first_reason(unplaceable))
    unplaced = (
        flagged.filter(~nw.col(REASON).is_null())
        .group_by(REASON)
        .agg(nw.len().alias("rows"))
        .join(periods.select("period_start", "period_end"), how="cross")
        .select(
            "period_start",
            "period_end",
            nw.lit(table).alias("table"),
            nw.col(REASON).alias("reason"),
            nw.col("rows").cast(nw.Int64),
        )
    )
    placeable = flagged.filter(nw.col(REASON).is_null()).drop(REASON)
    placed = placeable.join(periods, how="cross").filter(inside)
    if enrich is not None:
        placed = enrich(placed)
    placed = placed.with_columns(first_reason(rules))
    if keep is not None:
        placed = placed.select("period_start", "period_end", NEXT, REASON, *keep)
    if persist is not None:
        placed = persist(placed)
    placed_rows = placed.group_by("period_start").agg(nw.len().alias("_placed"))
    outside = (
        periods.select("period_start", "period_end")
        .join(placed_rows, on="period_start", how="left")
        .join(placeable.select(nw.len().alias("_placeable")), how="cross")
        .with_columns(
            (nw.col("_placeable") - nw.col("_placed").fill_null(0)).cast(nw.Int64).alias("rows")
        )
        .filter(nw.col("rows") > 0)
        .select(
            "period_start",
            "period_end",
            nw.lit(table).alias("table"),
            nw.lit(OUTSIDE_PERIOD).alias("reason"),
            "rows",
        )
    )
    exclusions = nw.concat(
        [unplaced, outside, exclusion_counts(placed, table).select(*EXCLUSION_COLUMNS)]
    )
    return Classified(used=placed.filter(nw.col(REASON).is_null()), exclusions=exclusions)


def exclusion_counts(frame: Frame, table: str) -> Frame:
    """Count the rows of ``frame`` with a reason, by period and reason."""
    return (
        frame.filter(~nw.col(REASON).is_null())
        .group_by("period_start", "period_end", REASON)
        .agg(nw.len().alias("rows"))
        .select(
            "period_start",
            "period_end",
            nw.lit(table).alias("table"),
            nw.col(REASON).alias("reason"),
            nw.col("rows").cast(nw.Int64),
        )
    )


def finalise(frame: pd.DataFrame, dtypes: Mapping[str, str], keys: Sequence[str]) -> pd.DataFrame:
    """Fix the column order and dtypes of a collected frame and sort it by ``keys``.

    Missing period columns (tables without periods) are filled with ``NaT``. Integer columns
    must hold whole numbers; a fractional value raises rather than being truncated.
    """
    result = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for column, dtype in dtypes.items():
        if column in frame.columns:
            values = frame[column].reset_index(drop=True)
        elif column in PERIOD_DTYPES:
            values = pd.Series(pd.NaT, index=result.index)
        else:  # pragma: no cover - a definition always produces its columns
            raise KeyError(column)
        result[column] = _as_dtype(values, dtype, column)
    if len(result):
        result = result.sort_values(list(keys), kind="mergesort", na_position="last")
    return result.reset_index(drop=True)


def _as_dtype(values: pd.Series, dtype: str, column: str) -> pd.Series:
    if dtype == "int64":
        numbers = pd.to_numeric(values).astype("float64")
        bad = numbers.isna() | (numbers != numbers.round())
        if bad.any():
            raise InvalidArgumentError(
                f"{column} must hold whole numbers; got {values[bad].iloc[0]!r} (row "
                f"{int(bad.to_numpy().argmax())} of the result). Check the input column."
            )
        return numbers.astype("int64")
    if dtype == "float64":
        return pd.to_numeric(values).astype("float64")
    if dtype.startswith("datetime64"):
        return pd.to_datetime(values).astype(pandas_dtype(dtype))
    return values.astype(pandas_dtype(dtype))


def check_label(value: Any, argument: str) -> str:
    """Check a non-empty text argument (such as the trust's name)."""
    if not isinstance(value, str):
        raise InvalidTypeError(f"{argument} must be a string; got {type(value).__name__}.")
    if not value.strip():
        raise InvalidArgumentError(f"{argument} must not be empty; give a name such as 'Trust'.")
    return value
