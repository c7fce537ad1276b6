"""Adjusted comparisons: Mantel-Haenszel ratios pooled over strata (wards, or age x sex).

"Compared with White patients on the same ward" is answered by a risk ratio pooled over ward
strata: within each ward, the group's share restricted is compared with the reference group's
share on that ward, and the ward-specific comparisons are combined with Mantel-Haenszel weights
(Greenland and Robins 1985 variance). A ward where either group has nobody contributes nothing
and is counted in the note.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from equitymetrics import stats
from equitymetrics.measures._compare import Comparison, Kind, significance_labels

__all__ = ["stratified_rows"]


def stratified_rows(
    counts: pd.DataFrame,
    *,
    measure: str,
    comparison: Comparison,
    kind: Kind,
    stratum: Sequence[str],
    adjustment: str,
    keys: Sequence[str] = ("period_start", "period_end", "unit_type", "unit"),
) -> pd.DataFrame:
    """One row per table key and comparable group with a Mantel-Haenszel ratio to the reference.

    Parameters
    ----------
    counts : DataFrame
        Columns ``keys``, the ``stratum`` columns, ``group``, ``numerator``, ``denominator``.
    kind : {"proportion", "rate"}
        Pooled risk ratio (Greenland-Robins) or pooled rate ratio (person-time).
    stratum : sequence of str
        The columns that define a stratum (e.g. ``["ward"]`` or ``["age_band", "sex"]``).
    adjustment : str
        Label written to the ``adjustment`` column, e.g. ``"ward (Mantel-Haenszel)"``.

    Returns
    -------
    DataFrame
        Rows with ``numerator`` and ``denominator`` summed over the strata (for ward strata a
        person on two wards counts twice), ``value`` left empty (an adjusted row carries a ratio,
        not a level) and the pooled ratio with its interval.
    """
    keys = list(keys)
    stratum = list(stratum)
    level = comparison.confidence_level
    rows: list[dict[str, object]] = []
    data = counts[counts["group"].isin(comparison.groups)]
    for key, table in data.groupby(keys, sort=True, dropna=False):
        key_values = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        wide_num = table.pivot_table(
            index="group",
            columns=stratum,
            values="numerator",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        )
        wide_den = table.pivot_table(
            index="group",
            columns=stratum,
            values="denominator",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        )
        wide_den = wide_den.reindex(columns=wide_num.columns, fill_value=0)
        for group in comparison.groups:
            if group not in wide_num.index:
                continue
            a = wide_num.loc[group].to_numpy(dtype=np.float64)
            n1 = wide_den.loc[group].to_numpy(dtype=np.float64)
            row: dict[str, object] = {
                **key_values,
                "measure": measure,
                "grouping": comparison.grouping,
                "group": group,
                "group_order": comparison.order_of(group),
                "numerator": float(a.sum()),
                "denominator": float(n1.sum()),
                "confidence_level": level,
                "adjustment": adjustment,
                "reference_group": comparison.reference,
            }
            notes: list[str] = []
            if group == comparison.reference:
                row.update(
                    ratio=1.0, ratio_method="reference group", significance="reference group"
                )
            elif comparison.reference not in wide_num.index:
                notes.append(f"no {comparison.reference} reference group in this table")
                row["significance"] = "not compared"
            else:
                c = wide_num.loc[comparison.reference].to_numpy(dtype=np.float64)
                n0 = wide_den.loc[comparison.reference].to_numpy(dtype=np.float64)
                result: stats.MantelHaenszelResult | stats.MantelHaenszelRateRatioResult
                if kind == "proportion":
                    result = stats.mantel_haenszel_risk_ratio(a, n1, c, n0, confidence_level=level)
                else:
                    result = stats.mantel_haenszel_rate_ratio(a, n1, c, n0, confidence_level=level)
                estimate = np.atleast_1d(result.estimate)
                lower = np.atleast_1d(result.lower)
                upper = np.atleast_1d(result.upper)
                row.update(
                    ratio=float(estimate[0]),
                    ratio_lower_ci=float(lower[0]),
                    ratio_upper_ci=float(upper[0]),
                    ratio_method=str(np.atleast_1d(result.method)[0]),
                    significance=str(significance_labels(estimate, lower, upper)[0]),
                )
                used = int(np.atleast_1d(result.strata_used)[0])
                skipped = int(np.atleast_1d(result.strata_skipped)[0])
                notes.append(
                    f"pooled over {used} strata; {skipped} strata without information "
                    "for this comparison were skipped"
                )
                note = str(np.atleast_1d(result.note)[0])
                if note:
                    notes.append(note)
            row["note"] = "; ".join(notes)
            row["small_numbers"] = bool(a.sum() < 10 and n1.sum() > 0)
            rows.append(row)
    return pd.DataFrame(rows)
