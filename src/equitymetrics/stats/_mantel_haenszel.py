"""Mantel-Haenszel pooled risk, odds and rate ratios over strata (the last axis)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from equitymetrics.exceptions import ShapeMismatchError
from equitymetrics.stats._ratios import (
    BoolArray,
    Limits,
    interval_result,
    log_interval,
    person_time_inputs,
    select_notes,
    two_group_counts,
)
from equitymetrics.stats._results import IntervalResult, mark_out_of_range
from equitymetrics.stats._validation import (
    FloatArray,
    check_confidence_level,
    method_array,
    z_value,
)

__all__ = [
    "MantelHaenszelRateRatioResult",
    "MantelHaenszelResult",
    "mantel_haenszel_odds_ratio",
    "mantel_haenszel_rate_ratio",
    "mantel_haenszel_risk_ratio",
]

IntArray = npt.NDArray[np.int64]

NO_STRATA_NOTE = "no stratum has information (see strata_skipped): pooled ratio undefined"
ZERO_NOTE = "pooled numerator is 0: estimate 0, upper limit undefined"
INFINITE_NOTE = "pooled denominator is 0: estimate infinite, lower limit undefined"
EVENTS_WITHOUT_EXPOSURE_NOTE = (
    "events in strata where their group has zero exposure were left out; check exposure"
)


@dataclass(frozen=True, slots=True)
class MantelHaenszelResult(IntervalResult):
    """A Mantel-Haenszel pooled risk or odds ratio with its interval, one per stratified table.

    ``estimate``, ``lower``, ``upper``, ``method``, ``note``, ``strata_used`` and
    ``strata_skipped`` have the inputs' shape without the last (strata) axis, so
    :meth:`to_frame` shows them; the inputs keep their strata axis and are left out of the
    frame.

    Attributes
    ----------
    events, total, reference_events, reference_total : numpy.ndarray
        The inputs, shape (..., K) for K strata (float64, broadcast together).
    strata_used, strata_skipped : numpy.ndarray of int
        How many strata contributed, and how many had no information and were skipped.
    """

    events: FloatArray
    total: FloatArray
    reference_events: FloatArray
    reference_total: FloatArray
    strata_used: IntArray
    strata_skipped: IntArray


@dataclass(frozen=True, slots=True)
class MantelHaenszelRateRatioResult(IntervalResult):
    """A Mantel-Haenszel pooled rate ratio with its interval, one per stratified table.

    Attributes
    ----------
    events, exposure, reference_events, reference_exposure : numpy.ndarray
        The inputs, shape (..., K) for K strata (float64, broadcast together).
    strata_used, strata_skipped : numpy.ndarray of int
        How many strata contributed, and how many had no information and were skipped.
    """

    events: FloatArray
    exposure: FloatArray
    reference_events: FloatArray
    reference_exposure: FloatArray
    strata_used: IntArray
    strata_skipped: IntArray


class _Pooled(NamedTuple):
    """Pooled numerator R, denominator S, variance of log(R/S) and the informative strata."""

    numerator: FloatArray
    denominator: FloatArray
    log_variance: FloatArray
    informative: BoolArray


def _check_strata(*arrays: FloatArray) -> None:
    """Strata run along the last axis, so scalars are refused."""
    if arrays[0].ndim == 0:
        raise ShapeMismatchError(
            "Mantel-Haenszel inputs need strata along the last axis; got scalars. Pass arrays "
            "of shape (K,) for one table of K strata, or (..., K) for several tables."
        )


def _finish(
    pooled: _Pooled, level: float, extra: BoolArray | None = None
) -> tuple[Limits, IntArray, IntArray]:
    """Estimate R/S with limits exp(log(R/S) -/+ z sqrt(var)), notes and strata counts."""
    r, s = pooled.numerator, pooled.denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = r / s
    used = np.asarray(np.count_nonzero(pooled.informative, axis=-1), dtype=np.int64)
    skipped = np.asarray(pooled.informative.shape[-1] - used, dtype=np.int64)
    empty = (r == 0) & (s == 0)
    zero = (r == 0) & ~empty
    infinite = (s == 0) & ~empty
    estimate, lower, upper = log_interval(
        estimate,
        np.sqrt(pooled.log_variance),
        z_value(level),
        undefined=empty,
        zero=zero,
        infinite=infinite,
    )
    cases = [(empty, NO_STRATA_NOTE), (zero, ZERO_NOTE), (infinite, INFINITE_NOTE)]
    if extra is not None:
        cases.append((extra, EVENTS_WITHOUT_EXPOSURE_NOTE))
    note = select_notes(np.shape(estimate), cases)
    return Limits(estimate, lower, upper, note), used, skipped


def _count_ratio_result(
    pool: Callable[[FloatArray, FloatArray, FloatArray, FloatArray], _Pooled],
    method: str,
    counts: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike, npt.ArrayLike],
    confidence_level: float,
) -> MantelHaenszelResult:
    """The pooled risk or odds ratio of ``counts`` (events, total and the reference group's)."""
    level = check_confidence_level(confidence_level)
    a, n1, c, n0 = two_group_counts(*counts)
    _check_strata(a)
    limits, used, skipped = _finish(pool(a, n1, c, n0), level)
    return interval_result(
        MantelHaenszelResult,
        limits,
        method_array(np.shape(limits.estimate), method),
        level,
        events=a,
        total=n1,
        reference_events=c,
        reference_total=n0,
        strata_used=used,
        strata_skipped=skipped,
    )


def _pooled_risk_ratio(a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray) -> _Pooled:
    """Mantel-Haenszel risk ratio sums and the Greenland-Robins (1985) variance."""
    informative = (n1 > 0) & (n0 > 0) & (a + c > 0)
    n = np.where(informative, n1 + n0, 1.0)
    keep = informative.astype(np.float64)
    r = np.sum(keep * a * n0 / n, axis=-1)
    s = np.sum(keep * c * n1 / n, axis=-1)
    p = np.sum(keep * (n1 * n0 * (a + c) - a * c * n) / (n * n), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = p / (r * s)
    return _Pooled(r, s, variance, informative)


def _pooled_odds_ratio(a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray) -> _Pooled:
    """Mantel-Haenszel odds ratio sums and the Robins-Breslow-Greenland (1986) variance."""
    b, d = n1 - a, n0 - c
    informative = (n1 > 0) & (n0 > 0) & (a + c > 0) & (b + d > 0)
    n = np.where(informative, n1 + n0, 1.0)
    keep = informative.astype(np.float64)
    r_k = keep * a * d / n
    s_k = keep * b * c / n
    p_k = (a + d) / n
    q_k = (b + c) / n
    r = np.sum(r_k, axis=-1)
    s = np.sum(s_k, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = (
            np.sum(p_k * r_k, axis=-1) / (2.0 * r * r)
            + np.sum(p_k * s_k + q_k * r_k, axis=-1) / (2.0 * r * s)
            + np.sum(q_k * s_k, axis=-1) / (2.0 * s * s)
        )
    return _Pooled(r, s, variance, informative)


def _pooled_rate_ratio(a: FloatArray, t1: FloatArray, c: FloatArray, t0: FloatArray) -> _Pooled:
    """Mantel-Haenszel rate ratio sums and the Greenland-Robins (1985) person-time variance."""
    informative = (t1 > 0) & (t0 > 0) & (a + c > 0)
    # The shares T1k/T_k and T0k/T_k, written so that neither T_k nor T1k T0k can overflow.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        share1 = np.where(informative, 1.0 / (1.0 + t0 / t1), 0.0)
        share0 = np.where(informative, 1.0 / (1.0 + t1 / t0), 0.0)
    r = np.sum(a * share0, axis=-1)
    s = np.sum(c * share1, axis=-1)
    p = np.sum((a + c) * share1 * share0, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = p / (r * s)
    return _Pooled(r, s, variance, informative)


def mantel_haenszel_risk_ratio(
    events: npt.ArrayLike,
    total: npt.ArrayLike,
    reference_events: npt.ArrayLike,
    reference_total: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
) -> MantelHaenszelResult:
    """Mantel-Haenszel pooled risk ratio over strata, with the Greenland-Robins interval.

    Each input has shape (..., K): K strata (e.g. wards, or age-sex bands) along the last
    axis. The result pools the strata into one risk ratio per table, shape (...), adjusting
    for the stratifying variable (Mantel and Haenszel 1959; Greenland and Robins 1985).

    Parameters
    ----------
    events, total : array-like of whole numbers >= 0, shape (..., K)
        People with the outcome and people in the group, per stratum.
    reference_events, reference_total : array-like, shape (..., K)
        The same for the reference group. All four broadcast together.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.

    Returns
    -------
    MantelHaenszelResult
        ``estimate``, ``lower``, ``upper``, ``method``, ``note``, ``strata_used`` and
        ``strata_skipped`` of shape (...), the level, and the inputs.

    Raises
    ------
    InvalidArgumentError
        Negative, fractional or non-finite counts; events above their total; a confidence
        level outside (0, 1).
    ShapeMismatchError
        The inputs cannot be broadcast together, or are scalars (no strata axis).
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    In stratum k, a_k of n1k in the group and c_k of n0k in the reference group,
    N_k = n1k + n0k, and z the standard normal quantile at 1 - alpha/2:

    - RR_MH = R / S, R = sum a_k n0k / N_k, S = sum c_k n1k / N_k.
    - Var(log RR_MH) = sum (n1k n0k (a_k + c_k) - a_k c_k N_k) / N_k^2 / (R S)
      (Greenland and Robins 1985); limits RR_MH exp(-/+ z sqrt(Var)).

    A stratum has no information, and is skipped and counted in ``strata_skipped``, when
    n1k = 0 or n0k = 0 (a group is absent) or a_k + c_k = 0 (no events in the stratum): such
    a stratum adds 0 to R, to S and to the variance sum, so skipping it changes nothing else.
    R = S = 0 (no informative stratum, or no strata) gives NaN with a note. R = 0 < S gives
    estimate 0, lower 0 and an undefined (NaN) upper limit with a note; S = 0 < R gives an
    infinite estimate and upper limit and a NaN lower limit with a note. With one stratum
    the result equals the crude Katz risk ratio and interval.

    References: Mantel N, Haenszel W (1959) J Natl Cancer Inst 22:719-748. Greenland S,
    Robins JM (1985) Estimation of a common effect parameter from sparse follow-up data.
    Biometrics 41:55-68. Rothman KJ, Greenland S, Lash TL (2008) Modern Epidemiology, 3rd ed.,
    chapter 15.

    Checked against: ``statsmodels.stats.contingency_tables.StratifiedTable.riskratio_pooled``
    (the estimate); the Greenland-Robins variance evaluated by hand; the crude Katz interval
    for one stratum.

    Examples
    --------
    >>> from equitymetrics.stats import mantel_haenszel_risk_ratio
    >>> result = mantel_haenszel_risk_ratio([8, 22], [106, 98], [5, 16], [120, 85])
    >>> print(f"{result.estimate:.4f} ({result.lower:.4f} to {result.upper:.4f})")
    1.3256 (0.7979 to 2.2021)
    >>> print(result.strata_used, result.strata_skipped)
    2 0
    """
    counts = (events, total, reference_events, reference_total)
    method = "mantel-haenszel-greenland-robins"
    return _count_ratio_result(_pooled_risk_ratio, method, counts, confidence_level)


def mantel_haenszel_odds_ratio(
    events: npt.ArrayLike,
    total: npt.ArrayLike,
    reference_events: npt.ArrayLike,
    reference_total: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
) -> MantelHaenszelResult:
    """Mantel-Haenszel pooled odds ratio over strata, with the Robins-Breslow-Greenland interval.

    Each input has shape (..., K): K strata along the last axis. The result pools the strata
    into one odds ratio per table, shape (...) (Mantel and Haenszel 1959), with the variance
    of Robins, Breslow and Greenland (1986), valid both for a few large strata and for many
    sparse ones.

    Parameters
    ----------
    events, total : array-like of whole numbers >= 0, shape (..., K)
        People with the outcome and people in the group, per stratum.
    reference_events, reference_total : array-like, shape (..., K)
        The same for the reference group. All four broadcast together.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.

    Returns
    -------
    MantelHaenszelResult
        ``estimate``, ``lower``, ``upper``, ``method``, ``note``, ``strata_used`` and
        ``strata_skipped`` of shape (...), the level, and the inputs.

    Raises
    ------
    InvalidArgumentError
        Negative, fractional or non-finite counts; events above their total; a confidence
        level outside (0, 1).
    ShapeMismatchError
        The inputs cannot be broadcast together, or are scalars (no strata axis).
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    In stratum k, cells a_k, b_k = n1k - a_k, c_k, d_k = n0k - c_k, N_k = n1k + n0k,
    R_k = a_k d_k / N_k, S_k = b_k c_k / N_k, P_k = (a_k + d_k)/N_k, Q_k = (b_k + c_k)/N_k:

    - OR_MH = R / S with R = sum R_k, S = sum S_k.
    - Var(log OR_MH) = sum P_k R_k / (2 R^2) + sum (P_k S_k + Q_k R_k) / (2 R S)
      + sum Q_k S_k / (2 S^2) (Robins, Breslow and Greenland 1986).

    A stratum has no information, and is skipped and counted in ``strata_skipped``, when a
    group is absent (n1k = 0 or n0k = 0), when it has no events (a_k + c_k = 0), or when it
    has no non-events (b_k + d_k = 0): then R_k = S_k = 0 and it adds nothing to any sum.
    R = S = 0 gives NaN with a note; R = 0 < S gives estimate 0, lower 0, NaN upper with a
    note; S = 0 < R gives an infinite estimate and upper limit and a NaN lower limit with a
    note. With one stratum the result equals the crude Woolf odds ratio and interval.

    References: Mantel N, Haenszel W (1959) J Natl Cancer Inst 22:719-748. Robins J, Breslow N,
    Greenland S (1986) Estimators of the Mantel-Haenszel variance consistent in both sparse
    data and large-strata limiting models. Biometrics 42:311-323.

    Checked against: ``statsmodels.stats.contingency_tables.StratifiedTable``
    (``oddsratio_pooled``, ``logodds_pooled_se``, ``logodds_pooled_confint``); the formulas
    evaluated by hand; the crude Woolf interval for one stratum.

    Examples
    --------
    >>> from equitymetrics.stats import mantel_haenszel_odds_ratio
    >>> result = mantel_haenszel_odds_ratio([8, 22], [106, 98], [5, 16], [120, 85])
    >>> print(f"{result.estimate:.4f} ({result.lower:.4f} to {result.upper:.4f})")
    1.4031 (0.7625 to 2.5820)
    """
    counts = (events, total, reference_events, reference_total)
    method = "mantel-haenszel-robins-breslow-greenland"
    return _count_ratio_result(_pooled_odds_ratio, method, counts, confidence_level)


def mantel_haenszel_rate_ratio(
    events: npt.ArrayLike,
    exposure: npt.ArrayLike,
    reference_events: npt.ArrayLike,
    reference_exposure: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
) -> MantelHaenszelRateRatioResult:
    """Mantel-Haenszel pooled rate ratio over strata, with the Greenland-Robins interval.

    For person-time data: events and exposure (person-time, bed days or population) per
    stratum. Each input has shape (..., K), K strata along the last axis; the result has one
    pooled rate ratio per table, shape (...).

    Parameters
    ----------
    events : array-like of whole numbers >= 0, shape (..., K)
        Events in the group, per stratum.
    exposure : array-like of numbers >= 0, shape (..., K)
        Person-time or population of the group, per stratum (may be fractional).
    reference_events, reference_exposure : array-like, shape (..., K)
        The same for the reference group. All four broadcast together.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.

    Returns
    -------
    MantelHaenszelRateRatioResult
        ``estimate``, ``lower``, ``upper``, ``method``, ``note``, ``strata_used`` and
        ``strata_skipped`` of shape (...), the level, and the inputs.

    Raises
    ------
    InvalidArgumentError
        Negative or non-finite values, fractional event counts, a confidence level outside
        (0, 1).
    ShapeMismatchError
        The inputs cannot be broadcast together, or are scalars (no strata axis).
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    In stratum k, a_k events over T1k in the group, c_k over T0k in the reference group,
    T_k = T1k + T0k:

    - IRR_MH = R / S, R = sum a_k T0k / T_k, S = sum c_k T1k / T_k.
    - Var(log IRR_MH) = sum (a_k + c_k) T1k T0k / T_k^2 / (R S) (Greenland and Robins 1985);
      limits IRR_MH exp(-/+ z sqrt(Var)).

    A stratum has no information, and is skipped and counted in ``strata_skipped``, when
    T1k = 0 or T0k = 0 (a group has no exposure) or a_k + c_k = 0 (no events). Events in a
    stratum where their group has zero exposure cannot be compared with anything and are left
    out; the note says so (check the exposure). R = S = 0 gives NaN with a note; R = 0 < S
    gives estimate 0, lower 0, NaN upper with a note; S = 0 < R gives an infinite estimate and
    upper limit and a NaN lower limit with a note. With one stratum the result equals the
    crude log-method rate ratio and interval.

    References: Rothman KJ, Boice JD (1979) Epidemiologic Analysis with a Programmable
    Calculator (the estimator). Greenland S, Robins JM (1985) Estimation of a common effect
    parameter from sparse follow-up data. Biometrics 41:55-68. Rothman KJ, Greenland S,
    Lash TL (2008) Modern Epidemiology, 3rd ed., chapter 15.

    Checked against: the formulas evaluated by hand; the crude log-method interval (and
    ``statsmodels.stats.rates.confint_poisson_2indep(method="wald-log")``) for one stratum.

    Examples
    --------
    >>> from equitymetrics.stats import mantel_haenszel_rate_ratio
    >>> result = mantel_haenszel_rate_ratio(
    ...     [32, 104, 206, 186, 102], [52407, 43248, 28612, 12663, 5317],
    ...     [2, 12, 28, 28, 31], [18790, 10673, 5710, 2585, 1462],
    ... )
    >>> print(f"{result.estimate:.4f} ({result.lower:.4f} to {result.upper:.4f})")
    1.4247 (1.1547 to 1.7578)
    """
    level = check_confidence_level(confidence_level)
    a, t1, c, t0 = person_time_inputs(events, exposure, reference_events, reference_exposure)
    _check_strata(a)
    pooled = _pooled_rate_ratio(a, t1, c, t0)
    unmatched = (((t1 == 0) & (a > 0)) | ((t0 == 0) & (c > 0))).any(axis=-1)
    with np.errstate(over="ignore"):
        finished, used, skipped = _finish(pooled, level, unmatched)
        limits = Limits(*mark_out_of_range(*finished))
    return interval_result(
        MantelHaenszelRateRatioResult,
        limits,
        method_array(np.shape(limits.estimate), "mantel-haenszel-greenland-robins"),
        level,
        events=a,
        exposure=t1,
        reference_events=c,
        reference_exposure=t0,
        strata_used=used,
        strata_skipped=skipped,
    )
