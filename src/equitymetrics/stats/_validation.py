"""Input checks shared by every statistics function.

Each check raises an :class:`~equitymetrics.exceptions.EquityMetricsError` subclass whose message
names the argument, the rule, the offending value and where it is, and suggests a fix.
"""

from __future__ import annotations

import decimal
import math
import numbers
import sys
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[Any]
"""Text per element: numpy unicode for method names, object dtype for notes."""

F = TypeVar("F")

MAX_COUNT = 2**53
"""The largest count accepted: every whole number up to 2**53 is exact in float64."""

__all__ = [
    "FloatArray",
    "MAX_COUNT",
    "StrArray",
    "as_counts",
    "as_nonnegative",
    "broadcast_arrays",
    "check_confidence_level",
    "check_multiplier",
    "check_not_greater",
    "check_same_index",
    "method_array",
    "resolve_method",
    "z_value",
]


def _where(mask: npt.NDArray[np.bool_]) -> str:
    """Describe the first position where ``mask`` is true, e.g. ``'at index 3'``."""
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    count = int(mask.sum())
    more = f" (and {count - 1} more)" if count > 1 else ""
    return f"at {_position(index)}{more}"


def _position(index: tuple[int, ...]) -> str:
    """Describe one position, e.g. ``'index 3'`` or ``'the scalar input'``."""
    if len(index) == 0:
        return "the scalar input"
    return f"index {index[0]}" if len(index) == 1 else f"index {index}"


def _is_number(value: Any) -> bool:
    """True for a real number (int, float, numpy number, Fraction, Decimal), not a bool."""
    if isinstance(value, bool | np.bool_ | np.timedelta64):
        return False
    return isinstance(value, numbers.Real | decimal.Decimal)


def _object_as_float(name: str, array: npt.NDArray[Any]) -> FloatArray:
    """Convert an object array whose every element is a real number; name the first that is not."""
    for index, value in np.ndenumerate(array):
        if not _is_number(value):
            missing = value is None or value is pd.NA
            what = "a missing value" if missing else f"{value!r} ({type(value).__name__})"
            raise InvalidTypeError(
                f"{name} must be numbers; got {what} at {_position(index)}. "
                + (
                    "Remove or fill missing values before computing statistics."
                    if missing
                    else "Convert the column to a numeric type first."
                )
            )
    try:
        return np.asarray(array, dtype=np.float64)
    except OverflowError:  # a Python int or Decimal beyond the float range
        for index, value in np.ndenumerate(array):
            if abs(value) > sys.float_info.max:
                raise InvalidArgumentError(
                    f"{name} must be finite numbers; got a number too large for a float "
                    f"(about 10^{len(str(int(abs(value)))) - 1}) at {_position(index)}."
                ) from None
        raise


def _as_float_array(name: str, values: Any) -> FloatArray:
    """Convert an array-like of numbers to float64, refusing strings, booleans and other types.

    Object arrays (e.g. a pandas column of Python ints or Decimals) are accepted when every
    element is a real number; ragged nested sequences raise :class:`ShapeMismatchError`.
    """
    if isinstance(values, str | bytes):
        raise InvalidTypeError(f"{name} must be numbers; got the string {values!r}.")
    try:
        array = np.asarray(values)
    except ValueError:
        raise ShapeMismatchError(
            f"{name} must be a number or a rectangular array of numbers; got a ragged sequence "
            "(rows of different lengths)."
        ) from None
    kind = array.dtype.kind
    if kind == "O":
        return _object_as_float(name, array)
    if kind in "iuf" and isinstance(values, list | tuple):
        # numpy turns True in a list of numbers into 1: check the elements themselves
        return _object_as_float(name, np.asarray(values, dtype=object))
    if kind in "iuf":
        return np.asarray(array, dtype=np.float64)
    sample = f" (first value {array.ravel()[0]!r})" if array.size else ""
    if kind == "b":
        raise InvalidTypeError(
            f"{name} must be numbers, not True/False; got an array of dtype bool{sample}. "
            "Count the True values first (e.g. with sum)."
        )
    raise InvalidTypeError(
        f"{name} must be numbers; got an array of dtype {array.dtype}{sample}. "
        "Convert the column to a numeric type first."
    )


def as_nonnegative(name: str, values: Any) -> FloatArray:
    """Return ``values`` as float64, checking every element is finite and >= 0.

    Used for exposures, populations and weights, which may be fractional.
    """
    array = _as_float_array(name, values)
    bad = ~np.isfinite(array)
    if bad.any():
        value = array[bad].ravel()[0]
        raise InvalidArgumentError(
            f"{name} must be finite numbers >= 0; got {value} {_where(bad)}. "
            "Missing values must be removed or filled before computing statistics."
        )
    negative = array < 0
    if negative.any():
        value = array[negative].ravel()[0]
        raise InvalidArgumentError(f"{name} must be >= 0; got {value:g} {_where(negative)}.")
    return array


