"""Tests for ``stats.funnel_limits`` and ``stats.funnel_position``.

Independent sources:
- PHStatsMethods (DHSC/UKHSA, the Python port of PHEindicatormethods) published funnel test
  data: ``testdata_funnel_prop_outputs.csv`` (Fingertips proportion funnel, baseline 80.642448%,
  2s = 95%, 3s = 99.8%) and ``testdata_funnel_ratio_outputs.csv`` (Poisson ratio funnel: for each
  observed count O, the expected counts at which O sits exactly on each limit).
- The defining property of the exact limits: the Clopper-Pearson / Garwood interval of a count
  at the limit ends exactly at the target, computed with ``scipy.stats.beta`` and
  ``scipy.stats.chi2`` quantiles (a different route from the library's root finding).
- Exact tail probabilities of whole-number counts from ``scipy.stats.binom`` / ``poisson``.
- Spiegelhalter (2005) appendix A.1 interpolation worked by hand for binomial(10, 1/2) and
  Poisson(2), and as ``numpy.interp`` of the distribution function.
- The Wilson (1927) score interval written out with :mod:`math`.
- Poisson point probabilities evaluated in 60-digit :mod:`decimal` arithmetic.
- The normal approximation for large denominators, and for huge ones (expected counts up to
  2**52) its Cornish-Fisher refinement with the continuity correction, written out here.
"""

from __future__ import annotations

import decimal
import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)
from equitymetrics.stats import FunnelLimits, funnel_limits, funnel_position
from equitymetrics.stats._discrete import poisson_probability


def z_for(level: float) -> float:
    """Two-sided normal quantile from the standard library (independent of scipy.special)."""
    return NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)


# --- Fingertips proportion funnel (Wilson method, the default for proportions) -------------

# PHStatsMethods testdata_funnel_prop_outputs.csv: population, lower 2s, upper 2s, lower 3s,
# upper 3s, in percent, around the baseline 80.642448%. Values are printed to 6 decimals and
# the baseline itself is rounded, hence the tolerance of 2e-6 percentage points. The package
# clips limits to [0, 100].
PHE_PROPORTION_ROWS = [
    (1, 3.204264, 100.0, 0.0, 100.0),
    (18, 62.390093, 98.894803, 51.864359, 100.0),
    (102, 72.974925, 88.309971, 68.553233, 92.731663),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


@pytest.mark.parametrize(
    ("population", "lower95", "upper95", "lower998", "upper998"), PHE_PROPORTION_ROWS
)
def test_proportion_default_matches_published_fingertips_funnel(
    population: int, lower95: float, upper95: float, lower998: float, upper998: float
) -> None:
    limits = funnel_limits([population], 80.642448, multiplier=100)
    assert limits.method == "wilson"
    assert limits.lower[:, 0] == pytest.approx([lower95, lower998], abs=2e-6)
    assert limits.upper[:, 0] == pytest.approx([upper95, upper998], abs=2e-6)


@pytest.mark.parametrize(("target", "total"), [(0.2, 100), (0.05, 40), (0.93, 2500)])
@pytest.mark.parametrize("level", [0.95, 0.998, 0.8])
def test_wilson_limits_are_target_plus_minus_z_standard_error(
    target: float, total: int, level: float
) -> None:
    # Evaluated by hand: p0 -/+ z sqrt(p0 (1 - p0) / n), clipped to [0, 1].
    half = z_for(level) * math.sqrt(target * (1 - target) / total)
    limits = funnel_limits([total], target, levels=(level,))
    assert limits.lower[0, 0] == pytest.approx(max(target - half, 0.0), rel=1e-12)
    assert limits.upper[0, 0] == pytest.approx(min(target + half, 1.0), rel=1e-12)


def wilson_interval(x: int, n: int, level: float) -> tuple[float, float]:
    """Wilson (1927) score interval, centre +/- half-width form."""
    z = z_for(level)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("total", "target"), [(30, 0.2), (250, 0.61), (12, 0.5)])
def test_wilson_position_agrees_with_wilson_interval(total: int, target: float) -> None:
    # Outside the funnel exactly when the Wilson interval of the observed proportion
    # excludes the target.
    counts = np.arange(total + 1)
    positions = funnel_position(counts / total, [total] * (total + 1), target)
    for row, level in enumerate((0.95, 0.998)):
        for x in counts:
            low, high = wilson_interval(int(x), total, level)
            expected = "above" if low > target else "below" if high < target else "within"
            assert positions[row, x] == expected, (level, x)


