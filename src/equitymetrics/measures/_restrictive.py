"""Restrictive practice measures from restrictive-practice counts.

* ``restrictive_practice_people``: people with at least one restrictive intervention starting
  in the period / distinct people with a stay overlapping the period (Wilson; risk ratio, Katz),
  by trust, division and ward; plus two adjusted trust-level rows per group: pooled over ward
  strata ("compared with White patients on the same ward") and over age-band x sex strata
  (Mantel-Haenszel risk ratios, Greenland-Robins intervals).
* ``restrictive_practice_rate``: interventions (incident x type) per 1,000 occupied bed days
  (Byar / exact limits; rate ratio, log method) by trust, division and ward, and one measure per
  type group by trust and division.
"""

from __future__ import annotations

import pandas as pd

from equitymetrics.aggregate import RestrictivePracticeCounts
from equitymetrics.measures._compare import Comparison, comparison_rows
from equitymetrics.measures._groups import roll_up
from equitymetrics.measures._stratified import stratified_rows
from equitymetrics.taxonomy import Grouping

__all__ = ["WARD_ADJUSTMENT", "restrictive_practice_results"]

WARD_ADJUSTMENT = "ward (Mantel-Haenszel)"
AGE_SEX_ADJUSTMENT = "age and sex (Mantel-Haenszel)"
_KEYS = ("period_start", "period_end", "unit_type", "unit")
_PER_BED_DAYS = 1000.0


def _people_rows(
    counts: RestrictivePracticeCounts, grouping: Grouping, comparison: Comparison
) -> list[pd.DataFrame]:
    people = counts.people.rename(
        columns={"people_restricted": "numerator", "inpatients": "denominator"}
    )
    values = ["numerator", "denominator"]
    crude = roll_up(people, grouping, keys=_KEYS, values=values)
    frames = [
        comparison_rows(
            crude,
            measure="restrictive_practice_people",
            comparison=comparison,
            kind="proportion",
            multiplier=100.0,
        )
    ]
    wards = people[people["unit_type"] == "ward"].rename(columns={"unit": "ward"})
    trust_unit = people.loc[people["unit_type"] == "trust", "unit"]
    if len(wards) and len(trust_unit):
        wards = wards.assign(unit_type="trust", unit=str(trust_unit.iloc[0]))
        by_ward = roll_up(wards, grouping, keys=[*_KEYS, "ward"], values=values, include_all=False)
        frames.append(
            stratified_rows(
                by_ward,
                measure="restrictive_practice_people",
                comparison=comparison,
                kind="proportion",
                stratum=["ward"],
                adjustment=WARD_ADJUSTMENT,
            )
        )
    trust = people[people["unit_type"] == "trust"]
    if len(trust):
        by_age_sex = roll_up(
            trust, grouping, keys=[*_KEYS, "age_band", "sex"], values=values, include_all=False
        )
        frames.append(
            stratified_rows(
                by_age_sex,
                measure="restrictive_practice_people",
                comparison=comparison,
                kind="proportion",
                stratum=["age_band", "sex"],
                adjustment=AGE_SEX_ADJUSTMENT,
            )
        )
    return frames


def _rate_rows(
    counts: RestrictivePracticeCounts, grouping: Grouping, comparison: Comparison
) -> list[pd.DataFrame]:
    bed_days = roll_up(
        counts.bed_days.rename(columns={"occupied_bed_days": "denominator"}),
        grouping,
        keys=_KEYS,
        values=["denominator"],
    )
    frames = []
    interventions = counts.interventions
    for type_group in sorted(interventions["type_group"].unique()):
        selected = interventions["type_group"] == type_group
        if type_group != "all":
            # Type-group rates by ward would be almost all small numbers (and suppressed on
            # publication): they are given by trust and division only.
            selected &= interventions["unit_type"] != "ward"
        events = roll_up(
            interventions[selected].rename(columns={"interventions": "numerator"}),
            grouping,
            keys=_KEYS,
            values=["numerator"],
        )
        days = bed_days if type_group == "all" else bed_days[bed_days["unit_type"] != "ward"]
        table = days.merge(events, on=[*_KEYS, "group"], how="left")
        table["numerator"] = table["numerator"].fillna(0)
        measure = (
            "restrictive_practice_rate"
            if type_group == "all"
            else f"restrictive_practice_{type_group}"
        )
        frames.append(
            comparison_rows(
                table,
                measure=measure,
                comparison=comparison,
                kind="rate",
                multiplier=_PER_BED_DAYS,
            )
        )
    return frames


def restrictive_practice_results(
    counts: RestrictivePracticeCounts, grouping: Grouping, comparison: Comparison
) -> list[pd.DataFrame]:
    """Results rows of every restrictive practice measure (see the module docstring)."""
    return [
        *_people_rows(counts, grouping, comparison),
        *_rate_rows(counts, grouping, comparison),
    ]
