"""Tests for direct and indirect standardisation and the European Standard Population 2013.

Independent sources: UKHSA public-health methods test data (two DSR examples per 10,000 with
ESP2013 at 95% and 99.8%, and "not calculated" for 9 events; Byar limits for 65 events);
Dobson's and NHS England's national formulas evaluated stratum by stratum with :mod:`math`;
exact Poisson limits from ``scipy.stats.chi2``; the ESP2013 table as published by Eurostat.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)
from equitymetrics.stats import (
    EUROPEAN_STANDARD_POPULATION_2013,
    StandardisedRateResult,
    StandardisedRatioResult,
    StandardPopulation,
    directly_standardised_rate,
    indirectly_standardised_ratio,
)

# UKHSA test data: 19 ESP2013 bands
UKHSA_POPULATION = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300]
UKHSA_POPULATION += [288, 153, 123, 207]
UKHSA_EVENTS_895 = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
UKHSA_EVENTS_91 = [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4]


def z_for(level: float) -> float:
    """Two-sided normal quantile from the standard library (independent of scipy.special)."""
    return NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)


def byar_by_hand(observed: float, level: float) -> tuple[float, float]:
    z = z_for(level)
    o, o1 = observed, observed + 1
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return lower, upper


def dobson_by_hand(
    events: list[int], population: list[float], weights: list[float], level: float
) -> tuple[float, float, float]:
    """Dobson et al. (1991) for one group, stratum by stratum, with Byar limits for O >= 10."""
    total_weight = sum(weights)
    rate = sum(w * d / n for w, d, n in zip(weights, events, population, strict=True))
    rate /= total_weight
    variance = sum(w * w * d / n**2 for w, d, n in zip(weights, events, population, strict=True))
    variance /= total_weight**2
    observed = sum(events)
    low, high = byar_by_hand(observed, level)
    factor = math.sqrt(variance / observed)
    return rate, rate + factor * (low - observed), rate + factor * (high - observed)


def national_by_hand(
    events: list[int],
    population: list[float],
    standard: list[float],
    level: float,
    omitted: tuple[int, ...] = (),
) -> tuple[float, float, float]:
    """NHS England's national method for one group, written out as in its methodology."""
    total = sum(standard)
    rate = 0.0
    variance_sum = 0.0
    for k, (d, n, big_n) in enumerate(zip(events, population, standard, strict=True)):
        r = d / n
        rate += r * big_n / total
        if k not in omitted:
            variance_sum += big_n**2 * r * (1 - r) / n
    half = z_for(level) * math.sqrt(variance_sum / total**2)
    return rate, rate - half, rate + half


# --- European Standard Population 2013 ---------------------------------------------------


def test_european_standard_population_2013_table() -> None:
    esp = EUROPEAN_STANDARD_POPULATION_2013
    assert isinstance(esp, StandardPopulation)
    # Eurostat (2013) Revision of the European Standard Population, table of 19 age bands.
    assert esp.bands[0] == "0-4"
    assert esp.bands[-1] == "90+"
    assert len(esp.bands) == len(esp.weights) == 19
    assert esp.weights[:5] == (5000.0, 5500.0, 5500.0, 5500.0, 6000.0)
    assert esp.weights[-4:] == (4000.0, 2500.0, 1500.0, 1000.0)
    assert esp.total == 100_000.0
    with pytest.raises(AttributeError):
        esp.weights = ()  # type: ignore[misc]


def test_standard_population_rejects_inconsistent_data() -> None:
    with pytest.raises(InvalidArgumentError, match="same length; got 2 bands and 1 weights"):
        StandardPopulation(name="bad", bands=("a", "b"), weights=(1.0,))
    with pytest.raises(InvalidArgumentError, match="weights must be finite numbers >= 0"):
        StandardPopulation(name="bad", bands=("a", "b"), weights=(1.0, -1.0))


# --- directly standardised rates: published values ----------------------------------------