# --- Exact Poisson funnel (the default for ratios and rates) --------------------------------

# PHStatsMethods testdata_funnel_ratio_outputs.csv: (observed O, expected E at which O lies on
# the lower limit, expected E at which O lies on the upper limit). So at E_lower the lower
# ratio limit is O / E_lower, and at E_upper the upper ratio limit is O / E_upper. The
# package finds E by bisection to about 1e-7, hence rel=1e-5.
PHE_RATIO_ROWS_95 = [
    (1, 5.571644585, 0.025317898),
    (10, 18.39035799, 4.795387629),
    (100, 121.6268111, 81.36400699),
    (716, 770.4222128, 664.5083011),
]
PHE_RATIO_ROWS_998 = [
    (2, 11.22886836, 0.04540199),
    (17, 33.99257686, 7.028349533),
    (100, 134.9243187, 71.92139974),
    (716, 802.60414, 636.1521174),
]


@pytest.mark.parametrize(
    ("level", "observed", "expected_lower", "expected_upper"),
    [(0.95, *row) for row in PHE_RATIO_ROWS_95] + [(0.998, *row) for row in PHE_RATIO_ROWS_998],
)
def test_ratio_default_matches_published_fingertips_funnel(
    level: float, observed: int, expected_lower: float, expected_upper: float
) -> None:
    limits = funnel_limits([expected_lower, expected_upper], 1.0, kind="ratio", levels=(level,))
    assert limits.method == "exact"
    assert limits.lower[0, 0] == pytest.approx(observed / expected_lower, rel=1e-5)
    assert limits.upper[0, 1] == pytest.approx(observed / expected_upper, rel=1e-5)


@pytest.mark.parametrize(("observed", "expected_lower", "expected_upper"), PHE_RATIO_ROWS_95)
def test_rate_default_matches_published_funnel_on_the_rate_scale(
    observed: int, expected_lower: float, expected_upper: float
) -> None:
    # A target of 250 per 100,000: exposure T has expected count 250 T / 100000, so the
    # published expected counts E correspond to exposures E x 100000 / 250 and the limits to
    # O / T x 100000.
    exposures = [expected_lower * 400.0, expected_upper * 400.0]
    limits = funnel_limits(exposures, 250.0, kind="rate", levels=(0.95,), multiplier=100_000)
    assert limits.lower[0, 0] == pytest.approx(observed / exposures[0] * 100_000, rel=1e-5)
    assert limits.upper[0, 1] == pytest.approx(observed / exposures[1] * 100_000, rel=1e-5)


# --- Exact method: defining properties from scipy quantiles ---------------------------------


@pytest.mark.parametrize(("total", "target"), [(5, 0.3), (20, 0.05), (137, 0.42), (1000, 0.82)])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_exact_binomial_limits_are_where_clopper_pearson_reaches_target(
    total: int, target: float, level: float
) -> None:
    alpha = 1.0 - level
    limits = funnel_limits([total], target, levels=(level,), method="exact")
    upper_count = limits.upper[0, 0] * total
    lower_count = limits.lower[0, 0] * total
    if upper_count < total:
        # Clopper-Pearson lower bound of x events: beta quantile alpha/2 of (x, n - x + 1).
        bound = stats.beta.ppf(alpha / 2, upper_count, total - upper_count + 1)
        assert bound == pytest.approx(target, rel=1e-13)
    else:
        assert target**total >= alpha / 2  # even n events is not unusual
    if lower_count > 0:
        bound = stats.beta.ppf(1 - alpha / 2, lower_count + 1, total - lower_count)
        assert bound == pytest.approx(target, rel=1e-13)
    else:
        assert (1 - target) ** total >= alpha / 2


@pytest.mark.parametrize("expected", [0.3, 2.0, 9.5, 44.0, 1234.5])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_exact_poisson_limits_are_where_garwood_interval_reaches_target(
    expected: float, level: float
) -> None:
    alpha = 1.0 - level
    limits = funnel_limits([expected], 1.0, kind="ratio", levels=(level,))
    upper_count = limits.upper[0, 0] * expected
    lower_count = limits.lower[0, 0] * expected
    # Garwood lower bound of x events: chi2 quantile alpha/2 with 2x degrees of freedom, / 2.
    assert stats.chi2.ppf(alpha / 2, 2 * upper_count) / 2 == pytest.approx(expected, rel=1e-13)
    if lower_count > 0:
        bound = stats.chi2.ppf(1 - alpha / 2, 2 * lower_count + 2) / 2
        assert bound == pytest.approx(expected, rel=1e-13)
    else:
        assert math.exp(-expected) >= alpha / 2  # no events is not unusual


