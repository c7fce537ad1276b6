"""Physical health checks for people with severe mental illness (SMI).

``smi_health_checks``: people on the register at period end (aged 18+, not in remission) with all
six checks recorded in the 12 months to period end, as a share of the register (Wilson; risk
ratio, Katz), with an age-and-sex Mantel-Haenszel row; ``smi_health_check_<element>`` for each
check on its own.
"""

from __future__ import annotations

import pandas as pd

from equitymetrics.measures._compare import Comparison, comparison_rows
from equitymetrics.measures._groups import roll_up
from equitymetrics.measures._stratified import stratified_rows
from equitymetrics.taxonomy import Grouping

__all__ = ["SMI_ELEMENTS", "smi_results"]

SMI_ELEMENTS = ("bmi", "blood_pressure", "lipids", "glucose", "smoking", "alcohol")
_KEYS = ("period_start", "period_end", "unit_type", "unit")


def smi_results(
    counts: pd.DataFrame, grouping: Grouping, comparison: Comparison, *, trust: str
) -> list[pd.DataFrame]:
    """Results rows of the SMI measures from :func:`equitymetrics.aggregate.smi_counts`."""
    table = counts.assign(unit_type="trust", unit=trust)
    frames = []
    for column in ("all_six", *SMI_ELEMENTS):
        measure = "smi_health_checks" if column == "all_six" else f"smi_health_check_{column}"
        renamed = table.rename(columns={column: "numerator", "register": "denominator"})
        crude = roll_up(renamed, grouping, keys=_KEYS, values=["numerator", "denominator"])
        frames.append(
            comparison_rows(
                crude, measure=measure, comparison=comparison, kind="proportion", multiplier=100.0
            )
        )
        if column == "all_six":
            strata = roll_up(
                renamed,
                grouping,
                keys=[*_KEYS, "age_band", "sex"],
                values=["numerator", "denominator"],
                include_all=False,
            )
            frames.append(
                stratified_rows(
                    strata,
                    measure=measure,
                    comparison=comparison,
                    kind="proportion",
                    stratum=["age_band", "sex"],
                    adjustment="age and sex (Mantel-Haenszel)",
                )
            )
    return frames