@pytest.mark.parametrize(
    ("events", "level", "rate", "lower", "upper"),
    [
        # UKHSA public-health methods test data, DSR per 10,000 with ESP2013
        (UKHSA_EVENTS_895, 0.95, 1043.0247991469423, 971.77090679856803, 1117.894091547925),
        (UKHSA_EVENTS_895, 0.998, 1043.0247991469423, 932.32878802199036, 1162.0595999522059),
        (UKHSA_EVENTS_91, 0.95, 110.3212025300104, 87.745576753670903, 136.70882227251795),
    ],
)
def test_dobson_matches_ukhsa_published_values(
    events: list[int], level: float, rate: float, lower: float, upper: float
) -> None:
    result = directly_standardised_rate(
        [events],
        [UKHSA_POPULATION],
        EUROPEAN_STANDARD_POPULATION_2013,
        multiplier=10_000,
        confidence_level=level,
    )
    assert result.estimate.shape == (1,)
    assert result.estimate[0] == pytest.approx(rate, rel=1e-9)
    assert result.lower[0] == pytest.approx(lower, rel=1e-9)
    assert result.upper[0] == pytest.approx(upper, rel=1e-9)
    assert result.method[0] == "dobson"
    assert result.note[0] == ""
    assert result.total_events[0] == sum(events)


def test_dobson_published_values_in_one_vectorised_call() -> None:
    # Both UKHSA examples as two groups, with the ESP weights given as a plain array.
    result = directly_standardised_rate(
        [UKHSA_EVENTS_895, UKHSA_EVENTS_91],
        [UKHSA_POPULATION, UKHSA_POPULATION],
        np.array(EUROPEAN_STANDARD_POPULATION_2013.weights),
        multiplier=10_000,
    )
    np.testing.assert_allclose(result.estimate, [1043.0247991469423, 110.3212025300104], 1e-9)
    np.testing.assert_allclose(result.lower, [971.77090679856803, 87.745576753670903], 1e-9)
    np.testing.assert_allclose(result.upper, [1117.894091547925, 136.70882227251795], 1e-9)


def test_dobson_nine_events_is_not_calculated() -> None:
    # UKHSA test data: a total of 9 events -> not calculated.
    events = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    result = directly_standardised_rate(
        [events, UKHSA_EVENTS_91],
        [UKHSA_POPULATION, UKHSA_POPULATION],
        EUROPEAN_STANDARD_POPULATION_2013,
        multiplier=10_000,
    )
    assert np.isnan(result.estimate[0])
    assert np.isnan(result.lower[0])
    assert np.isnan(result.upper[0])
    assert result.note[0] == "not calculated: fewer than 10 events"
    assert result.total_events[0] == 9
    assert result.estimate[1] == pytest.approx(110.3212025300104, rel=1e-9)  # UKHSA


def test_dobson_ten_events_is_calculated() -> None:
    events = [10, 0, 0]
    population = [1000.0, 2000.0, 500.0]
    weights = [1.0, 2.0, 1.0]
    rate, lower, upper = dobson_by_hand(events, population, weights, 0.95)
    result = directly_standardised_rate([events], [population], weights, multiplier=1)
    assert result.estimate[0] == pytest.approx(rate, rel=1e-9)
    assert result.lower[0] == pytest.approx(lower, rel=1e-9)
    assert result.upper[0] == pytest.approx(upper, rel=1e-9)


# --- directly standardised rates: hand-derived values ------------------------------------

SMALL_EVENTS = [[10, 20, 30], [5, 10, 40]]
SMALL_POPULATION = [[1000, 2000, 1500], [800, 1500, 2500]]
SMALL_WEIGHTS = [0.3, 0.5, 0.2]


@pytest.mark.parametrize("level", [0.9, 0.95, 0.998])
def test_dobson_matches_formula_by_hand(level: float) -> None:
    result = directly_standardised_rate(
        SMALL_EVENTS, SMALL_POPULATION, SMALL_WEIGHTS, multiplier=1000, confidence_level=level
    )
    for g in range(2):
        rate, lower, upper = dobson_by_hand(
            SMALL_EVENTS[g], SMALL_POPULATION[g], SMALL_WEIGHTS, level
        )
        assert result.estimate[g] == pytest.approx(1000 * rate, rel=1e-9)
        assert result.lower[g] == pytest.approx(1000 * lower, rel=1e-9)
        assert result.upper[g] == pytest.approx(1000 * upper, rel=1e-9)


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_normal_national_matches_formula_by_hand(level: float) -> None:
    result = directly_standardised_rate(
        SMALL_EVENTS,
        SMALL_POPULATION,
        SMALL_WEIGHTS,
        method="normal_national",
        confidence_level=level,
    )
    for g in range(2):
        rate, lower, upper = national_by_hand(
            SMALL_EVENTS[g], SMALL_POPULATION[g], SMALL_WEIGHTS, level
        )
        assert result.estimate[g] == pytest.approx(100_000 * rate, rel=1e-9)
        assert result.lower[g] == pytest.approx(100_000 * lower, rel=1e-9)
        assert result.upper[g] == pytest.approx(100_000 * upper, rel=1e-9)
        assert result.method[g] == "normal_national"