@pytest.mark.parametrize(("total", "target"), [(8, 0.3), (60, 0.1), (400, 0.55)])
def test_exact_binomial_position_agrees_with_exact_tail_probabilities(
    total: int, target: float
) -> None:
    counts = np.arange(total + 1)
    positions = funnel_position(counts / total, [total] * counts.size, target, method="exact")
    for row, level in enumerate((0.95, 0.998)):
        tail = (1 - level) / 2
        above = stats.binom.sf(counts - 1, total, target) < tail  # P(Y >= x)
        below = stats.binom.cdf(counts, total, target) < tail  # P(Y <= x)
        expected = np.where(above, "above", np.where(below, "below", "within"))
        assert positions[row].tolist() == expected.tolist()


@pytest.mark.parametrize("expected", [0.7, 6.0, 31.4])
def test_exact_poisson_position_agrees_with_exact_tail_probabilities(expected: float) -> None:
    counts = np.arange(0, 90)
    positions = funnel_position(counts / expected, [expected] * counts.size, 1.0, kind="ratio")
    for row, level in enumerate((0.95, 0.998)):
        tail = (1 - level) / 2
        above = stats.poisson.sf(counts - 1, expected) < tail
        below = stats.poisson.cdf(counts, expected) < tail
        wanted = np.where(above, "above", np.where(below, "below", "within"))
        assert positions[row].tolist() == wanted.tolist()


# --- Spiegelhalter interpolation ---------------------------------------------------------------


def test_spiegelhalter_binomial_worked_by_hand() -> None:
    # binomial(10, 1/2): F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024, F(8) = 1013/1024.
    # Upper (p = 0.975): r = 8, alpha = (1013/1024 - 0.975) / (45/1024) = 14.6/45, limit
    # (8 - 14.6/45)/10 = 345.4/450. Lower (p = 0.025): r = 2, alpha = (56 - 25.6)/45,
    # limit (2 - 30.4/45)/10 = 59.6/450.
    limits = funnel_limits([10], 0.5, levels=(0.95,), method="spiegelhalter")
    assert limits.upper[0, 0] == pytest.approx(345.4 / 450, rel=1e-12)
    assert limits.lower[0, 0] == pytest.approx(59.6 / 450, rel=1e-12)


def test_spiegelhalter_poisson_worked_by_hand() -> None:
    # Poisson(2): F(4) = 7 e^-2, F(5) = (7 + 4/15) e^-2, so the 0.975 quantile is r = 5 and
    # the limit is 5 - (F(5) - 0.975) / ((4/15) e^-2), divided by E = 2.
    e2 = math.exp(-2.0)
    count = 5 - ((7 + 4 / 15) * e2 - 0.975) / ((4 / 15) * e2)
    limits = funnel_limits([2.0], 1.0, kind="ratio", levels=(0.95,), method="spiegelhalter")
    assert limits.upper[0, 0] == pytest.approx(count / 2.0, rel=1e-12)


def interpolated_inverse(cdf: np.ndarray, probability: float) -> float:
    """Inverse of the distribution function joined linearly between whole numbers."""
    counts = np.arange(-1, cdf.size)
    points = np.concatenate(([0.0], cdf))
    keep = np.concatenate(([True], np.diff(points) > 0))  # drop the flat tail at 1.0
    return float(np.interp(probability, points[keep], counts[keep]))


@pytest.mark.parametrize(("total", "target"), [(7, 0.35), (50, 0.08), (333, 0.71)])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_spiegelhalter_binomial_is_interpolated_inverse_cdf(
    total: int, target: float, level: float
) -> None:
    cdf = stats.binom.cdf(np.arange(total + 1), total, target)
    tail = (1 - level) / 2
    limits = funnel_limits([total], target, levels=(level,), method="spiegelhalter")
    lower = max(interpolated_inverse(cdf, tail), 0.0) / total
    upper = max(interpolated_inverse(cdf, 1 - tail), 0.0) / total
    assert limits.lower[0, 0] == pytest.approx(lower, rel=1e-12, abs=1e-15)
    assert limits.upper[0, 0] == pytest.approx(upper, rel=1e-12)


