"""Apply a disclosure policy to a results table: the published copy, never the original."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.extensions import ExtensionArray

from equitymetrics.disclosure._linear import FloatArray
from equitymetrics.disclosure._policies import ADDITIVE_COLUMNS, DisclosurePolicy
from equitymetrics.disclosure._secondary import secondary_suppression
from equitymetrics.disclosure._tables import (
    TOTAL_UNIT_TYPE,
    build_linkage,
    build_system,
    warn_incomplete_periods,
)
from equitymetrics.disclosure._validation import (
    count_values,
    resolve_policy,
    validate_nesting,
    validate_parents,
    validate_results,
)
from equitymetrics.disclosure._withhold import withhold_statistics
from equitymetrics.exceptions import DataQualityWarning

__all__ = ["apply_disclosure"]

BoolArray = npt.NDArray[np.bool_]

_LABELS = {"numerator": "numerator", "denominator": "denominator", "excess_events": "excess events"}


def _rounded(values: FloatArray, base: int) -> FloatArray:
    """Nearest multiple of ``base``, halves away from zero (base 1 leaves values exact)."""
    if base == 1:
        return values
    return np.sign(values) * np.floor(np.abs(values) / base + 0.5) * base


def _small(values: FloatArray, policy: DisclosurePolicy) -> BoolArray:
    size = np.abs(values)
    zero = (values == 0) & (not policy.show_zero)
    return np.asarray(zero | ((size > 0) & (size < policy.suppress_below)), dtype=bool)


def _primary_note(column: str, policy: DisclosurePolicy) -> str:
    label = _LABELS[column]
    if column == "excess_events":
        size = "of magnitude above 0 and under" if policy.show_zero else "of magnitude under"
        return f"{label} {size} {policy.suppress_below} suppressed ({policy.description})"
    if policy.show_zero:
        return f"{label} 1-{policy.suppress_below - 1} suppressed ({policy.description})"
    return f"{label} under {policy.suppress_below} suppressed ({policy.description})"


def _secondary_note(column: str) -> str:
    return (
        f"{_LABELS[column]} secondarily suppressed so that a suppressed count cannot be "
        "recovered from the totals"
    )


def _as_published(values: FloatArray) -> ExtensionArray:
    """Nullable integers when every published value is whole, otherwise nullable floats."""
    present = values[~np.isnan(values)]
    floats = pd.array(values, dtype="Float64")
    if np.all(present == np.round(present)):
        return cast(ExtensionArray, floats.astype("Int64"))
    return floats


def _append_notes(existing: pd.Series, additions: list[list[str]]) -> list[object]:
    """Each row's note with its new reasons appended ("; "), skipping reasons already there."""
    notes: list[object] = []
    for old, new in zip(existing.astype(object).tolist(), additions, strict=True):
        text = "" if pd.isna(old) else str(old)
        fresh = [note for note in dict.fromkeys(new) if note not in text]
        if not fresh:
            notes.append(old)
        else:
            notes.append("; ".join([text, *fresh]) if text else "; ".join(fresh))
    return notes


def _warn_unknown_links(
    results: pd.DataFrame, policy: DisclosurePolicy, no_parents: bool, no_nesting: bool
) -> None:
    """Warn when sums that the caller has not described may link the tables."""
    types = set(results["unit_type"].dropna().astype(str))
    types -= {TOTAL_UNIT_TYPE, *policy.exempt_unit_types}
    if no_parents and len(types) > 1:
        warnings.warn(
            f"the results hold units of types {sorted(types)} but unit_parents was not given: "
            "a count suppressed in one unit could be recovered from the unit that contains it. "
            "Pass unit_parents={('ward', name): ('division', name), ...}, or unit_parents={} "
            "if no unit contains another.",
            DataQualityWarning,
            stacklevel=3,
        )
    groupings = results.groupby("measure", dropna=False)["grouping"].nunique()
    if no_nesting and bool((groupings > 1).any()):
        warnings.warn(
            "the results hold several groupings of one measure but nested_groupings was not "
            "given: a count suppressed in a fine group could be recovered from the coarse group "
            "that contains it. Pass nested_groupings={('nhs16', 'broad'): {...}, ...}, or "
            "nested_groupings={} if no grouping nests in another.",
            DataQualityWarning,
            stacklevel=3,
        )


