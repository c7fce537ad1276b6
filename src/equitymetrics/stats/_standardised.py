"""Directly standardised rates and indirectly standardised ratios."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, ShapeMismatchError
from equitymetrics.stats._kernels import poisson_limits
from equitymetrics.stats._results import IntervalResult, mark_out_of_range, notes_array
from equitymetrics.stats._standards import StandardPopulation
from equitymetrics.stats._validation import (
    FloatArray,
    StrArray,
    as_counts,
    as_nonnegative,
    check_confidence_level,
    check_multiplier,
    check_not_greater,
    check_same_index,
    resolve_method,
    z_value,
)

__all__ = [
    "StandardisedRateMethod",
    "StandardisedRateResult",
    "StandardisedRatioResult",
    "directly_standardised_rate",
    "indirectly_standardised_ratio",
]

StandardisedRateMethod = Literal["dobson", "normal_national"]

DOBSON_MINIMUM_EVENTS = 10
"""Dobson limits (and the rate) are not calculated when a group has fewer events than this."""

NOT_CALCULATED_NOTE = "not calculated: fewer than 10 events"
NEGATIVE_LOWER_NOTE = "lower limit below zero: the approximation is poor for these counts"

_Limits = tuple[FloatArray, FloatArray, FloatArray, StrArray]
_StandardisedFunction = Callable[
    [FloatArray, FloatArray, FloatArray, float, tuple[int, ...]], _Limits
]


@dataclass(frozen=True, slots=True)
class StandardisedRateResult(IntervalResult):
    """Directly standardised rates, one element per group.

    Attributes
    ----------
    events, population : numpy.ndarray
        The inputs, shape (groups, strata).
    standard : numpy.ndarray
        The standard population weights, shape (strata,).
    total_events, total_population : numpy.ndarray
        Events and population summed over strata, shape (groups,).
    multiplier : float
        The rate is per ``multiplier`` people (100,000 by default).
    omit_variance_strata : tuple of int
        Strata left out of the variance (``method="normal_national"`` only); empty if none.
    """

    events: FloatArray
    population: FloatArray
    standard: FloatArray
    total_events: FloatArray
    total_population: FloatArray
    multiplier: float
    omit_variance_strata: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StandardisedRatioResult(IntervalResult):
    """Indirectly standardised ratios (observed / expected), with optional standardised rates.

    Attributes
    ----------
    observed, expected : numpy.ndarray
        Observed events and expected events E = sum_k n_k r_k (shape of ``observed``).
    population : numpy.ndarray
        The input population, shape ``observed.shape + (strata,)``.
    reference_rates : numpy.ndarray
        Reference (standard) rates per person, shape (strata,).
    multiplier : float
        Scale of the ratio (1, or 100 for a ratio expressed as 100 = as expected).
    rate, rate_lower, rate_upper : numpy.ndarray
        The indirectly standardised rate (O/E) x ``reference_overall_rate`` and its limits, in
        the units of ``reference_overall_rate`` (not scaled by ``multiplier``); NaN when no
        ``reference_overall_rate`` was given.
    reference_overall_rate : float
        The reference population's crude rate, or NaN when not given.
    """

    observed: FloatArray
    expected: FloatArray
    population: FloatArray
    reference_rates: FloatArray
    multiplier: float
    rate: FloatArray
    rate_lower: FloatArray
    rate_upper: FloatArray
    reference_overall_rate: float


def _stratum_rates(events: FloatArray, population: FloatArray) -> FloatArray:
    """d/n per stratum, 0 where n = 0 (callers flag those strata separately)."""
    return np.divide(events, population, out=np.zeros_like(events), where=population > 0)


def _dobson(
    events: FloatArray,
    population: FloatArray,
    weights: FloatArray,
    z: float,
    omitted: tuple[int, ...],
) -> _Limits:
    """Dobson et al. (1991): limits of the weighted sum from Byar (or exact) limits for O."""
    if omitted:
        raise InvalidArgumentError(
            f"omit_variance_strata applies only to method='normal_national'; got {omitted!r} "
            "with method='dobson'. Remove it or choose method='normal_national'."
        )
    total_weight = weights.sum()
    rate = (_stratum_rates(events, population) * weights).sum(axis=1) / total_weight
    squared = np.divide(events, population**2, out=np.zeros_like(events), where=population > 0)
    variance = (weights**2 * squared).sum(axis=1) / total_weight**2
    observed = events.sum(axis=1)
    observed_lower, observed_upper, _ = poisson_limits(observed, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.sqrt(variance / observed)
    small = observed < DOBSON_MINIMUM_EVENTS
    lower = np.where(small, np.nan, rate + factor * (observed_lower - observed))
    upper = np.where(small, np.nan, rate + factor * (observed_upper - observed))
    note = np.where(small, NOT_CALCULATED_NOTE, notes_array(observed.shape))
    return np.where(small, np.nan, rate), lower, upper, np.asarray(note, dtype=np.str_)


def _normal_national(
    events: FloatArray,
    population: FloatArray,
    weights: FloatArray,
    z: float,
    omitted: tuple[int, ...],
) -> _Limits:
    """NHS England's national Mental Health Act method: normal limits, binomial variance."""
    try:  # strata with population 0 are flagged (NaN with a note) by the caller instead
        check_not_greater("events", np.where(population > 0, events, 0.0), "population", population)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(
            f"{error} method='normal_national' treats each stratum rate as a proportion; use "
            "method='dobson' for counts that can exceed the population."
        ) from None
    total_weight = weights.sum()
    rates = _stratum_rates(events, population)
    rate = (rates * weights).sum(axis=1) / total_weight
    terms = np.divide(
        weights**2 * rates * (1.0 - rates),
        population,
        out=np.zeros_like(rates),
        where=population > 0,
    )
    kept = np.ones(weights.shape, dtype=bool)
    kept[list(omitted)] = False
    half_width = z * np.sqrt(terms[:, kept].sum(axis=1) / total_weight**2)
    note = notes_array(rate.shape)
    return rate, rate - half_width, rate + half_width, note