@pytest.mark.parametrize("expected", [0.4, 3.0, 27.5])
def test_spiegelhalter_poisson_is_interpolated_inverse_cdf(expected: float) -> None:
    cdf = stats.poisson.cdf(np.arange(200), expected)
    limits = funnel_limits([expected], 1.0, kind="ratio", method="spiegelhalter")
    for row, level in enumerate((0.95, 0.998)):
        tail = (1 - level) / 2
        lower = max(interpolated_inverse(cdf, tail), 0.0) / expected
        upper = interpolated_inverse(cdf, 1 - tail) / expected
        assert limits.lower[row, 0] == pytest.approx(lower, rel=1e-12, abs=1e-15)
        assert limits.upper[row, 0] == pytest.approx(upper, rel=1e-12)


def test_spiegelhalter_target_can_fall_outside_for_tiny_expected_counts() -> None:
    # Documented limitation: with E below about alpha/2 the 0.975 quantile is 0 and the
    # interpolated upper limit is negative (clipped to 0), below the target of 1.
    limits = funnel_limits([0.01], 1.0, kind="ratio", levels=(0.95,), method="spiegelhalter")
    assert limits.upper[0, 0] == 0.0
    exact = funnel_limits([0.01], 1.0, kind="ratio", levels=(0.95,))
    assert exact.upper[0, 0] > 1.0


# --- Large denominators: the normal approximation -----------------------------------------


@pytest.mark.parametrize("method", ["wilson", "exact", "spiegelhalter"])
def test_large_denominator_limits_approach_normal_approximation(method: str) -> None:
    total, target = 1_000_000, 0.3
    limits = funnel_limits([total], target, method=method)  # type: ignore[arg-type]
    for row, level in enumerate((0.95, 0.998)):
        half = z_for(level) * math.sqrt(target * (1 - target) / total)
        assert limits.lower[row, 0] == pytest.approx(target - half, abs=1e-5)
        assert limits.upper[row, 0] == pytest.approx(target + half, abs=1e-5)


@pytest.mark.parametrize("method", ["exact", "spiegelhalter"])
def test_large_expected_count_ratio_limits_approach_normal_approximation(method: str) -> None:
    expected = 1_000_000.0
    limits = funnel_limits([expected], 1.0, kind="ratio", method=method)  # type: ignore[arg-type]
    for row, level in enumerate((0.95, 0.998)):
        half = z_for(level) / math.sqrt(expected)
        assert limits.lower[row, 0] == pytest.approx(1 - half, abs=1e-5)
        assert limits.upper[row, 0] == pytest.approx(1 + half, abs=1e-5)


# --- Huge expected counts and totals: no stepping one count at a time ------------------------


def cornish_fisher_counts(
    mean: float, spread: float, skew_spread: float, level: float, method: str
) -> tuple[float, float]:
    """Lower and upper count limits from the Cornish-Fisher expansion, written out by hand.

    For a count with mean m, standard deviation s and skewness g, P(Y <= k) is close to a
    smooth H(k + 1/2) (continuity correction), whose p-quantile is
    m + z_p s + g s (z_p^2 - 1) / 6 with an error of order 1/s (the Cornish-Fisher expansion:
    Cornish EA, Fisher RA (1937) Moments and cumulants in the specification of distributions.
    Rev Inst Int Stat 5:307-320). So Spiegelhalter's interpolated inverse of F at p is
    H^-1(p) - 1/2; the exact lower limit solves P(Y <= x) = alpha/2, giving
    H^-1(alpha/2) - 1/2; the exact upper limit solves P(Y >= x) = alpha/2, i.e.
    P(Y <= x - 1) = 1 - alpha/2, giving H^-1(1 - alpha/2) + 1/2.
    """
    z = z_for(level)
    skew_term = skew_spread * (z * z - 1) / 6
    upper_shift = 0.5 if method == "exact" else -0.5
    return mean - z * spread + skew_term - 0.5, mean + z * spread + skew_term + upper_shift


# Four units in the last place of a limit near 1 (the limits are counts near mu, divided by
# mu, each rounded in float64), plus the neglected Cornish-Fisher term: for z <= 3.1 it is
# below 1/sqrt(mu) counts (the next term is ((z^3 - 3z)/24 - (2z^3 - 5z)/36) / sqrt(mu)).
def huge_tolerance(mean: float) -> float:
    return 4 * 2.0**-52 + 1.0 / (mean * math.sqrt(mean))


