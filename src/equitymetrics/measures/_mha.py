"""Mental Health Act measures: detentions and CTOs of residents per 100,000 residents.

* ``mha_detentions`` and ``mha_cto``: crude rates per 100,000 census residents of the same group
  (Byar / exact limits) and rate ratios to the reference group (log method). Rates are for the
  period as given (a quarter), not annualised.
* ``mha_detentions_standardised``: the rate directly standardised by age band and sex to the
  catchment's whole census population (Dobson et al. 1991, or the NHS England national method),
  with the age-and-sex Mantel-Haenszel rate ratio to the reference group as its ratio.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from equitymetrics import stats
from equitymetrics.measures._compare import Comparison, comparison_rows
from equitymetrics.measures._groups import roll_up
from equitymetrics.measures._stratified import stratified_rows
from equitymetrics.taxonomy import Grouping

__all__ = ["mha_results"]

_PER_RESIDENTS = 100_000.0
_PERIOD = ("period_start", "period_end")
_STANDARDISED = "age and sex (direct standardisation)"
Standardisation = Literal["dobson", "normal_national"]


def _with_population(
    events: pd.DataFrame, population: pd.DataFrame, strata: list[str], periods: pd.DataFrame
) -> pd.DataFrame:
    """Events by period x ethnic category x strata joined to the census population.

    The census is one snapshot: the same population serves every period (any period columns
    that the population table carries are ignored).
    """
    population = population.drop(columns=list(_PERIOD), errors="ignore")
    population = population.groupby(["ethnic_category", *strata], as_index=False)[
        ["population"]
    ].sum()
    base = periods.merge(population, how="cross")
    keyed = events.groupby([*_PERIOD, "ethnic_category", *strata], as_index=False)["episodes"].sum()
    table = base.merge(keyed, on=[*_PERIOD, "ethnic_category", *strata], how="outer")
    table["episodes"] = table["episodes"].fillna(0)
    table["population"] = table["population"].fillna(0)
    return table


def _standardised_rows(
    table: pd.DataFrame,
    grouping: Grouping,
    comparison: Comparison,
    *,
    method: Standardisation,
    trust: str,
) -> pd.DataFrame:
    strata = ["age_band", "sex"]
    grouped = roll_up(
        table.rename(columns={"episodes": "numerator", "population": "denominator"}),
        grouping,
        keys=[*_PERIOD, *strata],
        values=["numerator", "denominator"],
        include_all=False,
    )
    grouped = grouped[grouped["group"].isin(comparison.groups)]
    rows = []
    for (start, end), part in grouped.groupby(list(_PERIOD), sort=True):
        events = part.pivot_table(
            index="group",
            columns=strata,
            values="numerator",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        )
        population = part.pivot_table(
            index="group",
            columns=strata,
            values="denominator",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        )
        population = population.reindex(index=events.index, columns=events.columns, fill_value=0)
        standard = population.sum(axis=0).to_numpy(dtype=np.float64)
        result = stats.directly_standardised_rate(
            events.to_numpy(dtype=np.float64),
            population.to_numpy(dtype=np.float64),
            standard,
            method=method,
            multiplier=_PER_RESIDENTS,
            confidence_level=comparison.confidence_level,
        )
        frame = pd.DataFrame(
            {
                "period_start": start,
                "period_end": end,
                "group": events.index.astype(str),
                "numerator": events.sum(axis=1).to_numpy(dtype=np.float64),
                "denominator": population.sum(axis=1).to_numpy(dtype=np.float64),
                "value": result.estimate,
                "lower_ci": result.lower,
                "upper_ci": result.upper,
                "method": result.method,
                "note": result.note,
            }
        )
        rows.append(frame)
    if not rows:
        return pd.DataFrame()
    standardised = pd.concat(rows, ignore_index=True)
    ratio_rows = stratified_rows(
        grouped.assign(unit_type="trust", unit=trust),
        measure="mha_detentions_standardised",
        comparison=comparison,
        kind="rate",
        stratum=strata,
        adjustment=_STANDARDISED,
    )
    ratio_columns = [
        "period_start",
        "period_end",
        "group",
        "unit_type",
        "unit",
        "measure",
        "grouping",
        "group_order",
        "confidence_level",
        "adjustment",
        "reference_group",
        "ratio",
        "ratio_lower_ci",
        "ratio_upper_ci",
        "ratio_method",
        "significance",
        "small_numbers",
    ]
    ratio_rows = ratio_rows.reindex(columns=[*ratio_columns, "note"])
    merged = ratio_rows.merge(
        standardised,
        on=["period_start", "period_end", "group"],
        how="left",
        suffixes=("_ratio", ""),
    )
    merged["note"] = [
        "; ".join(part for part in (str(a or ""), str(b or "")) if part)
        for a, b in zip(merged["note"], merged["note_ratio"], strict=True)
    ]
    merged["multiplier"] = _PER_RESIDENTS
    merged["ratio_method"] = "mantel-haenszel rate ratio over age and sex strata"
    return merged.drop(columns="note_ratio")


def mha_results(
    episodes: pd.DataFrame,
    population: pd.DataFrame,
    grouping: Grouping,
    comparison: Comparison,
    *,
    periods: pd.DataFrame,
    trust: str,
    standardisation: Standardisation = "dobson",
) -> list[pd.DataFrame]:
    """Results rows of the Mental Health Act measures.

    Parameters
    ----------
    episodes : DataFrame
        From :func:`equitymetrics.aggregate.mha_counts`: period_start, period_end,
        ethnic_category, sex, age_band, episode_kind ("detention" or "cto"), episodes.
    population : DataFrame
        From :func:`equitymetrics.aggregate.population_counts`: ethnic_category, sex,
        age_band, population (the catchment's residents).
    periods : DataFrame
        period_start, period_end: every period to report, including those with no episodes.
    standardisation : {"dobson", "normal_national"}
        Method of the directly standardised rate.
    """
    strata = ["age_band", "sex"]
    frames = []
    for kind, measure in (("detention", "mha_detentions"), ("cto", "mha_cto")):
        table = _with_population(
            episodes[episodes["episode_kind"] == kind], population, strata, periods
        )
        if table.empty:
            continue
        crude = roll_up(
            table.rename(columns={"episodes": "numerator", "population": "denominator"}),
            grouping,
            keys=list(_PERIOD),
            values=["numerator", "denominator"],
        ).assign(unit_type="trust", unit=trust)
        frames.append(
            comparison_rows(
                crude,
                measure=measure,
                comparison=comparison,
                kind="rate",
                multiplier=_PER_RESIDENTS,
            )
        )
        if kind == "detention":
            frames.append(
                _standardised_rows(table, grouping, comparison, method=standardisation, trust=trust)
            )
    return frames
