"""Crude rates (events per unit of exposure) with Byar or exact Poisson confidence intervals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from equitymetrics.stats._kernels import BYAR_THRESHOLD, byar_limits, exact_poisson_limits
from equitymetrics.stats._results import IntervalResult, mark_out_of_range
from equitymetrics.stats._validation import (
    FloatArray,
    StrArray,
    as_counts,
    as_nonnegative,
    broadcast_arrays,
    check_confidence_level,
    check_multiplier,
    check_same_index,
    resolve_method,
    z_value,
)

__all__ = ["RateMethod", "RateResult", "crude_rate"]

RateMethod = Literal["phe", "byar", "exact"]

_LimitFunction = Callable[[FloatArray, float], tuple[FloatArray, FloatArray, StrArray]]

ZERO_DENOMINATOR_NOTE = "denominator is zero"
UNDEFINED_RATE_NOTE = (
    "denominator is zero but events > 0: the rate is undefined; check the exposure"
)
BYAR_TRUNCATED_NOTE = (
    "Byar lower limit below zero truncated to 0 (the approximation fails for very small "
    "counts; use method='phe' or 'exact')"
)


@dataclass(frozen=True, slots=True)
class RateResult(IntervalResult):
    """A crude rate ``events / exposure * multiplier`` with its confidence interval.

    Attributes
    ----------
    events : numpy.ndarray
        Observed counts (float64, broadcast to the common shape).
    exposure : numpy.ndarray
        Person-time or population at risk (float64, broadcast to the common shape).
    multiplier : float
        The rate is per ``multiplier`` units of exposure (100,000 by default).
    """

    events: FloatArray
    exposure: FloatArray
    multiplier: float


def _phe(events: FloatArray, z: float) -> tuple[FloatArray, FloatArray, StrArray]:
    """UK public-health default: Byar for counts of 10 or more, exact Poisson below 10.

    The same rule as ``poisson_limits``, but the exact limits are computed once for the
    counts 0 to 9 and looked up, which keeps a million elements fast.
    """
    lower, upper = byar_limits(events, z)
    small = events < BYAR_THRESHOLD
    table_lower, table_upper = exact_poisson_limits(np.arange(BYAR_THRESHOLD, dtype=np.float64), z)
    index = np.where(small, events, 0).astype(np.intp)
    lower = np.where(small, table_lower[index], lower)
    upper = np.where(small, table_upper[index], upper)
    return lower, upper, np.where(small, "exact", "byar")


def _byar(events: FloatArray, z: float) -> tuple[FloatArray, FloatArray, StrArray]:
    """Byar's approximation (Breslow and Day 1987) for every count, whatever its size."""
    lower, upper = byar_limits(events, z)
    return lower, upper, np.full(events.shape, "byar")


def _exact(events: FloatArray, z: float) -> tuple[FloatArray, FloatArray, StrArray]:
    """Exact Poisson limits (Garwood 1936) from chi-squared quantiles for every count."""
    distinct, position = np.unique(events, return_inverse=True)  # computed once per count
    distinct_lower, distinct_upper = exact_poisson_limits(distinct, z)
    lower = distinct_lower[position].reshape(events.shape)
    upper = distinct_upper[position].reshape(events.shape)
    return lower, upper, np.full(events.shape, "exact")


_METHODS: dict[str, _LimitFunction] = {"phe": _phe, "byar": _byar, "exact": _exact}


