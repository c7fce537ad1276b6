"""Tests for ``stats.xmr_limits`` and ``stats.special_cause_flags``.

Independent sources: XmR limits evaluated by hand (mean, moving ranges, 2.66 and (2/3) x 2.66
times the average moving range, sigma = mR-bar / 1.128, as in Wheeler's "Understanding
Variation" and NHS England's "Making Data Count"); hand-built series that just trigger, and
just fail to trigger, each special-cause rule; a brute-force search over windows written
independently in this file; the statistics module for means.
"""

from __future__ import annotations

import itertools
import math
import statistics
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.stats import SpecialCauseResult, XmRLimits, special_cause_flags, xmr_limits

# A baseline with mean 0 and every moving range 2: mR-bar = 2, process limits
# 0 -/+ 2.66 x 2 = -/+ 5.32 and 2-sigma lines 0 -/+ (2/3)(2.66)(2) = -/+ 3.546667.
BASELINE = [1.0, -1.0, 1.0, -1.0]


def flags_after_baseline(tail: list[float], **options: Any) -> SpecialCauseResult:
    """Flags for BASELINE followed by ``tail``, with limits fixed by the baseline."""
    values = BASELINE + tail
    limits = xmr_limits(values, baseline=len(BASELINE))
    return special_cause_flags(values, limits=limits, **options)


def tail_flags(result: SpecialCauseResult, name: str) -> list[bool]:
    return [bool(flag) for flag in getattr(result, name)[len(BASELINE) :]]


# --- XmR limits -------------------------------------------------------------------------------


def test_xmr_limits_by_hand() -> None:
    # 10, 12, 11, 14, 13: mean 60/5 = 12; moving ranges 2, 1, 3, 1, mR-bar 7/4 = 1.75;
    # limits 12 -/+ 2.66 x 1.75 = 12 -/+ 4.655; 2-sigma 12 -/+ (2/3)(4.655) = 12 -/+ 3.103333...;
    # sigma 1.75 / 1.128 = 1.5514184...
    limits = xmr_limits([10, 12, 11, 14, 13])
    assert isinstance(limits, XmRLimits)
    assert limits.mean == pytest.approx(12.0, rel=1e-15)
    assert limits.average_moving_range == pytest.approx(1.75, rel=1e-15)
    assert limits.lower_process_limit == pytest.approx(7.345, rel=1e-14)
    assert limits.upper_process_limit == pytest.approx(16.655, rel=1e-14)
    assert limits.lower_two_sigma == pytest.approx(12 - 9.31 / 3, rel=1e-14)
    assert limits.upper_two_sigma == pytest.approx(12 + 9.31 / 3, rel=1e-14)
    assert limits.sigma == pytest.approx(1.75 / 1.128, rel=1e-15)
    assert limits.baseline == 5
    assert limits.note == ""
    assert np.isnan(limits.moving_ranges[0])
    assert limits.moving_ranges[1:].tolist() == [2.0, 1.0, 3.0, 1.0]


def test_xmr_limits_second_hand_example() -> None:
    # 3, 7, 5, 9: mean 6, moving ranges 4, 2, 4, mR-bar 10/3;
    # limits 6 -/+ 2.66 x 10/3 = 6 -/+ 8.866667.
    limits = xmr_limits([3, 7, 5, 9])
    assert limits.mean == pytest.approx(6.0, rel=1e-15)
    assert limits.average_moving_range == pytest.approx(10 / 3, rel=1e-15)
    assert limits.upper_process_limit == pytest.approx(6 + 26.6 / 3, rel=1e-14)
    assert limits.lower_process_limit == pytest.approx(6 - 26.6 / 3, rel=1e-14)


def test_baseline_fixes_limits_from_leading_points() -> None:
    limits = xmr_limits([10, 12, 11, 14, 13, 30, 31], baseline=5)
    assert limits.mean == pytest.approx(12.0, rel=1e-15)
    assert limits.average_moving_range == pytest.approx(1.75, rel=1e-15)
    assert limits.upper_process_limit == pytest.approx(16.655, rel=1e-14)
    assert limits.moving_ranges[5:].tolist() == [17.0, 1.0]  # reported, not used
    assert limits.baseline == 5


