"""Tests for the Mantel-Haenszel pooled risk, odds and rate ratios (strata on the last axis).

Independent sources: ``statsmodels.stats.contingency_tables.StratifiedTable``
(``riskratio_pooled``, ``oddsratio_pooled``, ``logodds_pooled_se``, ``logodds_pooled_confint``,
the Robins-Breslow-Greenland interval); the Mantel-Haenszel estimators and the Greenland-Robins
(1985) variances written out below as plain Python loops; the crude Katz, Woolf and log-method
intervals (``scipy.stats.contingency.relative_risk``, ``statsmodels Table2x2``,
``statsmodels.stats.rates.confint_poisson_2indep``) for a single stratum.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import contingency
from statsmodels.stats import rates as statsmodels_rates
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
)
from equitymetrics.stats import (
    MantelHaenszelRateRatioResult,
    MantelHaenszelResult,
    mantel_haenszel_odds_ratio,
    mantel_haenszel_rate_ratio,
    mantel_haenszel_risk_ratio,
)

Strata = list[tuple[float, float, float, float]]

# Two cohorts stratified by age (group events, group total, reference events, reference total)
COHORT_A: Strata = [(8, 106, 5, 120), (22, 98, 16, 85)]
COHORT_B: Strata = [(2, 67, 5, 60), (9, 70, 17, 74), (12, 14, 9, 15), (1, 30, 0, 25)]
# Doll and Hill (1966) British doctors, coronary deaths and person-years by age band
# (smokers, then non-smokers)
DOCTORS: Strata = [
    (32, 52407, 2, 18790),
    (104, 43248, 12, 10673),
    (206, 28612, 28, 5710),
    (186, 12663, 28, 2585),
    (102, 5317, 31, 1462),
]


def z_for(level: float) -> float:
    return NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)


def columns(strata: Strata) -> list[np.ndarray]:
    return [np.array(column, dtype=float) for column in zip(*strata, strict=True)]


def log_interval(r: float, s: float, variance: float, level: float) -> tuple[float, float, float]:
    estimate = r / s
    half = z_for(level) * math.sqrt(variance)
    return estimate, estimate * math.exp(-half), estimate * math.exp(half)


def risk_ratio_by_hand(strata: Strata, level: float) -> tuple[float, float, float]:
    """Mantel-Haenszel risk ratio with the Greenland and Robins (1985) variance."""
    r = s = p = 0.0
    for a, n1, c, n0 in strata:
        n = n1 + n0
        r += a * n0 / n
        s += c * n1 / n
        p += (n1 * n0 * (a + c) - a * c * n) / n**2
    return log_interval(r, s, p / (r * s), level)


def odds_ratio_by_hand(strata: Strata, level: float) -> tuple[float, float, float]:
    """Mantel-Haenszel odds ratio with the Robins, Breslow and Greenland (1986) variance."""
    r = s = pr = ps_qr = qs = 0.0
    for a, n1, c, n0 in strata:
        b, d, n = n1 - a, n0 - c, n1 + n0
        rk, sk, pk, qk = a * d / n, b * c / n, (a + d) / n, (b + c) / n
        r, s = r + rk, s + sk
        pr, ps_qr, qs = pr + pk * rk, ps_qr + pk * sk + qk * rk, qs + qk * sk
    variance = pr / (2 * r * r) + ps_qr / (2 * r * s) + qs / (2 * s * s)
    return log_interval(r, s, variance, level)


def rate_ratio_by_hand(strata: Strata, level: float) -> tuple[float, float, float]:
    """Mantel-Haenszel rate ratio with the Greenland and Robins (1985) person-time variance."""
    r = s = p = 0.0
    for a, t1, c, t0 in strata:
        t = t1 + t0
        r += a * t0 / t
        s += c * t1 / t
        p += (a + c) * t1 * t0 / t**2
    return log_interval(r, s, p / (r * s), level)


def triple(result: Any) -> tuple[float, float, float]:
    return float(result.estimate), float(result.lower), float(result.upper)


def statsmodels_table(strata: Strata) -> StratifiedTable:
    tables = np.array([[[a, n1 - a], [c, n0 - c]] for a, n1, c, n0 in strata]).transpose(1, 2, 0)
    return StratifiedTable(tables)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("strata", [COHORT_A, COHORT_B], ids=["A", "B"])
def test_risk_ratio_matches_statsmodels_and_greenland_robins(strata: Strata, level: float) -> None:
    result = mantel_haenszel_risk_ratio(*columns(strata), confidence_level=level)
    assert triple(result) == pytest.approx(risk_ratio_by_hand(strata, level), rel=1e-12)
    assert float(result.estimate) == pytest.approx(
        statsmodels_table(strata).riskratio_pooled, rel=1e-12
    )
    assert (int(result.strata_used), int(result.strata_skipped)) == (len(strata), 0)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("strata", [COHORT_A, COHORT_B], ids=["A", "B"])
def test_odds_ratio_matches_statsmodels_robins_breslow_greenland(
    strata: Strata, level: float
) -> None:
    result = mantel_haenszel_odds_ratio(*columns(strata), confidence_level=level)
    assert triple(result) == pytest.approx(odds_ratio_by_hand(strata, level), rel=1e-12)
    table = statsmodels_table(strata)
    assert float(result.estimate) == pytest.approx(table.oddsratio_pooled, rel=1e-12)
    low, high = table.logodds_pooled_confint(alpha=1 - level)
    assert float(result.lower) == pytest.approx(math.exp(low), rel=1e-12)
    assert float(result.upper) == pytest.approx(math.exp(high), rel=1e-12)
    half_width = math.log(float(result.upper) / float(result.lower)) / 2
    assert half_width / z_for(level) == pytest.approx(table.logodds_pooled_se, rel=1e-10)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_rate_ratio_matches_greenland_robins_by_hand(level: float) -> None:
    result = mantel_haenszel_rate_ratio(*columns(DOCTORS), confidence_level=level)
    assert isinstance(result, MantelHaenszelRateRatioResult)
    assert triple(result) == pytest.approx(rate_ratio_by_hand(DOCTORS, level), rel=1e-12)
    assert str(result.method) == "mantel-haenszel-greenland-robins"


def test_one_stratum_equals_the_crude_intervals() -> None:
    a, n1, c, n0 = 22, 98, 16, 85
    risk = mantel_haenszel_risk_ratio([a], [n1], [c], [n0])
    crude = contingency.relative_risk(a, n1, c, n0)  # Katz interval
    ci = crude.confidence_interval(0.95)
    assert triple(risk) == pytest.approx((crude.relative_risk, ci.low, ci.high), rel=1e-12)
    odds = mantel_haenszel_odds_ratio([a], [n1], [c], [n0])
    table = Table2x2(np.array([[a, n1 - a], [c, n0 - c]]))  # Woolf interval
    assert triple(odds) == pytest.approx((table.oddsratio, *table.oddsratio_confint()), rel=1e-12)
    rate = mantel_haenszel_rate_ratio([32], [52407.0], [2], [18790.0])
    low, high = statsmodels_rates.confint_poisson_2indep(32, 52407.0, 2, 18790.0, method="wald-log")
    assert triple(rate)[1:] == pytest.approx((float(low), float(high)), rel=1e-12)


def test_uninformative_strata_are_skipped_and_counted() -> None:
    informative = COHORT_B
    padded = [
        *informative,
        (0, 0, 3, 10),  # group absent
        (4, 10, 0, 0),  # reference group absent
        (0, 12, 0, 9),  # no events
        (0, 0, 0, 0),  # empty
    ]
    base = mantel_haenszel_risk_ratio(*columns(informative))
    result = mantel_haenszel_risk_ratio(*columns(padded))
    assert triple(result) == pytest.approx(triple(base), rel=1e-14)
    assert (int(result.strata_used), int(result.strata_skipped)) == (4, 4)
    # for the odds ratio a stratum with no non-events (b + d = 0) has no information either
    odds_padded = [*padded, (5, 5, 7, 7)]
    odds = mantel_haenszel_odds_ratio(*columns(odds_padded))
    assert triple(odds) == pytest.approx(
        triple(mantel_haenszel_odds_ratio(*columns(informative))), rel=1e-14
    )
    assert (int(odds.strata_used), int(odds.strata_skipped)) == (4, 5)
    # ... but it does inform the risk ratio (it adds n1 n0 / N to both R and S)
    risk = mantel_haenszel_risk_ratio(*columns(odds_padded))
    assert (int(risk.strata_used), int(risk.strata_skipped)) == (5, 4)
    assert triple(risk) == pytest.approx(
        risk_ratio_by_hand([*informative, (5, 5, 7, 7)], 0.95), rel=1e-12
    )


def test_rate_ratio_skips_strata_without_exposure_and_notes_lost_events() -> None:
    padded = [*DOCTORS, (0, 0.0, 4, 100.0), (0, 50.0, 0, 80.0)]
    result = mantel_haenszel_rate_ratio(*columns(padded))
    assert triple(result) == pytest.approx(rate_ratio_by_hand(DOCTORS, 0.95), rel=1e-12)
    assert (int(result.strata_used), int(result.strata_skipped)) == (5, 2)
    assert str(result.note) == ""
    lost = mantel_haenszel_rate_ratio(*columns([*DOCTORS, (3, 0.0, 4, 100.0)]))
    assert triple(lost) == pytest.approx(rate_ratio_by_hand(DOCTORS, 0.95), rel=1e-12)
    assert "zero exposure were left out" in str(lost.note)


@pytest.mark.parametrize(
    "function",
    [mantel_haenszel_risk_ratio, mantel_haenszel_odds_ratio, mantel_haenszel_rate_ratio],
)
def test_no_informative_strata_is_nan_with_note(function: Any) -> None:
    result = function([0, 0], [10, 0], [0, 0], [5, 3])
    assert np.isnan([result.estimate, result.lower, result.upper]).all()
    assert "no stratum has information" in str(result.note)
    assert (int(result.strata_used), int(result.strata_skipped)) == (0, 2)
    empty = function(np.zeros((3, 0)), np.zeros((3, 0)), np.zeros((3, 0)), np.zeros((3, 0)))
    assert empty.estimate.shape == (3,)
    assert np.isnan(empty.estimate).all()


@pytest.mark.parametrize(
    "function",
    [mantel_haenszel_risk_ratio, mantel_haenszel_odds_ratio, mantel_haenszel_rate_ratio],
)
def test_zero_pooled_numerator_or_denominator(function: Any) -> None:
    zero = function([0, 0], [10, 12], [2, 3], [10, 12])
    assert (float(zero.estimate), float(zero.lower)) == (0.0, 0.0)
    assert math.isnan(float(zero.upper))
    assert "pooled numerator is 0" in str(zero.note)
    infinite = function([2, 3], [10, 12], [0, 0], [10, 12])
    assert float(infinite.estimate) == math.inf
    assert float(infinite.upper) == math.inf
    assert math.isnan(float(infinite.lower))
    assert "pooled denominator is 0" in str(infinite.note)


def test_vectorised_over_leading_axes_and_broadcast_reference() -> None:
    events = np.array([[8, 22], [2, 9], [12, 1]])
    totals = np.array([[106, 98], [67, 70], [14, 30]])
    reference_events, reference_totals = np.array([5, 16]), np.array([120, 85])
    result = mantel_haenszel_risk_ratio(events, totals, reference_events, reference_totals)
    assert isinstance(result, MantelHaenszelResult)
    assert result.estimate.shape == (3,)
    assert result.strata_used.shape == (3,)
    for row in range(3):
        alone = mantel_haenszel_risk_ratio(
            events[row], totals[row], reference_events, reference_totals
        )
        assert float(result.estimate[row]) == float(alone.estimate)
        assert float(result.lower[row]) == float(alone.lower)
        assert float(result.upper[row]) == float(alone.upper)
    frame = result.to_frame()
    assert list(frame["strata_used"]) == [2, 2, 2]
    assert list(frame["strata_skipped"]) == [0, 0, 0]
    assert "events" not in frame.columns  # the inputs keep their strata axis


@pytest.mark.parametrize(
    "function",
    [mantel_haenszel_risk_ratio, mantel_haenszel_odds_ratio, mantel_haenszel_rate_ratio],
)
@pytest.mark.parametrize(
    ("arguments", "keywords", "error", "match"),
    [
        ((3, 10, 2, 10), {}, ShapeMismatchError, "strata along the last axis"),
        (([3, 2], [10, 10, 10], [2, 2], [10, 10]), {}, ShapeMismatchError, "broadcast"),
        (([-3, 2], [10, 10], [2, 2], [10, 10]), {}, InvalidArgumentError, "must be >= 0"),
        (([3.5, 2], [10, 10], [2, 2], [10, 10]), {}, InvalidArgumentError, "whole numbers"),
        (([3, 2], [10, 10], [2, float("nan")], [10, 10]), {}, InvalidArgumentError, "finite"),
        (([3, 2], [10, 10], [2, 2], [10, 10]), {"confidence_level": 0}, InvalidArgumentError, ""),
        ((["3", "2"], [10, 10], [2, 2], [10, 10]), {}, InvalidTypeError, "must be numbers"),
    ],
)
def test_invalid_inputs_raise(
    function: Any,
    arguments: tuple[Any, ...],
    keywords: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match or "confidence_level"):
        function(*arguments, **keywords)


@pytest.mark.parametrize("function", [mantel_haenszel_risk_ratio, mantel_haenszel_odds_ratio])
def test_events_above_total_raise(function: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="events must not exceed total"):
        function([11, 2], [10, 10], [2, 2], [10, 10])


# --------------------------------------------------------------------------------------------
# invariants (hypothesis)


@st.composite
def stratum(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(1, 40))
    n0 = draw(st.integers(1, 40))
    return draw(st.integers(1, n1)), n1, draw(st.integers(1, n0)), n0


@st.composite
def any_stratum(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(0, 40))
    n0 = draw(st.integers(0, 40))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n0)), n0


POOLED = [mantel_haenszel_risk_ratio, mantel_haenszel_odds_ratio, mantel_haenszel_rate_ratio]


@settings(max_examples=60)
@given(table=stratum())
def test_one_stratum_equals_the_crude_ratio(table: tuple[int, int, int, int]) -> None:
    a, n1, c, n0 = table
    risk = mantel_haenszel_risk_ratio([a], [n1], [c], [n0])
    assert float(risk.estimate) == pytest.approx((a / n1) / (c / n0), rel=1e-12)
    rate = mantel_haenszel_rate_ratio([a], [n1], [c], [n0])
    assert float(rate.estimate) == pytest.approx((a / n1) / (c / n0), rel=1e-12)
    if a < n1 and c < n0:
        odds = mantel_haenszel_odds_ratio([a], [n1], [c], [n0])
        assert float(odds.estimate) == pytest.approx((a * (n0 - c)) / ((n1 - a) * c), rel=1e-12)


@pytest.mark.parametrize("function", POOLED)
@settings(max_examples=40)
@given(strata=st.lists(any_stratum(), min_size=1, max_size=8), seed=st.integers(0, 2**16))
def test_strata_order_does_not_matter(
    function: Any, strata: list[tuple[int, int, int, int]], seed: int
) -> None:
    order = np.random.default_rng(seed).permutation(len(strata))
    shuffled = [strata[i] for i in order]
    first, second = function(*columns(strata)), function(*columns(shuffled))  # type: ignore[arg-type]
    for field in ("estimate", "lower", "upper"):
        np.testing.assert_allclose(getattr(second, field), getattr(first, field), rtol=1e-12)
    assert int(first.strata_used) == int(second.strata_used)
    assert str(first.note) == str(second.note)


@pytest.mark.parametrize("function", POOLED)
@settings(max_examples=40)
@given(
    strata=st.lists(any_stratum(), min_size=1, max_size=8),
    level=st.sampled_from([0.8, 0.95, 0.99]),
)
def test_pooled_interval_is_ordered_and_widens(
    function: Any, strata: list[tuple[int, int, int, int]], level: float
) -> None:
    result = function(*columns(strata), confidence_level=level)  # type: ignore[arg-type]
    wider = function(*columns(strata), confidence_level=0.999)  # type: ignore[arg-type]
    estimate, lower, upper = triple(result)
    if not math.isnan(lower):
        assert lower <= estimate
        assert wider.lower <= lower * (1 + 1e-12)
    if not math.isnan(upper):
        assert estimate <= upper
        assert wider.upper >= upper * (1 - 1e-12)


@pytest.mark.parametrize("function", POOLED)
@settings(max_examples=40)
@given(strata=st.lists(any_stratum(), min_size=1, max_size=8))
def test_swapping_groups_inverts_the_pooled_ratio(
    function: Any, strata: list[tuple[int, int, int, int]]
) -> None:
    a, n1, c, n0 = columns(strata)  # type: ignore[arg-type]
    forward, backward = function(a, n1, c, n0), function(c, n0, a, n1)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(1.0 / backward.estimate, forward.estimate, rtol=1e-12)
        np.testing.assert_allclose(1.0 / backward.upper, forward.lower, rtol=1e-12)
        np.testing.assert_allclose(1.0 / backward.lower, forward.upper, rtol=1e-12)
    assert int(forward.strata_used) == int(backward.strata_used)
