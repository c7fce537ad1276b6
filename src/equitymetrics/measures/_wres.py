"""Workforce Race Equality Standard (WRES) indicators 1-9 with confidence intervals.

WRES compares White staff with BME staff (the label is configurable). Relative likelihoods are
reported on the row of the group that the official definition puts on top: indicators 2 and 4 on
the White row (reference group BME), indicator 3 on the BME row (reference group White). WRES
itself publishes no confidence intervals; the intervals here are Katz log intervals for a ratio of
two proportions. ``non_adverse_range`` says whether a relative likelihood lies in 0.80-1.25.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from equitymetrics import stats
from equitymetrics.measures._compare import Comparison, comparison_rows
from equitymetrics.measures._groups import roll_up
from equitymetrics.taxonomy import Grouping, assign_group

__all__ = ["NON_ADVERSE_RANGE", "WorkforceCounts", "wres_results"]

NON_ADVERSE_RANGE = (0.80, 1.25)
"""Relative likelihoods inside this range are 'non-adverse' in WRES (the four-fifths rule)."""

_KEYS = ("period_start", "period_end", "unit_type", "unit")


@dataclass(frozen=True)
class WorkforceCounts:
    """Counts for the WRES indicators of one reporting year.

    Attributes
    ----------
    year_start, year_end : date
        The WRES year (1 April to 31 March).
    staff : DataFrame
        Staff at year end: ethnic_category, band, clinical, board_member, headcount.
    staff_previous : DataFrame
        Staff a year earlier (same columns), for the two-year disciplinary denominator.
    recruitment : DataFrame
        ethnic_category, shortlisted, appointed (appointed among shortlisted).
    disciplinary : DataFrame
        ethnic_category, cases in the year.
    disciplinary_previous : DataFrame
        ethnic_category, cases in the previous year.
    training : DataFrame
        ethnic_category, staff, accessed.
    survey : DataFrame
        indicator ("5"-"8"), group ("White"/"BME"), respondents, positive, for one survey year.
    """

    year_start: dt.date
    year_end: dt.date
    staff: pd.DataFrame
    staff_previous: pd.DataFrame
    recruitment: pd.DataFrame
    disciplinary: pd.DataFrame
    disciplinary_previous: pd.DataFrame
    training: pd.DataFrame
    survey: pd.DataFrame


def _keyed(frame: pd.DataFrame, counts: WorkforceCounts, trust: str) -> pd.DataFrame:
    return frame.assign(
        period_start=pd.Timestamp(counts.year_start),
        period_end=pd.Timestamp(counts.year_end),
        unit_type="trust",
        unit=trust,
    )


def _flag_range(rows: pd.DataFrame) -> pd.DataFrame:
    low, high = NON_ADVERSE_RANGE
    has_ratio = rows["ratio_method"].ne("reference group") & rows["ratio"].notna()
    flag = pd.Series(pd.NA, index=rows.index, dtype="boolean")
    flag[has_ratio] = rows.loc[has_ratio, "ratio"].between(low, high)
    rows["non_adverse_range"] = flag
    return rows


def _likelihood(
    frame: pd.DataFrame,
    *,
    measure: str,
    numerator: str,
    denominator: str,
    grouping: Grouping,
    comparison: Comparison,
    adjustment: str = "none",
) -> pd.DataFrame:
    renamed = frame.rename(columns={numerator: "numerator", denominator: "denominator"})
    grouped = roll_up(renamed, grouping, keys=_KEYS, values=["numerator", "denominator"])
    rows = comparison_rows(
        grouped,
        measure=measure,
        comparison=comparison,
        kind="proportion",
        multiplier=100.0,
        adjustment=adjustment,
    )
    return _flag_range(rows)


def _band_rows(
    counts: WorkforceCounts, grouping: Grouping, comparison: Comparison, trust: str, minority: str
) -> pd.DataFrame:
    staff = counts.staff.copy()
    staff["group"] = assign_group(staff["ethnic_category"], grouping).to_numpy()
    stated = staff[staff["group"].isin(comparison.groups)]
    overall_minority = stated.loc[stated["group"] == minority, "headcount"].sum()
    overall_total = stated["headcount"].sum()
    overall_share = overall_minority / overall_total if overall_total else float("nan")
    rows = []
    for (clinical, band), part in stated.groupby(["clinical", "band"], sort=True):
        total = float(part["headcount"].sum())
        for group in comparison.groups:
            count = float(part.loc[part["group"] == group, "headcount"].sum())
            rows.append(
                {
                    "clinical": bool(clinical),
                    "band": str(band),
                    "group": group,
                    "numerator": count,
                    "denominator": total,
                }
            )
    if not rows:
        return pd.DataFrame()
    table = pd.DataFrame(rows)
    result = stats.proportion(
        table["numerator"].to_numpy(),
        table["denominator"].to_numpy(),
        multiplier=100.0,
        confidence_level=comparison.confidence_level,
    )
    kind = np.where(table["clinical"], "band (clinical)", "band (non-clinical)")
    share = table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    is_minority = table["group"] == minority
    return pd.DataFrame(
        {
            "measure": "wres_1",
            "period_start": pd.Timestamp(counts.year_start),
            "period_end": pd.Timestamp(counts.year_end),
            "unit_type": kind,
            "unit": table["band"],
            "grouping": comparison.grouping,
            "group": table["group"],
            "group_order": [comparison.order_of(g) for g in table["group"]],
            "numerator": table["numerator"],
            "denominator": table["denominator"],
            "value": result.estimate,
            "lower_ci": result.lower,
            "upper_ci": result.upper,
            "confidence_level": comparison.confidence_level,
            "multiplier": 100.0,
            "method": result.method,
            "adjustment": "none",
            "reference_group": np.where(is_minority, "overall workforce", ""),
            "ratio": np.where(is_minority, share / overall_share, np.nan),
            "ratio_method": np.where(is_minority, "share in band / share in workforce", ""),
            "significance": "not compared",
            "note": f"{minority} share of the whole workforce: {100 * overall_share:.1f}% "
            f"({trust})",
            "small_numbers": table["numerator"] < 10,
        }
    )


def _board_row(
    counts: WorkforceCounts, grouping: Grouping, comparison: Comparison, trust: str, minority: str
) -> pd.DataFrame:
    staff = counts.staff
    voting = staff[staff["board_member"] == "voting"]

    def minority_and_total(frame: pd.DataFrame) -> tuple[float, float]:
        grouped = roll_up(
            frame.assign(_k=0), grouping, keys=["_k"], values=["headcount"], include_all=False
        )
        stated = grouped[grouped["group"].isin(comparison.groups)]
        return (
            float(stated.loc[stated["group"] == minority, "headcount"].sum()),
            float(stated["headcount"].sum()),
        )

    board_minority, board_total = minority_and_total(voting)
    staff_minority, staff_total = minority_and_total(staff)
    if board_total == 0 or staff_total == 0:
        return pd.DataFrame()
    difference = stats.risk_difference(
        board_minority,
        board_total,
        staff_minority,
        staff_total,
        confidence_level=comparison.confidence_level,
        multiplier=100.0,
    )
    return pd.DataFrame(
        {
            "measure": ["wres_9"],
            "period_start": [pd.Timestamp(counts.year_start)],
            "period_end": [pd.Timestamp(counts.year_end)],
            "unit_type": ["trust"],
            "unit": [trust],
            "grouping": [comparison.grouping],
            "group": [minority],
            "group_order": [comparison.order_of(minority)],
            "numerator": [board_minority],
            "denominator": [board_total],
            "value": [float(difference.estimate)],
            "lower_ci": [float(difference.lower)],
            "upper_ci": [float(difference.upper)],
            "confidence_level": [comparison.confidence_level],
            "multiplier": [100.0],
            "method": [f"{difference.method} (percentage points)"],
            "adjustment": ["none"],
            "reference_group": ["overall workforce"],
            "significance": ["not compared"],
            "note": [
                f"{minority} share of voting board members "
                f"{100 * board_minority / board_total:.1f}% minus {minority} share of the "
                "workforce "
                f"{100 * staff_minority / staff_total:.1f}%; board members are part of the "
                "workforce, so the interval (which treats them as independent) is approximate"
            ],
            "small_numbers": [board_minority < 10],
        }
    )


def _survey_rows(
    counts: WorkforceCounts, comparison: Comparison, trust: str, minority: str
) -> list[pd.DataFrame]:
    survey = counts.survey
    if survey.empty:
        return []
    frames = []
    for indicator, part in survey.groupby("indicator", sort=True):
        table = _keyed(part, counts, trust).assign(
            group=part["group"].replace({"BME": minority}),
            numerator=part["positive"].astype(float),
            denominator=part["respondents"].astype(float),
        )
        table = table.groupby([*_KEYS, "group"], as_index=False)[["numerator", "denominator"]].sum()
        rows = comparison_rows(
            table,
            measure=f"wres_{indicator}",
            comparison=comparison,
            kind="proportion",
            multiplier=100.0,
        )
        frames.append(rows)
    return frames


def wres_results(
    counts: WorkforceCounts, grouping: Grouping, *, trust: str, confidence_level: float
) -> list[pd.DataFrame]:
    """Results rows of WRES indicators 1-9 (``grouping`` must be the binary grouping)."""
    white, minority = "White", next(g for g in grouping.comparable_groups if g != "White")
    groups = (white, minority)
    white_on_top = Comparison(grouping.name, minority, groups, confidence_level)
    minority_on_top = Comparison(grouping.name, white, groups, confidence_level)
    frames: list[pd.DataFrame] = [
        _band_rows(counts, grouping, minority_on_top, trust, minority),
        _likelihood(
            _keyed(counts.recruitment, counts, trust),
            measure="wres_2",
            numerator="appointed",
            denominator="shortlisted",
            grouping=grouping,
            comparison=white_on_top,
        ),
        _likelihood(
            _keyed(
                counts.disciplinary.merge(
                    counts.staff.groupby("ethnic_category", as_index=False)["headcount"].sum(),
                    on="ethnic_category",
                    how="outer",
                ).fillna({"cases": 0, "headcount": 0}),
                counts,
                trust,
            ),
            measure="wres_3",
            numerator="cases",
            denominator="headcount",
            grouping=grouping,
            comparison=minority_on_top,
        ),
        _likelihood(
            _keyed(counts.training, counts, trust),
            measure="wres_4",
            numerator="accessed",
            denominator="staff",
            grouping=grouping,
            comparison=white_on_top,
        ),
        _board_row(counts, grouping, minority_on_top, trust, minority),
    ]
    two_year_cases = pd.concat([counts.disciplinary, counts.disciplinary_previous])
    two_year_staff = pd.concat([counts.staff, counts.staff_previous])
    two_year = (
        two_year_cases.groupby("ethnic_category", as_index=False)["cases"]
        .sum()
        .merge(
            two_year_staff.groupby("ethnic_category", as_index=False)["headcount"].sum(),
            on="ethnic_category",
            how="outer",
        )
        .fillna({"cases": 0, "headcount": 0})
    )
    if len(counts.staff_previous):
        frames.append(
            _likelihood(
                _keyed(two_year, counts, trust),
                measure="wres_3",
                numerator="cases",
                denominator="headcount",
                grouping=grouping,
                comparison=minority_on_top,
                adjustment="two-year rolling (current and previous year)",
            )
        )
    frames.extend(_survey_rows(counts, minority_on_top, trust, minority))
    return frames