def test_xmr_to_frame_has_one_row_per_point() -> None:
    frame = xmr_limits([10, 12, 11, 14, 13, 30], baseline=5).to_frame()
    assert list(frame.columns) == [
        "value",
        "moving_range",
        "in_baseline",
        "mean",
        "lower_process_limit",
        "upper_process_limit",
        "lower_two_sigma",
        "upper_two_sigma",
    ]
    assert frame["in_baseline"].tolist() == [True] * 5 + [False]
    assert frame["upper_process_limit"].iloc[-1] == pytest.approx(16.655, rel=1e-14)


def test_empty_series_has_nan_limits_with_note() -> None:
    limits = xmr_limits([])
    assert math.isnan(limits.mean)
    assert math.isnan(limits.upper_process_limit)
    assert limits.note == "no baseline points: the mean and limits are undefined"
    result = special_cause_flags([])
    assert result.variation.tolist() == []
    assert result.special_cause.tolist() == []


def test_single_point_has_mean_but_nan_limits_with_note() -> None:
    limits = xmr_limits([4.2])
    assert limits.mean == 4.2
    for value in (
        limits.average_moving_range,
        limits.sigma,
        limits.lower_process_limit,
        limits.upper_process_limit,
        limits.lower_two_sigma,
        limits.upper_two_sigma,
    ):
        assert math.isnan(value)
    assert limits.note == (
        "fewer than 2 baseline points: no moving range, so the limits are undefined"
    )
    result = special_cause_flags([4.2], improvement="higher")
    assert result.variation.tolist() == ["common cause"]


def test_baseline_of_one_point_keeps_runs_but_not_limit_rules() -> None:
    values = [0.0, 5, 5, 5, 5, 5, 5, 5, 900]
    result = special_cause_flags(values, limits=xmr_limits(values, baseline=1))
    assert not result.outside_limits.any()
    assert not result.two_of_three.any()
    assert result.run.tolist() == [False] + [True] * 8  # 8 points above the mean of 0


def test_flat_baseline_gives_limits_at_the_mean_with_note() -> None:
    values = [5.0, 5, 5, 5, 6]
    limits = xmr_limits(values, baseline=4)
    assert limits.lower_process_limit == limits.upper_process_limit == 5.0
    assert limits.note == "every baseline moving range is zero: the limits equal the mean"
    result = special_cause_flags(values, limits=limits)
    assert result.outside_limits.tolist() == [False, False, False, False, True]


# --- Rule 1: outside the process limits ---------------------------------------------------------


def test_point_beyond_upper_process_limit_is_flagged() -> None:
    result = flags_after_baseline([5.33])  # upper process limit 5.32
    assert tail_flags(result, "outside_limits") == [True]


def test_point_just_inside_upper_process_limit_is_not_flagged() -> None:
    result = flags_after_baseline([5.31])
    assert tail_flags(result, "outside_limits") == [False]


def test_point_beyond_lower_process_limit_is_flagged() -> None:
    result = flags_after_baseline([-5.33, -5.31])
    assert tail_flags(result, "outside_limits") == [True, False]


# --- Rule 2: runs on one side of the mean --------------------------------------------------------


def test_run_of_seven_above_mean_flags_every_point() -> None:
    result = flags_after_baseline([1.0] * 7)
    assert tail_flags(result, "run") == [True] * 7


def test_six_points_above_mean_is_not_a_run_of_seven() -> None:
    result = flags_after_baseline([1.0] * 6 + [-1.0])
    assert tail_flags(result, "run") == [False] * 7


def test_run_of_seven_below_mean_is_flagged() -> None:
    result = flags_after_baseline([2.0] + [-0.5] * 7)
    assert tail_flags(result, "run") == [False] + [True] * 7


def test_point_on_the_mean_breaks_a_run() -> None:
    result = flags_after_baseline([1.0, 1, 1, 0, 1, 1, 1, 1])
    assert tail_flags(result, "run") == [False] * 8
    shorter = flags_after_baseline([1.0, 1, 1, 0, 1, 1, 1, 1], run_length=4)
    assert tail_flags(shorter, "run") == [False] * 4 + [True] * 4


def test_run_length_six_as_in_current_guidance() -> None:
    result = flags_after_baseline([1.0] * 6 + [-1.0], run_length=6)
    assert tail_flags(result, "run") == [True] * 6 + [False]


# --- Rule 3: trends ---------------------------------------------------------------------------


def test_seven_increasing_points_are_a_trend() -> None:
    result = special_cause_flags([5.0, 1, 2, 3, 4, 5, 6, 7, 3])
    assert result.trend.tolist() == [False] + [True] * 7 + [False]


