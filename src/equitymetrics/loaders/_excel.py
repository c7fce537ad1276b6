"""The ``excel`` loader: Excel workbooks (.xlsx, .xlsm), read with openpyxl."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, LoaderError
from equitymetrics.loaders._csv import as_path, duplicate_names_message
from equitymetrics.loaders._protocol import (
    DETAILS_ATTR,
    check_options,
    drop_blank_rows,
    number_rows,
)

__all__ = ["ExcelLoader"]


def _sheet_name(names: list[str], sheet: Any, where: str) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, bool) or not isinstance(sheet, str | int):
        raise InvalidTypeError(
            f"sheet must be a sheet name or a 0-based sheet position; got {sheet!r}."
        )
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise InvalidArgumentError(
                f"sheet={sheet} is out of range: {where} has {len(names)} sheet(s) {names!r} "
                "(positions start at 0)."
            )
        return names[sheet]
    if sheet not in names:
        raise LoaderError(f"{where} has no sheet named {sheet!r}; its sheets are {names!r}.")
    return sheet


def _check_header_row(header_row: Any) -> int:
    if isinstance(header_row, bool) or not isinstance(header_row, int):
        raise InvalidTypeError(
            f"header_row must be a whole number (the sheet row of the header, from 1); "
            f"got {header_row!r}."
        )
    if header_row < 1:
        raise InvalidArgumentError(
            f"header_row must be at least 1 (sheet rows are numbered from 1); got {header_row}."
        )
    return header_row


def merged_header_cell(path: Path, sheet: str, header_row: int, position: int) -> str | None:
    """The merged range (e.g. ``"A1:B1"``) covering the header cell of column ``position``.

    Only ranges in which that cell is not the first (top-left) one count: a merged range keeps
    its text in its first cell, so the other columns it spans have no name. The workbook is
    opened again, fully, because read-only worksheets do not list merged cells; this runs only
    when a column has no name.
    """
    workbook = load_workbook(path, read_only=False, data_only=True)
    try:
        for merged in workbook[sheet].merged_cells.ranges:
            inside = merged.min_row <= header_row <= merged.max_row
            spanned = merged.min_col <= position + 1 <= merged.max_col
            first = (merged.min_row, merged.min_col) == (header_row, position + 1)
            if inside and spanned and not first:
                return str(merged.coord)
    finally:
        workbook.close()
    return None


def _columns(
    header: tuple[Any, ...],
    data: list[tuple[Any, ...]],
    where: str,
    header_row: int,
    merged: Callable[[int], str | None],
) -> list[int]:
    """Positions of the columns to keep: named ones; unnamed ones must be empty."""
    keep: list[int] = []
    for position, name in enumerate(header):
        named = name is not None and str(name).strip() != ""
        if named:
            keep.append(position)
            continue
        if any(row[position] is not None and str(row[position]).strip() for row in data):
            letter = get_column_letter(position + 1)
            cells = merged(position)
            because = (
                f": its header cell is part of the merged cells {cells}, and merged cells keep "
                "their text in the first cell only. Unmerge the header cells and give every "
                "column its own name in one row"
                if cells is not None
                else "; name it"
            )
            raise LoaderError(
                f"{where}: column {letter} holds data but has no name in the header row "
                f"({header_row}){because}, or set header_row= to the row that holds the column "
                "names."
            )
    return keep


class ExcelLoader:
    """Read one sheet of an Excel workbook (``loader="excel"``; chosen for .xlsx and .xlsm).

    Options
    -------
    sheet : str or int, optional
        Sheet name, or 0-based position; the first sheet if omitted.
    header_row : int, default 1
        Sheet row (as numbered in Excel, from 1) that holds the column names. Data rows follow
        it; row numbers in reports count data rows from 1, so sheet row = header_row + row.

    Cell values keep their Excel types (dates, numbers, text); formulas give their last saved
    values. Completely empty rows are skipped but still counted in the row numbering.
    """

    name = "excel"

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Read one sheet of ``source`` (a path) into a raw table."""
        check_options(self.name, options, ("header_row", "sheet"))
        path = as_path(self.name, source)
        header_row = _check_header_row(options.get("header_row", 1))
        where = repr(str(path))
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
            raise LoaderError(
                f"excel: cannot read {where} as an .xlsx workbook ({error}); save old .xls "
                "files as .xlsx first."
            ) from None
        try:
            name = _sheet_name(list(workbook.sheetnames), options.get("sheet"), where)
            rows = [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
        finally:
            workbook.close()
        width = max((len(row) for row in rows), default=0)
        rows = [row + (None,) * (width - len(row)) for row in rows]
        if len(rows) < header_row:
            raise LoaderError(
                f"{where}, sheet {name!r}: there is no header in row {header_row} (the sheet "
                f"has {len(rows)} row(s))."
            )
        header, data = rows[header_row - 1], rows[header_row:]
        keep = _columns(
            header,
            data,
            f"{where}, sheet {name!r}",
            header_row,
            lambda position: merged_header_cell(path, name, header_row, position),
        )
        names = [str(header[k]).strip() for k in keep]
        positions = [""] * len(header)
        for k, column in zip(keep, names, strict=True):
            positions[k] = column
        duplicates = duplicate_names_message(positions)
        if duplicates:
            raise LoaderError(f"{where}, sheet {name!r} has {duplicates}.")
        frame = pd.DataFrame(
            {
                n: pd.Series([row[k] for row in data], dtype=object)
                for n, k in zip(names, keep, strict=True)
            }
        )
        frame, blank = drop_blank_rows(number_rows(frame))
        details = {"sheet": name, "header_row": str(header_row)}
        if blank:
            details["blank_rows_skipped"] = str(blank)
        frame.attrs[DETAILS_ATTR] = details
        return frame