# A national-style table: 12 strata = male/female x ages 0-15, 16-17, 18-34, 35-49, 50-64, 65+;
# the 16-17 strata are indices 1 and 7. Standard = England population of all groups (made up).
NATIONAL_STANDARD = [5.2e6, 6.3e5, 6.1e6, 5.4e6, 5.0e6, 4.5e6]
NATIONAL_STANDARD += [4.9e6, 6.0e5, 6.0e6, 5.5e6, 5.1e6, 5.4e6]
NATIONAL_EVENTS = [[12, 40, 900, 610, 300, 150, 10, 55, 700, 480, 260, 200]]
NATIONAL_POPULATION = [[9.1e4, 1.1e4, 9.5e4, 8.0e4, 6.1e4, 4.0e4]]
NATIONAL_POPULATION[0] += [8.8e4, 1.0e4, 9.9e4, 8.4e4, 6.3e4, 4.6e4]


def test_normal_national_omits_the_16_17_band_from_the_variance_only() -> None:
    with_all = directly_standardised_rate(
        NATIONAL_EVENTS, NATIONAL_POPULATION, NATIONAL_STANDARD, method="normal_national"
    )
    quirk = directly_standardised_rate(
        NATIONAL_EVENTS,
        NATIONAL_POPULATION,
        NATIONAL_STANDARD,
        method="normal_national",
        omit_variance_strata=[7, 1],
    )
    rate, lower, upper = national_by_hand(
        NATIONAL_EVENTS[0], NATIONAL_POPULATION[0], NATIONAL_STANDARD, 0.95, omitted=(1, 7)
    )
    assert quirk.estimate[0] == pytest.approx(100_000 * rate, rel=1e-9)
    assert quirk.lower[0] == pytest.approx(100_000 * lower, rel=1e-9)
    assert quirk.upper[0] == pytest.approx(100_000 * upper, rel=1e-9)
    assert quirk.omit_variance_strata == (1, 7)
    # The rate itself does not change; the interval is narrower without the two strata.
    assert quirk.estimate[0] == with_all.estimate[0]
    assert quirk.upper[0] - quirk.lower[0] < with_all.upper[0] - with_all.lower[0]
    _, lower_all, upper_all = national_by_hand(
        NATIONAL_EVENTS[0], NATIONAL_POPULATION[0], NATIONAL_STANDARD, 0.95
    )
    assert with_all.lower[0] == pytest.approx(100_000 * lower_all, rel=1e-9)
    assert with_all.upper[0] == pytest.approx(100_000 * upper_all, rel=1e-9)


def test_normal_national_has_no_minimum_count() -> None:
    events, population, weights = [2, 3], [1000.0, 3000.0], [1.0, 1.0]
    rate, lower, upper = national_by_hand(events, population, weights, 0.95)
    result = directly_standardised_rate(
        [events], [population], weights, method="normal_national", multiplier=1000
    )
    assert result.estimate[0] == pytest.approx(1000 * rate, rel=1e-9)
    assert result.lower[0] == pytest.approx(1000 * lower, rel=1e-9)
    assert result.upper[0] == pytest.approx(1000 * upper, rel=1e-9)


def test_standard_weights_on_any_scale_give_the_same_rate() -> None:
    # Weights are normalised by their total: fractions and counts are equivalent.
    fractions = directly_standardised_rate(SMALL_EVENTS, SMALL_POPULATION, SMALL_WEIGHTS)
    counts = directly_standardised_rate(SMALL_EVENTS, SMALL_POPULATION, [300, 500, 200])
    np.testing.assert_allclose(counts.estimate, fractions.estimate, rtol=1e-12)
    np.testing.assert_allclose(counts.lower, fractions.lower, rtol=1e-12)


# --- directly standardised rates: degenerate cases ---------------------------------------


