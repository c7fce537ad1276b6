"""Pieces shared by the two-group comparisons: result type, checks, notes, log limits, dispatch.

The public functions live next to their methods: :mod:`~equitymetrics.stats._risk_ratio`,
:mod:`~equitymetrics.stats._odds_ratio`, :mod:`~equitymetrics.stats._rate_ratio`,
:mod:`~equitymetrics.stats._differences` and :mod:`~equitymetrics.stats._mantel_haenszel`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.stats._results import IntervalResult
from equitymetrics.stats._validation import (
    FloatArray,
    StrArray,
    as_counts,
    as_nonnegative,
    broadcast_arrays,
    check_confidence_level,
    check_not_greater,
    check_same_index,
    method_array,
    resolve_method,
)

__all__ = [
    "BoolArray",
    "Limits",
    "RatioResult",
    "TwoGroupMethod",
    "check_continuity_correction",
    "compare_counts",
    "correction_note",
    "interval_result",
    "log_interval",
    "log_limits",
    "person_time_inputs",
    "ratio_arguments",
    "select_notes",
    "two_group_counts",
    "undefined_tables",
]

BoolArray = npt.NDArray[np.bool_]
ResultT = TypeVar("ResultT", bound=IntervalResult)


class Limits(NamedTuple):
    """What one method computes: estimate, limits and a note per element."""

    estimate: FloatArray
    lower: FloatArray
    upper: FloatArray
    note: StrArray


TwoGroupMethod = Callable[[FloatArray, FloatArray, FloatArray, FloatArray, float, float], Limits]
"""One method of a ratio: (events, total or exposure, reference_events, reference total or
exposure, confidence level, continuity correction) -> :class:`Limits`."""


@dataclass(frozen=True, slots=True)
class RatioResult(IntervalResult):
    """A ratio of two groups' risks or odds (group / reference) with its confidence interval.

    Attributes
    ----------
    events, total : numpy.ndarray
        The group's counts (float64, broadcast to the common shape).
    reference_events, reference_total : numpy.ndarray
        The reference group's counts (float64, broadcast to the common shape).
    """

    events: FloatArray
    total: FloatArray
    reference_events: FloatArray
    reference_total: FloatArray


def two_group_counts(
    events: Any, total: Any, reference_events: Any, reference_total: Any
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validate and broadcast ``events`` of ``total`` and the reference group's counts."""
    check_same_index(
        events=events,
        total=total,
        reference_events=reference_events,
        reference_total=reference_total,
    )
    a, n1, c, n0 = broadcast_arrays(
        events=as_counts("events", events),
        total=as_counts("total", total),
        reference_events=as_counts("reference_events", reference_events),
        reference_total=as_counts("reference_total", reference_total),
    )
    check_not_greater("events", a, "total", n1)
    check_not_greater("reference_events", c, "reference_total", n0)
    return a, n1, c, n0


def person_time_inputs(
    events: Any, exposure: Any, reference_events: Any, reference_exposure: Any
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validate and broadcast event counts and (possibly fractional) exposures of two groups."""
    check_same_index(
        events=events,
        exposure=exposure,
        reference_events=reference_events,
        reference_exposure=reference_exposure,
    )
    a, t1, c, t0 = broadcast_arrays(
        events=as_counts("events", events),
        exposure=as_nonnegative("exposure", exposure),
        reference_events=as_counts("reference_events", reference_events),
        reference_exposure=as_nonnegative("reference_exposure", reference_exposure),
    )
    return a, t1, c, t0


def check_continuity_correction(value: Any, method: str, allowed: Collection[str]) -> float:
    """Return ``continuity_correction`` as a float >= 0, refusing it for methods without one."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidTypeError(
            f"continuity_correction must be a number >= 0 (e.g. 0.5); got {value!r}."
        )
    correction = float(value)
    if not (math.isfinite(correction) and correction >= 0.0):
        raise InvalidArgumentError(
            f"continuity_correction must be a finite number >= 0 (0 means none, 0.5 is "
            f"usual); got {value!r}."
        )
    if correction > 0.0 and method not in allowed:
        names = ", ".join(repr(name) for name in sorted(allowed))
        raise InvalidArgumentError(
            f"continuity_correction applies only to method={names}; method={method!r} handles "
            f"zero cells itself. Remove continuity_correction or change the method."
        )
    return correction


def correction_note(correction: float) -> str:
    """The note for a table to which the caller's continuity correction was applied."""
    return f"continuity correction {correction:g} added to every cell (table had a zero cell)"


