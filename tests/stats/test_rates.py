"""Tests for ``stats.crude_rate``: published values, chi-squared quantiles, edge cases, invariants.

Independent sources: UKHSA public-health methods test data (Byar 95% and 99.8%); Byar's formula
evaluated with :mod:`math`; exact Poisson limits from ``scipy.stats.chi2`` quantiles, from their
defining tail probabilities (``scipy.stats.poisson``) and from closed forms at O = 0 and O = 1.
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
from equitymetrics.stats import RateResult, crude_rate

METHODS = ["phe", "byar", "exact"]


def z_for(level: float) -> float:
    """Two-sided normal quantile from the standard library (independent of scipy.special)."""
    return NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)


def byar_by_hand(observed: int, level: float) -> tuple[float, float]:
    """Byar's limits (Breslow and Day 1987), written out from the formula."""
    z = z_for(level)
    o = observed
    lower = 0.0 if o == 0 else o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return lower, upper


def exact_by_chi2(observed: int, level: float) -> tuple[float, float]:
    """Garwood (1936) limits from scipy's chi-squared quantiles."""
    alpha = 1 - level
    lower = 0.0 if observed == 0 else scipy_stats.chi2.ppf(alpha / 2, 2 * observed) / 2
    upper = scipy_stats.chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2
    return lower, upper


# --- published values --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["phe", "byar"])
@pytest.mark.parametrize(
    ("events", "level", "lower", "upper"),
    [
        # UKHSA public-health methods test data, Byar 95% and 99.8%
        (65, 0.95, 50.163187710459454, 82.849138545939837),
        (1045, 0.95, 982.59320180733255, 1110.3312129856499),
        (65, 0.998, 42.880261471480203, 94.000290844318016),
        (1045, 0.998, 947.94070356103737, 1148.8061609880331),
    ],
)
def test_byar_matches_ukhsa_published_values(
    method: str, events: int, level: float, lower: float, upper: float
) -> None:
    # Exposure 1 and multiplier 1 give the limits of the count itself.
    result = crude_rate(events, 1, multiplier=1, method=method, confidence_level=level)  # type: ignore[arg-type]
    assert float(result.lower) == pytest.approx(lower, rel=1e-9)
    assert float(result.upper) == pytest.approx(upper, rel=1e-9)
    assert str(result.method) == "byar"
    # The same count per 100,000 of a population of 250,000: limits / 250,000 x 100,000.
    scaled = crude_rate(events, 250_000, method=method, confidence_level=level)  # type: ignore[arg-type]
    assert float(scaled.estimate) == pytest.approx(events * 0.4, rel=1e-12)
    assert float(scaled.lower) == pytest.approx(lower * 0.4, rel=1e-9)
    assert float(scaled.upper) == pytest.approx(upper * 0.4, rel=1e-9)


# --- hand-derived values -----------------------------------------------------------------

COUNTS = [0, 1, 2, 5, 9, 10, 11, 30, 200, 5000]
LEVELS = [0.8, 0.95, 0.998]


@pytest.mark.parametrize("events", COUNTS)
@pytest.mark.parametrize("level", LEVELS)
def test_byar_matches_formula_by_hand(events: int, level: float) -> None:
    lower, upper = byar_by_hand(events, level)
    result = crude_rate(events, 1, multiplier=1, method="byar", confidence_level=level)
    assert float(result.lower) == pytest.approx(max(lower, 0.0), rel=1e-9)
    assert float(result.upper) == pytest.approx(upper, rel=1e-9)


@pytest.mark.parametrize("events", COUNTS)
@pytest.mark.parametrize("level", LEVELS)
def test_exact_matches_chi_squared_quantiles(events: int, level: float) -> None:
    lower, upper = exact_by_chi2(events, level)
    result = crude_rate(events, 1, multiplier=1, method="exact", confidence_level=level)
    assert float(result.lower) == pytest.approx(lower, rel=1e-9)
    assert float(result.upper) == pytest.approx(upper, rel=1e-9)


@pytest.mark.parametrize("events", [1, 2, 7, 40])
def test_exact_limits_solve_their_defining_tail_equations(events: int) -> None:
    # Garwood: P(X >= O | lower) = alpha/2 and P(X <= O | upper) = alpha/2, X ~ Poisson.
    result = crude_rate(events, 1, multiplier=1, method="exact")
    assert scipy_stats.poisson.sf(events - 1, float(result.lower)) == pytest.approx(0.025)
    assert scipy_stats.poisson.cdf(events, float(result.upper)) == pytest.approx(0.025)


@pytest.mark.parametrize("level", LEVELS)
def test_exact_closed_forms_for_zero_and_one_event(level: float) -> None:
    # O = 0: P(X = 0 | u) = exp(-u) = alpha/2. O = 1: P(X >= 1 | l) = 1 - exp(-l) = alpha/2.
    alpha = 1 - level
    result = crude_rate([0, 1], 1, multiplier=1, method="exact", confidence_level=level)
    assert result.lower[0] == 0.0
    assert result.upper[0] == pytest.approx(-math.log(alpha / 2), rel=1e-9)
    assert result.lower[1] == pytest.approx(-math.log(1 - alpha / 2), rel=1e-9)


