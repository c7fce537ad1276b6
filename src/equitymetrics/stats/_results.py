"""Result types shared by the statistics functions.

Every function in :mod:`equitymetrics.stats` returns a frozen, slotted dataclass derived from
:class:`IntervalResult`. The arrays have the broadcast shape of the inputs (a scalar input gives
0-d arrays), so the return type never depends on the input shape.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from equitymetrics.stats._validation import FloatArray, StrArray

__all__ = ["IntervalResult", "OUT_OF_RANGE_NOTE", "mark_out_of_range", "notes_array"]

OUT_OF_RANGE_NOTE = (
    "not calculated: the value is beyond the range of floating-point numbers; check the units "
    "of the exposure, population, weights, rates and multiplier"
)


def mark_out_of_range(
    estimate: FloatArray, lower: FloatArray, upper: FloatArray, note: StrArray
) -> tuple[FloatArray, FloatArray, FloatArray, StrArray]:
    """Set to NaN, with :data:`OUT_OF_RANGE_NOTE`, every element that overflowed.

    Valid, finite inputs can still overflow float64 (a count divided by an exposure of 1e-300,
    say). An element with an empty note (no documented zero-cell or undefined case applies)
    whose estimate or limits are not finite is such an overflow: its estimate and limits all
    become NaN, so that no half-computed value (such as a lower limit of exactly 0) is left.
    Call it inside ``np.errstate(over="ignore", ...)``, after the notes are complete.
    """
    text = np.asarray(note)
    finite = np.isfinite(estimate) & np.isfinite(lower) & np.isfinite(upper)
    bad = (text == "") & ~finite
    if not bad.any():
        return estimate, lower, upper, note
    marked = text.astype(object)
    marked[bad] = OUT_OF_RANGE_NOTE
    if text.dtype.kind == "U":
        marked = marked.astype(np.str_)
    return (
        np.where(bad, np.nan, estimate),
        np.where(bad, np.nan, lower),
        np.where(bad, np.nan, upper),
        marked,
    )


def notes_array(shape: tuple[int, ...]) -> StrArray:
    """An array of empty notes of ``shape`` (object dtype, so reasons of any length fit)."""
    return np.full(shape, "", dtype=object)


@dataclass(frozen=True, slots=True)
class IntervalResult:
    """An estimate with a confidence interval, element by element.

    Attributes
    ----------
    estimate, lower, upper : numpy.ndarray
        The point estimate and the confidence limits (float64). An estimate that cannot be
        computed is NaN, and ``note`` says why.
    method : numpy.ndarray of str
        The method actually used for each element (it can vary, e.g. Byar or exact Poisson).
    note : numpy.ndarray of str
        Empty where there is nothing to report; otherwise the reason a value is NaN or infinite,
        or a caution (e.g. a continuity correction that the caller asked for).
    confidence_level : float
        The two-sided confidence level, a fraction (0.95).
    """

    estimate: FloatArray
    lower: FloatArray
    upper: FloatArray
    method: StrArray
    note: StrArray
    confidence_level: float

    def to_frame(self) -> pd.DataFrame:
        """One row per element: the inputs, estimate, lower, upper, method, note and level.

        Array fields with the same shape as ``estimate`` become columns (flattened in C order);
        scalar fields are repeated; fields of other shapes (such as a standard population)
        are left out.
        """
        shape = np.shape(self.estimate)
        size = int(np.prod(shape)) if shape else 1
        columns: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                if value.shape == shape:
                    columns[field.name] = value.reshape(size)
            elif isinstance(value, int | float | str):
                columns[field.name] = [value] * size
        return pd.DataFrame(columns)
