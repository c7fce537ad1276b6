"""Tests for ``stats.risk_ratio``, ``stats.odds_ratio`` and ``stats.rate_ratio``.

Independent sources: the worked examples of Fagerland, Lydersen and Laake (2017), "Statistical
Analysis of Contingency Tables", chapter 4 (Perondi et al. 2004: 7/34 vs 1/34; Ritland et al.
2007: 0/16 vs 15/72), as printed by the R package ``contingencytables`` that accompanies the
book; the Katz, Woolf and log formulas written out below with :mod:`math`;
``scipy.stats.contingency.relative_risk`` and ``odds_ratio(kind="sample")``;
``statsmodels.stats.contingency_tables.Table2x2``; ``statsmodels.stats.proportion.
confint_proportions_2indep`` (Koopman = ``"score"`` without correction);
``statsmodels.stats.rates`` (``confint_poisson_2indep``, ``test_poisson_2indep``);
``scipy.stats.binomtest(...).proportion_ci``; ``scipy.stats.nchypergeom_fisher``; a direct
numerical maximisation of the binomial likelihood for Koopman's score statistic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special
from scipy import stats as scipy_stats
from scipy.stats import contingency
from statsmodels.stats import rates as statsmodels_rates
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)
from equitymetrics.stats import RateRatioResult, RatioResult, odds_ratio, rate_ratio, risk_ratio


def z_for(level: float) -> float:
    """Two-sided normal quantile from the standard library (independent of scipy.special)."""
    return NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)


def katz_by_hand(a: int, n1: int, c: int, n0: int, level: float) -> tuple[float, float, float]:
    """Katz et al. (1978): RR exp(-/+ z sqrt(1/a - 1/n1 + 1/c - 1/n0))."""
    rr = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    z = z_for(level)
    return rr, rr * math.exp(-z * se), rr * math.exp(z * se)


def woolf_by_hand(a: float, b: float, c: float, d: float, level: float) -> tuple[float, ...]:
    """Woolf (1955): OR exp(-/+ z sqrt(1/a + 1/b + 1/c + 1/d))."""
    odds = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = z_for(level)
    return odds, odds * math.exp(-z * se), odds * math.exp(z * se)


def log_rate_by_hand(a: float, t1: float, c: float, t0: float, level: float) -> tuple[float, ...]:
    """Log method for a rate ratio: IRR exp(-/+ z sqrt(1/a + 1/c))."""
    irr = (a / t1) / (c / t0)
    se = math.sqrt(1 / a + 1 / c)
    z = z_for(level)
    return irr, irr * math.exp(-z * se), irr * math.exp(z * se)


def koopman_statistic(theta: float, a: int, n1: int, c: int, n0: int) -> float:
    """Koopman's score statistic with the restricted MLE found by numerical maximisation.

    The binomial log-likelihood under p1 = theta p0 is maximised over p0 directly (no closed
    form), so this does not share code or algebra with the library.
    """

    def negative_log_likelihood(p0: float) -> float:
        p1 = theta * p0
        return -float(
            special.xlogy(a, p1)
            + special.xlogy(n1 - a, 1 - p1)
            + special.xlogy(c, p0)
            + special.xlogy(n0 - c, 1 - p0)
        )

    top = min(1.0, 1.0 / theta)
    fit = optimize.minimize_scalar(
        negative_log_likelihood, bounds=(1e-12, top), method="bounded", options={"xatol": 1e-13}
    )
    p0 = float(fit.x)
    p1 = theta * p0
    variance = p1 * (1 - p1) / n1 + theta**2 * p0 * (1 - p0) / n0
    return (a / n1 - theta * c / n0) ** 2 / variance


# --------------------------------------------------------------------------------------------
# risk ratio


def test_risk_ratio_published_katz_and_koopman() -> None:
    # Fagerland, Lydersen and Laake (2017), chapter 4, Perondi et al. (2004) trial, 7/34 vs
    # 1/34: Katz log 7.0000 (0.9096 to 53.8695); Koopman score 7.0000 (1.2209 to 42.5757).
    katz = risk_ratio(7, 34, 1, 34)
    assert float(katz.estimate) == pytest.approx(7.0, abs=5e-5)
    assert float(katz.lower) == pytest.approx(0.9096, abs=5e-5)
    assert float(katz.upper) == pytest.approx(53.8695, abs=5e-5)
    koopman = risk_ratio(7, 34, 1, 34, method="koopman")
    assert float(koopman.lower) == pytest.approx(1.2209, abs=5e-5)
    assert float(koopman.upper) == pytest.approx(42.5757, abs=5e-5)


TABLES = [(7, 34, 1, 34), (15, 72, 4, 16), (56, 70, 48, 80), (3, 10, 9, 11), (120, 5000, 45, 3000)]


@pytest.mark.parametrize("level", [0.8, 0.95, 0.998])
@pytest.mark.parametrize(("a", "n1", "c", "n0"), TABLES)
def test_katz_matches_hand_formula_scipy_and_statsmodels(
    a: int, n1: int, c: int, n0: int, level: float
) -> None:
    result = risk_ratio(a, n1, c, n0, confidence_level=level)
    expected = katz_by_hand(a, n1, c, n0, level)  # formula written out above
    got = (float(result.estimate), float(result.lower), float(result.upper))
    assert got == pytest.approx(expected, rel=1e-12)
    # scipy.stats.contingency.relative_risk implements the same Katz interval
    scipy_ci = contingency.relative_risk(a, n1, c, n0).confidence_interval(level)
    assert got[1:] == pytest.approx((scipy_ci.low, scipy_ci.high), rel=1e-10)
    # statsmodels Table2x2: rows are the groups, first column the events
    table = Table2x2(np.array([[a, n1 - a], [c, n0 - c]]))
    assert got[0] == pytest.approx(table.riskratio, rel=1e-12)
    assert got[1:] == pytest.approx(table.riskratio_confint(alpha=1 - level), rel=1e-10)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize(("a", "n1", "c", "n0"), [*TABLES, (1, 40, 9, 12), (2, 2000, 1, 5)])
def test_koopman_matches_statsmodels_score_without_correction(
    a: int, n1: int, c: int, n0: int, level: float
) -> None:
    result = risk_ratio(a, n1, c, n0, method="koopman", confidence_level=level)
    # statsmodels: Koopman (1984) is the score interval without the Miettinen-Nurminen factor
    low, high = confint_proportions_2indep(
        a, n1, c, n0, method="score", compare="ratio", alpha=1 - level, correction=False
    )
    assert float(result.lower) == pytest.approx(float(low), rel=1e-8)
    assert float(result.upper) == pytest.approx(float(high), rel=1e-8)


@pytest.mark.parametrize(
    ("a", "n1", "c", "n0"),
    [(5, 5, 3, 9), (10, 10, 10, 10), (3, 3, 0, 7), (0, 16, 15, 72), (4, 9, 6, 6), (1, 1, 1, 1)],
)
def test_koopman_limits_solve_the_score_equation_at_boundaries(
    a: int, n1: int, c: int, n0: int
) -> None:
    # At each finite, non-zero limit the score statistic equals z^2 (the defining property).
    # statsmodels' closed-form cubic solution does not hold when events = total in a group
    # (it returns 1.75 for 5/5 vs 3/9, where the statistic is 2.08, not 3.84), so these
    # boundary tables are checked against the definition instead.
    result = risk_ratio(a, n1, c, n0, method="koopman")
    z_squared = z_for(0.95) ** 2
    for limit in (float(result.lower), float(result.upper)):
        if 0 < limit < math.inf:
            assert koopman_statistic(limit, a, n1, c, n0) == pytest.approx(z_squared, rel=1e-5)


def test_koopman_with_no_events_in_group_has_lower_zero_and_finite_upper() -> None:
    # Ritland et al. (2007) table of Fagerland et al. (2017): 0/16 vs 15/72.
    result = risk_ratio(0, 16, 15, 72, method="koopman")
    assert float(result.estimate) == 0.0
    assert float(result.lower) == 0.0
    # statsmodels gives the same upper limit (its lower limit is 1e-14 rather than 0)
    _, high = confint_proportions_2indep(
        0, 16, 15, 72, method="score", compare="ratio", correction=False
    )
    assert float(result.upper) == pytest.approx(float(high), rel=1e-8)
    assert str(result.note) == ""


def test_katz_no_events_in_group_gives_zero_estimate_and_undefined_upper() -> None:
    result = risk_ratio(0, 16, 15, 72)
    assert (float(result.estimate), float(result.lower)) == (0.0, 0.0)
    assert math.isnan(float(result.upper))
    assert "Katz upper limit undefined" in str(result.note)


def test_katz_no_events_in_reference_gives_infinite_estimate_and_undefined_lower() -> None:
    result = risk_ratio(15, 72, 0, 16)
    assert float(result.estimate) == math.inf
    assert float(result.upper) == math.inf
    assert math.isnan(float(result.lower))
    assert "Katz lower limit undefined" in str(result.note)


def test_koopman_no_events_in_reference_gives_finite_lower_and_infinite_upper() -> None:
    result = risk_ratio(3, 3, 0, 7, method="koopman")
    assert float(result.estimate) == math.inf
    assert float(result.upper) == math.inf
    assert 0 < float(result.lower) < math.inf
    assert "infinite" in str(result.note)


@pytest.mark.parametrize("method", ["katz", "koopman"])
def test_risk_ratio_no_events_in_either_group_is_nan(method: str) -> None:
    result = risk_ratio(0, 10, 0, 20, method=method)  # type: ignore[arg-type]
    assert np.isnan([result.estimate, result.lower, result.upper]).all()
    assert "0/0" in str(result.note)


@pytest.mark.parametrize("method", ["katz", "koopman"])
@pytest.mark.parametrize(("n1", "n0"), [(0, 10), (10, 0), (0, 0)])
def test_risk_ratio_zero_total_is_nan(method: str, n1: int, n0: int) -> None:
    result = risk_ratio(0, n1, 0, n0, method=method)  # type: ignore[arg-type]
    assert np.isnan([result.estimate, result.lower, result.upper]).all()
    assert "total" in str(result.note)


def test_katz_events_equal_total_in_both_groups_gives_zero_width_interval() -> None:
    # se = sqrt(1/a - 1/n1 + 1/c - 1/n0) = 0 when a = n1 and c = n0
    result = risk_ratio(10, 10, 4, 4)
    assert (float(result.estimate), float(result.lower), float(result.upper)) == (1.0, 1.0, 1.0)
    assert "zero-width" in str(result.note)


def test_katz_events_equal_total_in_one_group_is_finite() -> None:
    result = risk_ratio(10, 10, 3, 12)
    expected = katz_by_hand(10, 10, 3, 12, 0.95)  # the 1/a - 1/n1 term is 0
    assert (float(result.estimate), float(result.lower), float(result.upper)) == pytest.approx(
        expected, rel=1e-12
    )
    assert str(result.note) == ""


def test_katz_continuity_correction_is_opt_in_and_noted() -> None:
    result = risk_ratio([0, 7], [16, 34], [15, 1], [72, 34], continuity_correction=0.5)
    # zero-cell table: 0.5 added to all four cells, so a = 0.5 of 17 and c = 15.5 of 73
    a, n1, c, n0 = 0.5, 17.0, 15.5, 73.0
    rr = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    z = z_for(0.95)
    assert float(result.estimate[0]) == pytest.approx(rr, rel=1e-12)
    assert float(result.lower[0]) == pytest.approx(rr * math.exp(-z * se), rel=1e-12)
    assert float(result.upper[0]) == pytest.approx(rr * math.exp(z * se), rel=1e-12)
    assert "continuity correction 0.5" in str(result.note[0])
    # a table without a zero cell is untouched
    assert float(result.upper[1]) == pytest.approx(katz_by_hand(7, 34, 1, 34, 0.95)[2])
    assert str(result.note[1]) == ""


def test_continuity_correction_leaves_undefined_tables_nan() -> None:
    result = risk_ratio([0, 0], [10, 0], [0, 3], [20, 5], continuity_correction=0.5)
    assert np.isnan(result.estimate).all()
    assert "continuity" not in " ".join(result.note.tolist())


def test_risk_ratio_to_frame_shows_inputs() -> None:
    frame = risk_ratio([7, 3], [34, 10], [1, 9], [34, 11]).to_frame()
    assert list(frame.columns[:6]) == [
        "estimate",
        "lower",
        "upper",
        "method",
        "note",
        "confidence_level",
    ]
    assert list(frame["events"]) == [7.0, 3.0]
    assert list(frame["reference_total"]) == [34.0, 11.0]
    assert list(frame["method"]) == ["katz", "katz"]


def test_risk_ratio_result_type_and_shapes() -> None:
    scalar = risk_ratio(7, 34, 1, 34)
    assert isinstance(scalar, RatioResult)
    assert scalar.estimate.shape == ()
    grid = risk_ratio(np.full((2, 3), 5), 10, [[1], [2]], 10)
    assert grid.estimate.shape == (2, 3)
    assert grid.method.shape == (2, 3)


# --------------------------------------------------------------------------------------------
# odds ratio

OR_TABLES = [(9, 13, 4, 14), (7, 34, 1, 34), (56, 70, 48, 80), (30, 200, 12, 190)]


@pytest.mark.parametrize("level", [0.9, 0.95, 0.998])
@pytest.mark.parametrize(("a", "n1", "c", "n0"), OR_TABLES)
def test_woolf_matches_hand_formula_scipy_and_statsmodels(
    a: int, n1: int, c: int, n0: int, level: float
) -> None:
    result = odds_ratio(a, n1, c, n0, confidence_level=level)
    got = (float(result.estimate), float(result.lower), float(result.upper))
    assert got == pytest.approx(woolf_by_hand(a, n1 - a, c, n0 - c, level), rel=1e-12)
    sample = contingency.odds_ratio([[a, n1 - a], [c, n0 - c]], kind="sample")
    ci = sample.confidence_interval(level)
    assert got == pytest.approx((sample.statistic, ci.low, ci.high), rel=1e-10)
    table = Table2x2(np.array([[a, n1 - a], [c, n0 - c]]))
    assert got[1:] == pytest.approx(table.oddsratio_confint(alpha=1 - level), rel=1e-10)


def test_woolf_continuity_correction_matches_published_gart_adjusted_logit() -> None:
    # Fagerland et al. (2017), Ritland et al. (2007) table 0/16 vs 15/72 with 0.5 added to each
    # cell (the Gart adjusted logit interval): 0.0064 to 1.9804.
    result = odds_ratio(0, 16, 15, 72, continuity_correction=0.5)
    assert float(result.lower) == pytest.approx(0.0064, abs=5e-5)
    assert float(result.upper) == pytest.approx(1.9804, abs=5e-5)
    assert float(result.estimate) == pytest.approx((0.5 * 57.5) / (16.5 * 15.5), rel=1e-12)
    assert "continuity correction 0.5" in str(result.note)


def test_woolf_zero_cell_without_correction() -> None:
    # Fagerland et al. (2017) print 0.0000 (0.0000 to Inf) for Woolf on 0/16 vs 15/72; this
    # library reports the undefined upper limit as NaN with a note instead of infinity.
    result = odds_ratio(0, 16, 15, 72)
    assert (float(result.estimate), float(result.lower)) == (0.0, 0.0)
    assert math.isnan(float(result.upper))
    assert "Woolf upper limit undefined" in str(result.note)
    infinite = odds_ratio(5, 5, 15, 72)  # b = 0
    assert float(infinite.estimate) == math.inf
    assert float(infinite.upper) == math.inf
    assert math.isnan(float(infinite.lower))


@pytest.mark.parametrize("method", ["woolf", "exact"])
@pytest.mark.parametrize(
    ("a", "n1", "c", "n0", "reason"),
    [(0, 10, 0, 20, "no events"), (10, 10, 20, 20, "events = total"), (0, 0, 3, 5, "total")],
)
def test_odds_ratio_undefined_tables_are_nan(
    method: str, a: int, n1: int, c: int, n0: int, reason: str
) -> None:
    result = odds_ratio(a, n1, c, n0, method=method)  # type: ignore[arg-type]
    assert np.isnan([result.estimate, result.lower, result.upper]).all()
    assert reason in str(result.note)


@pytest.mark.parametrize("level", [0.9, 0.95])
@pytest.mark.parametrize(
    ("a", "n1", "c", "n0"), [(9, 13, 4, 14), (3, 4, 1, 4), (7, 34, 1, 34), (2, 30, 5, 9)]
)
def test_exact_odds_ratio_satisfies_its_definition(
    a: int, n1: int, c: int, n0: int, level: float
) -> None:
    result = odds_ratio(a, n1, c, n0, method="exact", confidence_level=level)
    total, column, row = n1 + n0, a + c, n1  # X = a is noncentral hypergeometric given margins
    alpha = 1 - level
    lower, upper, estimate = float(result.lower), float(result.upper), float(result.estimate)
    # scipy.stats.nchypergeom_fisher (independent of contingency.odds_ratio): tail areas at the
    # exact conditional limits are alpha/2, and the conditional MLE solves E[X; psi] = a.
    distribution = scipy_stats.nchypergeom_fisher
    assert distribution.sf(a - 1, total, column, row, lower) == pytest.approx(alpha / 2, rel=1e-6)
    assert distribution.cdf(a, total, column, row, upper) == pytest.approx(alpha / 2, rel=1e-6)
    assert distribution.mean(total, column, row, estimate) == pytest.approx(a, rel=1e-6)


def test_exact_odds_ratio_zero_cells_are_finite_where_defined() -> None:
    zero = odds_ratio(0, 16, 15, 72, method="exact")
    assert (float(zero.estimate), float(zero.lower)) == (0.0, 0.0)
    # P(X <= 0; psi_U) = 0.025 defines the upper limit
    upper = float(zero.upper)
    assert scipy_stats.nchypergeom_fisher.cdf(0, 88, 15, 16, upper) == pytest.approx(0.025)
    infinite = odds_ratio(5, 5, 15, 72, method="exact")
    assert float(infinite.estimate) == math.inf
    assert float(infinite.upper) == math.inf
    assert 0 < float(infinite.lower) < math.inf
    assert "infinite" in str(infinite.note)


def test_odds_ratio_correction_with_exact_raises() -> None:
    with pytest.raises(InvalidArgumentError, match="continuity_correction applies only to"):
        odds_ratio(0, 16, 15, 72, method="exact", continuity_correction=0.5)


# --------------------------------------------------------------------------------------------
# rate ratio

RATE_TABLES = [(41, 28010.0, 15, 19017.0), (4, 1200.5, 11, 900.0), (230, 1e5, 180, 1.2e5)]


@pytest.mark.parametrize("level", [0.9, 0.95, 0.998])
@pytest.mark.parametrize(("a", "t1", "c", "t0"), RATE_TABLES)
def test_log_rate_ratio_matches_hand_formula_and_statsmodels(
    a: int, t1: float, c: int, t0: float, level: float
) -> None:
    result = rate_ratio(a, t1, c, t0, confidence_level=level)
    got = (float(result.estimate), float(result.lower), float(result.upper))
    assert got == pytest.approx(log_rate_by_hand(a, t1, c, t0, level), rel=1e-12)
    low, high = statsmodels_rates.confint_poisson_2indep(
        a, t1, c, t0, method="wald-log", alpha=1 - level
    )
    assert got[1:] == pytest.approx((float(low), float(high)), rel=1e-10)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.998])
@pytest.mark.parametrize(("a", "t1", "c", "t0"), [*RATE_TABLES, (0, 500.0, 6, 800.0)])
def test_exact_rate_ratio_matches_binomial_limits_and_statsmodels_test(
    a: int, t1: float, c: int, t0: float, level: float
) -> None:
    result = rate_ratio(a, t1, c, t0, method="exact", confidence_level=level)
    # scipy: Clopper-Pearson limits of p = share of events in the group, mapped to the ratio
    ci = scipy_stats.binomtest(a, a + c).proportion_ci(confidence_level=level, method="exact")
    expected_lower = ci.low / (1 - ci.low) * t0 / t1
    expected_upper = ci.high / (1 - ci.high) * t0 / t1
    assert float(result.lower) == pytest.approx(expected_lower, rel=1e-9, abs=1e-300)
    assert float(result.upper) == pytest.approx(expected_upper, rel=1e-9)
    # statsmodels' exact conditional test: one-sided p-values at the limits are alpha/2
    alpha = 1 - level
    above = statsmodels_rates.test_poisson_2indep(
        a, t1, c, t0, method="exact-cond", value=float(result.upper), alternative="smaller"
    )
    assert above.pvalue == pytest.approx(alpha / 2, rel=1e-7)
    if a > 0:
        below = statsmodels_rates.test_poisson_2indep(
            a, t1, c, t0, method="exact-cond", value=float(result.lower), alternative="larger"
        )
        assert below.pvalue == pytest.approx(alpha / 2, rel=1e-7)


def test_rate_ratio_zero_exposure_is_nan_even_with_events() -> None:
    result = rate_ratio([3, 0, 2], [0.0, 100.0, 50.0], [1, 1, 0], [10.0, 0.0, 0.0])
    assert np.isnan(result.estimate).all()
    assert all("exposure" in note for note in result.note.tolist())


def test_rate_ratio_zero_events() -> None:
    both = rate_ratio(0, 100.0, 0, 50.0)
    assert math.isnan(float(both.estimate))
    assert "0/0" in str(both.note)
    group = rate_ratio(0, 100.0, 4, 50.0)
    assert (float(group.estimate), float(group.lower)) == (0.0, 0.0)
    assert math.isnan(float(group.upper))
    assert "log-method upper limit undefined" in str(group.note)
    reference = rate_ratio(4, 100.0, 0, 50.0)
    assert float(reference.estimate) == math.inf
    assert math.isnan(float(reference.lower))
    exact = rate_ratio(4, 100.0, 0, 50.0, method="exact")
    # P(X >= 4 | n = 4, p) = p^4 = alpha/2 at the lower limit: p = 0.025 ** 0.25
    p = 0.025**0.25
    assert float(exact.lower) == pytest.approx(p / (1 - p) * 50.0 / 100.0, rel=1e-12)
    assert float(exact.upper) == math.inf


def test_rate_ratio_continuity_correction_adds_to_both_counts() -> None:
    result = rate_ratio(0, 100.0, 4, 50.0, continuity_correction=0.5)
    expected = log_rate_by_hand(0.5, 100.0, 4.5, 50.0, 0.95)
    got = (float(result.estimate), float(result.lower), float(result.upper))
    assert got == pytest.approx(expected, rel=1e-12)
    assert "continuity correction 0.5" in str(result.note)


def test_rate_ratio_result_keeps_exposures() -> None:
    result = rate_ratio([41, 4], [28010.0, 1200.5], 15, 19017.0)
    assert isinstance(result, RateRatioResult)
    frame = result.to_frame()
    assert list(frame["exposure"]) == [28010.0, 1200.5]
    assert list(frame["reference_exposure"]) == [19017.0, 19017.0]


# --------------------------------------------------------------------------------------------
# invalid input

RATIO_FUNCTIONS = [risk_ratio, odds_ratio]


@pytest.mark.parametrize("function", RATIO_FUNCTIONS)
@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ((-1, 10, 1, 10), InvalidArgumentError, "events must be finite numbers >= 0|must be >= 0"),
        ((1.5, 10, 1, 10), InvalidArgumentError, "events must be whole numbers"),
        ((11, 10, 1, 10), InvalidArgumentError, "events must not exceed total"),
        ((1, 10, 3, 2), InvalidArgumentError, "reference_events must not exceed reference_total"),
        ((float("nan"), 10, 1, 10), InvalidArgumentError, "finite"),
        (([1, 2], [10, 10, 10], 1, 10), ShapeMismatchError, "broadcast"),
        (("1", 10, 1, 10), InvalidTypeError, "must be numbers"),
    ],
)
def test_invalid_counts_raise(
    function: Callable[..., Any], arguments: tuple[Any, ...], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        function(*arguments)


@pytest.mark.parametrize(
    "function", [risk_ratio, odds_ratio, rate_ratio], ids=["risk", "odds", "rate"]
)
@pytest.mark.parametrize(
    ("keywords", "error", "match"),
    [
        ({"confidence_level": 95}, InvalidArgumentError, "Did you mean 0.95"),
        ({"confidence_level": 1.0}, InvalidArgumentError, "strictly between 0 and 1"),
        ({"confidence_level": True}, InvalidTypeError, "confidence_level must be a number"),
        ({"method": "wald"}, UnknownMethodError, "is not available"),
        ({"continuity_correction": -0.5}, InvalidArgumentError, "continuity_correction must"),
        ({"continuity_correction": float("inf")}, InvalidArgumentError, "finite number >= 0"),
        ({"continuity_correction": "0.5"}, InvalidTypeError, "continuity_correction must"),
    ],
)
def test_invalid_options_raise(
    function: Callable[..., Any], keywords: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        function(3, 10, 2, 10, **keywords)


def test_rate_ratio_invalid_inputs_raise() -> None:
    with pytest.raises(InvalidArgumentError, match="exposure must be >= 0"):
        rate_ratio(1, -5.0, 1, 10.0)
    with pytest.raises(InvalidArgumentError, match="events must be whole numbers"):
        rate_ratio(1.5, 5.0, 1, 10.0)
    with pytest.raises(InvalidArgumentError, match="reference_exposure must be finite"):
        rate_ratio(1, 5.0, 1, float("nan"))
    with pytest.raises(ShapeMismatchError, match="broadcast"):
        rate_ratio([1, 2], [5.0, 6.0, 7.0], 1, 10.0)
    with pytest.raises(InvalidArgumentError, match="continuity_correction applies only to"):
        rate_ratio(0, 5.0, 1, 10.0, method="exact", continuity_correction=0.5)


def test_koopman_refuses_continuity_correction() -> None:
    with pytest.raises(InvalidArgumentError, match="method='koopman' handles zero cells"):
        risk_ratio(0, 16, 15, 72, method="koopman", continuity_correction=0.5)


# --------------------------------------------------------------------------------------------
# invariants (hypothesis)


@st.composite
def two_groups(draw: st.DrawFn, largest: int = 60) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(0, largest))
    n0 = draw(st.integers(0, largest))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n0)), n0


def _ratio(function_name: str, method: str) -> Callable[..., Any]:
    """A two-group ratio call with (events, total-or-exposure, ...) arguments."""
    functions: dict[str, Callable[..., Any]] = {
        "risk": risk_ratio,
        "odds": odds_ratio,
        "rate": rate_ratio,
    }
    function = functions[function_name]

    def call(a: Any, n1: Any, c: Any, n0: Any, **keywords: Any) -> Any:
        return function(a, n1, c, n0, method=method, **keywords)

    return call


RATIO_METHODS = [
    ("risk", "katz"),
    ("risk", "koopman"),
    ("odds", "woolf"),
    ("odds", "exact"),
    ("rate", "log"),
    ("rate", "exact"),
]


def _ordered(lower: np.ndarray, middle: np.ndarray, upper: np.ndarray) -> bool:
    known = ~np.isnan(lower) & ~np.isnan(middle)
    ok_low = np.all(lower[known] <= middle[known] * (1 + 1e-12))
    known = ~np.isnan(upper) & ~np.isnan(middle)
    ok_high = np.all(middle[known] <= upper[known] * (1 + 1e-12))
    return bool(ok_low and ok_high)


@pytest.mark.parametrize(("kind", "method"), RATIO_METHODS)
@settings(max_examples=40)
@given(table=two_groups(), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_lower_estimate_upper_are_ordered(
    kind: str, method: str, table: tuple[int, int, int, int], level: float
) -> None:
    result = _ratio(kind, method)(*table, confidence_level=level)
    assert _ordered(result.lower, result.estimate, result.upper)


@pytest.mark.parametrize(("kind", "method"), RATIO_METHODS)
@settings(max_examples=30)
@given(table=two_groups())
def test_intervals_widen_with_the_level(
    kind: str, method: str, table: tuple[int, int, int, int]
) -> None:
    call = _ratio(kind, method)
    narrow, wide = call(*table, confidence_level=0.8), call(*table, confidence_level=0.99)
    both = ~np.isnan(narrow.lower) & ~np.isnan(wide.lower)
    assert np.all(wide.lower[both] <= narrow.lower[both] * (1 + 1e-9))
    both = ~np.isnan(narrow.upper) & ~np.isnan(wide.upper)
    assert np.all(wide.upper[both] >= narrow.upper[both] * (1 - 1e-9))


@pytest.mark.parametrize(("kind", "method"), RATIO_METHODS)
@settings(max_examples=30)
@given(table=two_groups())
def test_swapping_groups_inverts_the_ratio(
    kind: str, method: str, table: tuple[int, int, int, int]
) -> None:
    a, n1, c, n0 = table
    call = _ratio(kind, method)
    forward, backward = call(a, n1, c, n0), call(c, n0, a, n1)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(1.0 / backward.estimate, forward.estimate, rtol=1e-7)
        np.testing.assert_allclose(1.0 / backward.upper, forward.lower, rtol=1e-7)
        np.testing.assert_allclose(1.0 / backward.lower, forward.upper, rtol=1e-7)


@pytest.mark.parametrize(("kind", "method"), RATIO_METHODS)
@settings(max_examples=25)
@given(events=st.integers(1, 50), extra=st.integers(1, 50))
def test_a_group_compared_with_itself_gives_one(
    kind: str, method: str, events: int, extra: int
) -> None:
    total = events + extra  # events < total, so every method is defined
    result = _ratio(kind, method)(events, total, events, total)
    if (kind, method) == ("odds", "exact"):
        # the conditional MLE comes from numerical root finding in scipy
        assert float(result.estimate) == pytest.approx(1.0, rel=1e-6)
    else:
        assert float(result.estimate) == 1.0
    assert float(result.lower) <= 1.0 <= float(result.upper)


@pytest.mark.parametrize(("kind", "method"), RATIO_METHODS)
@settings(max_examples=15)
@given(tables=st.lists(two_groups(), min_size=1, max_size=6))
def test_vectorised_equals_element_by_element(
    kind: str, method: str, tables: list[tuple[int, int, int, int]]
) -> None:
    call = _ratio(kind, method)
    columns = [np.array(column) for column in zip(*tables, strict=True)]
    together = call(*columns)
    for index, table in enumerate(tables):
        alone = call(*table)
        for field in ("estimate", "lower", "upper"):
            np.testing.assert_array_equal(getattr(together, field)[index], getattr(alone, field))
        assert together.note[index] == alone.note
        assert together.method[index] == alone.method