def test_phe_switches_from_exact_to_byar_at_ten_events() -> None:
    result = crude_rate([0, 9, 10, 11], 1, multiplier=1)
    assert list(result.method) == ["exact", "exact", "byar", "byar"]
    for i, events in enumerate([0, 9]):
        lower, upper = exact_by_chi2(events, 0.95)
        assert result.lower[i] == pytest.approx(lower, rel=1e-9)
        assert result.upper[i] == pytest.approx(upper, rel=1e-9)
    for i, events in [(2, 10), (3, 11)]:
        lower, upper = byar_by_hand(events, 0.95)
        assert result.lower[i] == pytest.approx(lower, rel=1e-9)
        assert result.upper[i] == pytest.approx(upper, rel=1e-9)


def test_docstring_example_values_by_hand() -> None:
    # 65 per 100,000 (Byar, UKHSA values) and 4 in 50,000 = 8 per 100,000 (exact, chi2).
    result = crude_rate([65, 4], [100_000, 50_000])
    np.testing.assert_allclose(result.estimate, [65.0, 8.0], rtol=1e-12)
    lower, upper = exact_by_chi2(4, 0.95)
    np.testing.assert_allclose(result.lower, [50.163187710459454, lower * 2], rtol=1e-9)
    np.testing.assert_allclose(result.upper, [82.849138545939837, upper * 2], rtol=1e-9)


def test_fractional_exposure_is_allowed() -> None:
    # 12 restraints in 2,345.5 occupied bed days, per 1,000 bed days; Byar by hand.
    lower, upper = byar_by_hand(12, 0.95)
    result = crude_rate(12, 2345.5, multiplier=1000)
    assert float(result.estimate) == pytest.approx(12 / 2345.5 * 1000, rel=1e-12)
    assert float(result.lower) == pytest.approx(lower / 2345.5 * 1000, rel=1e-9)
    assert float(result.upper) == pytest.approx(upper / 2345.5 * 1000, rel=1e-9)


# --- degenerate cases --------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_zero_events_gives_lower_zero(method: str) -> None:
    result = crude_rate(0, 1000, method=method, multiplier=1000)  # type: ignore[arg-type]
    assert float(result.estimate) == 0.0
    assert float(result.lower) == 0.0
    assert float(result.upper) > 0.0
    assert str(result.note) == ""


@pytest.mark.parametrize("method", METHODS)
def test_zero_exposure_and_zero_events_gives_nan_with_note(method: str) -> None:
    result = crude_rate(0, 0, method=method)  # type: ignore[arg-type]
    assert np.isnan(result.estimate)
    assert np.isnan(result.lower)
    assert np.isnan(result.upper)
    assert str(result.note) == "denominator is zero"


@pytest.mark.parametrize("method", METHODS)
def test_zero_exposure_with_events_is_undefined_not_infinite(method: str) -> None:
    # Decision: a positive count cannot arise from zero exposure under the Poisson model, so
    # no rate fits the data: NaN (not inf), with a note that asks for the exposure to be checked.
    result = crude_rate([3, 3], [0, 10], method=method)  # type: ignore[arg-type]
    assert np.isnan(result.estimate[0])
    assert np.isnan(result.lower[0])
    assert np.isnan(result.upper[0])
    assert result.note[0].startswith("denominator is zero but events > 0")
    assert "check the exposure" in result.note[0]
    assert result.note[1] == ""
    assert result.estimate[1] == pytest.approx(30_000.0)


def test_byar_lower_limit_below_zero_is_truncated_with_note() -> None:
    # By hand: at 99.8% z = 3.0902, so for O = 1 Byar's bracket 1 - 1/9 - z/3 = -0.1412 is
    # negative and its cube gives a negative lower limit, which must be truncated to 0.
    result = crude_rate([1, 2], 1, multiplier=1, method="byar", confidence_level=0.998)
    assert result.lower[0] == 0.0
    assert "truncated to 0" in result.note[0]
    assert result.note[1] == ""
    assert result.lower[1] == pytest.approx(byar_by_hand(2, 0.998)[0], rel=1e-9)


def test_result_type_fields_and_frame() -> None:
    result = crude_rate([5, 50], [1000.0, 2000.0], multiplier=1000)
    assert isinstance(result, RateResult)
    np.testing.assert_array_equal(result.events, [5.0, 50.0])
    np.testing.assert_array_equal(result.exposure, [1000.0, 2000.0])
    assert result.multiplier == 1000.0
    frame = result.to_frame()
    assert list(frame["method"]) == ["exact", "byar"]
    assert set(frame.columns) >= {"events", "exposure", "multiplier", "note", "confidence_level"}


