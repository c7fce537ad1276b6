"""Shared helpers: accept any one-dimensional input, map distinct values once, report problems.

Normalisation maps each *distinct* value once (``pandas.factorize``) and then broadcasts the
answers back to the rows with one array take, so the cost grows with the number of rows only
through vectorised numpy/pandas operations; the Python-level rules run once per distinct value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.exceptions import InvalidTypeError, ShapeMismatchError

__all__ = [
    "DistinctValues",
    "as_series",
    "describe_values",
    "distinct_values",
    "label_key",
    "scalar_text",
]

_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def label_key(text: str) -> str:
    """Matching key for a label: case-folded, "&" read as "and", punctuation and runs of spaces
    collapsed to one space, no surrounding spaces ("White - British" -> "white british")."""
    folded = text.casefold().replace("&", " and ")
    return _NOT_ALPHANUMERIC.sub(" ", folded).strip()


def as_series(values: Any, *, argument: str = "values") -> pd.Series:
    """Return ``values`` as a pandas Series (a Series is returned as is, index and all).

    Accepts a Series, an Index, a one-dimensional numpy or pandas array, a list or tuple, or any
    other iterable of scalars. Refuses a bare string or scalar, a DataFrame and arrays of more
    than one dimension, naming ``argument``.
    """
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise InvalidTypeError(
            f"{argument} must be one-dimensional (a Series, list or array); got a DataFrame "
            f"with columns {list(values.columns)!r}. Pass one column, e.g. "
            "frame['ethnic_category']."
        )
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidTypeError(
            f"{argument} must be a Series, list or array of values; got the scalar {values!r}. "
            f"Wrap a single value in a list, e.g. [{values!r}]."
        )
    if isinstance(values, pd.Index):
        return pd.Series(values.to_numpy(), name=values.name)
    if isinstance(values, np.ndarray | pd.api.extensions.ExtensionArray):
        array = values
    else:
        array = _object_array(values)
    if len(array.shape) != 1:
        raise ShapeMismatchError(
            f"{argument} must be one-dimensional; got an array of shape {array.shape}. "
            "Flatten it or pass one column."
        )
    return pd.Series(array)


def _object_array(values: Iterable[Any]) -> npt.NDArray[np.object_]:
    """A 1-D object array holding the items of ``values`` unchanged (no type coercion)."""
    items = list(values)
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def scalar_text(value: Any) -> str | None:
    """The text of one distinct input value, or None if it is not text or a whole number.

    Whole numbers (int, or a float such as 99.0 from a numeric column) become their digits;
    booleans, fractional numbers and other objects give None (never recognised).
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return None


@dataclass(frozen=True, slots=True)
class DistinctValues:
    """The distinct values of a Series and where each row points.

    ``codes[i]`` is the position in ``uniques`` of row ``i`` (-1 for a missing value);
    ``uniques`` are in order of first appearance.
    """

    codes: npt.NDArray[np.intp]
    uniques: list[Any]

    def counts(self) -> npt.NDArray[np.int64]:
        """Number of rows holding each distinct value."""
        present = self.codes[self.codes >= 0]
        return np.bincount(present, minlength=len(self.uniques)).astype(np.int64)

    def first_positions(self) -> npt.NDArray[np.intp]:
        """Row position of the first occurrence of each distinct value.

        ``factorize`` numbers values in order of first appearance, so value k first occurs
        where the running maximum of the codes first reaches k.
        """
        running = np.maximum.accumulate(self.codes) if self.codes.size else self.codes
        steps = np.diff(running, prepend=-1)
        return np.flatnonzero(steps > 0)

    def take(self, mapped: Mapping[int, str] | list[str], missing: str) -> npt.NDArray[np.object_]:
        """Row values: ``mapped[k]`` for rows of distinct value k and ``missing`` for NA rows."""
        lookup = np.empty(len(self.uniques) + 1, dtype=object)
        lookup[: len(self.uniques)] = [mapped[k] for k in range(len(self.uniques))]
        lookup[-1] = missing
        return lookup[self.codes]


def distinct_values(series: pd.Series) -> DistinctValues:
    """Factorize ``series`` (missing values, including None, NaN and pd.NA, get code -1)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return DistinctValues(codes=np.asarray(codes, dtype=np.intp), uniques=list(uniques))


def describe_values(
    series: pd.Series,
    distinct: DistinctValues,
    positions: Iterable[int],
    *,
    note: Callable[[Any], str] | None = None,
    missing: bool = False,
) -> tuple[str, dict[str, int]]:
    """Describe the distinct values at ``positions`` of ``distinct.uniques``, with counts.

    Returns a text listing every value with its number of rows and the index label of its
    first row (most frequent first, then order of appearance), and the dictionary
    ``{str(value): count}``. ``note(value)`` may add a short remark per value. With
    ``missing=True`` missing values (if any) are listed too, under the key ``"<missing>"``.
    """
    chosen = list(positions)
    counts = distinct.counts()
    first = distinct.first_positions()
    ordered = sorted(chosen, key=lambda k: (-int(counts[k]), k))
    parts: list[str] = []
    counted: dict[str, int] = {}
    for k in ordered:
        value = distinct.uniques[k]
        n = int(counts[k])
        label: Hashable = series.index[int(first[k])]
        rows = "row" if n == 1 else "rows"
        remark = note(value) if note is not None else ""
        extra = f"; {remark}" if remark else ""
        parts.append(f"{value!r} ({n} {rows}, first at index {label!r}{extra})")
        counted[str(value)] = counted.get(str(value), 0) + n
    n_missing = int(np.count_nonzero(distinct.codes < 0))
    if missing and n_missing:
        rows = "row" if n_missing == 1 else "rows"
        parts.append(f"missing values ({n_missing} {rows})")
        counted["<missing>"] = n_missing
    return ", ".join(parts), counted
