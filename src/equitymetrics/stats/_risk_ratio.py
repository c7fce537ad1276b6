"""Risk ratio (relative risk) of two groups: Katz log interval and Koopman score interval."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from equitymetrics.stats._ratios import (
    BoolArray,
    Limits,
    RatioResult,
    TwoGroupMethod,
    compare_counts,
    correction_note,
    log_interval,
    select_notes,
    undefined_tables,
)
from equitymetrics.stats._validation import FloatArray, z_value

__all__ = ["RiskRatioMethod", "risk_ratio"]

RiskRatioMethod = Literal["katz", "koopman"]

ZERO_TOTAL_NOTE = "total or reference_total is 0: risk ratio undefined"
NO_EVENTS_NOTE = "no events in either group (0/0): risk ratio undefined"
KATZ_GROUP_ZERO_NOTE = (
    "no events in group: estimate 0, Katz upper limit undefined (try method='koopman')"
)
KATZ_REFERENCE_ZERO_NOTE = (
    "no events in reference group: estimate infinite, Katz lower limit undefined "
    "(try method='koopman')"
)
KATZ_ZERO_WIDTH_NOTE = "events = total in both groups: Katz standard error 0 (zero-width interval)"
KOOPMAN_REFERENCE_ZERO_NOTE = "no events in reference group: estimate and upper limit infinite"

_SEARCH_HALF_WIDTH = 60.0
"""Half-width, in natural-log units, of the bracket searched for each Koopman limit."""
_BISECTION_STEPS = 100
"""Halvings of the 60-unit bracket: far more than needed to reach float64 resolution."""


def _katz(
    a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray, level: float, correction: float
) -> Limits:
    """Katz et al. (1978) log interval: log RR -/+ z sqrt(1/a - 1/n1 + 1/c - 1/n0).

    The variance is computed as b/(a n1) + d/(c n0), which equals the formula above and avoids
    cancellation when a is close to n1.
    """
    zero_total, no_events = undefined_tables(a, n1, c, n0)
    undefined = zero_total | no_events
    zero_cell = (a == 0) | (a == n1) | (c == 0) | (c == n0)
    corrected = zero_cell & ~undefined & (correction > 0.0)
    add = np.where(corrected, correction, 0.0)
    a1, b1, c1, d1 = a + add, n1 - a + add, c + add, n0 - c + add
    t1, t0 = a1 + b1, c1 + d1
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (a1 / t1) / (c1 / t0)
        standard_error = np.sqrt(b1 / (a1 * t1) + d1 / (c1 * t0))
    group_zero = (a1 == 0) & ~undefined
    reference_zero = (c1 == 0) & ~undefined
    all_events = (b1 == 0) & (d1 == 0) & ~undefined
    estimate, lower, upper = log_interval(
        estimate,
        standard_error,
        z_value(level),
        undefined=undefined,
        zero=group_zero,
        infinite=reference_zero,
    )
    note = select_notes(
        a.shape,
        [
            (zero_total, ZERO_TOTAL_NOTE),
            (no_events, NO_EVENTS_NOTE),
            (group_zero, KATZ_GROUP_ZERO_NOTE),
            (reference_zero, KATZ_REFERENCE_ZERO_NOTE),
            (corrected, correction_note(correction)),
            (all_events, KATZ_ZERO_WIDTH_NOTE),
        ],
    )
    return Limits(estimate, lower, upper, note)


def _koopman_outside(
    log_ratio: FloatArray,
    a: FloatArray,
    n1: FloatArray,
    c: FloatArray,
    n0: FloatArray,
    z_squared: float,
) -> BoolArray:
    """True where the ratio exp(log_ratio) lies outside Koopman's score interval.

    Under H: p1 = theta p0 the restricted maximum likelihood estimate of p0 is the smaller
    root of N theta p^2 - (n1 theta + a + n0 + c theta) p + (a + c) = 0 (Miettinen and
    Nurminen 1985), written in the cancellation-free form 2C / (-B + sqrt(B^2 - 4AC)). The
    ratio is outside when (a/n1 - theta c/n0)^2 > z^2 [p1(1 - p1)/n1 + theta^2 p0(1 - p0)/n0].
    """
    theta = np.exp(log_ratio)
    linear = n1 * theta + a + n0 + c * theta
    discriminant = np.maximum(linear * linear - 4.0 * (n1 + n0) * theta * (a + c), 0.0)
    p0 = 2.0 * (a + c) / (linear + np.sqrt(discriminant))
    p1 = theta * p0
    difference = a / n1 - theta * (c / n0)
    variance = p1 * (1.0 - p1) / n1 + theta * theta * p0 * (1.0 - p0) / n0
    return np.asarray(difference * difference > z_squared * variance, dtype=np.bool_)


def _bisect(
    inside: FloatArray,
    outside: FloatArray,
    a: FloatArray,
    n1: FloatArray,
    c: FloatArray,
    n0: FloatArray,
    z_squared: float,
) -> FloatArray:
    """Shrink [inside, outside] (log ratios) onto the boundary of the score interval."""
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (inside + outside)
        out = _koopman_outside(middle, a, n1, c, n0, z_squared)
        outside = np.where(out, middle, outside)
        inside = np.where(out, inside, middle)
    return np.asarray(np.exp(0.5 * (inside + outside)), dtype=np.float64)


def _koopman_limits(
    a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray, z: float
) -> tuple[FloatArray, FloatArray]:
    """Both Koopman limits by vectorised bisection on the log scale (needs n1, n0 > 0).

    The statistic is 0 at the estimate (inside the interval) and grows without bound away from
    it; 60 log units (a factor of 1e26) is far outside for any real counts. When a = 0 (c = 0)
    the statistic tends to 0 as the ratio tends to 0 (infinity), so the search for the upper
    (lower) limit starts 60 units below (above) the anchor instead of at the estimate.
    """
    z_squared = z * z
    anchor = np.log(np.maximum(a, 0.5) / n1) - np.log(np.maximum(c, 0.5) / n0)
    below, above = anchor - _SEARCH_HALF_WIDTH, anchor + _SEARCH_HALF_WIDTH
    lower = _bisect(np.where(c > 0, anchor, above), below, a, n1, c, n0, z_squared)
    upper = _bisect(np.where(a > 0, anchor, below), above, a, n1, c, n0, z_squared)
    return lower, upper


def _koopman(
    a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray, level: float, correction: float
) -> Limits:
    """Koopman (1984) score interval: all ratios not rejected by the score test at level."""
    zero_total, no_events = undefined_tables(a, n1, c, n0)
    defined = ~(zero_total | no_events)
    estimate = np.full(a.shape, np.nan)
    lower = np.full(a.shape, np.nan)
    upper = np.full(a.shape, np.nan)
    if defined.any():
        a_, n1_, c_, n0_ = a[defined], n1[defined], c[defined], n0[defined]
        with np.errstate(divide="ignore"):
            estimate[defined] = (a_ / n1_) / (c_ / n0_)
        low, high = _koopman_limits(a_, n1_, c_, n0_, z_value(level))
        lower[defined] = np.where(a_ == 0, 0.0, low)
        upper[defined] = np.where(c_ == 0, np.inf, high)
    note = select_notes(
        a.shape,
        [
            (zero_total, ZERO_TOTAL_NOTE),
            (no_events, NO_EVENTS_NOTE),
            (defined & (c == 0), KOOPMAN_REFERENCE_ZERO_NOTE),
        ],
    )
    return Limits(estimate, lower, upper, note)


_METHODS: dict[str, TwoGroupMethod] = {"katz": _katz, "koopman": _koopman}
_CORRECTABLE = ("katz",)


def risk_ratio(
    events: npt.ArrayLike,
    total: npt.ArrayLike,
    reference_events: npt.ArrayLike,
    reference_total: npt.ArrayLike,
    *,
    method: RiskRatioMethod = "katz",
    confidence_level: float = 0.95,
    continuity_correction: float = 0.0,
) -> RatioResult:
    """Risk ratio of a group to a reference group, with a Katz log interval by default.

    The risk ratio (relative risk) is ``(events / total) / (reference_events /
    reference_total)``. The default interval is the Katz et al. (1978) log method, the UK
    public-health convention for ratios; ``method="koopman"`` gives Koopman's (1984) score
    interval, which has better coverage in small samples and stays finite when a group has
    no events. Vectorised: the four arguments broadcast together.

    Parameters
    ----------
    events, total : array-like of whole numbers >= 0
        People with the outcome and people in the group (``events <= total``).
    reference_events, reference_total : array-like of whole numbers >= 0
        The same for the reference group (``reference_events <= reference_total``).
    method : {"katz", "koopman"}, default "katz"
        ``"katz"``: symmetric interval on the log scale. ``"koopman"``: score interval (the
        set of ratios not rejected by the score test), found by bisection.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.
    continuity_correction : float, default 0.0
        Opt-in, ``"katz"`` only: this value (0.5 is usual) is added to all four cells of every
        table that has a zero cell (events = 0 or events = total in either group) before the
        estimate and interval are computed; the note says so. Tables with an empty group or
        with no events in either group stay NaN. Never applied unless asked for.

    Returns
    -------
    RatioResult
        ``estimate``, ``lower``, ``upper``, ``method``, ``note``, ``confidence_level`` and the
        four inputs.

    Raises
    ------
    InvalidArgumentError
        Negative, fractional or non-finite counts; events above their total; a confidence
        level outside (0, 1); a negative correction, or a correction with ``"koopman"``.
    UnknownMethodError
        ``method`` is not one of the names above.
    ShapeMismatchError
        The inputs cannot be broadcast together.
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    With a of n1 in the group, c of n0 in the reference group, b = n1 - a, d = n0 - c, and z
    the standard normal quantile at 1 - alpha/2:

    - RR = (a/n1) / (c/n0).
    - Katz: RR exp(-/+ z se), se = sqrt(1/a - 1/n1 + 1/c - 1/n0) = sqrt(b/(a n1) + d/(c n0)).
    - Koopman: the set of theta with (a/n1 - theta c/n0)^2 <= z^2 [p1~(1 - p1~)/n1 +
      theta^2 p0~(1 - p0~)/n0], where p0~ and p1~ = theta p0~ are the maximum likelihood
      estimates under RR = theta (Miettinen and Nurminen 1985). Both limits are found by
      bisection on log theta to full double precision.

    Zero cells (no silent correction):

    - total = 0 or reference_total = 0: NaN estimate and limits, with a note.
    - a = 0 and c = 0 (0/0): NaN estimate and limits, with a note.
    - a = 0, c > 0: estimate 0 and lower 0. Katz: the upper limit needs log 0, so it is NaN
      with a note. Koopman: a finite upper limit.
    - c = 0, a > 0: estimate infinite and upper infinite. Katz: the lower limit is NaN with a
      note. Koopman: a finite lower limit (and a note about the infinite values).
    - a = n1 and c = n0: estimate 1; the Katz standard error is 0, so the interval is [1, 1]
      (with a note); Koopman gives a proper interval around 1.

    References: Katz D, Baptista J, Azen SP, Pike MC (1978) Obtaining confidence intervals for
    the risk ratio in cohort studies. Biometrics 34:469-474. Koopman PAR (1984) Confidence
    intervals for the ratio of two binomial proportions. Biometrics 40:513-517. Miettinen O,
    Nurminen M (1985) Comparative analysis of two rates. Stat Med 4:213-226.

    Checked against: the worked example of Fagerland, Lydersen and Laake (2017, Statistical
    Analysis of Contingency Tables, chapter 4; 7/34 vs 1/34: Katz 0.9096 to 53.8695, Koopman
    1.2209 to 42.5757); ``scipy.stats.contingency.relative_risk``;
    ``statsmodels.stats.contingency_tables.Table2x2`` (``riskratio_confint``);
    ``statsmodels.stats.proportion.confint_proportions_2indep`` (``"log"``, and ``"score"``
    without correction for Koopman); the formulas evaluated by hand.

    Examples
    --------
    >>> from equitymetrics.stats import risk_ratio
    >>> result = risk_ratio(7, 34, 1, 34)
    >>> print(f"{result.estimate:.4f} ({result.lower:.4f} to {result.upper:.4f})")
    7.0000 (0.9096 to 53.8695)
    >>> result = risk_ratio([7, 0], [34, 16], [1, 15], [34, 72], method="koopman")
    >>> print(result.lower.round(4), result.upper.round(4))
    [1.2209 0.    ] [42.5757  0.9619]
    """
    return compare_counts(
        _METHODS,
        _CORRECTABLE,
        events,
        total,
        reference_events,
        reference_total,
        method=method,
        confidence_level=confidence_level,
        continuity_correction=continuity_correction,
    )