_METHODS: dict[str, _StandardisedFunction] = {
    "dobson": _dobson,
    "normal_national": _normal_national,
}


def _omitted_strata(values: Iterable[Any] | None, strata: int) -> tuple[int, ...]:
    """Check ``omit_variance_strata``: distinct whole stratum indices in 0 .. strata - 1."""
    if values is None:
        return ()
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidTypeError(
            f"omit_variance_strata must be a sequence of stratum indices; got {values!r}."
        )
    indices: list[int] = []
    for position, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise InvalidTypeError(
                f"omit_variance_strata must hold whole stratum indices; got {value!r} at "
                f"position {position}."
            )
        if not 0 <= int(value) < strata:
            raise InvalidArgumentError(
                f"omit_variance_strata must hold stratum indices from 0 to {strata - 1}; got "
                f"{int(value)} at position {position}."
            )
        if int(value) in indices:
            raise InvalidArgumentError(
                f"omit_variance_strata must not repeat a stratum; {int(value)} appears twice."
            )
        indices.append(int(value))
    return tuple(sorted(indices))


def _population_notes(events: FloatArray, population: FloatArray, weights: FloatArray) -> StrArray:
    """Notes for groups whose rate is undefined because a needed stratum has no population."""
    empty = population == 0
    with_events = empty & (events > 0)
    with_weight = empty & (weights > 0)
    notes = [""] * events.shape[0]
    for group in np.flatnonzero((with_events | with_weight).any(axis=1)):
        if with_events[group].any():
            strata = np.flatnonzero(with_events[group]).tolist()
            text = (
                f"denominator is zero: population is 0 in strata {strata} which have events; "
                "the rate is undefined; check the population"
            )
        else:
            strata = np.flatnonzero(with_weight[group]).tolist()
            text = (
                f"denominator is zero: population is 0 in strata {strata} which have standard "
                "weight > 0; the rate is undefined; merge strata or check the population"
            )
        notes[group] = text
    return np.asarray(notes, dtype=np.str_).reshape(events.shape[:1])