@pytest.mark.parametrize("method", ["dobson", "normal_national"])
def test_zero_population_with_events_is_undefined(method: str) -> None:
    result = directly_standardised_rate(
        [[10, 2, 30], [10, 20, 30]],
        [[1000, 0, 1500], [1000, 2000, 1500]],
        [1, 1, 1],
        method=method,  # type: ignore[arg-type]
    )
    assert np.isnan(result.estimate[0])
    assert np.isnan(result.lower[0])
    assert np.isnan(result.upper[0])
    assert result.note[0].startswith("denominator is zero: population is 0 in strata [1]")
    assert "which have events" in result.note[0]
    assert result.note[1] == ""
    assert np.isfinite(result.estimate[1])


@pytest.mark.parametrize("method", ["dobson", "normal_national"])
def test_zero_population_in_a_weighted_stratum_is_undefined(method: str) -> None:
    result = directly_standardised_rate(
        [[10, 0, 30]],
        [[1000, 0, 1500]],
        [1, 1, 1],
        method=method,  # type: ignore[arg-type]
    )
    assert np.isnan(result.estimate[0])
    assert "standard weight > 0" in result.note[0]


@pytest.mark.parametrize("method", ["dobson", "normal_national"])
def test_empty_stratum_with_zero_weight_is_ignored(method: str) -> None:
    with_empty = directly_standardised_rate(
        [[10, 0, 30]],
        [[1000, 0, 1500]],
        [1, 0, 1],
        method=method,  # type: ignore[arg-type]
    )
    without = directly_standardised_rate(
        [[10, 30]],
        [[1000, 1500]],
        [1, 1],
        method=method,  # type: ignore[arg-type]
    )
    assert with_empty.note[0] == ""
    np.testing.assert_allclose(with_empty.estimate, without.estimate, rtol=1e-12)
    np.testing.assert_allclose(with_empty.lower, without.lower, rtol=1e-12)
    np.testing.assert_allclose(with_empty.upper, without.upper, rtol=1e-12)


def test_dobson_negative_lower_limit_is_reported_with_a_note() -> None:
    # Extreme weights: one event in a tiny, heavily weighted stratum. By hand the lower limit
    # is below zero; it is reported as computed, with a caution.
    events, population, weights = [1, 1000], [10.0, 1e6], [1000.0, 1.0]
    rate, lower, upper = dobson_by_hand(events, population, weights, 0.95)
    assert lower < 0
    result = directly_standardised_rate([events], [population], weights, multiplier=1)
    assert result.lower[0] == pytest.approx(lower, rel=1e-9)
    assert result.estimate[0] == pytest.approx(rate, rel=1e-9)
    assert result.upper[0] == pytest.approx(upper, rel=1e-9)
    assert result.note[0].startswith("lower limit below zero")


def test_zero_groups_give_empty_result() -> None:
    result = directly_standardised_rate(np.zeros((0, 3)), np.zeros((0, 3)), [1, 1, 1])
    assert result.estimate.shape == (0,)
    assert result.note.shape == (0,)


def test_standardised_rate_result_fields_and_frame() -> None:
    result = directly_standardised_rate(SMALL_EVENTS, SMALL_POPULATION, SMALL_WEIGHTS)
    assert isinstance(result, StandardisedRateResult)
    np.testing.assert_array_equal(result.total_events, [60, 55])
    np.testing.assert_array_equal(result.total_population, [4500, 4800])
    np.testing.assert_array_equal(result.standard, SMALL_WEIGHTS)
    assert result.events.shape == (2, 3)
    assert result.omit_variance_strata == ()
    frame = result.to_frame()
    assert len(frame) == 2
    assert set(frame.columns) >= {"estimate", "total_events", "total_population", "multiplier"}
    assert "events" not in frame.columns  # 2-D inputs are not flattened into rows


# --- directly standardised rates: invalid inputs -----------------------------------------


