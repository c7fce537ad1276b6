"""Turn grouped counts into results rows: estimate, interval, ratio to the reference, excess.

The input is a small counts table with one row per table key (period, unit, ...) and group, with
a numerator and a denominator (people, or exposure such as occupied bed days or population).
Groups that are not groups for comparison ("Not stated", "Not known", "Unrecognised") are kept as
rows, with their value, but get no ratio; their counts drive the sensitivity bounds instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from equitymetrics import stats

__all__ = ["ALL_GROUP", "Comparison", "comparison_rows", "significance_labels"]

Kind = Literal["proportion", "rate"]

SMALL_NUMBER_THRESHOLD = 10
"""Numerators below this are flagged as small numbers (UK public-health convention)."""

ALL_GROUP = "All"
"""Label of the row that counts everybody in the table, whatever their ethnicity."""


@dataclass(frozen=True)
class Comparison:
    """Who is compared with whom.

    Attributes
    ----------
    grouping : str
        Name of the grouping ("nhs16", "broad", "binary", or a custom name).
    reference : str
        The reference group label; ratios are group / reference.
    groups : tuple of str
        The comparable groups in display order (the reference among them).
    confidence_level : float
        Two-sided level for every interval.
    """

    grouping: str
    reference: str
    groups: tuple[str, ...]
    confidence_level: float = 0.95

    def order_of(self, group: str) -> int:
        """Display position: comparable groups in their order, then the rest, then "All"."""
        if group == ALL_GROUP:
            return len(self.groups) + 1
        return self.groups.index(group) if group in self.groups else len(self.groups)


def significance_labels(ratio: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """'higher' / 'lower' when the interval excludes 1, else 'no evidence of a difference'.

    Rows without a ratio are 'not compared'.
    """
    label = np.full(ratio.shape, "no evidence of a difference", dtype=object)
    label[lower > 1] = "higher"
    label[upper < 1] = "lower"
    label[~np.isfinite(ratio) & ~np.isinf(ratio)] = "not compared"
    label[np.isnan(lower) | np.isnan(upper)] = "not compared"
    return label


def _value(
    kind: Kind,
    numerator: np.ndarray,
    denominator: np.ndarray,
    *,
    multiplier: float,
    confidence_level: float,
) -> stats.IntervalResult:
    if kind == "proportion":
        return stats.proportion(
            numerator, denominator, multiplier=multiplier, confidence_level=confidence_level
        )
    return stats.crude_rate(
        numerator, denominator, multiplier=multiplier, confidence_level=confidence_level
    )


def _ratio(
    kind: Kind,
    a: np.ndarray,
    n1: np.ndarray,
    c: np.ndarray,
    n0: np.ndarray,
    *,
    confidence_level: float,
) -> stats.IntervalResult:
    if kind == "proportion":
        return stats.risk_ratio(a, n1, c, n0, confidence_level=confidence_level)
    return stats.rate_ratio(a, n1, c, n0, confidence_level=confidence_level)


def _sensitivity(
    kind: Kind,
    a: np.ndarray,
    n1: np.ndarray,
    c: np.ndarray,
    n0: np.ndarray,
    ua: np.ndarray,
    un: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio if all records of unknown ethnicity belonged to the group, or to the reference.

    For a proportion the unknown records add ``ua`` events and ``un`` people; for a rate they
    add ``ua`` events and ``un`` exposure. Returns (smaller, larger) of the two scenarios.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        all_to_group = ((a + ua) / (n1 + un)) / (c / n0)
        all_to_reference = (a / n1) / ((c + ua) / (n0 + un))
    del kind  # the same algebra serves both kinds
    return np.fmin(all_to_group, all_to_reference), np.fmax(all_to_group, all_to_reference)


def comparison_rows(
    counts: pd.DataFrame,
    *,
    measure: str,
    comparison: Comparison,
    kind: Kind,
    multiplier: float,
    keys: Sequence[str] = ("period_start", "period_end", "unit_type", "unit"),
    adjustment: str = "none",
) -> pd.DataFrame:
    """Results rows for one measure from grouped counts.

    Parameters
    ----------
    counts : DataFrame
        Columns ``keys``, ``group``, ``numerator``, ``denominator``. One row per key and group.
    measure : str
        Measure identifier written in the ``measure`` column.
    comparison : Comparison
        Grouping, reference group, comparable groups and confidence level.
    kind : {"proportion", "rate"}
        Proportion (Wilson; risk ratio, Katz) or rate (Byar/exact; rate ratio, log method).
    multiplier : float
        100 for percentages, 1,000 for rates per 1,000 bed days, 100,000 for population rates.

    Returns
    -------
    DataFrame
        Results-table columns (see :data:`RESULT_COLUMNS`) for every input row. Excess events
        are ``numerator - denominator x reference rate``, the events above (or, negative, below)
        what the reference group's rate would give.
    """
    level = comparison.confidence_level
    table = counts.reset_index(drop=True).copy()
    keys = list(keys)
    numerator = table["numerator"].to_numpy(dtype=np.float64)
    denominator = table["denominator"].to_numpy(dtype=np.float64)
    value = _value(kind, numerator, denominator, multiplier=multiplier, confidence_level=level)

    comparable = table["group"].isin(comparison.groups).to_numpy()
    is_all = (table["group"] == ALL_GROUP).to_numpy()
    reference_rows = table.loc[
        table["group"] == comparison.reference, [*keys, "numerator", "denominator"]
    ]
    reference_rows = reference_rows.rename(
        columns={"numerator": "reference_numerator", "denominator": "reference_denominator"}
    )
    unknown = (
        table.loc[~comparable & ~is_all]
        .groupby(keys, dropna=False, sort=False)[["numerator", "denominator"]]
        .sum()
        .rename(columns={"numerator": "unknown_numerator", "denominator": "unknown_denominator"})
        .reset_index()
    )
    merged = (
        table[keys].merge(reference_rows, on=keys, how="left").merge(unknown, on=keys, how="left")
    )
    c = merged["reference_numerator"].to_numpy(dtype=np.float64)
    n0 = merged["reference_denominator"].to_numpy(dtype=np.float64)
    ua = merged["unknown_numerator"].fillna(0).to_numpy(dtype=np.float64)
    un = merged["unknown_denominator"].fillna(0).to_numpy(dtype=np.float64)

    is_reference = (table["group"] == comparison.reference).to_numpy()
    can_compare = comparable & ~is_reference & np.isfinite(c) & (n0 > 0) & (denominator > 0)
    ratio = np.full(len(table), np.nan)
    ratio_lower = np.full(len(table), np.nan)
    ratio_upper = np.full(len(table), np.nan)
    ratio_method = np.full(len(table), "", dtype=object)
    notes: list[list[str]] = [[] for _ in range(len(table))]
    if can_compare.any():
        result = _ratio(
            kind,
            numerator[can_compare],
            denominator[can_compare],
            c[can_compare],
            n0[can_compare],
            confidence_level=level,
        )
        ratio[can_compare] = result.estimate
        ratio_lower[can_compare] = result.lower
        ratio_upper[can_compare] = result.upper
        ratio_method[can_compare] = result.method
        for index, note in zip(np.flatnonzero(can_compare), result.note, strict=True):
            if note:
                notes[index].append(f"ratio: {note}")
    ratio[is_reference] = 1.0
    ratio_method[is_reference] = "reference group"

    with np.errstate(divide="ignore", invalid="ignore"):
        expected = denominator * (c / n0)
    excess = np.where(comparable & np.isfinite(expected), numerator - expected, np.nan)
    sens_low, sens_high = _sensitivity(kind, numerator, denominator, c, n0, ua, un)
    has_unknown = (un > 0) & comparable & ~is_reference
    sens_low = np.where(has_unknown & can_compare, sens_low, np.nan)
    sens_high = np.where(has_unknown & can_compare, sens_high, np.nan)

    for index in np.flatnonzero(~comparable & ~is_all):
        notes[index].append("ethnicity not recorded: not a group for comparison")
    for index in np.flatnonzero(is_all):
        notes[index].append("everyone in the table, whatever their ethnicity")
    for index in np.flatnonzero(comparable & ~is_reference & ~can_compare):
        if not np.isfinite(c[index]):
            notes[index].append(f"no {comparison.reference} reference group in this table")
        elif n0[index] == 0:
            notes[index].append("reference group has no denominator")
        elif denominator[index] == 0:
            notes[index].append("group has no denominator")
    for position, note in enumerate(value.note):
        if note:
            notes[position].append(str(note))
    small = (numerator < SMALL_NUMBER_THRESHOLD) & (denominator > 0)
    for index in np.flatnonzero(small):
        notes[index].append(f"small numbers: fewer than {SMALL_NUMBER_THRESHOLD} events")

    rows = table[keys].copy()
    rows["measure"] = measure
    rows["grouping"] = comparison.grouping
    rows["group"] = table["group"].astype(str).to_numpy()
    rows["group_order"] = [comparison.order_of(g) for g in rows["group"]]
    rows["numerator"] = numerator
    rows["denominator"] = denominator
    rows["value"] = value.estimate
    rows["lower_ci"] = value.lower
    rows["upper_ci"] = value.upper
    rows["confidence_level"] = level
    rows["multiplier"] = multiplier
    rows["method"] = value.method
    rows["adjustment"] = adjustment
    rows["reference_group"] = comparison.reference
    rows["ratio"] = ratio
    rows["ratio_lower_ci"] = ratio_lower
    rows["ratio_upper_ci"] = ratio_upper
    rows["ratio_method"] = ratio_method
    rows["excess_events"] = excess
    rows["ratio_sensitivity_lower"] = sens_low
    rows["ratio_sensitivity_upper"] = sens_high
    rows["significance"] = significance_labels(ratio, ratio_lower, ratio_upper)
    rows.loc[is_reference, "significance"] = "reference group"
    rows.loc[is_all, "significance"] = "not compared"
    rows["small_numbers"] = small
    rows["note"] = ["; ".join(n) for n in notes]
    return rows
