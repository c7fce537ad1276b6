"""Funnel plot control limits around a target, by denominator (Spiegelhalter 2005).

A funnel plot shows each unit's proportion, rate or ratio against its denominator, with control
limits around a target that narrow as the denominator grows. A unit outside the 95% limits is
"worth a look", outside the 99.8% limits "an outlier". The limits here are on the scale of the
plotted value (times ``multiplier``); :func:`funnel_position` says where each unit lies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, ShapeMismatchError
from equitymetrics.stats._discrete import (
    Moments,
    binomial_moments,
    lower_quantile,
    poisson_moments,
    poisson_probability,
    upper_quantile,
)
from equitymetrics.stats._validation import (
    FloatArray,
    StrArray,
    _as_float_array,
    as_counts,
    as_nonnegative,
    check_confidence_level,
    check_multiplier,
    resolve_method,
)


def _scipy_stats() -> Any:
    """``scipy.stats``, imported on first use: it is slow to import and only the exact and
    Spiegelhalter limits need its discrete distributions."""
    import scipy.stats

    return scipy.stats


__all__ = ["FunnelKind", "FunnelLimits", "FunnelMethod", "funnel_limits", "funnel_position"]

FunnelKind = Literal["proportion", "rate", "ratio"]
FunnelMethod = Literal["wilson", "exact", "spiegelhalter"]

_CountLimits = Callable[[FloatArray, float, float], tuple[FloatArray, FloatArray]]
"""(denominators > 0, target per unit of denominator, tail probability) -> count limits."""

MAX_EXPECTED_COUNT = 2.0**52
"""The largest expected count mu of a rate or ratio funnel. Every limit, as a count, is then
below 2**53, where float64 holds every whole number: at most about mu + 8.3 sqrt(mu) (the
tail of the highest level float64 can tell from 1) + 1."""
ZERO_DENOMINATOR_NOTE = "denominator is zero: limits are undefined"
_MAX_ITERATIONS = 200
_DIRECT_POISSON_MEAN = 100.0
"""Above this mean, Poisson point probabilities use Loader's saddle-point form."""
_EPSILON = float(np.finfo(np.float64).eps)


@dataclass(frozen=True, slots=True)
class FunnelLimits:
    """Funnel plot control limits, one row per level and one column per denominator.

    Attributes
    ----------
    denominators : numpy.ndarray
        The denominators (totals, exposures or expected counts), shape (N,).
    target : float
        The target, on the scale of the limits (times ``multiplier``).
    levels : numpy.ndarray
        The two-sided levels of the limits, fractions, shape (L,), in the order given.
    lower, upper : numpy.ndarray
        The limits, shape (L, N), times ``multiplier``; NaN where the denominator is zero.
    kind : str
        ``"proportion"``, ``"rate"`` or ``"ratio"``.
    method : str
        The method used: ``"wilson"``, ``"exact"`` or ``"spiegelhalter"``.
    multiplier : float
        The scale of ``target``, ``lower`` and ``upper`` (100 for percentages).
    note : numpy.ndarray of str
        Per denominator, shape (N,): empty, or why the limits are NaN.
    """

    denominators: FloatArray
    target: float
    levels: FloatArray
    lower: FloatArray
    upper: FloatArray
    kind: str
    method: str
    multiplier: float
    note: StrArray

    def to_frame(self) -> pd.DataFrame:
        """Long format, level by level: columns denominator, level, lower, upper, note."""
        level_count, denominator_count = self.lower.shape
        return pd.DataFrame(
            {
                "denominator": np.tile(self.denominators, level_count),
                "level": np.repeat(self.levels, denominator_count),
                "lower": self.lower.reshape(-1),
                "upper": self.upper.reshape(-1),
                "note": np.tile(self.note, level_count),
            }
        )


_Increasing = Callable[[FloatArray, npt.NDArray[np.intp]], FloatArray]
"""f(x, index): an increasing function of x for the elements ``index`` of the parameters."""


