"""Input checks shared by every statistics function.

Each check raises an :class:`~equitymetrics.exceptions.EquityMetricsError` subclass whose message
names the argument, the rule, the offending value and where it is, and suggests a fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import special

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]

F = TypeVar("F")

__all__ = [
    "FloatArray",
    "StrArray",
    "as_counts",
    "as_nonnegative",
    "broadcast_arrays",
    "check_confidence_level",
    "check_multiplier",
    "check_not_greater",
    "method_array",
    "resolve_method",
    "z_value",
]


def _where(mask: npt.NDArray[np.bool_]) -> str:
    """Describe the first position where ``mask`` is true, e.g. ``'at index 3'``."""
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    count = int(mask.sum())
    position = f"index {index[0]}" if len(index) == 1 else f"index {index}"
    if len(index) == 0:
        position = "the scalar input"
    more = f" (and {count - 1} more)" if count > 1 else ""
    return f"at {position}{more}"


def _as_float_array(name: str, values: Any) -> FloatArray:
    """Convert an array-like of numbers to float64, refusing strings, objects and booleans."""
    if isinstance(values, str | bytes):
        raise InvalidTypeError(f"{name} must be numbers; got the string {values!r}.")
    array = np.asarray(values)
    if array.dtype.kind in "OUSV" or array.dtype.kind == "b":
        try:
            converted = np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            sample = array.ravel()[0] if array.size else None
            raise InvalidTypeError(
                f"{name} must be numbers; got an array of dtype {array.dtype} "
                f"(first value {sample!r}). Convert the column to a numeric type first."
            ) from None
        if array.dtype.kind != "O" or not all(
            isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
            for v in array.ravel()
        ):
            raise InvalidTypeError(
                f"{name} must be numbers; got an array of dtype {array.dtype}. "
                "Convert the column to a numeric type first."
            )
        return converted
    if array.dtype.kind not in "iuf":
        raise InvalidTypeError(f"{name} must be numbers; got an array of dtype {array.dtype}.")
    return np.asarray(array, dtype=np.float64)


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
    """Return ``values`` as float64, checking every element is a whole number >= 0."""
    array = as_nonnegative(name, values)
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


def check_confidence_level(confidence_level: Any) -> float:
    """Return ``confidence_level`` as a float strictly between 0 and 1."""
    if isinstance(confidence_level, bool) or not isinstance(
        confidence_level, int | float | np.integer | np.floating
    ):
        raise InvalidTypeError(
            f"confidence_level must be a number between 0 and 1; got {confidence_level!r}."
        )
    level = float(confidence_level)
    if not (0.0 < level < 1.0) or math.isnan(level):
        hint = f" Did you mean {level / 100:g}?" if 1.0 < level < 100.0 else ""
        raise InvalidArgumentError(
            f"confidence_level must be a fraction strictly between 0 and 1 (e.g. 0.95); "
            f"got {confidence_level!r}.{hint}"
        )
    return level


def z_value(confidence_level: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95, 3.090232 for 0.998."""
    return float(special.ndtri(1.0 - (1.0 - confidence_level) / 2.0))


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
    return np.full(shape, name, dtype=np.str_)