# --- invalid inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "exposure", "error", "match"),
    [
        ([3, -2], 100, InvalidArgumentError, r"events must be >= 0; got -2 at index 1"),
        (2.5, 100, InvalidArgumentError, r"events must be whole numbers >= 0; got 2\.5"),
        (3, -100, InvalidArgumentError, r"exposure must be >= 0; got -100"),
        (3, np.nan, InvalidArgumentError, r"exposure must be finite numbers >= 0; got nan"),
        (np.nan, 100, InvalidArgumentError, r"events must be finite numbers >= 0; got nan"),
        ([1, 2, 3], [10, 20], ShapeMismatchError, r"events \(3,\), exposure \(2,\)"),
        (["a"], 100, InvalidTypeError, r"events must be numbers"),
    ],
)
def test_invalid_inputs_raise(events: object, exposure: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        crude_rate(events, exposure)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [0.0, 1.0, 95, 1.5, float("nan")])
def test_confidence_level_outside_zero_one_raises(level: float) -> None:
    with pytest.raises(InvalidArgumentError, match="confidence_level must be a fraction"):
        crude_rate(10, 100, confidence_level=level)


def test_unknown_method_raises() -> None:
    with pytest.raises(UnknownMethodError, match=r"method='poisson' is not available.*'phe'"):
        crude_rate(10, 100, method="poisson")  # type: ignore[arg-type]


def test_invalid_multiplier_raises() -> None:
    with pytest.raises(InvalidArgumentError, match="multiplier must be a finite number > 0"):
        crude_rate(10, 100, multiplier=0)


# --- invariants --------------------------------------------------------------------------

event_counts = st.integers(min_value=0, max_value=100_000)
exposures = st.floats(min_value=0.5, max_value=1e7)
levels = st.floats(min_value=0.5, max_value=0.999)
methods = st.sampled_from(METHODS)


@settings(max_examples=60)
@given(events=event_counts, exposure=exposures, level=levels, method=methods)
def test_estimate_lies_within_limits(
    events: int, exposure: float, level: float, method: str
) -> None:
    result = crude_rate(events, exposure, method=method, confidence_level=level)  # type: ignore[arg-type]
    assert 0.0 <= result.lower <= result.estimate <= result.upper


@settings(max_examples=60)
@given(
    events=event_counts,
    exposure=exposures,
    low=levels,
    extra=st.floats(min_value=0.0, max_value=0.5),
    method=methods,
)
def test_intervals_widen_as_the_level_rises(
    events: int, exposure: float, low: float, extra: float, method: str
) -> None:
    high = min(low + extra, 0.9999)
    narrow = crude_rate(events, exposure, method=method, confidence_level=low)  # type: ignore[arg-type]
    wide = crude_rate(events, exposure, method=method, confidence_level=high)  # type: ignore[arg-type]
    assert wide.lower <= narrow.lower * (1 + 1e-12)
    assert wide.upper >= narrow.upper * (1 - 1e-12)


@settings(max_examples=60)
@given(
    events=event_counts,
    exposure=exposures,
    multiplier=st.floats(min_value=1e-3, max_value=1e6),
    method=methods,
)
def test_multiplier_scales_linearly(
    events: int, exposure: float, multiplier: float, method: str
) -> None:
    base = crude_rate(events, exposure, method=method, multiplier=1)  # type: ignore[arg-type]
    scaled = crude_rate(events, exposure, method=method, multiplier=multiplier)  # type: ignore[arg-type]
    for name in ("estimate", "lower", "upper"):
        expected = multiplier * float(getattr(base, name))
        assert float(getattr(scaled, name)) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@settings(max_examples=40)
@given(
    rows=st.lists(st.tuples(event_counts, st.sampled_from([0.0, 1.0, 37.5, 1e5])), max_size=8),
    method=methods,
)
def test_vectorised_equals_element_by_element(rows: list[tuple[int, float]], method: str) -> None:
    together = crude_rate([e for e, _ in rows], [x for _, x in rows], method=method)  # type: ignore[arg-type]
    assert together.estimate.shape == (len(rows),)
    for i, (events, exposure) in enumerate(rows):
        alone = crude_rate(events, exposure, method=method)  # type: ignore[arg-type]
        np.testing.assert_array_equal(together.estimate[i], alone.estimate)
        np.testing.assert_array_equal(together.lower[i], alone.lower)
        np.testing.assert_array_equal(together.upper[i], alone.upper)
        assert together.method[i] == alone.method
        assert together.note[i] == alone.note


@settings(max_examples=20)
@given(events=event_counts, exposure=exposures, method=methods)
def test_scalars_give_zero_dimensional_arrays(events: int, exposure: float, method: str) -> None:
    result = crude_rate(events, exposure, method=method)  # type: ignore[arg-type]
    for name in ("estimate", "lower", "upper", "method", "note", "events", "exposure"):
        value = getattr(result, name)
        assert isinstance(value, np.ndarray), name
        assert value.shape == (), name
