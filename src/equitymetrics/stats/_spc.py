"""Statistical process control: XmR chart limits and the "Making Data Count" special-cause rules.

An XmR (individuals and moving range) chart puts a series, such as a quarterly detention rate,
against its mean and natural process limits. NHS England's "Making Data Count" programme reads
it with four rules for special-cause variation; the labels here follow its colour semantics
(improvement, concern, neither, common cause), and the colours themselves belong to the plots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.stats._validation import FloatArray, StrArray, _as_float_array

__all__ = [
    "Improvement",
    "SpecialCauseResult",
    "XmRLimits",
    "special_cause_flags",
    "xmr_limits",
]

Improvement = Literal["higher", "lower"]
BoolArray = npt.NDArray[np.bool_]

PROCESS_LIMIT_FACTOR = 2.66
"""Natural process limits are mean -/+ 2.66 mR-bar (3 / d2 with d2 = 1.128, as Wheeler rounds)."""
TWO_SIGMA_FACTOR = 2.0 / 3.0 * PROCESS_LIMIT_FACTOR
"""The 2-sigma lines are mean -/+ (2/3) x 2.66 mR-bar."""
D2 = 1.128
"""The bias constant d2 for moving ranges of two points: sigma = mR-bar / 1.128."""

NO_POINTS_NOTE = "no baseline points: the mean and limits are undefined"
ONE_POINT_NOTE = "fewer than 2 baseline points: no moving range, so the limits are undefined"
FLAT_NOTE = "every baseline moving range is zero: the limits equal the mean"

COMMON_CAUSE = "common cause"
IMPROVEMENT = "special cause (improvement)"
CONCERN = "special cause (concern)"
NEITHER = "special cause (neither)"


@dataclass(frozen=True, slots=True)
class XmRLimits:
    """Centre line and limits of an XmR chart.

    Attributes
    ----------
    values : numpy.ndarray
        The series, in time order (float64).
    baseline : int
        How many leading points fixed the mean and limits.
    mean : float
        Mean of the baseline points (the centre line).
    moving_ranges : numpy.ndarray
        |x_i - x_(i-1)| for every point (NaN for the first), for a moving-range chart.
    average_moving_range : float
        mR-bar: the mean of the moving ranges within the baseline.
    sigma : float
        mR-bar / 1.128, the estimated process standard deviation.
    lower_process_limit, upper_process_limit : float
        mean -/+ 2.66 mR-bar.
    lower_two_sigma, upper_two_sigma : float
        mean -/+ (2/3) x 2.66 mR-bar.
    note : str
        Empty, or why the limits are NaN or degenerate.
    """

    values: FloatArray
    baseline: int
    mean: float
    moving_ranges: FloatArray
    average_moving_range: float
    sigma: float
    lower_process_limit: float
    upper_process_limit: float
    lower_two_sigma: float
    upper_two_sigma: float
    note: str

    def to_frame(self) -> pd.DataFrame:
        """One row per point: value, moving range, whether in the baseline, centre and limits."""
        size = self.values.size
        return pd.DataFrame(
            {
                "value": self.values,
                "moving_range": self.moving_ranges,
                "in_baseline": np.arange(size) < self.baseline,
                "mean": np.full(size, self.mean),
                "lower_process_limit": np.full(size, self.lower_process_limit),
                "upper_process_limit": np.full(size, self.upper_process_limit),
                "lower_two_sigma": np.full(size, self.lower_two_sigma),
                "upper_two_sigma": np.full(size, self.upper_two_sigma),
            }
        )


@dataclass(frozen=True, slots=True)
class SpecialCauseResult:
    """Per-point special-cause flags and Making Data Count variation labels.

    Attributes
    ----------
    values : numpy.ndarray
        The series, in time order.
    limits : XmRLimits
        The limits the flags were judged against.
    outside_limits, run, trend, two_of_three : numpy.ndarray of bool
        The four rules, point by point (see :func:`special_cause_flags`).
    special_cause : numpy.ndarray of bool
        True where any rule flags the point.
    direction : numpy.ndarray of str
        ``"higher"`` or ``"lower"`` for a special-cause point, ``""`` otherwise.
    variation : numpy.ndarray of str
        ``"common cause"``, ``"special cause (improvement)"``, ``"special cause (concern)"``
        or, when ``improvement`` is None, ``"special cause (neither)"``.
    improvement : str or None
        ``"higher"``, ``"lower"`` or None, as given.
    run_length, trend_length : int
        The rule lengths used.
    """

    values: FloatArray
    limits: XmRLimits
    outside_limits: BoolArray
    run: BoolArray
    trend: BoolArray
    two_of_three: BoolArray
    special_cause: BoolArray
    direction: StrArray
    variation: StrArray
    improvement: str | None
    run_length: int
    trend_length: int

    def to_frame(self) -> pd.DataFrame:
        """One row per point: value, the four flags, special_cause, direction and variation."""
        return pd.DataFrame(
            {
                "value": self.values,
                "outside_limits": self.outside_limits,
                "run": self.run,
                "trend": self.trend,
                "two_of_three": self.two_of_three,
                "special_cause": self.special_cause,
                "direction": self.direction,
                "variation": self.variation,
            }
        )


def _as_series(values: Any) -> FloatArray:
    """Return ``values`` as a one-dimensional float array of finite numbers."""
    array = np.atleast_1d(_as_float_array("values", values))
    if array.ndim != 1:
        raise InvalidArgumentError(
            f"values must be a one-dimensional series in time order; got shape {array.shape}."
        )
    bad = ~np.isfinite(array)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise InvalidArgumentError(
            f"values must be finite numbers; got {array[index]} at index {index}. Remove or "
            "fill missing periods before charting."
        )
    return array


def _check_whole(name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` as an int between ``minimum`` and ``maximum`` (inclusive)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidTypeError(f"{name} must be a whole number; got {value!r}.")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise InvalidArgumentError(f"{name} must be at least {minimum}{upper}; got {number}.")
    return number


def _check_within_float_range(
    series: FloatArray, moving_ranges: FloatArray, summaries: list[float]
) -> None:
    """Refuse a series whose moving ranges, mean or limits overflow float64."""
    overflowed = np.flatnonzero(np.isinf(moving_ranges))
    if overflowed.size:
        at = int(overflowed[0])
        before, after = float(series[at - 1]), float(series[at])
        raise InvalidArgumentError(
            f"values: the moving range between point {at - 1} ({before!r}) and point {at} "
            f"({after!r}) is beyond the float range (about 1.8e308); rescale the series (for "
            "example per 1,000 or per 1,000,000) before charting it."
        )
    if any(np.isinf(summary) for summary in summaries):
        raise InvalidArgumentError(
            "values: the mean or the process limits of the series are beyond the float range "
            "(about 1.8e308); rescale the series (for example per 1,000,000) before charting it."
        )


def xmr_limits(values: npt.ArrayLike, *, baseline: int | None = None) -> XmRLimits:
    """XmR chart limits: mean -/+ 2.66 x average moving range (Wheeler; Making Data Count).

    The centre line is the mean of the baseline points and the natural process limits are
    mean -/+ 2.66 mR-bar, where mR-bar is the average moving range of the baseline; the
    2-sigma lines used by the two-out-of-three rule are mean -/+ (2/3) x 2.66 mR-bar.

    Parameters
    ----------
    values : array-like of finite numbers, one-dimensional
        The series in time order (one value per period, no gaps).
    baseline : int, optional
        The number of leading points that fix the mean and limits (between 1 and the length
        of the series). Default: all points.

    Returns
    -------
    XmRLimits
        The mean, moving ranges, mR-bar, sigma, process limits and 2-sigma lines.

    Raises
    ------
    InvalidArgumentError
        A value is not finite, the series is not one-dimensional, ``baseline`` is out of
        range, or a moving range or a limit would be beyond the float range (values near
        +/-1e308: rescale them).
    InvalidTypeError
        Values are not numbers, or ``baseline`` is not a whole number.

    Notes
    -----
    With baseline points x_1, ..., x_b: mean = sum x_i / b; moving ranges
    mR_i = |x_i - x_(i-1)| for i = 2, ..., b; mR-bar = sum mR_i / (b - 1);
    limits = mean -/+ 2.66 mR-bar; 2-sigma lines = mean -/+ (2/3)(2.66) mR-bar;
    sigma = mR-bar / 1.128. The factor 2.66 is 3 / d2 = 3 / 1.128 = 2.6596 rounded as in
    Wheeler and the Making Data Count tools, so the limits are not exactly mean -/+ 3 sigma.
    No moving ranges are screened out.

    Fewer than 2 baseline points: there is no moving range, so mR-bar, sigma and all limits
    are NaN with a note (the mean is NaN too when there are no points). A baseline whose
    moving ranges are all zero gives limits equal to the mean, with a note.

    References: Wheeler DJ (2000) Understanding Variation: The Key to Managing Chaos, 2nd ed.
    SPC Press. NHS England and NHS Improvement (2019) Making Data Count; the NHS-R
    NHSRplotthedots package.

    Checked against: limits computed by hand for small series.

    Examples
    --------
    >>> from equitymetrics.stats import xmr_limits
    >>> limits = xmr_limits([10, 12, 11, 14, 13])
    >>> limits.mean, limits.average_moving_range
    (12.0, 1.75)
    >>> round(limits.lower_process_limit, 3), round(limits.upper_process_limit, 3)
    (7.345, 16.655)
    """
    series = _as_series(values)
    size = int(series.size)
    count = size if baseline is None else _check_whole("baseline", baseline, 1, size)
    moving_ranges = np.full(size, np.nan)
    with np.errstate(over="ignore"):
        moving_ranges[1:] = np.abs(np.diff(series))
        mean = float(np.mean(series[:count])) if count >= 1 else float("nan")
        average = float(np.mean(moving_ranges[1:count])) if count >= 2 else float("nan")
        widest = abs(mean) + PROCESS_LIMIT_FACTOR * average
    _check_within_float_range(series, moving_ranges, [mean, average, widest])
    note = NO_POINTS_NOTE if count == 0 else ONE_POINT_NOTE if count == 1 else ""
    if count >= 2 and average == 0.0:
        note = FLAT_NOTE
    return XmRLimits(
        values=series,
        baseline=count,
        mean=mean,
        moving_ranges=moving_ranges,
        average_moving_range=average,
        sigma=average / D2,
        lower_process_limit=mean - PROCESS_LIMIT_FACTOR * average,
        upper_process_limit=mean + PROCESS_LIMIT_FACTOR * average,
        lower_two_sigma=mean - TWO_SIGMA_FACTOR * average,
        upper_two_sigma=mean + TWO_SIGMA_FACTOR * average,
        note=note,
    )


def _long_runs(condition: BoolArray, length: int) -> BoolArray:
    """Flag every element of each unbroken stretch of True at least ``length`` long."""
    edges = np.diff(np.concatenate(([0], condition.astype(np.int8), [0])))
    flags = np.zeros(condition.shape, dtype=np.bool_)
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if stop - start >= length:
            flags[start:stop] = True
    return flags


def _trend_points(steps: BoolArray, length: int) -> BoolArray:
    """Points in ``length`` or more consecutive points joined by steps where ``steps`` holds.

    Step i joins points i and i + 1, so there is one more point than steps.
    """
    flagged = np.zeros(steps.size + 1, dtype=np.bool_)
    flagged_steps = _long_runs(steps, length - 1)
    flagged[:-1] |= flagged_steps
    flagged[1:] |= flagged_steps
    return flagged


def _two_of_three(beyond: BoolArray) -> BoolArray:
    """Points beyond a line that share a window of three consecutive points with another."""
    size = beyond.size
    padded = np.concatenate(([0, 0], beyond.astype(np.int8), [0, 0]))
    windows = padded[:-2] + padded[1:-1] + padded[2:]
    hit = windows >= 2
    # point i sits at padded position i + 2, inside the windows starting at i, i + 1, i + 2
    return beyond & (hit[:size] | hit[1 : size + 1] | hit[2 : size + 2])


def special_cause_flags(
    values: npt.ArrayLike,
    *,
    limits: XmRLimits | None = None,
    run_length: int = 7,
    trend_length: int = 7,
    improvement: Improvement | None = None,
) -> SpecialCauseResult:
    """Making Data Count special-cause rules on an XmR chart, with variation labels per point.

    Four rules (NHS England "Making Data Count", after Western Electric and Wheeler), each
    flagging points: a point outside the process limits; a run of ``run_length`` or more
    points on one side of the mean; a trend of ``trend_length`` or more points all rising or
    all falling; two out of three consecutive points beyond the same 2-sigma line.

    Parameters
    ----------
    values : array-like of finite numbers, one-dimensional
        The series in time order.
    limits : XmRLimits, optional
        Limits to judge against, e.g. ``xmr_limits(values, baseline=12)``. Default:
        ``xmr_limits(values)`` (all points form the baseline).
    run_length : int, default 7
        Points in a run (at least 2).
    trend_length : int, default 7
        Points in a trend (at least 2).
    improvement : {"higher", "lower"} or None, default None
        Which direction is better; None when neither is (labels then say "neither").

    Returns
    -------
    SpecialCauseResult
        The four flags, ``special_cause``, ``direction`` and ``variation`` per point.

    Raises
    ------
    InvalidArgumentError
        A value is not finite, the series is not one-dimensional, a rule length is below 2,
        or ``improvement`` is not "higher", "lower" or None.
    InvalidTypeError
        Values are not numbers, a rule length is not a whole number, or ``limits`` is not an
        :class:`XmRLimits`.

    Notes
    -----
    Comparisons are strict, so a point exactly on a line does not count as beyond it.

    1. Outside limits: x > upper process limit or x < lower process limit.
    2. Run: ``run_length`` or more consecutive points all above the mean, or all below it;
       every point of the run is flagged. A point exactly on the mean breaks a run.
    3. Trend: ``trend_length`` or more consecutive points each higher than the one before
       (or each lower); every point of the trend is flagged. Equal neighbouring values break
       a trend.
    4. Two out of three: among any three consecutive points (fewer at the ends of the
       series), two or three beyond the same 2-sigma line; the points beyond are flagged.
       Points beyond the process limits count too (Western Electric). NHSRplotthedots counts
       only points between the 2-sigma line and the process limit, and requires all three
       points on the same side of the mean.

    Defaults of 7 follow the original specification; current Making Data Count guidance uses 6
    for runs ("shifts") and trends in some documents, and both lengths are arguments.

    Direction: a point flagged by rules 1, 2 or 4 is "higher" if above the mean and "lower" if
    below; a point flagged only by the trend rule takes the direction of the trend (a turning
    point in two trends takes the direction of the trend that ends there). The label is
    "special cause (improvement)" when the direction matches ``improvement``, "special cause
    (concern)" when it does not, "special cause (neither)" when ``improvement`` is None, and
    "common cause" for unflagged points. NHSRplotthedots labels trend points by their side of
    the mean instead.

    When the limits are NaN (fewer than 2 baseline points) rules 1 and 4 flag nothing.

    References: NHS England and NHS Improvement (2019) Making Data Count: strengthening your
    decisions. Wheeler DJ (2000) Understanding Variation, 2nd ed. SPC Press. Western Electric
    (1956) Statistical Quality Control Handbook.

    Checked against: hand-built series that just trigger, and just fail to trigger, each rule;
    a brute-force window search in the tests.

    Examples
    --------
    >>> from equitymetrics.stats import special_cause_flags
    >>> result = special_cause_flags([5, 5, 6, 5, 5, 6, 5, 5, 6, 5, 14], improvement="lower")
    >>> str(result.variation[-1])
    'special cause (concern)'
    """
    series = _as_series(values)
    run_points = _check_whole("run_length", run_length, 2)
    trend_points = _check_whole("trend_length", trend_length, 2)
    if improvement is not None and improvement not in ("higher", "lower"):
        raise InvalidArgumentError(
            f'improvement must be "higher", "lower" or None; got {improvement!r}.'
        )
    if limits is None:
        limits = xmr_limits(series)
    elif not isinstance(limits, XmRLimits):
        raise InvalidTypeError(
            f"limits must be the result of xmr_limits(); got {type(limits).__name__}."
        )

    above, below = series > limits.mean, series < limits.mean
    outside = (series > limits.upper_process_limit) | (series < limits.lower_process_limit)
    run = _long_runs(above, run_points) | _long_runs(below, run_points)
    steps = np.diff(series)
    rising = _trend_points(steps > 0, trend_points)[: series.size]
    falling = _trend_points(steps < 0, trend_points)[: series.size]
    two_of_three = _two_of_three(series > limits.upper_two_sigma) | _two_of_three(
        series < limits.lower_two_sigma
    )

    level = outside | run | two_of_three
    ends_rise = np.zeros(series.size, dtype=np.bool_)
    ends_rise[1:] = steps > 0
    trend_up = rising & (~falling | ends_rise)
    special = level | rising | falling
    higher = np.where(level, above, trend_up) & special
    direction = np.where(special, np.where(higher, "higher", "lower"), "")
    if improvement is None:
        variation = np.where(special, NEITHER, COMMON_CAUSE)
    else:
        good = direction == improvement
        variation = np.where(special, np.where(good, IMPROVEMENT, CONCERN), COMMON_CAUSE)
    return SpecialCauseResult(
        values=series,
        limits=limits,
        outside_limits=outside,
        run=run,
        trend=rising | falling,
        two_of_three=two_of_three,
        special_cause=special,
        direction=direction.astype(np.str_),
        variation=variation.astype(np.str_),
        improvement=improvement,
        run_length=run_points,
        trend_length=trend_points,
    )
