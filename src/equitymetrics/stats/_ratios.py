"""Pieces shared by the two-group comparisons: the result type, input checks, notes, log limits.

The public functions live next to their methods: :mod:`~equitymetrics.stats._risk_ratio`,
:mod:`~equitymetrics.stats._odds_ratio`, :mod:`~equitymetrics.stats._rate_ratio`,
:mod:`~equitymetrics.stats._differences` and :mod:`~equitymetrics.stats._mantel_haenszel`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

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
    check_not_greater,
)

__all__ = [
    "BoolArray",
    "Limits",
    "RatioResult",
    "check_continuity_correction",
    "correction_note",
    "log_limits",
    "person_time_inputs",
    "select_notes",
    "two_group_counts",
]

BoolArray = npt.NDArray[np.bool_]


class Limits(NamedTuple):
    """What one method computes: estimate, limits and a note per element."""

    estimate: FloatArray
    lower: FloatArray
    upper: FloatArray
    note: StrArray


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