def apply_disclosure(
    results: pd.DataFrame,
    policy: DisclosurePolicy | str,
    *,
    unit_parents: Mapping[tuple[str, str], tuple[str, str]] | None = None,
    nested_groupings: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Make a results table safe to publish under a disclosure-control policy.

    Returns a new table with the same rows in the same order (the input is never changed).
    Counts (``policy.count_columns``) are rounded or suppressed (a missing value) by the
    policy's rule; further counts are suppressed (secondary suppression) until no suppressed
    count can be worked out from totals, other units or other tables; and every statistic that
    would reveal a suppressed count is withheld. Statistics are never rounded: they were
    computed on exact counts before this step. ``suppressed`` says whether anything in a row was
    withheld and ``note`` (appended to, never overwritten) says why.

    Parameters
    ----------
    results : pandas.DataFrame
        A results table (one row per measure x period x unit x group) with at least the
        columns ``measure``, ``period_start``, ``period_end``, ``unit_type``, ``unit``,
        ``grouping``, ``adjustment``, ``group`` and the policy's count columns.
    policy : DisclosurePolicy or str
        A policy, or the name of a built-in one (:func:`list_policies`).
    unit_parents : mapping, optional
        ``{(unit_type, unit): (unit_type, unit)}``: the unit that contains each unit, for
        example ``{("ward", "Oak"): ("division", "Adult"), ...}``. A division's count is the
        sum of its wards', so without this a count suppressed in one ward could be recovered
        from its division. Pass ``{}`` to say that no unit below the trust contains another;
        if the results hold two unit types besides the trust and this is not given, a
        :class:`~equitymetrics.exceptions.DataQualityWarning` is issued.
    nested_groupings : mapping, optional
        ``{(fine grouping, coarse grouping): {fine group: coarse group}}``, for example
        ``{("nhs16", "broad"): {"African": "Black", ...}}``. Counts of the finer groups add up
        to the coarser group, so a suppressed count could otherwise be recovered across
        groupings. (Groupings that share the labels "White", "Not stated", "Not known" and
        "All", such as broad and binary, are linked without it.) Pass ``{}`` to say that no
        grouping nests in another; if the results hold several groupings of one measure and
        this is not given, a :class:`~equitymetrics.exceptions.DataQualityWarning` is issued.

    Returns
    -------
    pandas.DataFrame
        The published table; count columns become nullable (``Int64`` when every published
        value is whole) with ``<NA>`` where suppressed.

    Raises
    ------
    InvalidTypeError
        If ``results`` is not a DataFrame or ``policy`` is neither a policy nor a name.
    UnknownMethodError
        If ``policy`` names no built-in policy.
    DataValidationError
        If a required column is missing, a count is negative or not a number, or a table row
        is repeated; ``.failures`` lists every problem.

    Notes
    -----
    Rules, in order:

    1. *Primary*: a count ``x`` with ``0 < |x| < suppress_below`` (or ``x == 0`` when the
       policy does not show zeros) is suppressed; others are rounded to the nearest multiple
       of ``rounding_base``, halves away from zero. Exempt unit types are left exact.
    2. *Secondary* (numerator and denominator): a reader is assumed to know every published
       count exactly, every sum between rows, and that a suppressed count is at least 1 when
       zeros are shown. Until each suppressed count could be one more or one less than it is
       without contradicting any of that, the smallest published count beside an exposed one is
       suppressed too (see the module documentation of the secondary step).
    3. *Statistics*: where a row's numerator or denominator is suppressed, ``value``, its
       interval, the ratio and its interval, and ``excess_events`` are withheld; where a
       table's reference-group row has a suppressed count, every ratio, ratio interval and
       excess in that table is withheld (they reveal the reference rate). The columns the
       measures add beyond the contract follow: ``significance``, ``non_adverse_range``,
       ``small_numbers`` and ``interpretation`` (which quotes the figures) with the
       statistics, and ``ratio_sensitivity_lower``/``_upper`` also wherever the table's
       "Not stated", "Not known" or "Unrecognised" count is suppressed (they are computed
       from those counts).

    Applying the same policy twice gives the same table as applying it once: counts that are
    already missing in a row marked ``suppressed`` count as suppressed.

    Examples
    --------
    >>> import pandas as pd
    >>> from equitymetrics.disclosure import apply_disclosure
    >>> table = pd.DataFrame({
    ...     "measure": "m", "period_start": "2025-04-01", "period_end": "2025-06-30",
    ...     "unit_type": "trust", "unit": "T", "grouping": "binary", "adjustment": "none",
    ...     "group": ["White", "BME", "All"], "numerator": [40, 3, 43],
    ...     "denominator": [400, 60, 460], "excess_events": [0.0, -3.0, None],
    ...     "value": [10.0, 5.0, 43 / 4.6]})
    >>> published = apply_disclosure(table, "nhs_secondary_care")
    >>> published["numerator"].tolist()
    [<NA>, <NA>, 45]
    >>> published["suppressed"].tolist()
    [True, True, False]
    """
    resolved = resolve_policy(policy)
    nesting = validate_nesting(nested_groupings)
    parents = validate_parents(unit_parents)
    validate_results(results, resolved)
    if resolved.secondary_suppression:
        _warn_unknown_links(results, resolved, unit_parents is None, nested_groupings is None)
    published = results.copy(deep=True)
    size = len(published)
    if "suppressed" in published.columns:
        flagged_before = published["suppressed"].astype(object).fillna(False).to_numpy(dtype=bool)
    else:
        flagged_before = np.zeros(size, dtype=bool)
    unit_type = published["unit_type"].astype(object).to_numpy()
    exempt = np.array([t in resolved.exempt_unit_types for t in unit_type], dtype=bool)
    linkage = build_linkage(published, resolved.exempt_unit_types, nesting, parents)
    if resolved.secondary_suppression:
        warn_incomplete_periods(published, linkage)

    notes: list[list[str]] = [[] for _ in range(size)]
    hidden_count = np.zeros(size, dtype=bool)
    count_hidden: dict[str, BoolArray] = {}
    for column in dict.fromkeys(resolved.count_columns):
        values = count_values(published, column)
        withheld = np.isnan(values) & flagged_before
        primary = ~exempt & ~np.isnan(values) & _small(values, resolved)
        secondary = np.zeros(size, dtype=bool)
        if column in ADDITIVE_COLUMNS and resolved.secondary_suppression and primary.any():
            system = build_system(column, values, linkage)
            inside = system.row_cell >= 0
            cell_primary = np.zeros(len(system.values), dtype=bool)
            cell_primary[system.row_cell[primary & inside]] = True
            extra = secondary_suppression(system, cell_primary, lower_bound=resolved.lower_bound)
            secondary[inside] = extra[system.row_cell[inside]] & ~primary[inside]
        for row in np.flatnonzero(primary):
            notes[row].append(_primary_note(column, resolved))
        for row in np.flatnonzero(secondary):
            notes[row].append(_secondary_note(column))
        suppressed = primary | secondary
        shown = np.where(exempt, values, _rounded(values, resolved.rounding_base))
        published[column] = _as_published(np.where(suppressed, np.nan, shown))
        count_hidden[column] = suppressed | withheld
        if column in ADDITIVE_COLUMNS:
            hidden_count |= suppressed | withheld

    statistics_withheld = withhold_statistics(published, hidden_count, linkage, notes)

    any_count = np.zeros(size, dtype=bool)
    for hidden in count_hidden.values():
        any_count |= hidden
    published["suppressed"] = flagged_before | any_count | statistics_withheld
    existing = published["note"] if "note" in published.columns else pd.Series([""] * size)
    published["note"] = pd.Series(
        _append_notes(existing, notes), index=published.index, dtype="str"
    )
    return published