def as_counts(name: str, values: Any) -> FloatArray:
    """Return ``values`` as float64, checking every element is a whole number in [0, 2**53].

    Above ``MAX_COUNT`` = 2**53 a float64 cannot hold every whole number (2**53 + 1 rounds to
    2**53), so a count could not be checked or used exactly.
    """
    array = as_nonnegative(name, values)
    too_large = array > MAX_COUNT
    if too_large.any():
        value = array[too_large].ravel()[0]
        raise InvalidArgumentError(
            f"{name} must be at most 2**53 = {MAX_COUNT:,} (the largest count that float64 "
            f"holds exactly); got {value:g} {_where(too_large)}. Check the units of the counts."
        )
    fractional = array != np.floor(array)
    if fractional.any():
        value = array[fractional].ravel()[0]
        raise InvalidArgumentError(
            f"{name} must be whole numbers >= 0; got {value:g} {_where(fractional)}."
        )
    return array


def check_not_greater(small_name: str, small: FloatArray, big_name: str, big: FloatArray) -> None:
    """Raise unless ``small <= big`` element-wise (e.g. events <= total)."""
    bad = small > big
    if bad.any():
        s, b = np.broadcast_arrays(small, big)
        raise InvalidArgumentError(
            f"{small_name} must not exceed {big_name}; got {small_name}={s[bad].ravel()[0]:g} "
            f"and {big_name}={b[bad].ravel()[0]:g} {_where(bad)}."
        )


def check_same_index(**values: Any) -> None:
    """Refuse pandas Series (or DataFrames) whose indexes differ.

    The statistics functions work on positions, as numpy does: they never align by label. Two
    pandas arguments with different indexes (other labels, or the same labels in another
    order) would be paired position by position, silently mixing up groups, so they are
    refused. Arguments that are not pandas objects are not checked.
    """
    indexed = [(name, value.index) for name, value in values.items() if _has_index(value)]
    if not indexed:
        return
    first, first_index = indexed[0]
    for name, index in indexed[1:]:
        if first_index.equals(index):
            continue
        raise ShapeMismatchError(
            f"{first} and {name} are pandas objects with different indexes "
            f"({_index_text(first_index)} vs {_index_text(index)}); values are paired by "
            "position, not by label, so they would be mixed up. Align them first, e.g. "
            f"{name}.reindex({first}.index), or pass .to_numpy() if the order is right."
        )


def _has_index(value: Any) -> bool:
    return isinstance(value, pd.Series | pd.DataFrame)


def _index_text(index: pd.Index) -> str:
    labels = [repr(label) for label in index[:3]]
    more = ", ..." if len(index) > 3 else ""
    return f"[{', '.join(labels)}{more}] of length {len(index)}"


def broadcast_arrays(**arrays: FloatArray) -> tuple[FloatArray, ...]:
    """Broadcast the keyword arrays together, naming them and their shapes on failure."""
    try:
        result = np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ShapeMismatchError(
            f"array arguments must have the same shape or be broadcastable; got {shapes}."
        ) from None
    return tuple(np.array(a, dtype=np.float64) for a in result)


def check_confidence_level(confidence_level: Any, *, argument: str = "confidence_level") -> float:
    """Return ``confidence_level`` as a float strictly between 0 and 1.

    ``argument`` is the name used in messages (e.g. ``"levels"`` for a sequence of levels).
    """
    if isinstance(confidence_level, bool) or not isinstance(
        confidence_level, int | float | np.integer | np.floating
    ):
        raise InvalidTypeError(
            f"{argument} must be a number between 0 and 1; got {confidence_level!r}."
        )
    level = float(confidence_level)
    if not (0.0 < level < 1.0) or math.isnan(level):
        hint = f" Did you mean {level / 100:g}?" if 1.0 < level < 100.0 else ""
        raise InvalidArgumentError(
            f"{argument} must be a fraction strictly between 0 and 1 (e.g. 0.95); "
            f"got {confidence_level!r}.{hint}"
        )
    return level


def z_value(confidence_level: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95, 3.090232 for 0.998.

    Computed as -Phi^-1(alpha/2) rather than Phi^-1(1 - alpha/2): the tail probability alpha/2
    keeps full precision, so a level such as 1 - 1e-16 gives z = 8.29 rather than infinity.
    """
    return float(-special.ndtri((1.0 - confidence_level) / 2.0))


def check_multiplier(multiplier: Any) -> float:
    """Return ``multiplier`` as a finite float > 0."""
    if isinstance(multiplier, bool) or not isinstance(
        multiplier, int | float | np.integer | np.floating
    ):
        raise InvalidTypeError(f"multiplier must be a positive number; got {multiplier!r}.")
    value = float(multiplier)
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgumentError(f"multiplier must be a finite number > 0; got {multiplier!r}.")
    return value


def resolve_method(method: Any, methods: Mapping[str, F], *, argument: str = "method") -> F:
    """Look ``method`` up in ``methods``; an unknown name lists the valid ones."""
    if not isinstance(method, str):
        raise InvalidTypeError(f"{argument} must be a string; got {method!r}.")
    try:
        return methods[method]
    except KeyError:
        valid = ", ".join(repr(m) for m in sorted(methods))
        raise UnknownMethodError(
            f"{argument}={method!r} is not available; choose one of {valid}."
        ) from None


def method_array(shape: tuple[int, ...], name: str) -> StrArray:
    """An array of ``shape`` filled with the method name (a per-element method column)."""
    return np.full(shape, name, dtype=f"<U{max(len(name), 1)}")
