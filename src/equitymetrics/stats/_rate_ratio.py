"""Rate ratio of two groups (events per unit of exposure): log method and exact conditional."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from equitymetrics.stats._ratios import (
    Limits,
    TwoGroupMethod,
    correction_note,
    interval_result,
    log_interval,
    person_time_inputs,
    ratio_arguments,
    select_notes,
    undefined_tables,
)
from equitymetrics.stats._results import IntervalResult, mark_out_of_range
from equitymetrics.stats._validation import FloatArray, method_array, z_value

__all__ = ["RateRatioMethod", "RateRatioResult", "rate_ratio"]

RateRatioMethod = Literal["log", "exact"]

ZERO_EXPOSURE_NOTE = "exposure or reference_exposure is 0: rate ratio undefined"
NO_EVENTS_NOTE = "no events in either group (0/0): rate ratio undefined"
LOG_GROUP_ZERO_NOTE = (
    "no events in group: estimate 0, log-method upper limit undefined (try method='exact')"
)
LOG_REFERENCE_ZERO_NOTE = (
    "no events in reference group: estimate infinite, log-method lower limit undefined "
    "(try method='exact')"
)
EXACT_REFERENCE_ZERO_NOTE = "no events in reference group: estimate and upper limit infinite"


@dataclass(frozen=True, slots=True)
class RateRatioResult(IntervalResult):
    """A ratio of two groups' rates (group / reference) with its confidence interval.

    Attributes
    ----------
    events, exposure : numpy.ndarray
        The group's event count and person-time or population (float64, broadcast).
    reference_events, reference_exposure : numpy.ndarray
        The same for the reference group.
    """

    events: FloatArray
    exposure: FloatArray
    reference_events: FloatArray
    reference_exposure: FloatArray


def _log(
    a: FloatArray, t1: FloatArray, c: FloatArray, t0: FloatArray, level: float, correction: float
) -> Limits:
    """Log method: log IRR -/+ z sqrt(1/a + 1/c) (Rothman, Greenland and Lash 2008)."""
    zero_exposure, no_events = undefined_tables(a, t1, c, t0)
    undefined = zero_exposure | no_events
    corrected = ((a == 0) | (c == 0)) & ~undefined & (correction > 0.0)
    add = np.where(corrected, correction, 0.0)
    a1, c1 = a + add, c + add
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (a1 / c1) * (t0 / t1)  # not (a1/t1)/(c1/t0): no spurious overflow
        standard_error = np.sqrt(1.0 / a1 + 1.0 / c1)
    group_zero = (a1 == 0) & ~undefined
    reference_zero = (c1 == 0) & ~undefined
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
            (zero_exposure, ZERO_EXPOSURE_NOTE),
            (no_events, NO_EVENTS_NOTE),
            (group_zero, LOG_GROUP_ZERO_NOTE),
            (reference_zero, LOG_REFERENCE_ZERO_NOTE),
            (corrected, correction_note(correction)),
        ],
    )
    return Limits(estimate, lower, upper, note)


def _exact(
    a: FloatArray, t1: FloatArray, c: FloatArray, t0: FloatArray, level: float, correction: float
) -> Limits:
    """Exact conditional method: a | a + c is binomial(a + c, p), p = T1 IRR / (T1 IRR + T0).

    Clopper-Pearson limits for p, lower = B(alpha/2; a, c + 1) and upper = B(1 - alpha/2;
    a + 1, c), are mapped to the ratio by IRR = (p / (1 - p)) (T0 / T1). The odds p / (1 - p)
    take 1 - p from the mirrored quantile (1 - B(q; x, y) = B(1 - q; y, x)) rather than by
    subtraction, which would lose most digits when p is close to 1 (a much larger than c).
    """
    zero_exposure, no_events = undefined_tables(a, t1, c, t0)
    undefined = zero_exposure | no_events
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lower = special.betaincinv(a, c + 1.0, alpha / 2.0)
        q_lower = special.betaincinv(c + 1.0, a, 1.0 - alpha / 2.0)  # 1 - p_lower
        p_upper = special.betaincinv(a + 1.0, c, 1.0 - alpha / 2.0)
        q_upper = special.betaincinv(c, a + 1.0, alpha / 2.0)  # 1 - p_upper
        scale = t0 / t1
        estimate = (a / c) * scale
        lower = np.where(a == 0, 0.0, p_lower / q_lower * scale)
        upper = np.where(c == 0, np.inf, p_upper / q_upper * scale)
    reference_zero = (c == 0) & ~undefined
    note = select_notes(
        a.shape,
        [
            (zero_exposure, ZERO_EXPOSURE_NOTE),
            (no_events, NO_EVENTS_NOTE),
            (reference_zero, EXACT_REFERENCE_ZERO_NOTE),
        ],
    )
    return Limits(
        np.where(undefined, np.nan, estimate),
        np.where(undefined, np.nan, lower),
        np.where(undefined, np.nan, upper),
        note,
    )


_METHODS: dict[str, TwoGroupMethod] = {"log": _log, "exact": _exact}
_CORRECTABLE = ("log",)


def rate_ratio(
    events: npt.ArrayLike,
    exposure: npt.ArrayLike,
    reference_events: npt.ArrayLike,
    reference_exposure: npt.ArrayLike,
    *,
    method: RateRatioMethod = "log",
    confidence_level: float = 0.95,
    continuity_correction: float = 0.0,
) -> RateRatioResult:
    """Rate ratio of a group to a reference group, with a log-scale interval by default.

    The rate ratio (incidence rate ratio) is ``(events / exposure) / (reference_events /
    reference_exposure)``, where exposure is person-time (e.g. occupied bed days) or a
    population. The default interval is the log (Wald) method; ``method="exact"`` gives the
    exact conditional interval from the binomial distribution of the group's share of all
    events, which is valid for small counts. Vectorised: the four arguments broadcast
    together.

    Parameters
    ----------
    events : array-like of whole numbers >= 0
        Events in the group.
    exposure : array-like of numbers >= 0
        Person-time or population of the group (may be fractional).
    reference_events, reference_exposure : array-like
        The same for the reference group.
    method : {"log", "exact"}, default "log"
        ``"log"``: symmetric interval on the log scale. ``"exact"``: exact conditional
        (Clopper-Pearson) interval.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.
    continuity_correction : float, default 0.0
        Opt-in, ``"log"`` only: this value (0.5 is usual) is added to both event counts when
        either is 0 (the exposures are left alone); the note says so. Tables with zero
        exposure, or with no events in either group, stay NaN. Never applied unless asked for.

    Returns
    -------
    RateRatioResult
        ``estimate``, ``lower``, ``upper``, ``method``, ``note``, ``confidence_level`` and the
        four inputs.

    Raises
    ------
    InvalidArgumentError
        Negative or non-finite values, fractional event counts, a confidence level outside
        (0, 1); a negative correction, or a correction with ``"exact"``.
    UnknownMethodError
        ``method`` is not one of the names above.
    ShapeMismatchError
        The inputs cannot be broadcast together.
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    With a events over exposure T1, c events over T0, alpha = 1 - confidence_level and z the
    standard normal quantile at 1 - alpha/2:

    - IRR = (a/T1) / (c/T0).
    - Log method: IRR exp(-/+ z sqrt(1/a + 1/c)).
    - Exact conditional: given a + c, a is binomial(a + c, p) with p = T1 IRR / (T1 IRR + T0).
      The Clopper-Pearson limits p_L = B(alpha/2; a, c + 1) and p_U = B(1 - alpha/2; a + 1, c)
      (B(q; x, y) the q quantile of the beta(x, y) distribution) give the limits
      IRR = p T0 / ((1 - p) T1). The estimate is the same IRR as above.

    Zero cells (no silent correction):

    - exposure = 0 or reference_exposure = 0: NaN estimate and limits, with a note (also when
      that group has events: no rate fits events with no exposure).
    - a = c = 0 (0/0): NaN estimate and limits, with a note.
    - a = 0, c > 0: estimate 0 and lower 0; the log upper limit is NaN with a note (log of 0);
      the exact upper limit is finite.
    - c = 0, a > 0: estimate and upper limit infinite; the log lower limit is NaN with a note;
      the exact lower limit is finite (and a note explains the infinite values).

    References: Rothman KJ, Greenland S, Lash TL (2008) Modern Epidemiology, 3rd ed., chapter
    14 (log interval). Armitage P, Berry G, Matthews JNS (2002) Statistical Methods in Medical
    Research, 4th ed., section 5.3 (conditional binomial). Clopper CJ, Pearson ES (1934)
    Biometrika 26:404-413.

    Checked against: ``statsmodels.stats.rates.confint_poisson_2indep`` (``"wald-log"``);
    ``statsmodels.stats.rates.test_poisson_2indep`` (``"exact-cond"``: the one-sided p-values
    at the exact limits equal alpha/2); ``scipy.stats.binomtest(...).proportion_ci`` (exact
    limits of p); the formulas evaluated by hand.

    Examples
    --------
    >>> from equitymetrics.stats import rate_ratio
    >>> result = rate_ratio(41, 28_010, 15, 19_017)
    >>> print(f"{result.estimate:.4f} ({result.lower:.4f} to {result.upper:.4f})")
    1.8558 (1.0272 to 3.3526)
    >>> exact = rate_ratio([41, 0], [28_010, 1_000], [15, 6], [19_017, 2_000], method="exact")
    >>> print(exact.lower.round(4), exact.upper.round(4))
    [1.0057 0.    ] [3.6093 1.6986]
    """
    compute, level, correction = ratio_arguments(
        _METHODS,
        _CORRECTABLE,
        method=method,
        confidence_level=confidence_level,
        continuity_correction=continuity_correction,
    )
    a, t1, c, t0 = person_time_inputs(events, exposure, reference_events, reference_exposure)
    with np.errstate(over="ignore"):
        limits = Limits(*mark_out_of_range(*compute(a, t1, c, t0, level, correction)))
    return interval_result(
        RateRatioResult,
        limits,
        method_array(a.shape, str(method)),
        level,
        events=a,
        exposure=t1,
        reference_events=c,
        reference_exposure=t0,
    )