def directly_standardised_rate(
    events: npt.ArrayLike,
    population: npt.ArrayLike,
    standard: npt.ArrayLike | StandardPopulation,
    *,
    method: StandardisedRateMethod = "dobson",
    multiplier: float = 100_000,
    confidence_level: float = 0.95,
    omit_variance_strata: Iterable[int] | None = None,
) -> StandardisedRateResult:
    """Directly standardised rate per group (Dobson et al. 1991 limits by default).

    The default, ``method="dobson"``, is the UK public-health method (Dobson, Kuulasmaa,
    Eberle and Scherer 1991): the limits of the weighted sum of stratum rates are derived from
    Byar's (or exact) Poisson limits for the total count. ``method="normal_national"``
    reproduces NHS England's national Mental Health Act statistics.

    Parameters
    ----------
    events : 2-D array-like of whole numbers >= 0, shape (groups, strata)
        Events per group and stratum. A single group must still be 2-D (e.g. ``[events]``):
        the result always has one element per row, so its shape never depends on guessing
        whether a 1-D input means one group or one stratum.
    population : 2-D array-like of numbers >= 0, shape (groups, strata)
        Population (or person-time) per group and stratum.
    standard : 1-D array-like of numbers >= 0, shape (strata,), or StandardPopulation
        Standard population weights (any scale, positive total), e.g.
        ``EUROPEAN_STANDARD_POPULATION_2013``.
    method : {"dobson", "normal_national"}, default "dobson"
    multiplier : float, default 100_000
        The rate is per this many people.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.
    omit_variance_strata : sequence of int, optional
        ``method="normal_national"`` only: stratum indices (0-based) left out of the variance
        sum, to reproduce the published code, which leaves out the 16-17 age band.

    Returns
    -------
    StandardisedRateResult
        Arrays of shape (groups,): ``estimate``, ``lower``, ``upper`` (per ``multiplier``),
        ``method``, ``note``, ``total_events``, ``total_population``; and the inputs.

    Raises
    ------
    ShapeMismatchError
        ``events`` or ``population`` is not 2-D, their shapes differ, or ``standard`` does not
        have one weight per stratum.
    InvalidArgumentError
        Invalid counts, populations or weights, a standard with zero total, an invalid
        ``omit_variance_strata`` (or one given with ``method="dobson"``), events above the
        population with ``method="normal_national"``, or an invalid level or multiplier.
    UnknownMethodError
        ``method`` is not one of the names above.

    Notes
    -----
    With d_k events and n_k population in stratum k, weights w_k, W = sum_k w_k,
    O = sum_k d_k, z the normal quantile at 1 - alpha/2:

    - Dobson: DSR = sum_k w_k d_k/n_k / W; var = sum_k w_k^2 d_k/n_k^2 / W^2;
      limits = DSR + sqrt(var/O)(lower(O) - O) and DSR + sqrt(var/O)(upper(O) - O), where
      lower(O) and upper(O) are Byar's limits for O (exact Poisson below 10). When O < 10 the
      rate and limits are NaN with the note ``"not calculated: fewer than 10 events"``. O
      counts every stratum's events.
    - normal_national: with r_k = d_k/n_k and N_k = w_k, DSR = sum_k r_k N_k / N;
      limits DSR -/+ z sqrt(sum_k N_k^2 r_k(1 - r_k)/n_k / N^2), the sum running over the
      strata not in ``omit_variance_strata``. NHS England's published code uses the whole
      England census population (all ethnic groups) as the standard, 12 strata (sex x age
      0-15, 16-17, 18-34, 35-49, 50-64, 65+), z = 1.96 and leaves the 16-17 band out of the
      variance (a quirk: pass its two indices to reproduce it). This function uses the exact
      quantile (1.959964 at 95%), so half-widths differ from z = 1.96 by 0.002%. Limits are
      symmetric and not truncated; no minimum count is applied.

    Degenerate cases (both methods): a group with population 0 in a stratum that has events,
    or in a stratum with standard weight > 0, has an undefined stratum rate and so an undefined
    DSR: NaN with a note naming the strata. Strata with weight 0, population 0 and no events are
    ignored. A lower limit below zero (possible with extreme weights) is reported as computed,
    with a note. The estimate and limits are multiplied by ``multiplier``.

    References: Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991) Stat Med 10:457-462;
    Breslow NE, Day NE (1987) Statistical Methods in Cancer Research, vol. II (Byar's method);
    NHS England, Mental Health Act Statistics, Annual Figures (methodology and code).

    Checked against: the UKHSA public-health methods test values (two ESP2013 examples per
    10,000 at 95% and 99.8%, and "not calculated" for 9 events); both formulas evaluated by
    hand stratum by stratum.

    Examples
    --------
    >>> from equitymetrics.stats import directly_standardised_rate
    >>> result = directly_standardised_rate(
    ...     [[10, 20, 30], [5, 10, 40]],
    ...     [[1000, 2000, 1500], [800, 1500, 2500]],
    ...     [0.3, 0.5, 0.2],
    ...     multiplier=1000,
    ... )
    >>> print(result.estimate.round(3), result.lower.round(3), result.upper.round(3))
    [12.     8.408] [8.994 5.776] [15.644 11.627]
    """
    compute = resolve_method(method, _METHODS)
    level = check_confidence_level(confidence_level)
    scale = check_multiplier(multiplier)
    check_same_index(events=events, population=population)
    d = as_counts("events", events)
    n = as_nonnegative("population", population)
    if isinstance(standard, StandardPopulation):
        standard = standard.weights
    w = as_nonnegative("standard", standard)
    if d.ndim != 2 or n.ndim != 2:
        raise ShapeMismatchError(
            f"events and population must be 2-D (groups x strata); got events {d.shape} and "
            f"population {n.shape}. For a single group pass [events] and [population]."
        )
    if d.shape != n.shape or w.shape != (d.shape[1],):
        raise ShapeMismatchError(
            f"events and population must have the same shape (groups, strata) and standard one "
            f"weight per stratum; got events {d.shape}, population {n.shape}, standard {w.shape}."
        )
    with np.errstate(over="ignore"):
        total_weight = w.sum()
    if not 0 < total_weight < np.inf:
        raise InvalidArgumentError(
            f"standard must have a positive total within the float range; got weights "
            f"{w.tolist()!r}. Rescale the weights (for example to proportions)."
        )
    omitted = _omitted_strata(omit_variance_strata, d.shape[1])

    population_note = _population_notes(d, n, w)
    undefined = population_note != ""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        rate, lower, upper, note = compute(d, n, w, z_value(level), omitted)
        note = np.where(undefined, population_note, note)
        rate, lower, upper = (np.where(undefined, np.nan, a) * scale for a in (rate, lower, upper))
        rate, lower, upper, note = mark_out_of_range(rate, lower, upper, note)
    note = np.where((note == "") & (lower < 0), NEGATIVE_LOWER_NOTE, note)
    return StandardisedRateResult(
        estimate=np.asarray(rate, dtype=np.float64),
        lower=np.asarray(lower, dtype=np.float64),
        upper=np.asarray(upper, dtype=np.float64),
        method=np.full(rate.shape, str(method)),
        note=np.asarray(note, dtype=np.str_),
        confidence_level=level,
        events=d,
        population=n,
        standard=w,
        total_events=d.sum(axis=1),
        total_population=n.sum(axis=1),
        multiplier=scale,
        omit_variance_strata=omitted,
    )