@pytest.mark.parametrize("expected", [1e11, 1e13, 1e15])
@pytest.mark.parametrize("method", ["exact", "spiegelhalter"])
def test_huge_expected_count_limits_match_cornish_fisher(expected: float, method: str) -> None:
    # Expected counts of 1e11 and more used to hang: scipy's Poisson ppf is NaN there and the
    # quantile was searched for one count at a time from 0. Poisson(mu): m = mu, s = sqrt(mu),
    # g s = 1.
    limits = funnel_limits([expected], 1.0, kind="ratio", method=method)  # type: ignore[arg-type]
    for row, level in enumerate((0.95, 0.998)):
        lower, upper = cornish_fisher_counts(expected, math.sqrt(expected), 1.0, level, method)
        tolerance = huge_tolerance(expected)
        assert limits.lower[row, 0] == pytest.approx(lower / expected, rel=0, abs=tolerance)
        assert limits.upper[row, 0] == pytest.approx(upper / expected, rel=0, abs=tolerance)


@pytest.mark.parametrize("expected", [1e11, 1e13, 1e15])
def test_huge_expected_count_exact_limits_are_where_garwood_interval_reaches_target(
    expected: float,
) -> None:
    # The chi-square route of the Garwood (1936) interval, with scipy.stats.chi2 quantiles
    # (the inverse incomplete gamma function, not the library's root finding): the lower end
    # for x events is chi2.ppf(alpha/2, 2x) / 2 and the upper end for x events is
    # chi2.ppf(1 - alpha/2, 2x + 2) / 2; at the funnel limits both equal mu.
    limits = funnel_limits([expected], 1.0, kind="ratio")
    for row, level in enumerate((0.95, 0.998)):
        alpha = 1 - level
        upper_count = limits.upper[row, 0] * expected
        lower_count = limits.lower[row, 0] * expected
        bound = stats.chi2.ppf(alpha / 2, 2 * upper_count) / 2
        assert bound == pytest.approx(expected, rel=1e-15)
        bound = stats.chi2.ppf(1 - alpha / 2, 2 * lower_count + 2) / 2
        assert bound == pytest.approx(expected, rel=1e-15)


def test_huge_expected_count_rate_limits_on_the_rate_scale() -> None:
    # 250 per 100,000 over an exposure of 4e15 person-years: mu = 1e13 expected events.
    exposure = 4e15
    limits = funnel_limits([exposure], 250.0, kind="rate", levels=(0.95,), multiplier=100_000)
    lower, upper = cornish_fisher_counts(1e13, math.sqrt(1e13), 1.0, 0.95, "exact")
    tolerance = 250.0 * huge_tolerance(1e13)
    assert limits.lower[0, 0] == pytest.approx(lower / exposure * 100_000, rel=0, abs=tolerance)
    assert limits.upper[0, 0] == pytest.approx(upper / exposure * 100_000, rel=0, abs=tolerance)


@pytest.mark.parametrize("method", ["exact", "spiegelhalter"])
def test_largest_allowed_expected_count_gives_limits(method: str) -> None:
    # mu = 2**52 is allowed: the limits lie about z / sqrt(mu) = 2.9e-8 (95%) around 1.
    expected = 2.0**52
    limits = funnel_limits([expected], 1.0, kind="ratio", method=method)  # type: ignore[arg-type]
    for row, level in enumerate((0.95, 0.998)):
        lower, upper = cornish_fisher_counts(expected, math.sqrt(expected), 1.0, level, method)
        # limits near 1 are only held to 2**-53 below 1 and 2**-52 above
        assert limits.lower[row, 0] == pytest.approx(lower / expected, rel=0, abs=4 * 2.0**-52)
        assert limits.upper[row, 0] == pytest.approx(upper / expected, rel=0, abs=4 * 2.0**-52)


