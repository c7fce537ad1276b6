"""Mental Health Act measures from hand-made counts.

Expected values are computed in the test from the definitions: crude rate per 100,000 with
Byar's limits (Breslow and Day 1987), and the directly standardised rate with Dobson et al.'s
(1991) interval, the standard being the catchment's whole population by age band and sex.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from equitymetrics import measures, taxonomy

Z95 = 1.959963984540054
PERIODS = pd.DataFrame(
    {"period_start": [pd.Timestamp("2025-04-01")], "period_end": [pd.Timestamp("2025-06-30")]}
)

# population by (NHS code, sex, age band)
POPULATION = [
    ("A", "1", "18-34", 40_000),
    ("A", "2", "18-34", 42_000),
    ("A", "1", "35-64", 60_000),
    ("A", "2", "35-64", 61_000),
    ("M", "1", "18-34", 3_000),
    ("M", "2", "18-34", 3_200),
    ("M", "1", "35-64", 2_000),
    ("M", "2", "35-64", 2_100),
]
# detentions by (NHS code, sex, age band)
DETENTIONS = [
    ("A", "1", "18-34", 20),
    ("A", "2", "18-34", 12),
    ("A", "1", "35-64", 15),
    ("A", "2", "35-64", 9),
    ("M", "1", "18-34", 9),
    ("M", "2", "18-34", 4),
    ("M", "1", "35-64", 3),
    ("M", "2", "35-64", 2),
    ("Z", "1", "18-34", 3),
]


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    population = pd.DataFrame(
        POPULATION, columns=["ethnic_category", "sex", "age_band", "population"]
    )
    episodes = pd.DataFrame(DETENTIONS, columns=["ethnic_category", "sex", "age_band", "episodes"])
    episodes = episodes.assign(episode_kind="detention", **PERIODS.iloc[0].to_dict())
    return episodes, population


def _results() -> pd.DataFrame:
    grouping = taxonomy.get_grouping("broad")
    comparison = measures.comparison_for(grouping, "White", 0.95)
    episodes, population = _frames()
    frames = measures.mha_results(
        episodes, population, grouping, comparison, periods=PERIODS, trust="Trust"
    )
    return measures.finalise_results(frames)


def _row(table: pd.DataFrame, measure: str, group: str) -> pd.Series:
    return table[(table["measure"] == measure) & (table["group"] == group)].iloc[0]


def test_crude_detention_rate_per_100000() -> None:
    black = _row(_results(), "mha_detentions", "Black")
    # 18 detentions among 10,300 Black residents.
    assert black["numerator"] == 18
    assert black["denominator"] == 10_300
    assert black["value"] == pytest.approx(18 / 10_300 * 100_000, rel=1e-12)
    byar_upper = 19 * (1 - 1 / (9 * 19) + Z95 / (3 * math.sqrt(19))) ** 3
    assert black["upper_ci"] == pytest.approx(byar_upper / 10_300 * 100_000, rel=1e-12)
    # Rate ratio: (18/10,300) / (56/203,000), log method se = sqrt(1/18 + 1/56).
    ratio = (18 / 10_300) / (56 / 203_000)
    assert black["ratio"] == pytest.approx(ratio, rel=1e-12)
    se = math.sqrt(1 / 18 + 1 / 56)
    assert black["ratio_lower_ci"] == pytest.approx(ratio * math.exp(-Z95 * se), rel=1e-12)


def test_not_stated_detentions_have_no_population_and_no_ratio() -> None:
    row = _row(_results(), "mha_detentions", "Not stated")
    assert row["numerator"] == 3
    assert math.isnan(row["ratio"])


def test_standardised_rate_matches_dobson_by_hand() -> None:
    black = _row(_results(), "mha_detentions_standardised", "Black")
    strata = [("1", "18-34"), ("1", "35-64"), ("2", "18-34"), ("2", "35-64")]
    population = {(c, s, a): n for c, s, a, n in POPULATION}
    detentions = {(c, s, a): d for c, s, a, d in DETENTIONS}
    weights = {k: population[("A", *k)] + population[("M", *k)] for k in strata}
    total_weight = sum(weights.values())
    rates = {k: detentions[("M", *k)] / population[("M", *k)] for k in strata}
    dsr = sum(weights[k] * rates[k] for k in strata) / total_weight
    variance = (
        sum(weights[k] ** 2 * detentions[("M", *k)] / population[("M", *k)] ** 2 for k in strata)
        / total_weight**2
    )
    observed = sum(detentions[("M", *k)] for k in strata)  # 18, so Byar limits apply
    byar_lower = observed * (1 - 1 / (9 * observed) - Z95 / (3 * math.sqrt(observed))) ** 3
    lower = dsr + math.sqrt(variance / observed) * (byar_lower - observed)
    assert black["value"] == pytest.approx(dsr * 100_000, rel=1e-9)
    assert black["lower_ci"] == pytest.approx(lower * 100_000, rel=1e-9)
    assert black["adjustment"] == "age and sex (direct standardisation)"


def test_standardised_ratio_is_mantel_haenszel_over_age_and_sex() -> None:
    black = _row(_results(), "mha_detentions_standardised", "Black")
    strata = [("1", "18-34"), ("1", "35-64"), ("2", "18-34"), ("2", "35-64")]
    population = {(c, s, a): n for c, s, a, n in POPULATION}
    detentions = {(c, s, a): d for c, s, a, d in DETENTIONS}
    # Mantel-Haenszel rate ratio: sum(a_k T0_k / T_k) / sum(c_k T1_k / T_k).
    numerator = sum(
        detentions[("M", *k)]
        * population[("A", *k)]
        / (population[("A", *k)] + population[("M", *k)])
        for k in strata
    )
    denominator = sum(
        detentions[("A", *k)]
        * population[("M", *k)]
        / (population[("A", *k)] + population[("M", *k)])
        for k in strata
    )
    assert black["ratio"] == pytest.approx(numerator / denominator, rel=1e-9)


def test_period_without_cto_still_reports_zero_rates() -> None:
    episodes, population = _frames()
    episodes = pd.concat(
        [episodes, episodes.head(1).assign(episode_kind="cto", episodes=2)], ignore_index=True
    )
    grouping = taxonomy.get_grouping("broad")
    comparison = measures.comparison_for(grouping, "White", 0.95)
    table = measures.finalise_results(
        measures.mha_results(
            episodes, population, grouping, comparison, periods=PERIODS, trust="Trust"
        )
    )
    black = _row(table, "mha_cto", "Black")
    assert black["numerator"] == 0
    assert black["value"] == 0
