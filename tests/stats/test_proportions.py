"""Tests for ``stats.proportion``: published values, other implementations, edge cases, invariants.

Independent sources: UKHSA public-health methods test data (Wilson); the Wilson and
Agresti-Coull formulas evaluated with :mod:`math` and :class:`statistics.NormalDist`;
``statsmodels.stats.proportion.proportion_confint``; ``scipy.stats.binomtest(...).proportion_ci``;
``scipy.stats.beta`` quantiles; closed forms of the Clopper-Pearson limits at x = 0 and x = n.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)
from equitymetrics.stats import ProportionResult, proportion

METHODS = ["wilson", "exact", "jeffreys", "agresti_coull"]
# statsmodels' names for the same methods
STATSMODELS_NAMES = {
    "wilson": "wilson",
    "exact": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
}


def z_for(level: float) -> float:
    """Two-sided normal quantile from the standard library (independent of scipy.special)."""
    return NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)


def wilson_by_hand(x: int, n: int, level: float) -> tuple[float, float]:
    """Wilson (1927) score limits, written out from the textbook formula."""
    z = z_for(level)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def agresti_coull_by_hand(x: int, n: int, level: float) -> tuple[float, float]:
    """Agresti and Coull (1998): add z^2/2 successes and failures, then Wald; keep in [0, 1]."""
    z = z_for(level)
    n_tilde = n + z * z
    p_tilde = (x + z * z / 2) / n_tilde
    half = z * math.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    return max(p_tilde - half, 0.0), min(p_tilde + half, 1.0)


# --- published values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "total", "level", "lower", "upper"),
    [
        # UKHSA public-health methods test data, Wilson 95% and 99.8%
        (65, 100, 0.95, 0.55254443296887967, 0.73635751756902468),
        (1045, 5000, 0.95, 0.19795549880013297, 0.22049130373189027),
        (65, 100, 0.998, 0.49549465740704313, 0.77835406140896968),
    ],
)
def test_wilson_matches_ukhsa_published_values(
    events: int, total: int, level: float, lower: float, upper: float
) -> None:
    result = proportion(events, total, confidence_level=level)
    assert float(result.lower) == pytest.approx(lower, rel=1e-9)
    assert float(result.upper) == pytest.approx(upper, rel=1e-9)
    assert float(result.estimate) == pytest.approx(events / total, rel=1e-12)
    assert str(result.method) == "wilson"


# --- hand-derived values and other implementations ---------------------------------------

CASES = [(0, 1), (0, 20), (1, 20), (3, 20), (10, 20), (19, 20), (20, 20), (7, 1000), (500, 999)]
LEVELS = [0.8, 0.95, 0.998]


@pytest.mark.parametrize(("events", "total"), CASES)
@pytest.mark.parametrize("level", LEVELS)
def test_wilson_matches_formula_by_hand(events: int, total: int, level: float) -> None:
    lower, upper = wilson_by_hand(events, total, level)
    result = proportion(events, total, confidence_level=level)
    assert float(result.lower) == pytest.approx(lower, rel=1e-9, abs=1e-14)
    assert float(result.upper) == pytest.approx(upper, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize(("events", "total"), CASES)
@pytest.mark.parametrize("level", LEVELS)
def test_agresti_coull_matches_formula_by_hand(events: int, total: int, level: float) -> None:
    lower, upper = agresti_coull_by_hand(events, total, level)
    result = proportion(events, total, method="agresti_coull", confidence_level=level)
    assert float(result.lower) == pytest.approx(lower, rel=1e-9, abs=1e-14)
    assert float(result.upper) == pytest.approx(upper, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("events", "total"), CASES)
@pytest.mark.parametrize("level", LEVELS)
def test_matches_statsmodels_proportion_confint(
    method: str, events: int, total: int, level: float
) -> None:
    lower, upper = proportion_confint(
        events, total, alpha=1 - level, method=STATSMODELS_NAMES[method]
    )
    if method == "jeffreys" and events == 0:
        # statsmodels returns the plain beta(1/2, n + 1/2) quantile as the lower limit at
        # x = 0; we apply Brown, Cai and DasGupta's (2001) boundary modification, lower = 0
        # (otherwise the interval would exclude the estimate 0). The upper limit is the same.
        assert lower > 0
        lower = 0.0
    if method == "jeffreys" and events == total:
        # Mirror image at x = n: statsmodels' upper limit is below 1; ours is 1 by definition.
        assert upper < 1
        upper = 1.0
    # statsmodels clips agresti_coull (and wilson) to [0, 1]; we truncate agresti_coull the
    # same way, so the two agree including at x = 0 and x = n.
    result = proportion(events, total, method=method, confidence_level=level)
    assert float(result.lower) == pytest.approx(lower, rel=1e-9, abs=1e-14)
    assert float(result.upper) == pytest.approx(upper, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize(("method", "scipy_method"), [("exact", "exact"), ("wilson", "wilson")])
@pytest.mark.parametrize(("events", "total"), CASES)
def test_matches_scipy_binomtest_proportion_ci(
    method: str, scipy_method: str, events: int, total: int
) -> None:
    interval = scipy_stats.binomtest(events, total).proportion_ci(
        confidence_level=0.95, method=scipy_method
    )
    result = proportion(events, total, method=method)
    assert float(result.lower) == pytest.approx(interval.low, rel=1e-9, abs=1e-14)
    assert float(result.upper) == pytest.approx(interval.high, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize(("events", "total"), [(1, 20), (3, 20), (10, 20), (999, 1000)])
def test_jeffreys_interior_matches_beta_quantiles(events: int, total: int) -> None:
    # Jeffreys: equal-tailed interval of the beta(x + 1/2, n - x + 1/2) posterior.
    posterior = scipy_stats.beta(events + 0.5, total - events + 0.5)
    result = proportion(events, total, method="jeffreys")
    assert float(result.lower) == pytest.approx(posterior.ppf(0.025), rel=1e-9)
    assert float(result.upper) == pytest.approx(posterior.ppf(0.975), rel=1e-9)


@pytest.mark.parametrize("total", [1, 5, 20, 1000])
@pytest.mark.parametrize("level", LEVELS)
def test_exact_closed_forms_at_the_boundaries(total: int, level: float) -> None:
    # Clopper-Pearson: at x = 0, upper solves (1 - p)^n = alpha/2; at x = n, lower solves
    # p^n = alpha/2.
    alpha = 1 - level
    zero = proportion(0, total, method="exact", confidence_level=level)
    assert float(zero.upper) == pytest.approx(1 - (alpha / 2) ** (1 / total), rel=1e-9)
    full = proportion(total, total, method="exact", confidence_level=level)
    assert float(full.lower) == pytest.approx((alpha / 2) ** (1 / total), rel=1e-9)


def test_docstring_example_values_by_hand() -> None:
    # 0 of 20: upper = 1 - 0.025^(1/20) = 0.16843..; 3 of 20 exact from scipy's beta.
    result = proportion([0, 3], [20, 20], method="exact", multiplier=100)
    assert result.upper[0] == pytest.approx(100 * (1 - 0.025 ** (1 / 20)), rel=1e-9)
    assert result.lower[1] == pytest.approx(100 * scipy_stats.beta.ppf(0.025, 3, 18), rel=1e-9)
    assert result.upper[1] == pytest.approx(100 * scipy_stats.beta.ppf(0.975, 4, 17), rel=1e-9)


def test_multiplier_gives_percentages() -> None:
    result = proportion(65, 100, multiplier=100)
    assert float(result.estimate) == pytest.approx(65.0, rel=1e-12)
    assert float(result.lower) == pytest.approx(55.254443296887967, rel=1e-9)  # UKHSA x 100
    assert float(result.upper) == pytest.approx(73.635751756902468, rel=1e-9)
    assert result.multiplier == 100.0


# --- degenerate cases --------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_zero_events_gives_lower_zero(method: str) -> None:
    result = proportion(0, 50, method=method)
    assert float(result.estimate) == 0.0
    assert float(result.lower) == 0.0
    assert 0.0 < float(result.upper) < 1.0
    assert str(result.note) == ""


@pytest.mark.parametrize("method", METHODS)
def test_events_equal_to_total_gives_upper_one(method: str) -> None:
    result = proportion(50, 50, method=method)
    assert float(result.estimate) == 1.0
    assert float(result.upper) == 1.0
    assert 0.0 < float(result.lower) < 1.0


@pytest.mark.parametrize("method", METHODS)
def test_zero_total_gives_nan_with_note(method: str) -> None:
    result = proportion([0, 3], [0, 10], method=method)
    assert np.isnan(result.estimate[0])
    assert np.isnan(result.lower[0])
    assert np.isnan(result.upper[0])
    assert result.note[0] == "denominator is zero"
    assert result.note[1] == ""
    assert result.estimate[1] == pytest.approx(0.3)


def test_agresti_coull_is_truncated_where_the_formula_leaves_zero_one() -> None:
    # By hand: x = 0, n = 5 at 95% gives p~ - z se < 0 before truncation.
    z = z_for(0.95)
    p_tilde = (z * z / 2) / (5 + z * z)
    assert p_tilde - z * math.sqrt(p_tilde * (1 - p_tilde) / (5 + z * z)) < 0
    result = proportion([0, 5], [5, 5], method="agresti_coull")
    assert result.lower[0] == 0.0
    assert result.upper[1] == 1.0


def test_jeffreys_may_exclude_the_estimate_at_very_low_levels() -> None:
    # Documented caveat: at a 10% level the central 10% of beta(1.5, 99.5) lies above 1/100.
    assert scipy_stats.beta.ppf(0.45, 1.5, 99.5) > 0.01
    result = proportion(1, 100, method="jeffreys", confidence_level=0.1)
    assert float(result.lower) > float(result.estimate)


def test_no_continuity_correction_in_wilson() -> None:
    # The continuity-corrected Wilson interval for 1 of 20 (Newcombe 1998, method 4) is wider;
    # ours equals the uncorrected formula.
    lower, upper = wilson_by_hand(1, 20, 0.95)
    result = proportion(1, 20)
    assert float(result.lower) == pytest.approx(lower, rel=1e-12)
    assert float(result.upper) == pytest.approx(upper, rel=1e-12)


def test_result_type_fields_and_frame() -> None:
    result = proportion([1, 2], [10, 20], method="exact")
    assert isinstance(result, ProportionResult)
    assert list(result.method) == ["exact", "exact"]
    np.testing.assert_array_equal(result.events, [1.0, 2.0])
    np.testing.assert_array_equal(result.total, [10.0, 20.0])
    frame = result.to_frame()
    assert list(frame["method"]) == ["exact", "exact"]
    assert set(frame.columns) >= {"events", "total", "multiplier", "estimate", "lower", "upper"}
    with pytest.raises(AttributeError):
        result.multiplier = 2.0  # type: ignore[misc]


def test_broadcasts_a_scalar_total() -> None:
    result = proportion([0, 1, 2], 10)
    assert result.estimate.shape == (3,)
    np.testing.assert_array_equal(result.total, [10.0, 10.0, 10.0])


# --- invalid inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "total", "error", "match"),
    [
        (-1, 10, InvalidArgumentError, r"events must be >= 0; got -1 at the scalar input"),
        ([1, 2.5], 10, InvalidArgumentError, r"events must be whole numbers >= 0; got 2\.5"),
        (3, 2.5, InvalidArgumentError, r"total must be whole numbers >= 0; got 2\.5"),
        ([5, 11], 10, InvalidArgumentError, r"events must not exceed total.*index 1"),
        ([1, np.nan], 10, InvalidArgumentError, r"events must be finite numbers >= 0; got nan"),
        (1, np.inf, InvalidArgumentError, r"total must be finite numbers >= 0; got inf"),
        ([1, 2], [10, 20, 30], ShapeMismatchError, r"broadcastable.*events \(2,\), total \(3,\)"),
        ("3", 10, InvalidTypeError, r"events must be numbers"),
    ],
)
def test_invalid_inputs_raise(events: object, total: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        proportion(events, total)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [0.0, 1.0, 95, -0.5, float("nan")])
def test_confidence_level_outside_zero_one_raises(level: float) -> None:
    with pytest.raises(InvalidArgumentError, match="confidence_level must be a fraction"):
        proportion(1, 10, confidence_level=level)


def test_unknown_method_raises() -> None:
    with pytest.raises(UnknownMethodError, match=r"method='wald' is not available.*'wilson'"):
        proportion(1, 10, method="wald")  # type: ignore[arg-type]


@pytest.mark.parametrize("multiplier", [0, -100, float("inf")])
def test_invalid_multiplier_raises(multiplier: float) -> None:
    with pytest.raises(InvalidArgumentError, match="multiplier must be a finite number > 0"):
        proportion(1, 10, multiplier=multiplier)


# --- invariants --------------------------------------------------------------------------

counts = st.integers(min_value=1, max_value=2000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
levels = st.floats(min_value=0.5, max_value=0.999)
methods = st.sampled_from(METHODS)


@settings(max_examples=60)
@given(pair=counts, level=levels, method=methods)
def test_estimate_lies_within_limits(pair: tuple[int, int], level: float, method: str) -> None:
    result = proportion(*pair, method=method, confidence_level=level)  # type: ignore[arg-type]
    assert 0.0 <= result.lower <= result.estimate <= result.upper <= 1.0


@settings(max_examples=60)
@given(pair=counts, low=levels, extra=st.floats(min_value=0.0, max_value=0.5), method=methods)
def test_intervals_widen_as_the_level_rises(
    pair: tuple[int, int], low: float, extra: float, method: str
) -> None:
    high = min(low + extra, 0.9999)
    narrow = proportion(*pair, method=method, confidence_level=low)  # type: ignore[arg-type]
    wide = proportion(*pair, method=method, confidence_level=high)  # type: ignore[arg-type]
    assert wide.lower <= narrow.lower + 1e-15
    assert wide.upper >= narrow.upper - 1e-15


@settings(max_examples=60)
@given(pair=counts, multiplier=st.floats(min_value=1e-3, max_value=1e6), method=methods)
def test_multiplier_scales_linearly(pair: tuple[int, int], multiplier: float, method: str) -> None:
    base = proportion(*pair, method=method)  # type: ignore[arg-type]
    scaled = proportion(*pair, method=method, multiplier=multiplier)  # type: ignore[arg-type]
    for name in ("estimate", "lower", "upper"):
        expected = multiplier * float(getattr(base, name))
        assert float(getattr(scaled, name)) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@settings(max_examples=40)
@given(pairs=st.lists(counts, min_size=1, max_size=8), method=methods)
def test_vectorised_equals_element_by_element(pairs: list[tuple[int, int]], method: str) -> None:
    events = [x for x, _ in pairs]
    totals = [n for _, n in pairs]
    together = proportion(events, totals, method=method)  # type: ignore[arg-type]
    for i, (x, n) in enumerate(pairs):
        alone = proportion(x, n, method=method)  # type: ignore[arg-type]
        assert together.estimate[i] == alone.estimate
        assert together.lower[i] == alone.lower
        assert together.upper[i] == alone.upper
        assert together.method[i] == alone.method
        assert together.note[i] == alone.note


@settings(max_examples=20)
@given(pair=counts, method=methods)
def test_scalars_give_zero_dimensional_arrays(pair: tuple[int, int], method: str) -> None:
    result = proportion(*pair, method=method)  # type: ignore[arg-type]
    for name in ("estimate", "lower", "upper", "method", "note", "events", "total"):
        value = getattr(result, name)
        assert isinstance(value, np.ndarray), name
        assert value.shape == (), name
    assert str(result.method) == method