@pytest.mark.parametrize(
    ("denominators", "target", "kind", "multiplier", "match"),
    [
        ([10.0, 2.0**52 + 2.0], 1.0, "ratio", 1.0, r"at most 2\*\*52 .* at index 1"),
        ([1e300], 0.02, "rate", 1.0, "expected count of 2e\\+298"),
        # a rate per 100,000 given with the default multiplier: mu = 250 x 1e14 = 2.5e16
        ([1e14], 250.0, "rate", 1.0, "multiplier=100000"),
    ],
)
def test_expected_count_above_two_to_the_52_is_refused(
    denominators: list[float], target: float, kind: str, multiplier: float, match: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        funnel_limits(denominators, target, kind=kind, multiplier=multiplier)  # type: ignore[arg-type]


@pytest.mark.parametrize(("total", "target"), [(8 * 10**15, 0.9), (2**53, 0.999), (10**12, 0.5)])
@pytest.mark.parametrize("method", ["exact", "spiegelhalter"])
def test_huge_totals_proportion_limits_match_cornish_fisher(
    total: int, target: float, method: str
) -> None:
    # scipy's binomial ppf is NaN (with a RuntimeWarning) for totals like these.
    # Binomial(n, p): m = n p, s = sqrt(n p q), g s = 1 - 2p.
    limits = funnel_limits([total], target, method=method)  # type: ignore[arg-type]
    spread = math.sqrt(total * target * (1 - target))
    for row, level in enumerate((0.95, 0.998)):
        lower, upper = cornish_fisher_counts(total * target, spread, 1 - 2 * target, level, method)
        tolerance = 4 * 2.0**-52 + 1.0 / (total * spread)
        assert limits.lower[row, 0] == pytest.approx(lower / total, rel=0, abs=tolerance)
        assert limits.upper[row, 0] == pytest.approx(upper / total, rel=0, abs=tolerance)


@settings(max_examples=25)
@given(
    exponent=st.floats(min_value=9.0, max_value=math.log10(2.0**52)),
    method=st.sampled_from(["exact", "spiegelhalter"]),
)
def test_limits_match_cornish_fisher_for_any_huge_expected_count(
    exponent: float, method: str
) -> None:
    expected = 10.0**exponent
    limits = funnel_limits([expected], 1.0, kind="ratio", method=method)  # type: ignore[arg-type]
    for row, level in enumerate((0.95, 0.998)):
        lower, upper = cornish_fisher_counts(expected, math.sqrt(expected), 1.0, level, method)
        tolerance = huge_tolerance(expected)
        assert limits.lower[row, 0] == pytest.approx(lower / expected, rel=0, abs=tolerance)
        assert limits.upper[row, 0] == pytest.approx(upper / expected, rel=0, abs=tolerance)


def log_factorial_decimal(count: int) -> decimal.Decimal:
    """log(k!) in 60-digit decimal arithmetic: the sum of logs below 2000, else Stirling's
    series (five terms; the first omitted term is below 1e-35 there)."""
    if count < 2000:
        return sum((decimal.Decimal(i).ln() for i in range(2, count + 1)), decimal.Decimal(0))
    k = decimal.Decimal(count)
    pi = decimal.Decimal("3.14159265358979323846264338327950288419716939937510582097494")
    series = 1 / (12 * k) - 1 / (360 * k**3) + 1 / (1260 * k**5) - 1 / (1680 * k**7)
    return (k + decimal.Decimal("0.5")) * k.ln() - k + (2 * pi).ln() / 2 + series


@pytest.mark.parametrize("mean", [150.0, 1234.5, 2e4, 1e9, 1e13, 1e15, 2.0**52])
def test_poisson_point_probability_matches_decimal_arithmetic(mean: float) -> None:
    # The private helper behind Spiegelhalter's Poisson interpolation above a mean of 100:
    # exp(-mu + k log mu - log k!) evaluated with 60 significant digits. scipy's float64
    # form of the same expression has no correct digit at mu = 1e15.
    counts = np.round(mean + np.array([-8, -3, -1, 0, 1, 3, 8]) * math.sqrt(mean))
    computed = poisson_probability(counts, np.full(counts.shape, mean))
    with decimal.localcontext(decimal.Context(prec=60)):
        mu = decimal.Decimal(mean)
        for count, value in zip(counts, computed, strict=True):
            k = int(count)
            exact = (-mu + k * mu.ln() - log_factorial_decimal(k)).exp()
            assert value == pytest.approx(float(exact), rel=5e-14), k


# --- Shapes, degenerate cases and the result object -----------------------------------------


def test_result_shape_levels_and_metadata() -> None:
    limits = funnel_limits([10, 20, 30], 0.25, levels=(0.8, 0.95, 0.998))
    assert isinstance(limits, FunnelLimits)
    assert limits.lower.shape == limits.upper.shape == (3, 3)
    assert limits.levels.tolist() == [0.8, 0.95, 0.998]
    assert limits.denominators.tolist() == [10.0, 20.0, 30.0]
    assert (limits.kind, limits.method, limits.target, limits.multiplier) == (
        "proportion",
        "wilson",
        0.25,
        1.0,
    )


def test_to_frame_is_long_format_level_by_level() -> None:
    limits = funnel_limits([10, 0], 0.25, levels=(0.95, 0.998))
    frame = limits.to_frame()
    assert list(frame.columns) == ["denominator", "level", "lower", "upper", "note"]
    assert frame["denominator"].tolist() == [10.0, 0.0, 10.0, 0.0]
    assert frame["level"].tolist() == [0.95, 0.95, 0.998, 0.998]
    assert frame["lower"].tolist()[0] == limits.lower[0, 0]
    assert frame["upper"].tolist()[2] == limits.upper[1, 0]
    assert frame["note"].tolist()[1] == "denominator is zero: limits are undefined"


def test_zero_denominator_gives_nan_limits_with_note() -> None:
    limits = funnel_limits([0, 50], 1.0, kind="ratio")
    assert np.isnan(limits.lower[:, 0]).all()
    assert np.isnan(limits.upper[:, 0]).all()
    assert limits.note.tolist() == ["denominator is zero: limits are undefined", ""]
    assert np.isfinite(limits.lower[:, 1]).all()


@pytest.mark.parametrize("method", ["wilson", "exact", "spiegelhalter"])
def test_target_of_zero_or_one_gives_degenerate_limits(method: str) -> None:
    zero = funnel_limits([5, 500], 0.0, method=method)  # type: ignore[arg-type]
    assert (zero.lower == 0.0).all()
    assert (zero.upper == 0.0).all()
    full = funnel_limits([5, 500], 100.0, method=method, multiplier=100)  # type: ignore[arg-type]
    assert (full.lower == 100.0).all()
    assert (full.upper == 100.0).all()
    assert funnel_position([0.0, 0.2], [5, 5], 0.0, method=method).tolist() == [  # type: ignore[arg-type]
        ["within", "above"],
        ["within", "above"],
    ]


def test_zero_target_rate_gives_zero_limits() -> None:
    limits = funnel_limits([1000.0], 0.0, kind="rate", multiplier=1000)
    assert (limits.lower == 0.0).all()
    assert (limits.upper == 0.0).all()


def test_multiplier_scales_target_and_limits() -> None:
    as_fraction = funnel_limits([40, 400], 0.35, method="exact")
    as_percent = funnel_limits([40, 400], 35.0, method="exact", multiplier=100)
    assert as_percent.lower == pytest.approx(as_fraction.lower * 100, rel=1e-12)
    assert as_percent.upper == pytest.approx(as_fraction.upper * 100, rel=1e-12)


def test_scalar_denominator_and_single_level() -> None:
    limits = funnel_limits(100, 0.5, levels=0.95)
    assert limits.lower.shape == (1, 1)


def test_accepts_pandas_series() -> None:
    series = pd.Series([100, 200], index=["Oak", "Ash"])
    limits = funnel_limits(series, 0.5)
    assert limits.lower.shape == (2, 2)


def test_position_on_a_limit_is_within_and_nan_is_undefined() -> None:
    limits = funnel_limits([100, 100], 0.5, levels=(0.95,))
    on_limit = float(limits.upper[0, 0])
    positions = funnel_position([on_limit, np.nan], [100, 100], 0.5, levels=(0.95,))
    assert positions.tolist() == [["within", "undefined"]]
    zero = funnel_position([0.3], [0], 0.5)
    assert zero.tolist() == [["undefined"], ["undefined"]]


# --- Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": "odds"}, UnknownMethodError, "kind='odds'"),
        ({"method": "byar"}, UnknownMethodError, "method='byar'"),
        ({"kind": "ratio", "method": "wilson"}, UnknownMethodError, "'exact', 'spiegelhalter'"),
        ({"levels": (95,)}, InvalidArgumentError, "Did you mean 0.95"),
        ({"levels": ()}, InvalidArgumentError, "at least one level"),
        ({"levels": "0.95"}, InvalidTypeError, "levels"),
        ({"multiplier": 0}, InvalidArgumentError, "multiplier"),
    ],
)
def test_invalid_options_raise(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        funnel_limits([10, 20], 0.5, **kwargs)


@pytest.mark.parametrize(
    ("denominators", "target", "kind", "error", "match"),
    [
        ([10, -1], 0.5, "proportion", InvalidArgumentError, "denominators must be >= 0"),
        ([10, 2.5], 0.5, "proportion", InvalidArgumentError, "whole numbers"),
        ([10, np.nan], 1.0, "ratio", InvalidArgumentError, "finite"),
        ([[10, 20]], 0.5, "proportion", InvalidArgumentError, "one-dimensional"),
        (["a"], 0.5, "proportion", InvalidTypeError, "denominators must be numbers"),
        ([10], 1.5, "proportion", InvalidArgumentError, "multiplier=100"),
        ([10], -0.1, "ratio", InvalidArgumentError, "target must be a finite number >= 0"),
        ([10], np.inf, "rate", InvalidArgumentError, "target must be a finite number"),
        ([10], True, "ratio", InvalidTypeError, "target must be a single number"),
        ([10], [1.0], "ratio", InvalidTypeError, "target must be a single number"),
    ],
)
def test_invalid_inputs_raise(
    denominators: Any, target: Any, kind: str, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        funnel_limits(denominators, target, kind=kind)  # type: ignore[arg-type]


def test_fractional_denominators_are_allowed_for_ratios_and_rates() -> None:
    assert funnel_limits([2.5], 1.0, kind="ratio").lower.shape == (2, 1)
    assert funnel_limits([2.5], 1.0, kind="rate").lower.shape == (2, 1)


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ([0.1], ShapeMismatchError, "same length"),
        ([0.1, -0.2], InvalidArgumentError, "got -0.2 at index 1"),
        ([0.1, np.inf], InvalidArgumentError, "at index 1"),
        ([0.1, 1.2], InvalidArgumentError, "at most multiplier"),
        (["x", "y"], InvalidTypeError, "values must be numbers"),
    ],
)
def test_invalid_position_values_raise(values: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        funnel_position(values, [10, 20], 0.5)


# --- Invariants -------------------------------------------------------------------------------

totals = st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=12)
proportions = st.floats(min_value=0.001, max_value=0.999)
expected_counts = st.lists(
    st.floats(min_value=0.05, max_value=5000.0, allow_nan=False), min_size=1, max_size=12
)