def _overall_rate(value: Any) -> float:
    """Check ``reference_overall_rate``: None (NaN) or a finite number >= 0."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidTypeError(f"reference_overall_rate must be a number; got {value!r}.")
    rate = float(value)
    if not (math.isfinite(rate) and rate >= 0):
        raise InvalidArgumentError(
            f"reference_overall_rate must be a finite number >= 0; got {value!r}."
        )
    return rate


def indirectly_standardised_ratio(
    observed: npt.ArrayLike,
    population: npt.ArrayLike,
    reference_rates: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
    multiplier: float = 1.0,
    reference_overall_rate: float | None = None,
) -> StandardisedRatioResult:
    """Indirectly standardised ratio O/E (e.g. a standardised admission ratio), Byar limits.

    Indirect standardisation (Breslow and Day 1987): the expected count E applies reference
    rates to the group's population in each stratum, and the limits are Byar's limits for O
    (exact Poisson below 10 events) divided by E.

    Parameters
    ----------
    observed : array-like of whole numbers >= 0
        Observed events per group (a scalar for one group).
    population : array-like of numbers >= 0, shape ``observed.shape + (strata,)``
        Population (or person-time) per group and stratum, strata on the last axis.
    reference_rates : 1-D array-like of numbers >= 0, shape (strata,)
        Reference rates per person (per unit of ``population``), not per 100,000.
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.
    multiplier : float, default 1.0
        Scale of the ratio and limits (100 gives the usual "100 = as expected" form).
    reference_overall_rate : float, optional
        The reference population's crude rate, in any unit. When given, the result's ``rate``,
        ``rate_lower`` and ``rate_upper`` hold the indirectly standardised rate
        (O/E) x ``reference_overall_rate`` and its limits (not scaled by ``multiplier``);
        otherwise they are NaN.

    Returns
    -------
    StandardisedRatioResult
        ``estimate``, ``lower``, ``upper`` (times ``multiplier``), ``method`` per element
        (``"byar"`` or ``"exact"``), ``note``, ``expected``, the optional rate fields, and the
        inputs. Arrays have the shape of ``observed`` (0-d for a scalar).

    Raises
    ------
    ShapeMismatchError
        ``reference_rates`` is not 1-D, or ``population`` is not ``observed.shape + (strata,)``.
    InvalidArgumentError
        Invalid counts, populations or rates, or an invalid level, multiplier or
        ``reference_overall_rate``.

    Notes
    -----
    E = sum_k n_k r_k; ratio = O/E x multiplier; limits = lower(O)/E and upper(O)/E (times
    ``multiplier``), with Byar's limits for O >= 10 and exact Poisson limits below (see
    :func:`crude_rate`). O = 0 gives ratio 0 and lower 0. E = 0 gives NaN with a note
    starting ``"denominator is zero"``; with O > 0 the ratio is undefined rather than
    infinite (no ratio makes a positive count possible when nothing is expected), and the
    note asks the user to check the inputs.

    References: Breslow NE, Day NE (1987) Statistical Methods in Cancer Research, vol. II: The
    Design and Analysis of Cohort Studies, IARC (indirect standardisation; Byar's method);
    Garwood F (1936) Biometrika 28:437-442.

    Checked against: E and the ratio evaluated by hand; Byar limits by hand and the UKHSA
    Byar test values divided by E; exact limits from ``scipy.stats.chi2`` quantiles.

    Examples
    --------
    >>> from equitymetrics.stats import indirectly_standardised_ratio
    >>> result = indirectly_standardised_ratio(
    ...     [65, 4], [[20_000, 30_000], [5_000, 1_000]], [0.001, 0.002], multiplier=100
    ... )
    >>> print(result.expected, result.estimate.round(2), result.method)
    [80.  7.] [81.25 57.14] ['byar' 'exact']
    >>> print(result.lower.round(2), result.upper.round(2))
    [62.7  15.57] [103.56 146.31]
    """
    level = check_confidence_level(confidence_level)
    scale = check_multiplier(multiplier)
    overall = _overall_rate(reference_overall_rate)
    check_same_index(observed=observed, population=population)
    o = as_counts("observed", observed)
    n = as_nonnegative("population", population)
    r = as_nonnegative("reference_rates", reference_rates)
    if r.ndim != 1 or n.shape != o.shape + r.shape:
        raise ShapeMismatchError(
            f"reference_rates must be 1-D (one rate per stratum) and population must have shape "
            f"observed.shape + (strata,); got observed {o.shape}, population {n.shape}, "
            f"reference_rates {r.shape}."
        )
    with np.errstate(over="ignore"):
        expected = np.asarray((n * r).sum(axis=-1), dtype=np.float64)
    observed_lower, observed_upper, used = poisson_limits(o, z_value(level))

    empty = expected == 0
    note = np.where(
        empty,
        np.where(
            o > 0,
            "denominator is zero (expected events are 0) but observed > 0: the ratio is "
            "undefined; check the population and reference rates",
            "denominator is zero (expected events are 0)",
        ),
        notes_array(o.shape),
    )
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # an infinite E (population x rates beyond the float range) would give a ratio of 0
        unusable = empty | np.isinf(expected)
        ratio, lower, upper = (
            np.where(unusable, np.nan, a / expected) for a in (o, observed_lower, observed_upper)
        )
        estimate, scaled_lower, scaled_upper, note = mark_out_of_range(
            ratio * scale, lower * scale, upper * scale, note
        )
    out_of_range = np.isnan(estimate) & ~empty
    ratio, lower, upper = (np.where(out_of_range, np.nan, a) for a in (ratio, lower, upper))
    return StandardisedRatioResult(
        estimate=np.asarray(estimate, dtype=np.float64),
        lower=np.asarray(scaled_lower, dtype=np.float64),
        upper=np.asarray(scaled_upper, dtype=np.float64),
        method=np.asarray(used, dtype=np.str_),
        note=np.asarray(note, dtype=np.str_),
        confidence_level=level,
        observed=o,
        expected=expected,
        population=n,
        reference_rates=r,
        multiplier=scale,
        rate=np.asarray(ratio * overall, dtype=np.float64),
        rate_lower=np.asarray(lower * overall, dtype=np.float64),
        rate_upper=np.asarray(upper * overall, dtype=np.float64),
        reference_overall_rate=overall,
    )
