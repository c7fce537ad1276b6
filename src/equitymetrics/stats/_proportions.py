"""Proportions with confidence intervals: Wilson, Clopper-Pearson, Jeffreys, Agresti-Coull."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from equitymetrics.stats._kernels import wilson_limits
from equitymetrics.stats._results import IntervalResult
from equitymetrics.stats._validation import (
    FloatArray,
    as_counts,
    broadcast_arrays,
    check_confidence_level,
    check_multiplier,
    check_not_greater,
    check_same_index,
    resolve_method,
    z_value,
)

__all__ = ["ProportionMethod", "ProportionResult", "proportion"]

ProportionMethod = Literal["wilson", "exact", "jeffreys", "agresti_coull"]

_LimitFunction = Callable[[FloatArray, FloatArray, float], tuple[FloatArray, FloatArray]]

ZERO_DENOMINATOR_NOTE = "denominator is zero"


@dataclass(frozen=True, slots=True)
class ProportionResult(IntervalResult):
    """A proportion ``events / total`` with its confidence interval, element by element.

    Attributes
    ----------
    events, total : numpy.ndarray
        The inputs (float64, broadcast to a common shape).
    multiplier : float
        The scale of ``estimate``, ``lower`` and ``upper`` (1 for a fraction, 100 for a
        percentage).
    """

    events: FloatArray
    total: FloatArray
    multiplier: float


def _wilson(
    events: FloatArray, total: FloatArray, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    """Wilson (1927) score interval: the set of p with |x/n - p| <= z sqrt(p(1 - p)/n)."""
    return wilson_limits(events, total, z_value(confidence_level))


def _exact(
    events: FloatArray, total: FloatArray, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    """Clopper and Pearson (1934) interval from beta quantiles.

    lower = B(alpha/2; x, n - x + 1) (0 when x = 0); upper = B(1 - alpha/2; x + 1, n - x)
    (1 when x = n), where B(q; a, b) is the q quantile of the beta(a, b) distribution.
    """
    alpha = 1.0 - confidence_level
    x, n = events, total
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = special.betaincinv(x, n - x + 1.0, alpha / 2.0)
        upper = special.betaincinv(x + 1.0, n - x, 1.0 - alpha / 2.0)
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def _jeffreys(
    events: FloatArray, total: FloatArray, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    """Jeffreys interval (Brown, Cai and DasGupta 2001): equal-tailed beta(x + 1/2, n - x + 1/2).

    With their boundary modification: lower = 0 when x = 0 and upper = 1 when x = n.
    """
    alpha = 1.0 - confidence_level
    x, n = events, total
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = special.betaincinv(x + 0.5, n - x + 0.5, alpha / 2.0)
        upper = special.betaincinv(x + 0.5, n - x + 0.5, 1.0 - alpha / 2.0)
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def _agresti_coull(
    events: FloatArray, total: FloatArray, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    """Agresti and Coull (1998) adjusted Wald interval, truncated to [0, 1].

    n~ = n + z^2, p~ = (x + z^2/2)/n~, limits p~ -/+ z sqrt(p~(1 - p~)/n~).
    """
    z = z_value(confidence_level)
    adjusted_total = total + z * z
    centre = (events + z * z / 2.0) / adjusted_total
    spread = z * np.sqrt(centre * (1.0 - centre) / adjusted_total)
    lower = np.clip(centre - spread, 0.0, 1.0)
    upper = np.clip(centre + spread, 0.0, 1.0)
    return lower, upper


_METHODS: dict[str, _LimitFunction] = {
    "wilson": _wilson,
    "exact": _exact,
    "jeffreys": _jeffreys,
    "agresti_coull": _agresti_coull,
}


def proportion(
    events: npt.ArrayLike,
    total: npt.ArrayLike,
    *,
    method: ProportionMethod = "wilson",
    confidence_level: float = 0.95,
    multiplier: float = 1.0,
) -> ProportionResult:
    """Proportion ``events / total`` with a confidence interval (Wilson score by default).

    The default is the Wilson (1927) score interval, the UK public-health standard for
    proportions. Vectorised: ``events`` and ``total`` broadcast together and every array in the
    result has their common shape (a scalar input gives 0-d arrays).

    Parameters
    ----------
    events : array-like of whole numbers >= 0
        Number of people (or items) with the outcome.
    total : array-like of whole numbers >= 0
        Number of people (or items) in the denominator; ``events <= total``.
    method : {"wilson", "exact", "jeffreys", "agresti_coull"}, default "wilson"
        ``"wilson"``: Wilson score interval. ``"exact"``: Clopper-Pearson interval from beta
        quantiles. ``"jeffreys"``: equal-tailed Jeffreys interval with the boundary
        modification of Brown, Cai and DasGupta (2001). ``"agresti_coull"``: adjusted Wald
        interval, truncated to [0, 1].
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.
    multiplier : float, default 1.0
        Scale for the estimate and limits (100 for percentages).

    Returns
    -------
    ProportionResult
        ``estimate``, ``lower``, ``upper`` (times ``multiplier``), ``method``, ``note``,
        ``confidence_level``, and the inputs.

    Raises
    ------
    InvalidArgumentError
        Negative, fractional or non-finite counts, ``events > total``, a confidence level
        outside (0, 1), or a multiplier that is not a positive finite number.
    UnknownMethodError
        ``method`` is not one of the names above.
    ShapeMismatchError
        ``events`` and ``total`` cannot be broadcast together.
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    With x = events, n = total, p = x/n, alpha = 1 - confidence_level and z the standard
    normal quantile at 1 - alpha/2:

    - Wilson: (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).
    - Clopper-Pearson ("exact"): lower = B(alpha/2; x, n - x + 1),
      upper = B(1 - alpha/2; x + 1, n - x), where B(q; a, b) is the q quantile of the
      beta(a, b) distribution; guaranteed coverage of at least the nominal level.
    - Jeffreys: B(alpha/2; x + 1/2, n - x + 1/2) and B(1 - alpha/2; x + 1/2, n - x + 1/2).
      At very low levels (such as 10%) the interval need not contain x/n.
    - Agresti-Coull: n~ = n + z^2, p~ = (x + z^2/2)/n~, p~ -/+ z sqrt(p~(1 - p~)/n~),
      truncated to [0, 1].

    Degenerate cases: x = 0 gives lower = 0 and x = n gives upper = 1 for every method
    (for Jeffreys this is the Brown-Cai-DasGupta modification; for Agresti-Coull the
    truncation). n = 0 (so x = 0) gives NaN estimate and limits with the note
    ``"denominator is zero"``. No continuity correction is applied.

    Precision: counts above 2**53 are refused (float64 cannot hold them exactly). Wilson and
    Agresti-Coull are closed forms, accurate to float64 resolution at any total. The exact and
    Jeffreys limits come from scipy's inverse incomplete beta function: accurate to float64
    resolution up to totals of about 1e12, but only to about 1e-11 (absolute) near 1e15.

    References: Wilson EB (1927) J Am Stat Assoc 22:209-212; Clopper CJ, Pearson ES (1934)
    Biometrika 26:404-413; Agresti A, Coull BA (1998) Am Stat 52:119-126; Brown LD, Cai TT,
    DasGupta A (2001) Stat Sci 16:101-133.

    Checked against: the UKHSA public-health methods test values for Wilson at 95% and 99.8%;
    ``statsmodels.stats.proportion.proportion_confint`` (``wilson``, ``beta``, ``jeffreys``,
    ``agresti_coull``); ``scipy.stats.binomtest(...).proportion_ci`` (``exact``, ``wilson``);
    closed forms at x = 0 and x = n.

    Examples
    --------
    >>> from equitymetrics.stats import proportion
    >>> result = proportion(65, 100)
    >>> print(f"{result.estimate:.4f} ({result.lower:.4f} to {result.upper:.4f})")
    0.6500 (0.5525 to 0.7364)
    >>> result = proportion([0, 3], [20, 20], method="exact", multiplier=100)
    >>> print(result.lower.round(2), result.upper.round(2))
    [0.   3.21] [16.84 37.89]
    """
    limits = resolve_method(method, _METHODS)
    level = check_confidence_level(confidence_level)
    scale = check_multiplier(multiplier)
    check_same_index(events=events, total=total)
    x, n = broadcast_arrays(events=as_counts("events", events), total=as_counts("total", total))
    check_not_greater("events", x, "total", n)

    lower, upper = limits(x, n, level)
    empty = n == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = np.where(empty, np.nan, x / n)
    lower = np.where(empty, np.nan, lower)
    upper = np.where(empty, np.nan, upper)
    note = np.zeros(x.shape, dtype=f"<U{len(ZERO_DENOMINATOR_NOTE)}")  # empty strings
    note[empty] = ZERO_DENOMINATOR_NOTE
    return ProportionResult(
        estimate=np.asarray(estimate * scale, dtype=np.float64),
        lower=np.asarray(lower * scale, dtype=np.float64),
        upper=np.asarray(upper * scale, dtype=np.float64),
        method=np.full(x.shape, str(method)),
        note=np.asarray(note, dtype=np.str_),
        confidence_level=level,
        events=x,
        total=n,
        multiplier=scale,
    )
