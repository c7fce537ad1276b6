"""Tests for ``stats.risk_difference``: published values, other implementations, edge cases.

Independent sources: Newcombe (1998) Stat Med 17:873-890, Table II (56/70 vs 48/80, method 10:
0.2000, 0.0524 to 0.3339); Fagerland, Lydersen and Laake (2017), "Statistical Analysis of
Contingency Tables", chapter 4 (7/34 vs 1/34: Newcombe 0.0189 to 0.3404, Wald 0.0292 to
0.3238), as printed by the R package ``contingencytables``; the Wilson and Newcombe formulas
written out below with :mod:`math`; closed forms of the Wilson limits at x = 0 and x = n;
``statsmodels.stats.proportion.confint_proportions_2indep`` (``"newcomb"``, ``"wald"``).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)
from equitymetrics.stats import RiskDifferenceResult, risk_difference


def z_for(level: float) -> float:
    """Two-sided normal quantile from the standard library (independent of scipy.special)."""
    return NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)


def wilson_by_hand(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson (1927) score limits in the centre +/- half-width form."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def newcombe_by_hand(a: int, n1: int, c: int, n0: int, level: float) -> tuple[float, ...]:
    """Newcombe (1998) method 10, from the paper's equations."""
    z = z_for(level)
    p1, p0 = a / n1, c / n0
    l1, u1 = wilson_by_hand(a, n1, z)
    l0, u0 = wilson_by_hand(c, n0, z)
    d = p1 - p0
    return d, d - math.hypot(p1 - l1, u0 - p0), d + math.hypot(u1 - p1, p0 - l0)


def wald_by_hand(a: int, n1: int, c: int, n0: int, level: float) -> tuple[float, ...]:
    p1, p0 = a / n1, c / n0
    half = z_for(level) * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return p1 - p0, p1 - p0 - half, p1 - p0 + half


def triple(result: RiskDifferenceResult) -> tuple[float, float, float]:
    return float(result.estimate), float(result.lower), float(result.upper)


def test_newcombe_1998_table_ii_example() -> None:
    # Newcombe (1998) Table II: 56/70 - 48/80 = 0.2000, method 10 gives 0.0524 to 0.3339
    got = triple(risk_difference(56, 70, 48, 80))
    assert got == pytest.approx((0.2000, 0.0524, 0.3339), abs=5e-5)


def test_fagerland_perondi_example() -> None:
    # Fagerland et al. (2017), Perondi et al. (2004): 7/34 vs 1/34, estimate 0.1765;
    # Newcombe hybrid score 0.0189 to 0.3404; Wald 0.0292 to 0.3238
    assert triple(risk_difference(7, 34, 1, 34)) == pytest.approx(
        (0.1765, 0.0189, 0.3404), abs=5e-5
    )
    assert triple(risk_difference(7, 34, 1, 34, method="wald")) == pytest.approx(
        (0.1765, 0.0292, 0.3238), abs=5e-5
    )


TABLES = [(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29), (0, 10, 0, 20)]


