"""The ``Loader`` protocol and helpers shared by the built-in loaders.

A loader turns a source into a *raw* table: the source's columns as they are, one row per data
row, indexed by the 1-based data row number of the source (the first data row after the header
is 1). Validation, renaming and typing happen afterwards, in :func:`equitymetrics.loaders.load`,
so a loader only has to read.

Besides the frame, a loader may leave two optional notes in ``frame.attrs``:

``DETAILS_ATTR`` (``"equitymetrics.details"``)
    A ``dict[str, str]`` of facts worth recording (encoding, delimiter, sheet ...); ``load``
    copies it into :attr:`LoadReport.details`.
``FAILURES_ATTR`` (``"equitymetrics.failures"``)
    A DataFrame of problems the loader found in the layout of the source (columns ``column``,
    ``row``, ``value``, ``problem`` and optionally ``reason``), merged with the schema's
    problems; the census loader uses it for categories that do not add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = [
    "DETAILS_ATTR",
    "FAILURES_ATTR",
    "Loader",
    "check_options",
    "drop_blank_rows",
    "number_rows",
    "require_frame",
    "restore_named_index",
]

DETAILS_ATTR = "equitymetrics.details"
FAILURES_ATTR = "equitymetrics.failures"


@runtime_checkable
class Loader(Protocol):
    """Anything that can read a source into a raw table.

    One method is required, :meth:`read`. Loaders are looked up by name with
    :func:`~equitymetrics.loaders.get_loader`; third-party loaders are registered through the
    entry-point group ``equitymetrics.loaders`` (see docs/writing-a-loader.md). An instance can
    also be passed directly to :func:`~equitymetrics.loaders.load` as ``loader=``.
    """

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Read ``source`` and return the raw table.

        Parameters
        ----------
        source : Any
            What to read: a path, a URL, a DataFrame ... as the loader documents.
        **options
            Loader-specific options (for example ``delimiter=`` for CSV). A loader must
            refuse options it does not know with an ``InvalidArgumentError``.

        Returns
        -------
        pandas.DataFrame
            The source's columns as they are, one row per data row, indexed by the 1-based
            data row number in the source (the first data row after the header is 1).
        """
        ...


def check_options(loader: str, options: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Refuse options that loader ``loader`` does not take, naming the ones it does."""
    known = sorted(allowed)
    unknown = sorted(set(options) - set(known))
    if unknown:
        takes = ", ".join(known) if known else "no options"
        raise InvalidArgumentError(
            f"the {loader!r} loader does not take the option(s) {', '.join(unknown)}; "
            f"it takes: {takes}."
        )


def number_rows(frame: pd.DataFrame, first: int = 1) -> pd.DataFrame:
    """Index ``frame`` by consecutive row numbers starting at ``first``, named ``row``."""
    numbered = frame.set_axis(pd.RangeIndex(first, first + len(frame), name="row"), axis=0)
    return numbered


def _is_blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (np.ndim(value) == 0 and bool(pd.isna(value)))


def drop_blank_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Remove rows in which every value is missing or blank text; keep the row numbers.

    Returns the frame and the number of rows removed, which loaders record in their details.
    Completely empty rows hold no data, so they are not data rows; the numbering of the other
    rows still counts them, so row numbers match the positions in the source.
    """
    if frame.empty or frame.shape[1] == 0:
        return frame, 0
    empty_rows = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        column = frame[name].iloc[np.flatnonzero(empty_rows)]
        if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
            blank = column.isna().to_numpy() | column.str.strip().eq("").fillna(False).to_numpy()
        else:
            blank = np.array([_is_blank(v) for v in column.tolist()], dtype=bool)
        empty_rows[np.flatnonzero(empty_rows)[~blank]] = False
        if not empty_rows.any():
            break
    removed = int(empty_rows.sum())
    return (frame.loc[~empty_rows] if removed else frame), removed


def restore_named_index(frame: pd.DataFrame) -> pd.DataFrame:
    """Move a named index (e.g. ``person_id`` set as the index) into the columns.

    An unnamed index (a default range, or the labels left by filtering) carries no data and is
    dropped, and so is an index named ``row`` (the row numbers of a frame this library loaded);
    the raw table is then numbered from 1.
    """
    names = [name for name in frame.index.names if name is not None and name != "row"]
    if names:
        frame = frame.reset_index(level=names)
    return frame.reset_index(drop=True)


def require_frame(loader: str, source: Any) -> pd.DataFrame:
    """Return ``source`` if it is a DataFrame, else raise a type error naming the loader."""
    if not isinstance(source, pd.DataFrame):
        raise InvalidTypeError(
            f"the {loader!r} loader reads a pandas DataFrame; got {type(source).__name__}."
        )
    return source