def _solve_increasing(function: _Increasing, low: FloatArray, high: FloatArray) -> FloatArray:
    """Root of each increasing ``function`` with function(low) <= 0 <= function(high).

    The Illinois variant of false position (Dowell and Jarratt 1971), element by element, until
    the bracket is a few units in the last place wide.
    """
    everything = np.arange(low.size)
    low, high = low.copy(), high.copy()
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        f_low, f_high = function(low, everything), function(high, everything)
        side = np.zeros(low.shape, dtype=np.int8)
        active = (high > low) & (f_low != 0.0) & (f_high != 0.0)
        for _ in range(_MAX_ITERATIONS):
            active &= (high - low) > 4.0 * _EPSILON * np.maximum(np.abs(low), np.abs(high))
            index = np.flatnonzero(active)
            if index.size == 0:
                break
            a, b, f_a, f_b = low[index], high[index], f_low[index], f_high[index]
            guess = (f_b * a - f_a * b) / (f_b - f_a)
            guess = np.where((guess > a) & (guess < b), guess, a + (b - a) / 2.0)
            f_guess = function(guess, index)
            right, left = f_guess > 0.0, f_guess < 0.0
            f_a = np.where(right & (side[index] == 1), f_a / 2.0, f_a)
            f_b = np.where(left & (side[index] == -1), f_b / 2.0, f_b)
            high[index] = np.where(left, b, guess)
            f_high[index] = np.where(right, f_guess, f_b)
            low[index] = np.where(right, a, guess)
            f_low[index] = np.where(left, f_guess, f_a)
            side[index] = np.where(right, 1, np.where(left, -1, side[index]))
            active[index] = right | left
    return np.where(np.abs(f_low) <= np.abs(f_high), low, high)


def _bracketed_root(function: _Increasing, low: FloatArray, ceiling: FloatArray) -> FloatArray:
    """Solve ``function(x) = 0`` (increasing in x) for x in [low, low + 1].

    The continuous tails equal the distribution at whole numbers, so the root lies between the
    whole number ``low`` and the next; where rounding spoils the sign change the bracket falls
    back to [0, min(low + 3, ceiling)].
    """
    everything = np.arange(low.size)
    high = np.minimum(low + 1.0, ceiling)
    with np.errstate(invalid="ignore"):
        invalid = ~((function(low, everything) <= 0.0) & (function(high, everything) >= 0.0))
    high = np.where(invalid, np.minimum(low + 3.0, ceiling), high)
    low = np.where(invalid, 0.0, low)
    return _solve_increasing(function, low, high)


def _binomial_wilson(
    total: FloatArray, probability: float, tail: float
) -> tuple[FloatArray, FloatArray]:
    """Counts x whose Wilson score interval just reaches the target: n p0 -/+ z sqrt(n p0 q0).

    The Fingertips (UKHSA) proportion funnel: |x/n - p0| = z sqrt(p0 (1 - p0) / n).
    """
    z = float(special.ndtri(1.0 - tail))
    centre = total * probability
    spread = z * np.sqrt(total * probability * (1.0 - probability))
    return centre - spread, centre + spread


def _binomial_exact(
    total: FloatArray, probability: float, tail: float
) -> tuple[FloatArray, FloatArray]:
    """Counts at which the exact one-sided binomial tail equals ``tail`` (Clopper-Pearson).

    Upper: P(Y >= x) = I_p0(x, n - x + 1) = tail; lower: P(Y <= x) = I_(1-p0)(n - x, x + 1) =
    tail, with I the regularised incomplete beta function (continuous in x). Where even n
    events (no events) are not unusual the limit is n (0).
    """
    upper, lower = total.copy(), np.zeros_like(total)
    high = probability**total < tail
    high_total = total[high]
    upper[high] = _bracketed_root(
        lambda x, i: tail - special.betainc(x, high_total[i] - x + 1.0, probability),
        upper_quantile(
            _scipy_stats().binom,
            (high_total, probability),
            binomial_moments(high_total, probability),
            tail,
        ),
        high_total,
    )
    low = (1.0 - probability) ** total < tail
    low_total = total[low]
    lower[low] = _bracketed_root(
        lambda x, i: special.betainc(low_total[i] - x, x + 1.0, 1.0 - probability) - tail,
        lower_quantile(
            _scipy_stats().binom,
            (low_total, probability),
            binomial_moments(low_total, probability),
            tail,
        )
        - 1.0,
        low_total,
    )
    return lower, upper