def crude_rate(
    events: npt.ArrayLike,
    exposure: npt.ArrayLike,
    *,
    method: RateMethod = "phe",
    multiplier: float = 100_000,
    confidence_level: float = 0.95,
) -> RateResult:
    """Crude rate per ``multiplier`` units of exposure with a Poisson confidence interval.

    The default, ``method="phe"``, is the UK public-health convention: Byar's approximation
    (Breslow and Day 1987) for counts of 10 or more and exact Poisson limits (Garwood 1936)
    below 10; the method used is recorded per element as ``"byar"`` or ``"exact"``.
    Vectorised: ``events`` and ``exposure`` broadcast together (a scalar input gives 0-d
    arrays).

    Parameters
    ----------
    events : array-like of whole numbers >= 0
        Observed counts (e.g. detentions).
    exposure : array-like of numbers >= 0
        Population or person-time at risk; may be fractional (e.g. occupied bed days).
    method : {"phe", "byar", "exact"}, default "phe"
        ``"phe"``: Byar for events >= 10, exact below. ``"byar"``: Byar for every count.
        ``"exact"``: exact Poisson for every count.
    multiplier : float, default 100_000
        The rate is expressed per this many units of exposure.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.

    Returns
    -------
    RateResult
        ``estimate``, ``lower``, ``upper`` (per ``multiplier``), ``method`` per element,
        ``note``, ``confidence_level``, and the inputs.

    Raises
    ------
    InvalidArgumentError
        Negative, fractional or non-finite counts, negative or non-finite exposure, a
        confidence level outside (0, 1), or a multiplier that is not a positive finite number.
    UnknownMethodError
        ``method`` is not one of the names above.
    ShapeMismatchError
        ``events`` and ``exposure`` cannot be broadcast together.
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    rate = O / E x multiplier, limits = limits(O) / E x multiplier, with O = events,
    E = exposure, alpha = 1 - confidence_level and z the normal quantile at 1 - alpha/2.

    - Byar: lower(O) = O (1 - 1/(9O) - z/(3 sqrt(O)))^3,
      upper(O) = (O + 1)(1 - 1/(9(O + 1)) + z/(3 sqrt(O + 1)))^3.
    - Exact: lower(O) = chi2_inv(alpha/2; 2O)/2 (0 when O = 0),
      upper(O) = chi2_inv(1 - alpha/2; 2O + 2)/2.

    Degenerate cases: O = 0 gives lower = 0. E = 0 with O = 0 gives NaN with the note
    ``"denominator is zero"``. E = 0 with O > 0 also gives NaN (not infinity): under the
    Poisson model the count has mean rate x E = 0, so a positive count is impossible and no
    rate fits the data; the note says so and suggests checking the exposure. With
    ``method="byar"`` at high levels the lower limit for O = 1 is negative (Byar's cube root
    approximation fails); it is truncated to 0 with a note. No continuity correction.

    References: Breslow NE, Day NE (1987) Statistical Methods in Cancer Research, vol. II, IARC
    (Byar's method); Garwood F (1936) Biometrika 28:437-442.

    Checked against: the UKHSA public-health methods test values for Byar at 95% and 99.8%;
    chi-squared quantiles from ``scipy.stats.chi2``; the closed forms
    upper(0) = -ln(alpha/2) and lower(1) = -ln(1 - alpha/2).

    Examples
    --------
    >>> from equitymetrics.stats import crude_rate
    >>> result = crude_rate([65, 4], [100_000, 50_000])
    >>> print(result.estimate, result.method)
    [65.  8.] ['byar' 'exact']
    >>> print(result.lower.round(3), result.upper.round(3))
    [50.163  2.18 ] [82.849 20.483]
    """
    limits = resolve_method(method, _METHODS)
    level = check_confidence_level(confidence_level)
    scale = check_multiplier(multiplier)
    check_same_index(events=events, exposure=exposure)
    o, e = broadcast_arrays(
        events=as_counts("events", events), exposure=as_nonnegative("exposure", exposure)
    )
    lower, upper, used = limits(o, z_value(level))

    truncated = lower < 0
    lower = np.where(truncated, 0.0, lower)
    empty = e == 0
    width = max(len(BYAR_TRUNCATED_NOTE), len(UNDEFINED_RATE_NOTE))
    note = np.zeros(o.shape, dtype=f"<U{width}")  # empty strings
    note[truncated] = BYAR_TRUNCATED_NOTE
    note[empty & (o == 0)] = ZERO_DENOMINATOR_NOTE
    note[empty & (o > 0)] = UNDEFINED_RATE_NOTE
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        factor = np.where(empty, np.nan, scale / e)
        estimate, lower, upper, note = mark_out_of_range(
            o * factor, lower * factor, upper * factor, note
        )
    return RateResult(
        estimate=np.asarray(estimate, dtype=np.float64),
        lower=np.asarray(lower, dtype=np.float64),
        upper=np.asarray(upper, dtype=np.float64),
        method=np.asarray(used, dtype=np.str_),
        note=np.asarray(note, dtype=np.str_),
        confidence_level=level,
        events=o,
        exposure=e,
        multiplier=scale,
    )