@settings(max_examples=40)
@given(totals=totals, target=proportions, method=st.sampled_from(["wilson", "exact"]))
def test_proportion_limits_nest_narrow_and_contain_target(
    totals: list[int], target: float, method: str
) -> None:
    ordered = np.sort(np.asarray(totals, dtype=float))
    limits = funnel_limits(ordered, target, method=method)  # type: ignore[arg-type]
    wide, narrow = 1, 0  # rows: 0.95 then 0.998
    assert (limits.lower[wide] <= limits.lower[narrow]).all()
    assert (limits.upper[wide] >= limits.upper[narrow]).all()
    assert (limits.lower <= target).all()
    assert (limits.upper >= target).all()
    assert (np.diff(limits.upper, axis=1) <= 1e-12).all()
    assert (np.diff(limits.lower, axis=1) >= -1e-12).all()


@settings(max_examples=40)
@given(expected=expected_counts, target=st.floats(min_value=0.2, max_value=5.0))
def test_ratio_limits_nest_narrow_and_contain_target(expected: list[float], target: float) -> None:
    ordered = np.sort(np.asarray(expected))
    limits = funnel_limits(ordered, target, kind="ratio")
    assert (limits.lower[1] <= limits.lower[0]).all()
    assert (limits.upper[1] >= limits.upper[0]).all()
    assert (limits.lower <= target * (1 + 1e-12)).all()
    assert (limits.upper >= target * (1 - 1e-12)).all()
    assert (np.diff(limits.upper, axis=1) <= 1e-12 * target).all()
    assert (np.diff(limits.lower, axis=1) >= -1e-12 * target).all()


@settings(max_examples=40)
@given(totals=totals, target=proportions)
def test_spiegelhalter_limits_nest(totals: list[int], target: float) -> None:
    limits = funnel_limits(totals, target, method="spiegelhalter")
    assert (limits.lower[1] <= limits.lower[0]).all()
    assert (limits.upper[1] >= limits.upper[0]).all()


@settings(max_examples=25)
@given(totals=totals, target=proportions, seed=st.integers(min_value=0, max_value=1000))
def test_limits_follow_their_denominators_in_any_order(
    totals: list[int], target: float, seed: int
) -> None:
    order = np.random.default_rng(seed).permutation(len(totals))
    limits = funnel_limits(totals, target, method="exact")
    shuffled = funnel_limits(np.asarray(totals)[order], target, method="exact")
    assert np.array_equal(shuffled.lower, limits.lower[:, order])
    assert np.array_equal(shuffled.upper, limits.upper[:, order])