def _poisson_exact(
    denominator: FloatArray, rate: float, tail: float
) -> tuple[FloatArray, FloatArray]:
    """Counts at which the exact one-sided Poisson tail equals ``tail`` (Garwood).

    Upper: P(Y >= x) = P(x, mu) = tail; lower: P(Y <= x) = Q(x + 1, mu) = tail, with P and Q the
    regularised incomplete gamma functions (continuous in x) and mu = rate x denominator.
    Where no events are not unusual (exp(-mu) >= tail) the lower limit is 0.
    """
    mean = denominator * rate
    upper = _bracketed_root(
        lambda x, i: tail - special.gammainc(x, mean[i]),
        upper_quantile(_scipy_stats().poisson, (mean,), poisson_moments(mean), tail),
        np.full_like(mean, np.inf),
    )
    lower = np.zeros_like(mean)
    low = np.exp(-mean) < tail
    low_mean = mean[low]
    lower[low] = _bracketed_root(
        lambda x, i: special.gammaincc(x + 1.0, low_mean[i]) - tail,
        lower_quantile(_scipy_stats().poisson, (low_mean,), poisson_moments(low_mean), tail) - 1.0,
        np.full_like(low_mean, np.inf),
    )
    return lower, upper


_Probability = Callable[[FloatArray], FloatArray]
"""f(r): the probability of each whole number r (one per element of the parameters)."""


def _spiegelhalter(
    family: Any,
    parameters: tuple[Any, ...],
    moments: Moments,
    tail: float,
    probability: _Probability,
) -> tuple[FloatArray, FloatArray]:
    """Spiegelhalter's interpolated quantiles at ``tail`` and ``1 - tail``.

    Lower: r - (F(r) - tail) / f(r) with r the smallest whole number with F(r) >= tail. Upper:
    r - (tail - S(r)) / f(r) with r the smallest whole number with S(r) <= tail: the same
    formula at 1 - tail, written with the survival function S = 1 - F for accuracy.
    """
    low = lower_quantile(family, parameters, moments, tail)
    high = upper_quantile(family, parameters, moments, tail)
    lower = low - (family.cdf(low, *parameters) - tail) / probability(low)
    upper = high - (tail - family.sf(high, *parameters)) / probability(high)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def _binomial_spiegelhalter(
    total: FloatArray, probability: float, tail: float
) -> tuple[FloatArray, FloatArray]:
    """Spiegelhalter (2005, appendix A.1.1) interpolated binomial quantiles."""
    binom = _scipy_stats().binom
    return _spiegelhalter(
        binom,
        (total, probability),
        binomial_moments(total, probability),
        tail,
        lambda count: np.asarray(binom.pmf(count, total, probability), dtype=np.float64),
    )


def _poisson_point_probability(count: FloatArray, mean: FloatArray) -> FloatArray:
    """P(Y = k) for Y ~ Poisson(mu): scipy's pmf for mu up to 100, Loader's form above.

    scipy computes exp(k log mu - log k! - mu), which loses digits as k log mu grows (a
    relative error near 1e-13 at mu = 100, 1e-9 at 1e6, and no correct digit at 1e15).
    """
    result = np.asarray(_scipy_stats().poisson.pmf(count, mean), dtype=np.float64)
    large = mean > _DIRECT_POISSON_MEAN
    result[large] = poisson_probability(count[large], mean[large])
    return result


def _poisson_spiegelhalter(
    denominator: FloatArray, rate: float, tail: float
) -> tuple[FloatArray, FloatArray]:
    """Spiegelhalter (2005, appendix A.1.2) interpolated Poisson quantiles."""
    mean = denominator * rate
    return _spiegelhalter(
        _scipy_stats().poisson,
        (mean,),
        poisson_moments(mean),
        tail,
        lambda count: _poisson_point_probability(count, mean),
    )