@pytest.mark.parametrize(
    ("events", "population", "standard", "match"),
    [
        ([10, 20], [100, 200], [1, 1], r"must be 2-D \(groups x strata\).*pass \[events\]"),
        ([[10, 20]], [[100, 200, 300]], [1, 1], r"same shape.*events \(1, 2\), population"),
        ([[10, 20]], [[100, 200]], [1, 1, 1], r"standard \(3,\)"),
    ],
)
def test_dsr_shape_errors(events: object, population: object, standard: object, match: str) -> None:
    with pytest.raises(ShapeMismatchError, match=match):
        directly_standardised_rate(events, population, standard)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("events", "population", "standard", "match"),
    [
        ([[10, -1]], [[100, 200]], [1, 1], r"events must be >= 0; got -1 at index \(0, 1\)"),
        ([[10, 1.5]], [[100, 200]], [1, 1], r"events must be whole numbers"),
        ([[10, 1]], [[100, np.nan]], [1, 1], r"population must be finite numbers"),
        ([[10, 1]], [[100, 200]], [1, -1], r"standard must be >= 0"),
        ([[10, 1]], [[100, 200]], [0, 0], r"standard must have a positive total"),
    ],
)
def test_dsr_invalid_values(
    events: object, population: object, standard: object, match: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        directly_standardised_rate(events, population, standard)  # type: ignore[arg-type]


def test_dsr_unknown_method_raises() -> None:
    with pytest.raises(UnknownMethodError, match=r"method='byar' is not available.*'dobson'"):
        directly_standardised_rate(SMALL_EVENTS, SMALL_POPULATION, SMALL_WEIGHTS, method="byar")  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [0.0, 1.0, 95])
def test_dsr_confidence_level_outside_zero_one_raises(level: float) -> None:
    with pytest.raises(InvalidArgumentError, match="confidence_level must be a fraction"):
        directly_standardised_rate(
            SMALL_EVENTS, SMALL_POPULATION, SMALL_WEIGHTS, confidence_level=level
        )


def test_normal_national_rejects_events_above_population() -> None:
    with pytest.raises(InvalidArgumentError, match=r"events must not exceed population.*dobson"):
        directly_standardised_rate([[5, 30]], [[10, 20]], [1, 1], method="normal_national")


def test_omit_variance_strata_with_dobson_raises() -> None:
    with pytest.raises(InvalidArgumentError, match=r"applies only to method='normal_national'"):
        directly_standardised_rate(
            SMALL_EVENTS, SMALL_POPULATION, SMALL_WEIGHTS, omit_variance_strata=[0]
        )