@pytest.mark.parametrize("level", [0.8, 0.95, 0.998])
@pytest.mark.parametrize(("a", "n1", "c", "n0"), [*TABLES, (10, 10, 0, 20), (300, 1000, 2, 3)])
def test_newcombe_matches_hand_formula_and_statsmodels(
    a: int, n1: int, c: int, n0: int, level: float
) -> None:
    got = triple(risk_difference(a, n1, c, n0, confidence_level=level))
    assert got == pytest.approx(newcombe_by_hand(a, n1, c, n0, level), rel=1e-12, abs=1e-15)
    low, high = confint_proportions_2indep(
        a, n1, c, n0, method="newcomb", compare="diff", alpha=1 - level
    )
    assert got[1:] == pytest.approx((float(low), float(high)), rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("level", [0.9, 0.95])
@pytest.mark.parametrize(("a", "n1", "c", "n0"), [(56, 70, 48, 80), (7, 34, 1, 34), (2, 9, 5, 7)])
def test_wald_matches_hand_formula_and_statsmodels(
    a: int, n1: int, c: int, n0: int, level: float
) -> None:
    got = triple(risk_difference(a, n1, c, n0, method="wald", confidence_level=level))
    assert got == pytest.approx(wald_by_hand(a, n1, c, n0, level), rel=1e-12)
    low, high = confint_proportions_2indep(
        a, n1, c, n0, method="wald", compare="diff", alpha=1 - level
    )
    assert got[1:] == pytest.approx((float(low), float(high)), rel=1e-10)


def test_newcombe_no_events_in_either_group_uses_wilson_upper_limits() -> None:
    # With x = 0 the Wilson upper limit is z^2/(n + z^2), so for 0/10 - 0/20 the interval is
    # (-z^2/(20 + z^2), z^2/(10 + z^2)) = (-0.1611, 0.2775), as in Newcombe's Table II.
    z2 = z_for(0.95) ** 2
    got = triple(risk_difference(0, 10, 0, 20))
    assert got == pytest.approx((0.0, -z2 / (20 + z2), z2 / (10 + z2)), rel=1e-12)
    assert got[1:] == pytest.approx((-0.1611, 0.2775), abs=5e-5)


def test_newcombe_events_equal_total_reaches_one() -> None:
    # 10/10 - 0/20: upper = 1 exactly; lower = 1 - sqrt((1 - 10/(10 + z^2))^2 + (z^2/(20+z^2))^2)
    z2 = z_for(0.95) ** 2
    got = triple(risk_difference(10, 10, 0, 20))
    expected_lower = 1 - math.hypot(1 - 10 / (10 + z2), z2 / (20 + z2))
    assert got == pytest.approx((1.0, expected_lower, 1.0), rel=1e-12)


@pytest.mark.parametrize("method", ["newcombe", "wald"])
@pytest.mark.parametrize(("n1", "n0"), [(0, 10), (10, 0), (0, 0)])
def test_zero_total_is_nan_with_note(method: str, n1: int, n0: int) -> None:
    result = risk_difference(0, n1, 0, n0, method=method)  # type: ignore[arg-type]
    assert np.isnan([result.estimate, result.lower, result.upper]).all()
    assert "total or reference_total is 0" in str(result.note)


def test_wald_zero_width_interval_is_noted() -> None:
    result = risk_difference(10, 10, 0, 20, method="wald")
    assert triple(result) == (1.0, 1.0, 1.0)
    assert "zero-width" in str(result.note)


def test_multiplier_gives_percentage_points() -> None:
    plain = risk_difference(56, 70, 48, 80)
    scaled = risk_difference(56, 70, 48, 80, multiplier=100)
    assert triple(scaled) == pytest.approx(tuple(100 * v for v in triple(plain)), rel=1e-15)
    assert scaled.multiplier == 100.0
    assert list(scaled.to_frame()["multiplier"]) == [100.0]


def test_to_frame_shows_inputs() -> None:
    frame = risk_difference([56, 7], [70, 34], [48, 1], [80, 34]).to_frame()
    assert list(frame["events"]) == [56.0, 7.0]
    assert list(frame["reference_events"]) == [48.0, 1.0]
    assert list(frame["method"]) == ["newcombe", "newcombe"]


@pytest.mark.parametrize(
    ("arguments", "keywords", "error", "match"),
    [
        ((-1, 10, 1, 10), {}, InvalidArgumentError, "must be >= 0"),
        ((1.5, 10, 1, 10), {}, InvalidArgumentError, "events must be whole numbers"),
        ((11, 10, 1, 10), {}, InvalidArgumentError, "events must not exceed total"),
        ((float("nan"), 10, 1, 10), {}, InvalidArgumentError, "finite"),
        (([1, 2], [10, 10, 10], 1, 10), {}, ShapeMismatchError, "broadcast"),
        ((1, 10, 1, 10), {"confidence_level": 95}, InvalidArgumentError, "Did you mean 0.95"),
        ((1, 10, 1, 10), {"method": "score"}, UnknownMethodError, "'newcombe', 'wald'"),
        ((1, 10, 1, 10), {"multiplier": 0}, InvalidArgumentError, "multiplier must be"),
        ((1, 10, 1, 10), {"multiplier": "100"}, InvalidTypeError, "multiplier must be"),
        (("1", 10, 1, 10), {}, InvalidTypeError, "must be numbers"),
    ],
)
def test_invalid_inputs_raise(
    arguments: tuple[Any, ...], keywords: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        risk_difference(*arguments, **keywords)


@st.composite
def two_groups(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(1, 80))
    n0 = draw(st.integers(1, 80))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n0)), n0


METHODS = ["newcombe", "wald"]


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=60)
@given(table=two_groups(), level=st.sampled_from([0.8, 0.95, 0.99]))
def test_lower_estimate_upper_are_ordered(
    method: str, table: tuple[int, int, int, int], level: float
) -> None:
    estimate, lower, upper = triple(
        risk_difference(*table, method=method, confidence_level=level)  # type: ignore[arg-type]
    )
    assert lower <= estimate <= upper
    if method == "newcombe":
        assert lower >= -1.0
        assert upper <= 1.0


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=40)
@given(table=two_groups())
def test_intervals_widen_with_the_level(method: str, table: tuple[int, int, int, int]) -> None:
    _, narrow_lower, narrow_upper = triple(
        risk_difference(*table, method=method, confidence_level=0.8)  # type: ignore[arg-type]
    )
    _, wide_lower, wide_upper = triple(
        risk_difference(*table, method=method, confidence_level=0.99)  # type: ignore[arg-type]
    )
    assert wide_lower <= narrow_lower + 1e-15
    assert wide_upper >= narrow_upper - 1e-15


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=40)
@given(table=two_groups())
def test_swapping_groups_negates_the_difference(
    method: str, table: tuple[int, int, int, int]
) -> None:
    a, n1, c, n0 = table
    forward = triple(risk_difference(a, n1, c, n0, method=method))  # type: ignore[arg-type]
    backward = triple(risk_difference(c, n0, a, n1, method=method))  # type: ignore[arg-type]
    assert backward[0] == -forward[0]
    assert backward[1] == pytest.approx(-forward[2], abs=1e-15)
    assert backward[2] == pytest.approx(-forward[1], abs=1e-15)


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=30)
@given(events=st.integers(0, 60), extra=st.integers(0, 60))
def test_a_group_compared_with_itself_gives_zero(method: str, events: int, extra: int) -> None:
    total = max(events + extra, 1)
    estimate, lower, upper = triple(
        risk_difference(events, total, events, total, method=method)  # type: ignore[arg-type]
    )
    assert estimate == 0.0
    assert lower <= 0.0 <= upper


@settings(max_examples=20)
@given(tables=st.lists(two_groups(), min_size=1, max_size=8))
def test_vectorised_equals_element_by_element(tables: list[tuple[int, int, int, int]]) -> None:
    columns = [np.array(column) for column in zip(*tables, strict=True)]
    for method in METHODS:
        together = risk_difference(*columns, method=method)  # type: ignore[arg-type]
        for index, table in enumerate(tables):
            alone = risk_difference(*table, method=method)  # type: ignore[arg-type]
            assert float(together.estimate[index]) == float(alone.estimate)
            assert float(together.lower[index]) == float(alone.lower)
            assert float(together.upper[index]) == float(alone.upper)
            assert together.note[index] == alone.note