_POISSON_METHODS: dict[str, _CountLimits] = {
    "exact": _poisson_exact,
    "spiegelhalter": _poisson_spiegelhalter,
}
_METHODS: dict[str, Mapping[str, _CountLimits]] = {
    "proportion": {
        "wilson": _binomial_wilson,
        "exact": _binomial_exact,
        "spiegelhalter": _binomial_spiegelhalter,
    },
    "rate": _POISSON_METHODS,
    "ratio": _POISSON_METHODS,
}
_DEFAULT_METHODS = {"proportion": "wilson", "rate": "exact", "ratio": "exact"}


def _check_levels(levels: Any) -> FloatArray:
    """Return the levels as a 1-D float array, each strictly between 0 and 1."""
    if isinstance(levels, str | bytes):
        raise InvalidTypeError(f"levels must be fractions such as (0.95, 0.998); got {levels!r}.")
    values = [levels] if np.ndim(levels) == 0 else list(np.asarray(levels, dtype=object).ravel())
    if not values:
        raise InvalidArgumentError("levels must name at least one level, e.g. (0.95, 0.998).")
    return np.array([check_confidence_level(value) for value in values], dtype=np.float64)


def _check_denominators(denominators: Any, kind: str) -> FloatArray:
    """Return the denominators as a 1-D float array (whole numbers for proportions)."""
    check = as_counts if kind == "proportion" else as_nonnegative
    array = check("denominators", denominators)
    if array.ndim > 1:
        raise InvalidArgumentError(
            f"denominators must be one-dimensional; got an array of shape {array.shape}."
        )
    return np.atleast_1d(array)


def _check_target(target: Any, kind: str, multiplier: float) -> float:
    """Return the target as a finite float >= 0 (and <= multiplier for a proportion)."""
    if isinstance(target, bool) or not isinstance(target, int | float | np.integer | np.floating):
        raise InvalidTypeError(f"target must be a single number; got {target!r}.")
    value = float(target)
    if not (np.isfinite(value) and value >= 0.0):
        raise InvalidArgumentError(f"target must be a finite number >= 0; got {target!r}.")
    if kind == "proportion" and value > multiplier:
        raise InvalidArgumentError(
            f"target must be a proportion between 0 and multiplier={multiplier:g}; got "
            f"{target!r}. Give a percentage target together with multiplier=100."
        )
    return value


def _check_expected_counts(
    denominators: FloatArray, target: float, multiplier: float, kind: str
) -> None:
    """Refuse a rate or ratio funnel whose expected count is above MAX_EXPECTED_COUNT."""
    with np.errstate(over="ignore"):
        expected = denominators * (target / multiplier)
    too_large = expected > MAX_EXPECTED_COUNT
    if too_large.any():
        index = int(np.flatnonzero(too_large)[0])
        raise InvalidArgumentError(
            f"denominators are too large for a {kind} funnel: the expected count target x "
            f"denominator / multiplier must be at most 2**52 (about 4.5e15), so that the limits "
            f"are whole-number counts that float64 holds exactly; got {denominators[index]:g} at "
            f"index {index}, an expected count of {expected[index]:g} (target {target:g}, "
            f"multiplier {multiplier:g}). Check the denominators, and that the multiplier "
            "matches the target (a rate per 100,000 needs multiplier=100000)."
        )


