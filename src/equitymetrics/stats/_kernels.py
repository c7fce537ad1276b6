"""Interval kernels used by several public functions (no validation here: callers validate).

Kept in one place so that, for example, the Wilson interval used by :func:`proportion`, by
Newcombe's risk difference and by funnel limits is the same code.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from equitymetrics.stats._validation import FloatArray

__all__ = ["byar_limits", "exact_poisson_limits", "poisson_limits", "wilson_limits"]

BYAR_THRESHOLD = 10
"""Counts of this size and above use Byar's approximation; smaller counts use exact limits."""


def wilson_limits(events: FloatArray, total: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson (1927) score limits for ``events`` of ``total`` (NaN where total is 0).

    ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))``.
    """
    x = np.asarray(events, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.clip(x * (1.0 - x / n), 0.0, None)
        spread = z * np.sqrt(z * z + 4.0 * inner)
        denominator = 2.0 * (n + z * z)
        lower = (2.0 * x + z * z - spread) / denominator
        upper = (2.0 * x + z * z + spread) / denominator
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    empty = n == 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


def byar_limits(observed: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Byar's approximation to Poisson limits for a count (Breslow and Day 1987).

    lower = O (1 - 1/(9O) - z/(3 sqrt O))^3; upper = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3.
    The lower limit is 0 for O = 0.
    """
    o = np.asarray(observed, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
    lower = np.where(o == 0, 0.0, lower)
    o1 = o + 1.0
    upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
    return lower, upper


def exact_poisson_limits(observed: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood 1936) Poisson limits from the chi-squared distribution.

    lower = chi2_inv(alpha/2, 2O)/2 (0 when O = 0); upper = chi2_inv(1 - alpha/2, 2O + 2)/2,
    with alpha = 2 (1 - Phi(z)).
    """
    o = np.asarray(observed, dtype=np.float64)
    alpha = 2.0 * special.ndtr(-z)
    with np.errstate(invalid="ignore"):
        lower = np.where(
            o == 0, 0.0, special.chdtri(2.0 * np.maximum(o, 1e-300), 1.0 - alpha / 2.0) / 2.0
        )
    upper = special.chdtri(2.0 * o + 2.0, alpha / 2.0) / 2.0
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def poisson_limits(observed: FloatArray, z: float) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """UK public-health default: Byar for counts >= 10, exact below.

    Returns lower, upper and the per-element method name (``"byar"`` or ``"exact"``).
    """
    o = np.asarray(observed, dtype=np.float64)
    byar_lower, byar_upper = byar_limits(o, z)
    exact_lower, exact_upper = exact_poisson_limits(o, z)
    use_byar = o >= BYAR_THRESHOLD
    lower = np.where(use_byar, byar_lower, exact_lower)
    upper = np.where(use_byar, byar_upper, exact_upper)
    method = np.where(use_byar, "byar", "exact")
    return lower, upper, method
