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

__all__ = ["IntervalResult", "notes_array"]


def notes_array(shape: tuple[int, ...]) -> StrArray:
    """An array of empty notes (no reason to report) of ``shape``; fill it with reasons."""
    return np.full(shape, "", dtype=object).astype(np.str_)


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