@pytest.mark.parametrize(
    ("omit", "error", "match"),
    [
        ([3], InvalidArgumentError, r"indices from 0 to 2; got 3 at position 0"),
        ([-1], InvalidArgumentError, r"indices from 0 to 2; got -1"),
        ([1, 1], InvalidArgumentError, r"must not repeat a stratum; 1 appears twice"),
        ([True], InvalidTypeError, r"whole stratum indices; got True"),
        ([1.0], InvalidTypeError, r"whole stratum indices; got 1\.0"),
        ("1", InvalidTypeError, r"sequence of stratum indices; got '1'"),
    ],
)
def test_invalid_omit_variance_strata_raises(omit: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        directly_standardised_rate(
            SMALL_EVENTS,
            SMALL_POPULATION,
            SMALL_WEIGHTS,
            method="normal_national",
            omit_variance_strata=omit,  # type: ignore[arg-type]
        )


# --- indirectly standardised ratios ------------------------------------------------------


def test_ratio_uses_byar_limits_of_the_observed_count() -> None:
    # E = 20,000 x 0.001 + 30,000 x 0.002 = 80; O = 65: limits are the UKHSA Byar values / 80.
    result = indirectly_standardised_ratio(65, [20_000, 30_000], [0.001, 0.002])
    assert float(result.expected) == pytest.approx(80.0, rel=1e-12)
    assert float(result.estimate) == pytest.approx(65 / 80, rel=1e-12)
    assert float(result.lower) == pytest.approx(50.163187710459454 / 80, rel=1e-9)
    assert float(result.upper) == pytest.approx(82.849138545939837 / 80, rel=1e-9)
    assert str(result.method) == "byar"


@pytest.mark.parametrize("observed", [0, 1, 4, 9])
def test_ratio_uses_exact_limits_below_ten(observed: int) -> None:
    # E = 5,000 x 0.001 + 1,000 x 0.002 = 7; exact limits from chi-squared quantiles / 7.
    result = indirectly_standardised_ratio(
        observed, [5_000, 1_000], [0.001, 0.002], multiplier=100, confidence_level=0.9
    )
    lower = 0.0 if observed == 0 else scipy_stats.chi2.ppf(0.05, 2 * observed) / 2
    upper = scipy_stats.chi2.ppf(0.95, 2 * observed + 2) / 2
    assert float(result.estimate) == pytest.approx(100 * observed / 7, rel=1e-12)
    assert float(result.lower) == pytest.approx(100 * lower / 7, rel=1e-9)
    assert float(result.upper) == pytest.approx(100 * upper / 7, rel=1e-9)
    assert str(result.method) == "exact"


def test_ratio_for_several_groups_and_the_docstring_example() -> None:
    result = indirectly_standardised_ratio(
        [65, 4], [[20_000, 30_000], [5_000, 1_000]], [0.001, 0.002], multiplier=100
    )
    np.testing.assert_allclose(result.expected, [80.0, 7.0], rtol=1e-12)
    assert list(result.method) == ["byar", "exact"]
    assert result.lower[0] == pytest.approx(100 * 50.163187710459454 / 80, rel=1e-9)  # UKHSA
    assert result.upper[1] == pytest.approx(100 * scipy_stats.chi2.ppf(0.975, 10) / 2 / 7, rel=1e-9)


def test_ratio_with_reference_overall_rate_gives_standardised_rate() -> None:
    # Indirectly standardised rate = (O/E) x overall reference rate (here per 100,000).
    result = indirectly_standardised_ratio(
        65, [20_000, 30_000], [0.001, 0.002], multiplier=100, reference_overall_rate=160.0
    )
    assert float(result.rate) == pytest.approx(65 / 80 * 160.0, rel=1e-12)
    assert float(result.rate_lower) == pytest.approx(50.163187710459454 / 80 * 160.0, rel=1e-9)
    assert float(result.rate_upper) == pytest.approx(82.849138545939837 / 80 * 160.0, rel=1e-9)
    assert result.reference_overall_rate == 160.0
    # the ratio itself is scaled by the multiplier; the rate is not
    assert float(result.estimate) == pytest.approx(100 * 65 / 80, rel=1e-12)


def test_ratio_without_reference_overall_rate_has_nan_rate() -> None:
    result = indirectly_standardised_ratio(65, [20_000, 30_000], [0.001, 0.002])
    assert np.isnan(result.rate)
    assert np.isnan(result.rate_lower)
    assert np.isnan(result.rate_upper)
    assert math.isnan(result.reference_overall_rate)


def test_ratio_with_zero_expected_is_nan_with_note() -> None:
    result = indirectly_standardised_ratio([0, 3, 3], [[0, 0], [0, 0], [100, 0]], [0.1, 0.2])
    assert np.isnan(result.estimate[0])
    assert result.note[0] == "denominator is zero (expected events are 0)"
    assert np.isnan(result.estimate[1])
    assert np.isnan(result.lower[1])
    assert result.note[1].startswith("denominator is zero (expected events are 0) but observed")
    assert result.note[2] == ""
    assert result.estimate[2] == pytest.approx(3 / 10)


def test_ratio_with_zero_observed_has_lower_zero() -> None:
    result = indirectly_standardised_ratio(0, [1000, 1000], [0.002, 0.003])
    assert float(result.estimate) == 0.0
    assert float(result.lower) == 0.0
    assert float(result.upper) == pytest.approx(-math.log(0.025) / 5, rel=1e-9)  # closed form


def test_ratio_result_fields_and_frame() -> None:
    result = indirectly_standardised_ratio([65, 4], [[2e4, 3e4], [5e3, 1e3]], [0.001, 0.002])
    assert isinstance(result, StandardisedRatioResult)
    assert result.population.shape == (2, 2)
    np.testing.assert_array_equal(result.reference_rates, [0.001, 0.002])
    frame = result.to_frame()
    assert list(frame["method"]) == ["byar", "exact"]
    assert set(frame.columns) >= {"observed", "expected", "rate", "reference_overall_rate"}


@pytest.mark.parametrize(
    ("observed", "population", "rates", "match"),
    [
        ([1, 2], [100, 200], [0.1, 0.1], r"observed \(2,\), population \(2,\)"),
        (1, [[100, 200]], [0.1, 0.1], r"observed \(\), population \(1, 2\)"),
        ([1], [[100, 200]], [0.1, 0.1, 0.1], r"reference_rates \(3,\)"),
        ([1], [[100, 200]], [[0.1, 0.1]], r"reference_rates must be 1-D"),
    ],
)
def test_ratio_shape_errors(
    observed: object, population: object, rates: object, match: str
) -> None:
    with pytest.raises(ShapeMismatchError, match=match):
        indirectly_standardised_ratio(observed, population, rates)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("observed", "population", "rates", "kwargs", "error", "match"),
    [
        (1.5, [100], [0.1], {}, InvalidArgumentError, r"observed must be whole numbers"),
        (-1, [100], [0.1], {}, InvalidArgumentError, r"observed must be >= 0"),
        (1, [-100], [0.1], {}, InvalidArgumentError, r"population must be >= 0"),
        (1, [100], [np.nan], {}, InvalidArgumentError, r"reference_rates must be finite"),
        (1, [100], [0.1], {"confidence_level": 95}, InvalidArgumentError, "confidence_level"),
        (1, [100], [0.1], {"multiplier": -1}, InvalidArgumentError, "multiplier"),
        (
            1,
            [100],
            [0.1],
            {"reference_overall_rate": -5.0},
            InvalidArgumentError,
            r"reference_overall_rate must be a finite number >= 0; got -5\.0",
        ),
        (
            1,
            [100],
            [0.1],
            {"reference_overall_rate": "160"},
            InvalidTypeError,
            r"reference_overall_rate must be a number; got '160'",
        ),
    ],
)
def test_ratio_invalid_values(
    observed: object,
    population: object,
    rates: object,
    kwargs: dict[str, object],
    error: type,
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        indirectly_standardised_ratio(observed, population, rates, **kwargs)  # type: ignore[arg-type]


# --- invariants --------------------------------------------------------------------------

strata = 4
group_tables = st.tuples(
    st.lists(st.integers(min_value=0, max_value=300), min_size=strata, max_size=strata),
    st.lists(st.integers(min_value=300, max_value=50_000), min_size=strata, max_size=strata),
).filter(lambda t: sum(t[0]) >= 10)
weights = st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=strata, max_size=strata)
levels = st.floats(min_value=0.5, max_value=0.999)
dsr_methods = st.sampled_from(["dobson", "normal_national"])


