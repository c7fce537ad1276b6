"""Ethnicity recording completeness: the share of records with a stated ethnic category."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from equitymetrics import stats
from equitymetrics.taxonomy import STATED_CODES

__all__ = ["recording_results"]

_KEYS = ["period_start", "period_end", "unit_type", "unit"]


def recording_results(
    counts: Mapping[str, pd.DataFrame], *, confidence_level: float
) -> pd.DataFrame:
    """One row per table and unit: records with a stated ethnicity / all records (Wilson).

    Parameters
    ----------
    counts : mapping of str to DataFrame
        Table label (e.g. "inpatients") -> counts with columns period_start, period_end,
        unit_type, unit, ethnic_category and ``count``.
    """
    rows = []
    for label, frame in counts.items():
        if frame.empty:
            continue
        stated = frame["ethnic_category"].isin(STATED_CODES)
        totals = frame.groupby(_KEYS, as_index=False, sort=True)[["count"]].sum()
        known = (
            frame[stated]
            .groupby(_KEYS, as_index=False, sort=True)[["count"]]
            .sum()
            .rename(columns={"count": "stated"})
        )
        table = totals.merge(known, on=_KEYS, how="left").fillna({"stated": 0})
        result = stats.proportion(
            table["stated"].to_numpy(dtype=float),
            table["count"].to_numpy(dtype=float),
            multiplier=100.0,
            confidence_level=confidence_level,
        )
        rows.append(
            table[_KEYS].assign(
                measure="ethnicity_recording",
                grouping="recording",
                group=label,
                numerator=table["stated"].to_numpy(dtype=float),
                denominator=table["count"].to_numpy(dtype=float),
                value=result.estimate,
                lower_ci=result.lower,
                upper_ci=result.upper,
                confidence_level=confidence_level,
                multiplier=100.0,
                method=result.method,
                adjustment="none",
                significance="not compared",
                note=[str(n) for n in result.note],
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
