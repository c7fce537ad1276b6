"""Whole-number quantiles and probabilities of the binomial and Poisson distributions.

Helpers of the funnel limits. The quantile search takes O(log n) evaluations of the
distribution function per element, however large the counts (scipy's own ``ppf`` returns NaN
for Poisson means above about 1e11 and binomial totals above about 2e15). The Poisson
probability uses Loader's saddle-point form, with a relative error below about 3e-14 for means
up to 2**52 (checked against 60-digit decimal arithmetic), where the direct form
exp(k log mu - log k! - mu) loses digits as k log mu grows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import special

from equitymetrics.stats._validation import FloatArray

__all__ = [
    "Moments",
    "binomial_moments",
    "lower_quantile",
    "poisson_moments",
    "poisson_probability",
    "smallest_whole",
    "upper_quantile",
]

MAX_SEARCH_STEPS = 128
"""Each phase of the search halves or doubles a distance below 2**53: 54 steps suffice."""

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)


class Moments(NamedTuple):
    """Mean, standard deviation and skewness x standard deviation of a count distribution."""

    mean: FloatArray
    spread: FloatArray
    skew_spread: FloatArray | float


def binomial_moments(total: FloatArray, probability: float) -> Moments:
    """Binomial(n, p): mean n p, standard deviation sqrt(n p q), skewness (q - p) / sd."""
    return Moments(
        total * probability,
        np.sqrt(total * probability * (1.0 - probability)),
        1.0 - 2.0 * probability,
    )


def poisson_moments(mean: FloatArray) -> Moments:
    """Poisson(mu): mean mu, standard deviation sqrt(mu), skewness 1 / sqrt(mu)."""
    return Moments(mean, np.sqrt(mean), 1.0)


def _quantile_guess(moments: Moments, z: float) -> FloatArray:
    """A whole number near the quantile at normal deviate ``z`` (Cornish-Fisher, two terms).

    mean + sd (z + skewness (z^2 - 1) / 6) - 1/2 (continuity correction), at least 0. Only a
    starting point for :func:`smallest_whole`, which finds the exact quantile from it.
    """
    guess = moments.mean + moments.spread * z + moments.skew_spread * (z * z - 1.0) / 6.0 - 0.5
    return np.asarray(np.floor(np.maximum(guess, 0.0)), dtype=np.float64)


Holds = Callable[[FloatArray, npt.NDArray[np.intp]], npt.NDArray[np.bool_]]
"""holds(r, index): a condition on whole numbers r, false below some r0 and true from r0 on,
for the elements ``index`` of the parameters."""


def smallest_whole(holds: Holds, start: FloatArray) -> FloatArray:
    """The smallest whole number r >= 0 with ``holds(r)``, searched for from ``start``.

    Galloping search (steps of 1, 2, 4, ... away from ``start`` until the answer is
    bracketed), then bisection of the bracket: O(log |r - start|) evaluations of ``holds`` per
    element. The answer must be below 2**53, where float64 holds every whole number.
    """
    everything = np.arange(start.size)
    start = np.floor(np.maximum(start, 0.0))
    found = np.asarray(holds(start, everything), dtype=bool)
    # The answer lies in (low, high]: holds(high) is true and holds(low) false (low = -1 below
    # 0; high = infinity while unknown).
    low = np.where(found, -1.0, start)
    high = np.where(found, start, np.inf)
    step = np.ones_like(start)
    galloping = np.where(found, start > 0.0, True)
    for _ in range(MAX_SEARCH_STEPS):
        index = np.flatnonzero(galloping)
        if index.size == 0:
            break
        down = found[index]
        candidate = np.where(
            down, np.maximum(high[index] - step[index], 0.0), low[index] + step[index]
        )
        result = np.asarray(holds(candidate, index), dtype=bool)
        high[index] = np.where(result, candidate, high[index])
        low[index] = np.where(result, low[index], candidate)
        galloping[index] = np.where(down, result & (candidate > 0.0), ~result)
        step[index] *= 2.0
    for _ in range(MAX_SEARCH_STEPS):
        index = np.flatnonzero(high - low > 1.0)
        if index.size == 0:
            break
        middle = low[index] + np.floor((high[index] - low[index]) / 2.0)
        result = np.asarray(holds(middle, index), dtype=bool)
        high[index] = np.where(result, middle, high[index])
        low[index] = np.where(result, low[index], middle)
    return high


def _subset(parameters: tuple[Any, ...], index: npt.NDArray[np.intp]) -> tuple[Any, ...]:
    """The elements ``index`` of the array parameters; scalar parameters as they are."""
    return tuple(value[index] if isinstance(value, np.ndarray) else value for value in parameters)


def lower_quantile(
    family: Any, parameters: tuple[Any, ...], moments: Moments, tail: float
) -> FloatArray:
    """The smallest whole number r with F(r) >= tail (F the distribution function).

    ``family`` is ``scipy.stats.binom`` or ``scipy.stats.poisson`` and ``parameters`` its
    shape parameters (unfrozen calls, which are much faster than frozen distributions).
    """
    return smallest_whole(
        lambda count, index: family.cdf(count, *_subset(parameters, index)) >= tail,
        _quantile_guess(moments, float(special.ndtri(tail))),
    )


def upper_quantile(
    family: Any, parameters: tuple[Any, ...], moments: Moments, tail: float
) -> FloatArray:
    """The smallest whole number r with S(r) = 1 - F(r) <= tail (S the survival function)."""
    return smallest_whole(
        lambda count, index: family.sf(count, *_subset(parameters, index)) <= tail,
        _quantile_guess(moments, -float(special.ndtri(tail))),
    )


def _stirling_error(count: FloatArray) -> FloatArray:
    """log(k!) - (k + 1/2) log k + k - log sqrt(2 pi) for whole numbers k >= 1.

    The asymptotic series 1/(12k) - 1/(360k^3) + 1/(1260k^5) - 1/(1680k^7) + 1/(1188k^9) above
    15, the definition (with ``gammaln``) at 15 and below.
    """
    small = np.minimum(count, 15.0)
    direct = special.gammaln(small + 1.0) - (small + 0.5) * np.log(small) + small
    large = np.maximum(count, 16.0)
    inverse_square = 1.0 / (large * large)
    series = (
        1.0 / 12.0
        - inverse_square
        * (
            1.0 / 360.0
            - inverse_square
            * (1.0 / 1260.0 - inverse_square * (1.0 / 1680.0 - inverse_square / 1188.0))
        )
    ) / large
    return np.where(count > 15.0, series, direct - _HALF_LOG_TWO_PI)


def _deviance_term(count: FloatArray, mean: FloatArray) -> FloatArray:
    """k log(k / mu) + mu - k for whole numbers k >= 1 and mu > 0.

    Where k is near mu, by the series 2 k (v^3/3 + v^5/5 + ...) + (k - mu) v in
    v = (k - mu) / (k + mu), which avoids the cancellation of the direct form.
    """
    with np.errstate(over="ignore", divide="ignore"):
        result = count * np.log1p((count - mean) / mean) + mean - count
    near = np.flatnonzero(np.abs(count - mean) < 0.1 * (count + mean))
    k, mu = count[near], mean[near]
    v = (k - mu) / (k + mu)
    total = (k - mu) * v
    term = 2.0 * k * v
    square = v * v
    for power in range(1, 100):
        term = term * square
        updated = total + term / (2 * power + 1)
        if np.array_equal(updated, total):
            break
        total = updated
    result[near] = total
    return result


def poisson_probability(count: FloatArray, mean: FloatArray) -> FloatArray:
    """P(Y = k) for Y ~ Poisson(mu), whole numbers k >= 0 and mu > 0 of the same shape.

    Loader's saddle-point form exp(-stirling_error(k) - deviance_term(k, mu)) / sqrt(2 pi k),
    and exp(-mu) at k = 0 (Loader C (2000) Fast and accurate computation of binomial
    probabilities; the method of R's ``dpois``). Checked against exp(-mu + k log mu - log k!)
    in 60-digit decimal arithmetic for means from 150 to 2**52 (relative error below 5e-14).
    """
    positive = np.maximum(count, 1.0)
    saddle_point = np.exp(-_stirling_error(positive) - _deviance_term(positive, mean)) / np.sqrt(
        2.0 * math.pi * positive
    )
    return np.where(count > 0.0, saddle_point, np.exp(-mean))