@settings(max_examples=50)
@given(table=group_tables, standard=weights, level=levels, method=dsr_methods)
def test_dsr_estimate_lies_within_limits(
    table: tuple[list[int], list[int]], standard: list[float], level: float, method: str
) -> None:
    result = directly_standardised_rate(
        [table[0]],
        [table[1]],
        standard,
        method=method,
        confidence_level=level,  # type: ignore[arg-type]
    )
    assert result.lower[0] <= result.estimate[0] <= result.upper[0]


@settings(max_examples=50)
@given(
    table=group_tables,
    standard=weights,
    low=levels,
    extra=st.floats(min_value=0.0, max_value=0.5),
    method=dsr_methods,
)
def test_dsr_intervals_widen_as_the_level_rises(
    table: tuple[list[int], list[int]],
    standard: list[float],
    low: float,
    extra: float,
    method: str,
) -> None:
    high = min(low + extra, 0.9999)
    args = ([table[0]], [table[1]], standard)
    narrow = directly_standardised_rate(*args, method=method, confidence_level=low)  # type: ignore[arg-type]
    wide = directly_standardised_rate(*args, method=method, confidence_level=high)  # type: ignore[arg-type]
    scale = abs(narrow.estimate[0]) + 1e-300
    assert wide.lower[0] <= narrow.lower[0] + 1e-12 * scale
    assert wide.upper[0] >= narrow.upper[0] - 1e-12 * scale


@settings(max_examples=40)
@given(
    table=group_tables,
    standard=weights,
    multiplier=st.floats(min_value=1e-3, max_value=1e6),
    method=dsr_methods,
)
def test_dsr_multiplier_scales_linearly(
    table: tuple[list[int], list[int]], standard: list[float], multiplier: float, method: str
) -> None:
    args = ([table[0]], [table[1]], standard)
    base = directly_standardised_rate(*args, method=method, multiplier=1)  # type: ignore[arg-type]
    scaled = directly_standardised_rate(*args, method=method, multiplier=multiplier)  # type: ignore[arg-type]
    for name in ("estimate", "lower", "upper"):
        expected = multiplier * getattr(base, name)
        np.testing.assert_allclose(getattr(scaled, name), expected, rtol=1e-12, atol=1e-300)


