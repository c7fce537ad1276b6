"""Records of delimited text: field counts, rows that do not match the header, unnamed columns.

A *record* is one row of the file as the CSV rules define it: usually one line, but a value in
double quotes may hold line breaks, and then one record spans several lines. Row numbers in
reports count records (the first record after the header is row 1), never lines, so a line break
inside a quoted value does not shift the numbers of the rows after it.

The number of fields of every record is counted with Python's :mod:`csv` module in strict mode
(badly formed quoting is an error, not a guess), so that a row with fewer or more fields than the
header is reported instead of being padded with blanks or shifted into the wrong columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.exceptions import LoaderError

if TYPE_CHECKING:
    from _csv import Reader

__all__ = [
    "LAYOUT_REASON",
    "drop_unnamed_columns",
    "field_counts",
    "layout_failures",
    "read_fields",
]

LAYOUT_REASON = "wrong number of fields"
"""The reason under which rows whose number of fields differs from the header are excluded."""

IntArray = npt.NDArray[np.int64]

_QUOTING_HELP = (
    "A value that contains the delimiter, a double quote or a line break must be in double "
    'quotes, with each double quote inside it written twice ("").'
)


def _reader(text: str, delimiter: str) -> Reader:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def _start_line(text: str, delimiter: str, record: int) -> int:
    """The line on which record ``record`` (0 = the header) begins."""
    reader = _reader(text, delimiter)
    for _ in range(record):
        next(reader)
    return int(reader.line_num) + 1


def field_counts(text: str, delimiter: str, where: str) -> IntArray:
    """The number of fields of each record, the header first (0 for an empty line).

    Raises
    ------
    LoaderError
        The quoting is badly formed (a quote never closed, text after a closing quote ...); the
        message names the record and the line it begins on.
    """
    counts: list[int] = []
    try:
        # list.extend keeps the counts read before an error, which locate the bad record.
        counts.extend(map(len, _reader(text, delimiter)))
    except csv.Error as error:
        record = len(counts)
        what = "the header" if record == 0 else f"data row {record}"
        line = _start_line(text, delimiter, record)
        raise LoaderError(
            f"{where}: {what} (starting on line {line}) is not well-formed delimited text: "
            f"{error}. {_QUOTING_HELP}"
        ) from None
    return np.asarray(counts, dtype=np.int64)


def read_fields(text: str, delimiter: str, width: int, where: str) -> pd.DataFrame:
    """Every field of every data record as text, in columns ``0 .. width - 1``.

    Records with fewer than ``width`` fields are padded with empty text (see
    :func:`layout_failures`, which knows each record's real number of fields).
    """
    try:
        # header=None: with a header, pandas would expect every record to have its width.
        records = pd.read_csv(
            io.StringIO(text, newline=""),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=None,
            names=list(range(width)),
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise LoaderError(f"{where} is not a well-formed delimited file: {error}") from None
    return records.iloc[1:]


def _is_blank(values: Sequence[object]) -> bool:
    return all(not isinstance(v, str) or not v.strip() for v in values)


def layout_failures(
    fields: pd.DataFrame, names: Sequence[str], counts: IntArray, delimiter: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Name the columns and find data rows whose number of fields differs from the header.

    Parameters
    ----------
    fields : pandas.DataFrame
        From :func:`read_fields`: columns ``0 .. width - 1``, one row per data record.
    names : sequence of str
        The header's column names (``""`` for an unnamed column).
    counts : numpy.ndarray
        The number of fields of each data record (the header excluded).
    delimiter : str
        The delimiter, shown in the failures.

    Returns
    -------
    tuple of pandas.DataFrame
        The fields with the header's names (fields a short row does not have are missing; the
        surplus fields of a long row are dropped), and one failure per such row (columns
        ``column``, ``row``, ``value``, ``problem``, ``reason``) with ``row`` the 0-based record
        position; the caller renumbers it. A row whose fields are all blank is a blank line, not
        a failure. Unnamed columns at the end of the header may be left out of a row.
    """
    width = len(names)
    trailing = 0
    while trailing < width and not names[width - 1 - trailing]:
        trailing += 1
    shortest = width - trailing
    suspect = np.flatnonzero((counts != 0) & ((counts < shortest) | (counts > width)))
    values = fields.iloc[suspect].to_numpy(dtype=object)
    records: list[dict[str, object]] = []
    short: list[tuple[int, int]] = []
    for k, position in enumerate(suspect.tolist()):
        found = int(counts[position])
        present = list(values[k, :found])
        if _is_blank(present):
            continue
        text = delimiter.join(str(v) for v in present)
        if found < width:
            short.append((position, found))
            absent = [n for n in names[found:] if n]  # at least one: found < shortest
            missing = ", ".join(repr(n) for n in absent)
            column = absent[0]
            problem = (
                f"the row has {found} field(s) but the header has {width} columns: no value for "
                f"{missing} (a delimiter left out, or the line cut short?)"
            )
        else:
            column = names[-1]
            problem = (
                f"the row has {found} fields but the header has {width} columns, "
                f"{found - width} too many (a value containing {delimiter!r} that is not in "
                "double quotes, or a delimiter at the end of the line?)"
            )
        records.append(
            {
                "column": column,
                "row": position,
                "value": text,
                "problem": problem,
                "reason": LAYOUT_REASON,
            }
        )
    named = fields.iloc[:, :width].set_axis(list(names), axis=1)
    for position, found in short:
        named.iloc[position, list(range(found, width))] = np.nan
    failures = pd.DataFrame(records, columns=["column", "row", "value", "problem", "reason"])
    return named, failures


def drop_unnamed_columns(frame: pd.DataFrame, where: str) -> tuple[pd.DataFrame, int]:
    """Drop columns with no name in the header that hold no data; refuse ones that do.

    Such columns come from a delimiter at the end of every line. The frame must be numbered by
    source row already. Returns the frame and the number of columns dropped.
    """
    unnamed = [k for k, name in enumerate(frame.columns) if not name]
    for k in unnamed:
        column = frame.iloc[:, k]
        text = column.astype(object).where(column.notna(), "").astype(str).str.strip()
        filled = np.flatnonzero(text.ne("").to_numpy())
        if filled.size:
            first = filled[0]
            raise LoaderError(
                f"{where}: column {k + 1} holds data (first in row {frame.index[first]}: "
                f"{column.iloc[first]!r}) but has no name in the header; name it in the header "
                "line, or remove it."
            )
    if not unnamed:
        return frame, 0
    keep = [k for k in range(frame.shape[1]) if k not in set(unnamed)]
    return frame.iloc[:, keep], len(unnamed)