def funnel_limits(
    denominators: npt.ArrayLike,
    target: float,
    *,
    kind: FunnelKind = "proportion",
    levels: npt.ArrayLike = (0.95, 0.998),
    method: FunnelMethod | None = None,
    multiplier: float = 1.0,
) -> FunnelLimits:
    """Funnel plot control limits around ``target`` for each denominator and level.

    By default the UK public-health (Fingertips) methods: for proportions the limits are where
    the Wilson score interval of the observed proportion just reaches the target; for rates and
    ratios they are where the exact Poisson interval of the observed count just reaches the
    target. So a unit lies outside the limits exactly when its interval excludes the target.

    Parameters
    ----------
    denominators : array-like of numbers >= 0, one-dimensional
        ``"proportion"``: totals (whole numbers). ``"rate"``: exposures (population or
        person-time). ``"ratio"``: expected counts E of an indirectly standardised ratio.
    target : float
        The target, on the scale of the limits: a proportion (times ``multiplier``), a rate
        per ``multiplier`` units of exposure, or a ratio (usually 1, or 100 with
        ``multiplier=100``).
    kind : {"proportion", "rate", "ratio"}, default "proportion"
        What is plotted: events/total, events/exposure (times ``multiplier``) or
        observed/expected (times ``multiplier``).
    levels : sequence of float, default (0.95, 0.998)
        Two-sided levels of the limits, fractions strictly between 0 and 1.
    method : {"wilson", "exact", "spiegelhalter"} or None, default None
        None uses ``"wilson"`` for proportions and ``"exact"`` for rates and ratios.
        ``"wilson"`` (proportions only): target -/+ z sqrt(p0 (1 - p0) / n). ``"exact"``:
        exact binomial or Poisson tails, made continuous in the count. ``"spiegelhalter"``:
        exact quantiles with Spiegelhalter's interpolation.
    multiplier : float, default 1.0
        Scale of ``target`` and the limits (100 for percentages, 100000 for a rate per
        100,000).

    Returns
    -------
    FunnelLimits
        ``lower`` and ``upper`` of shape (len(levels), len(denominators)), and the inputs.

    Raises
    ------
    InvalidArgumentError
        Negative or non-finite denominators (fractional ones for proportions), a negative
        target (above ``multiplier`` for proportions), a level outside (0, 1), a
        multiplier that is not a positive finite number, or a denominator array of more than
        one dimension. For rates and ratios, an expected count mu = target x denominator /
        multiplier above 2**52 (about 4.5e15).
    UnknownMethodError
        ``kind`` or ``method`` is not one of the names above (``"wilson"`` is for
        proportions only).
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    Write p0 = target / multiplier (the target per unit of denominator), n the denominator,
    mu = p0 n the expected count, alpha = 1 - level and z the standard normal quantile at
    1 - alpha/2. Each method gives lower and upper limits x_L and x_U on the count scale; the
    limits reported are x_L / n and x_U / n times ``multiplier``, with the counts first clipped
    to the possible range ([0, n] for proportions, [0, infinity) otherwise).

    - ``"wilson"``: x = n p0 -/+ z sqrt(n p0 (1 - p0)). An observed proportion lies outside
      exactly when its Wilson (1927) score interval excludes p0. This is the funnel of the
      Fingertips technical guidance and of PHEindicatormethods / PHStatsMethods.
    - ``"exact"`` for proportions: x_U solves P(Y >= x) = alpha/2 and x_L solves
      P(Y <= x) = alpha/2 for Y ~ binomial(n, p0), with the tails written as regularised
      incomplete beta functions, I_p0(x, n - x + 1) and I_(1 - p0)(n - x, x + 1), which are
      continuous in x. An observed count is outside exactly when the Clopper-Pearson (1934)
      interval excludes p0, and the chance of an in-control unit falling outside either limit
      is at most alpha/2.
    - ``"exact"`` for rates and ratios: the same with Y ~ Poisson(mu): x_U solves
      P(x, mu) = alpha/2 and x_L solves Q(x + 1, mu) = alpha/2 (regularised incomplete gamma
      functions). An observed count is outside exactly when its exact (Garwood 1936) interval
      excludes mu. For counts of 10 or more the library's intervals use Byar's approximation,
      whose limits differ from the exact ones by under 0.2% at 95% and under 1.5% at 99.8%
      (most at 10 events), so a unit whose Byar interval ends that close to the target can
      sit on the other side of the funnel line. This is the Poisson funnel of the Fingertips
      guidance.
    - ``"spiegelhalter"``: with r_p the smallest count with F(r_p) >= p (F the binomial or
      Poisson distribution function), the limit for p is r_p - (F(r_p) - p) /
      (F(r_p) - F(r_p - 1)), i.e. the inverse of F interpolated linearly between whole
      numbers (Spiegelhalter 2005, appendix A.1). Its upper limit is not monotone in n, and
      when mu or n (1 - p0) is tiny (below about alpha/2) the target can fall outside the
      limits; prefer ``"exact"`` for small expected counts (Manktelow and Seaton 2012).

    Rates and ratios use the same Poisson computation: for ``"rate"`` the denominator is the
    exposure and mu = target x exposure / multiplier; for ``"ratio"`` it is the expected
    count E and mu = target x E / multiplier (mu = E for a target of 1).

    Degenerate cases: a zero denominator gives NaN limits and the note ``"denominator is
    zero: limits are undefined"``. A target of 0 (or, for proportions, equal to
    ``multiplier``) leaves no variation: both limits equal the target.

    Large counts: the whole-number quantiles (r_p above, and the whole numbers that bracket
    the exact limits) are found by a galloping search and bisection from a Cornish-Fisher
    starting point, so the work grows with the logarithm of the count, not the count (scipy's
    own quantile functions return NaN for Poisson means above about 1e11). For the Poisson
    ``"spiegelhalter"`` limits with mu above 100, F(r_p) - F(r_p - 1) is Loader's (2000)
    saddle-point form of the Poisson probability; scipy's direct form loses digits as mu grows
    and has none left at mu = 1e15. For rates and ratios mu must be at most 2**52 (about
    4.5e15; larger raises InvalidArgumentError), so that every limit, as a count, stays below
    2**53, where float64 holds every whole number; proportions already need n <= 2**53. At
    such sizes the limits differ from the target by about z / sqrt(mu), and are exact to a
    few units in the last place.

    References: Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance.
    Stat Med 24:1185-1202. Wilson EB (1927) J Am Stat Assoc 22:209-212. Clopper CJ, Pearson
    ES (1934) Biometrika 26:404-413. Garwood F (1936) Biometrika 28:437-442. Manktelow BN,
    Seaton SE (2012) PLoS ONE 7:e45723. Loader C (2000) Fast and accurate computation of
    binomial probabilities (technical report, Bell Labs). Office for Health Improvement and
    Disparities, Fingertips technical guidance (funnel plots); PHEindicatormethods (R) and
    PHStatsMethods (Python) packages.

    Checked against: the published PHStatsMethods ratio funnel test values (95% and 99.8%);
    the PHStatsMethods proportion funnel test values (Wilson method); ``scipy.stats.beta``
    and ``scipy.stats.chi2`` quantiles (Clopper-Pearson and Garwood limits at the exact
    limits); exact tail probabilities from ``scipy.stats.binom`` and ``scipy.stats.poisson``
    for whole-number counts; linear interpolation of the ``scipy.stats`` distribution
    functions (Spiegelhalter); the normal approximation for large denominators, and its
    Cornish-Fisher refinement for expected counts from 1e9 to 2**52 and totals up to 2**53;
    Poisson probabilities evaluated in 60-digit decimal arithmetic.

    Examples
    --------
    >>> from equitymetrics.stats import funnel_limits
    >>> limits = funnel_limits([100, 400], 20, multiplier=100)
    >>> [round(float(value), 2) for value in limits.lower[0]]
    [12.16, 16.08]
    >>> ratio = funnel_limits([10.0], 1.0, kind="ratio", levels=(0.95,))
    >>> print(ratio.method, round(float(ratio.upper[0, 0]), 4))
    exact 1.7127
    """
    methods = resolve_method(kind, _METHODS, argument="kind")
    method_name = _DEFAULT_METHODS[str(kind)] if method is None else method
    count_limits = resolve_method(method_name, methods)
    scale = check_multiplier(multiplier)
    level_array = _check_levels(levels)
    denominator_array = _check_denominators(denominators, str(kind))
    target_value = _check_target(target, str(kind), scale)

    if kind != "proportion":
        _check_expected_counts(denominator_array, target_value, scale, str(kind))
    unit_target = target_value / scale
    usable = denominator_array > 0
    size = denominator_array[usable]
    ceiling = size if kind == "proportion" else np.full_like(size, np.inf)
    degenerate = unit_target == 0.0 or (kind == "proportion" and unit_target == 1.0)
    shape = (level_array.size, denominator_array.size)
    lower = np.full(shape, np.nan)
    upper = np.full(shape, np.nan)
    for row, level in enumerate(level_array):
        if degenerate:
            low_count, high_count = size * unit_target, size * unit_target
        else:
            low_count, high_count = count_limits(size, unit_target, (1.0 - level) / 2.0)
        lower[row, usable] = np.clip(low_count, 0.0, ceiling) / size * scale
        upper[row, usable] = np.clip(high_count, 0.0, ceiling) / size * scale
    note = np.where(usable, "", ZERO_DENOMINATOR_NOTE).astype(np.str_)
    return FunnelLimits(
        denominators=denominator_array,
        target=target_value,
        levels=level_array,
        lower=lower,
        upper=upper,
        kind=str(kind),
        method=str(method_name),
        multiplier=scale,
        note=note,
    )