@settings(max_examples=30)
@given(tables=st.lists(group_tables, min_size=1, max_size=5), standard=weights, method=dsr_methods)
def test_dsr_vectorised_equals_group_by_group(
    tables: list[tuple[list[int], list[int]]], standard: list[float], method: str
) -> None:
    events = [t[0] for t in tables]
    population = [t[1] for t in tables]
    together = directly_standardised_rate(events, population, standard, method=method)  # type: ignore[arg-type]
    for g, (d, n) in enumerate(tables):
        alone = directly_standardised_rate([d], [n], standard, method=method)  # type: ignore[arg-type]
        for name in ("estimate", "lower", "upper"):
            assert getattr(together, name)[g] == pytest.approx(getattr(alone, name)[0], rel=1e-13)
        assert together.note[g] == alone.note[0]


ratio_inputs = st.tuples(
    st.integers(min_value=0, max_value=5000),
    st.lists(st.floats(min_value=1.0, max_value=1e5), min_size=strata, max_size=strata),
    st.lists(st.floats(min_value=1e-5, max_value=0.1), min_size=strata, max_size=strata),
)


@settings(max_examples=50)
@given(inputs=ratio_inputs, level=levels, multiplier=st.sampled_from([1.0, 100.0]))
def test_ratio_estimate_lies_within_limits(
    inputs: tuple[int, list[float], list[float]], level: float, multiplier: float
) -> None:
    result = indirectly_standardised_ratio(*inputs, confidence_level=level, multiplier=multiplier)
    assert 0.0 <= result.lower <= result.estimate <= result.upper


@settings(max_examples=40)
@given(inputs=ratio_inputs, low=levels, extra=st.floats(min_value=0.0, max_value=0.5))
def test_ratio_intervals_widen_as_the_level_rises(
    inputs: tuple[int, list[float], list[float]], low: float, extra: float
) -> None:
    narrow = indirectly_standardised_ratio(*inputs, confidence_level=low)
    wide = indirectly_standardised_ratio(*inputs, confidence_level=min(low + extra, 0.9999))
    assert wide.lower <= narrow.lower * (1 + 1e-12)
    assert wide.upper >= narrow.upper * (1 - 1e-12)


@settings(max_examples=40)
@given(inputs=ratio_inputs, multiplier=st.floats(min_value=1e-3, max_value=1e6))
def test_ratio_multiplier_scales_linearly(
    inputs: tuple[int, list[float], list[float]], multiplier: float
) -> None:
    base = indirectly_standardised_ratio(*inputs)
    scaled = indirectly_standardised_ratio(*inputs, multiplier=multiplier)
    for name in ("estimate", "lower", "upper"):
        expected = multiplier * float(getattr(base, name))
        assert float(getattr(scaled, name)) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@settings(max_examples=30)
@given(groups=st.lists(ratio_inputs, min_size=1, max_size=5))
def test_ratio_vectorised_equals_group_by_group(
    groups: list[tuple[int, list[float], list[float]]],
) -> None:
    rates = groups[0][2]
    observed = [g[0] for g in groups]
    population = [g[1] for g in groups]
    together = indirectly_standardised_ratio(observed, population, rates)
    for i, (o, n, _) in enumerate(groups):
        alone = indirectly_standardised_ratio(o, n, rates)
        assert together.estimate[i] == pytest.approx(float(alone.estimate), rel=1e-13)
        assert together.lower[i] == pytest.approx(float(alone.lower), rel=1e-13)
        assert together.upper[i] == pytest.approx(float(alone.upper), rel=1e-13)
        assert together.method[i] == alone.method


@settings(max_examples=20)
@given(inputs=ratio_inputs)
def test_ratio_scalar_observed_gives_zero_dimensional_arrays(
    inputs: tuple[int, list[float], list[float]],
) -> None:
    result = indirectly_standardised_ratio(*inputs)
    for name in ("estimate", "lower", "upper", "method", "note", "observed", "expected", "rate"):
        value = getattr(result, name)
        assert isinstance(value, np.ndarray), name
        assert value.shape == (), name