def select_notes(shape: tuple[int, ...], cases: Sequence[tuple[BoolArray, str]]) -> StrArray:
    """One note per element: the text of the first case whose mask is true, else ``""``.

    The notes are an object array (like :func:`~equitymetrics.stats._results.notes_array`), so
    every element refers to one shared string and long reasons cost nothing per element.
    """
    code = np.zeros(shape, dtype=np.intp)
    for index in range(len(cases), 0, -1):
        mask, _ = cases[index - 1]
        code[np.broadcast_to(mask, shape)] = index
    texts = np.array(["", *(text for _, text in cases)], dtype=object)
    return np.asarray(texts[code], dtype=object)


def log_limits(
    estimate: FloatArray, log_standard_error: FloatArray, z: float
) -> tuple[FloatArray, FloatArray]:
    """Limits ``estimate x exp(-/+ z se)`` of an interval symmetric on the log scale."""
    with np.errstate(invalid="ignore", over="ignore"):
        spread = np.exp(z * log_standard_error)
        lower = estimate / spread
        upper = estimate * spread
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def log_interval(
    estimate: FloatArray,
    log_standard_error: FloatArray,
    z: float,
    *,
    undefined: BoolArray,
    zero: BoolArray,
    infinite: BoolArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Estimate and limits ``estimate x exp(-/+ z se)``, with the cases the log scale cannot hold.

    Where ``undefined`` (0/0) all three are NaN; where ``zero`` (estimate 0) the lower limit is
    0 and the upper limit NaN; where ``infinite`` (estimate infinite) the upper limit is
    infinite and the lower limit NaN.
    """
    lower, upper = log_limits(estimate, log_standard_error, z)
    return (
        np.where(undefined, np.nan, estimate),
        np.where(undefined | infinite, np.nan, np.where(zero, 0.0, lower)),
        np.where(undefined | zero, np.nan, np.where(infinite, np.inf, upper)),
    )


def undefined_tables(
    events: FloatArray, total: FloatArray, reference_events: FloatArray, reference_total: FloatArray
) -> tuple[BoolArray, BoolArray]:
    """Masks of the tables with an empty group (total or exposure 0) and of those with no events.

    The second mask leaves out the tables of the first, so that each table has one reason.
    """
    empty = (total == 0) | (reference_total == 0)
    no_events = (events == 0) & (reference_events == 0) & ~empty
    return empty, no_events


def ratio_arguments(
    methods: Mapping[str, TwoGroupMethod],
    correctable: Collection[str],
    *,
    method: Any,
    confidence_level: Any,
    continuity_correction: Any,
) -> tuple[TwoGroupMethod, float, float]:
    """Check the options of a ratio in order: the method, the level, then the correction.

    Returns the method's function, the confidence level and the continuity correction.
    """
    compute = resolve_method(method, methods)
    level = check_confidence_level(confidence_level)
    correction = check_continuity_correction(continuity_correction, str(method), correctable)
    return compute, level, correction


def interval_result(
    kind: type[ResultT], limits: Limits, method: StrArray, level: float, **inputs: Any
) -> ResultT:
    """A result of type ``kind``: ``limits`` as float64 arrays, the methods, level and inputs."""
    return kind(
        estimate=np.asarray(limits.estimate, dtype=np.float64),
        lower=np.asarray(limits.lower, dtype=np.float64),
        upper=np.asarray(limits.upper, dtype=np.float64),
        method=method,
        note=limits.note,
        confidence_level=level,
        **inputs,
    )


def compare_counts(
    methods: Mapping[str, TwoGroupMethod],
    correctable: Collection[str],
    events: Any,
    total: Any,
    reference_events: Any,
    reference_total: Any,
    *,
    method: Any,
    confidence_level: Any,
    continuity_correction: Any,
) -> RatioResult:
    """A ratio of two groups' counts (risk or odds ratio) by one of ``methods``.

    The options are checked first (:func:`ratio_arguments`), then the counts
    (:func:`two_group_counts`); the chosen method computes the estimate and limits.
    """
    compute, level, correction = ratio_arguments(
        methods,
        correctable,
        method=method,
        confidence_level=confidence_level,
        continuity_correction=continuity_correction,
    )
    a, n1, c, n0 = two_group_counts(events, total, reference_events, reference_total)
    return interval_result(
        RatioResult,
        compute(a, n1, c, n0, level, correction),
        method_array(a.shape, str(method)),
        level,
        events=a,
        total=n1,
        reference_events=c,
        reference_total=n0,
    )