def test_six_increasing_points_are_not_a_trend_of_seven() -> None:
    result = special_cause_flags([5.0, 1, 2, 3, 4, 5, 6, 3])
    assert not result.trend.any()


def test_seven_decreasing_points_are_a_trend() -> None:
    result = special_cause_flags([1.0, 9, 8, 7, 6, 5, 4, 3])
    assert result.trend.tolist() == [False] + [True] * 7


def test_equal_neighbours_break_a_trend() -> None:
    values = [1.0, 2, 3, 3, 4, 5, 6, 7]
    assert not special_cause_flags(values).trend.any()
    # 3, 4, 5, 6, 7 after the tie is a trend of five points.
    shorter = special_cause_flags(values, trend_length=5)
    assert shorter.trend.tolist() == [False, False, False, True, True, True, True, True]


def test_trend_length_six_as_in_current_guidance() -> None:
    result = special_cause_flags([5.0, 1, 2, 3, 4, 5, 6, 3], trend_length=6)
    assert result.trend.tolist() == [False] + [True] * 6 + [False]


# --- Rule 4: two out of three beyond a 2-sigma line ---------------------------------------------


def test_two_of_three_beyond_upper_two_sigma_flags_the_points_beyond() -> None:
    # Upper 2-sigma line 3.546667: 4 and 4 in the window (4, 0, 4).
    result = flags_after_baseline([4.0, 0.0, 4.0])
    assert tail_flags(result, "two_of_three") == [True, False, True]


def test_two_beyond_but_three_apart_is_not_flagged() -> None:
    result = flags_after_baseline([4.0, 0.0, 0.0, 4.0])
    assert tail_flags(result, "two_of_three") == [False] * 4


def test_just_inside_two_sigma_line_is_not_flagged() -> None:
    result = flags_after_baseline([4.0, 3.5, 0.0])
    assert tail_flags(result, "two_of_three") == [False] * 3


def test_two_of_three_on_opposite_sides_is_not_flagged() -> None:
    result = flags_after_baseline([4.0, -4.0, 0.0])
    assert tail_flags(result, "two_of_three") == [False] * 3


def test_two_of_three_below_lower_two_sigma() -> None:
    result = flags_after_baseline([-4.0, -4.0])
    assert tail_flags(result, "two_of_three") == [True, True]


def test_point_beyond_process_limit_counts_towards_two_of_three() -> None:
    result = flags_after_baseline([6.0, 0.0, 4.0])
    assert tail_flags(result, "two_of_three") == [True, False, True]
    assert tail_flags(result, "outside_limits") == [True, False, False]


# --- Labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "label"),
    [
        ("higher", "special cause (improvement)"),
        ("lower", "special cause (concern)"),
        (None, "special cause (neither)"),
    ],
)
def test_labels_follow_improvement_direction(improvement: Any, label: str) -> None:
    result = flags_after_baseline([1.0] * 7 + [-0.5, -0.6], improvement=improvement)
    labels = result.variation.tolist()
    assert labels[: len(BASELINE)] == ["common cause"] * len(BASELINE)
    assert labels[len(BASELINE) : -2] == [label] * 7
    assert labels[-2:] == ["common cause"] * 2
    assert result.direction.tolist()[len(BASELINE) : -2] == ["higher"] * 7
    assert result.improvement == improvement


def test_rising_trend_below_the_mean_is_labelled_by_its_direction() -> None:
    # Points 1..8 rise; 1..7 lie below the mean (0.858) but inside the limits, and runs are
    # set to 8 so only the trend rule flags them: their direction is that of the trend.
    values = [8.0, -3, -2.5, -2, -1.5, -1, -0.5, -0.2, 9, -6, 9, 1]
    result = special_cause_flags(values, improvement="higher", run_length=8)
    assert result.trend.tolist() == [False] + [True] * 8 + [False] * 3
    assert all(value < result.limits.mean for value in values[1:8])
    assert not (result.outside_limits | result.run | result.two_of_three).any()
    assert result.direction.tolist()[1:9] == ["higher"] * 8
    assert result.variation.tolist()[1:9] == ["special cause (improvement)"] * 8