def funnel_position(
    values: npt.ArrayLike,
    denominators: npt.ArrayLike,
    target: float,
    *,
    kind: FunnelKind = "proportion",
    levels: npt.ArrayLike = (0.95, 0.998),
    method: FunnelMethod | None = None,
    multiplier: float = 1.0,
) -> StrArray:
    """Where each unit lies against the funnel limits: ``"within"``, ``"above"`` or ``"below"``.

    The limits are those of :func:`funnel_limits` (same arguments and defaults); the values
    are on the same scale (proportions, rates or ratios, times ``multiplier``).

    Parameters
    ----------
    values : array-like of numbers >= 0, one-dimensional
        Each unit's proportion, rate or ratio (NaN allowed, e.g. for a zero denominator).
    denominators : array-like of numbers >= 0
        Each unit's denominator, the same length as ``values``.
    target, kind, levels, method, multiplier
        As for :func:`funnel_limits`.

    Returns
    -------
    numpy.ndarray of str, shape (len(levels), len(values))
        ``"above"`` where the value is greater than the upper limit, ``"below"`` where it is
        less than the lower limit, ``"within"`` otherwise (a value equal to a limit is
        within), and ``"undefined"`` where the value or the limits are NaN.

    Raises
    ------
    ShapeMismatchError
        ``values`` and ``denominators`` differ in length.
    InvalidArgumentError
        A value is negative or infinite, or a proportion is above ``multiplier``; or any
        error of :func:`funnel_limits`.
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    With the default methods a unit is above (below) the limits at a level exactly when the
    lower (upper) end of its confidence interval at that level, by the method of
    :func:`funnel_limits`, is above (below) the target.

    Checked against: exact binomial tail probabilities from ``scipy.stats.binom`` for
    whole-number counts.

    Examples
    --------
    >>> from equitymetrics.stats import funnel_position
    >>> funnel_position([30, 20, 5], [100, 100, 100], 20, multiplier=100).tolist()
    [['above', 'within', 'below'], ['within', 'within', 'below']]
    """
    value_array = np.atleast_1d(_as_float_array("values", values))
    limits = funnel_limits(
        denominators, target, kind=kind, levels=levels, method=method, multiplier=multiplier
    )
    if value_array.shape != limits.denominators.shape:
        raise ShapeMismatchError(
            f"values and denominators must have the same length; got values of shape "
            f"{value_array.shape} and denominators of shape {limits.denominators.shape}."
        )
    bad = np.isinf(value_array) | (value_array < 0)
    if kind == "proportion":
        bad |= value_array > limits.multiplier
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise InvalidArgumentError(
            f"values must be finite, >= 0 (and at most multiplier for proportions); got "
            f"{value_array[index]:g} at index {index}. Use NaN for a value that cannot be "
            "computed."
        )
    position = np.where(
        value_array > limits.upper,
        "above",
        np.where(value_array < limits.lower, "below", "within"),
    )
    undefined = np.isnan(value_array) | np.isnan(limits.lower) | np.isnan(limits.upper)
    return np.where(undefined, "undefined", position).astype(np.str_)