def test_turning_point_takes_direction_of_trend_ending_there() -> None:
    # Wide limits from another series (mean 20, mR-bar 40) and long runs switched off, so
    # only the trend rule flags: 1..7 rises and 7..1 falls, sharing the peak at index 6,
    # which ends the rise and so is "higher"; the mirror image has a "lower" trough.
    wide = xmr_limits([0.0, 40.0, 0.0, 40.0])
    peak = special_cause_flags(
        [1.0, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1], limits=wide, run_length=20
    )
    assert peak.trend.all()
    assert not (peak.outside_limits | peak.run | peak.two_of_three).any()
    assert peak.direction.tolist() == ["higher"] * 7 + ["lower"] * 6
    trough = special_cause_flags(
        [7.0, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7], limits=wide, run_length=20
    )
    assert trough.direction.tolist() == ["lower"] * 7 + ["higher"] * 6


def test_to_frame_has_flags_and_labels() -> None:
    frame = flags_after_baseline([1.0] * 7, improvement="lower").to_frame()
    assert list(frame.columns) == [
        "value",
        "outside_limits",
        "run",
        "trend",
        "two_of_three",
        "special_cause",
        "direction",
        "variation",
    ]
    assert frame["variation"].iloc[-1] == "special cause (concern)"


# --- Errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "options", "error", "match"),
    [
        ([1.0, np.nan, 2.0], {}, InvalidArgumentError, "got nan at index 1"),
        ([1.0, np.inf], {}, InvalidArgumentError, "finite"),
        ([[1.0, 2.0], [3.0, 4.0]], {}, InvalidArgumentError, "one-dimensional"),
        (["a", "b"], {}, InvalidTypeError, "values must be numbers"),
        ([1.0, 2.0], {"run_length": 1}, InvalidArgumentError, "run_length must be at least 2"),
        ([1.0, 2.0], {"trend_length": 6.0}, InvalidTypeError, "trend_length must be a whole"),
        ([1.0, 2.0], {"trend_length": True}, InvalidTypeError, "trend_length must be a whole"),
        ([1.0, 2.0], {"improvement": "up"}, InvalidArgumentError, "improvement must be"),
        ([1.0, 2.0], {"limits": (0.0, 1.0)}, InvalidTypeError, "limits must be the result"),
    ],
)
def test_special_cause_flags_invalid_inputs(
    values: Any, options: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        special_cause_flags(values, **options)


@pytest.mark.parametrize(
    ("baseline", "error", "match"),
    [
        (0, InvalidArgumentError, "baseline must be at least 1 and at most 3; got 0"),
        (4, InvalidArgumentError, "at most 3; got 4"),
        (2.0, InvalidTypeError, "baseline must be a whole number"),
    ],
)
def test_xmr_limits_invalid_baseline(baseline: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        xmr_limits([1.0, 2.0, 3.0], baseline=baseline)


# --- Invariants -------------------------------------------------------------------------------

series = st.lists(st.integers(min_value=-20, max_value=20), min_size=0, max_size=40)
FLAGS = ("outside_limits", "run", "trend", "two_of_three", "special_cause")


def brute_force_runs(condition: list[bool], length: int) -> list[bool]:
    """Flag i when some window of ``length`` consecutive points holding i is all True."""
    size = len(condition)
    flagged = [False] * size
    for start in range(size - length + 1):
        if all(condition[start : start + length]):
            for i in range(start, start + length):
                flagged[i] = True
    return flagged


def brute_force_two_of_three(beyond: list[bool]) -> list[bool]:
    size = len(beyond)
    flagged = [False] * size
    for start in range(-2, size):
        window = [i for i in range(start, start + 3) if 0 <= i < size]
        if sum(beyond[i] for i in window) >= 2:
            for i in window:
                flagged[i] = flagged[i] or beyond[i]
    return flagged


@settings(max_examples=60)
@given(values=series, run_length=st.integers(2, 8), trend_length=st.integers(2, 8))
def test_rules_match_brute_force_window_search(
    values: list[int], run_length: int, trend_length: int
) -> None:
    result = special_cause_flags(values, run_length=run_length, trend_length=trend_length)
    limits = result.limits
    above = [v > limits.mean for v in values]
    below = [v < limits.mean for v in values]
    runs = [
        a or b
        for a, b in zip(
            brute_force_runs(above, run_length), brute_force_runs(below, run_length), strict=True
        )
    ]
    assert result.run.tolist() == runs
    size = len(values)
    rising = [False] * size
    falling = [False] * size
    for start in range(size - trend_length + 1):
        window = values[start : start + trend_length]
        pairs = list(itertools.pairwise(window))
        if all(b > a for a, b in pairs):
            rising[start : start + trend_length] = [True] * trend_length
        if all(b < a for a, b in pairs):
            falling[start : start + trend_length] = [True] * trend_length
    assert result.trend.tolist() == [r or f for r, f in zip(rising, falling, strict=True)]
    high = brute_force_two_of_three([v > limits.upper_two_sigma for v in values])
    low = brute_force_two_of_three([v < limits.lower_two_sigma for v in values])
    assert result.two_of_three.tolist() == [h or w for h, w in zip(high, low, strict=True)]
    outside = [v > limits.upper_process_limit or v < limits.lower_process_limit for v in values]
    assert result.outside_limits.tolist() == outside


@settings(max_examples=60)
@given(values=series)
def test_xmr_limits_match_formula_and_are_ordered(values: list[int]) -> None:
    limits = xmr_limits(values)
    if len(values) < 2:
        assert math.isnan(limits.upper_process_limit)
        return
    mean = statistics.fmean(values)
    average = math.fsum(abs(b - a) for a, b in itertools.pairwise(values))
    average /= len(values) - 1
    assert limits.mean == pytest.approx(mean, rel=1e-12, abs=1e-12)
    assert limits.average_moving_range == pytest.approx(average, rel=1e-12, abs=1e-12)
    assert limits.upper_process_limit == pytest.approx(mean + 2.66 * average, rel=1e-12, abs=1e-9)
    assert (
        limits.lower_process_limit
        <= limits.lower_two_sigma
        <= limits.mean
        <= limits.upper_two_sigma
        <= limits.upper_process_limit
    )


@settings(max_examples=60)
@given(values=series, seed=st.integers(min_value=0, max_value=10_000))
def test_flags_depend_only_on_the_values(values: list[int], seed: int) -> None:
    reference = special_cause_flags(values)
    index = np.random.default_rng(seed).permutation(len(values)) + 100
    containers: list[Any] = [
        np.asarray(values, dtype=float),
        pd.Series(values, index=index, dtype="int64"),
        tuple(values),
    ]
    for container in containers:
        for improvement in ("higher", "lower", None):
            other = special_cause_flags(container, improvement=improvement)
            for name in FLAGS:
                assert getattr(other, name).tolist() == getattr(reference, name).tolist()
            assert other.direction.tolist() == reference.direction.tolist()


@settings(max_examples=60)
@given(values=series)
def test_negating_the_series_mirrors_flags_and_labels(values: list[int]) -> None:
    original = special_cause_flags(values, improvement="higher")
    mirrored = special_cause_flags([-v for v in values], improvement="lower")
    for name in FLAGS:
        assert getattr(mirrored, name).tolist() == getattr(original, name).tolist()
    assert mirrored.variation.tolist() == original.variation.tolist()
    swap = {"higher": "lower", "lower": "higher", "": ""}
    assert mirrored.direction.tolist() == [swap[d] for d in original.direction.tolist()]


@settings(max_examples=60)
@given(values=series)
def test_labels_are_consistent_with_flags(values: list[int]) -> None:
    result = special_cause_flags(values, improvement="lower")
    for special, label, direction in zip(
        result.special_cause.tolist(),
        result.variation.tolist(),
        result.direction.tolist(),
        strict=True,
    ):
        if not special:
            assert (label, direction) == ("common cause", "")
        elif direction == "lower":
            assert label == "special cause (improvement)"
        else:
            assert (label, direction) == ("special cause (concern)", "higher")


def test_moving_range_beyond_the_float_range_is_refused() -> None:
    # |-1e308 - 1e308| = 2e308 > the largest double (about 1.797e308), so mR-bar cannot exist.
    with pytest.raises(InvalidArgumentError, match=r"values: the moving range between point 0"):
        xmr_limits([1e308, -1e308, 1e308])


def test_limits_beyond_the_float_range_are_refused() -> None:
    # Moving ranges 0 and 1.7e308 are finite, but the mean's sum (1.7e308 x 3) overflows.
    with pytest.raises(InvalidArgumentError, match=r"values: the mean or the process limits"):
        xmr_limits([1.7e308, 1.7e308, 0.0])


def test_large_but_representable_series_keeps_exact_limits() -> None:
    # By hand: mean 2e300, moving ranges 1e300 and 1e300, mR-bar 1e300,
    # limits 2e300 -/+ 2.66e300.
    limits = xmr_limits([1e300, 2e300, 3e300])
    assert limits.average_moving_range == pytest.approx(1e300, rel=1e-12)
    assert limits.upper_process_limit == pytest.approx(4.66e300, rel=1e-12)
    assert limits.lower_process_limit == pytest.approx(-0.66e300, rel=1e-12)
