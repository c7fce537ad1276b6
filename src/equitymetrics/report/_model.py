"""What the HTML template shows: plain frozen records of text, built before rendering.

The template only loops over these and prints their text (escaped by the template engine);
every number is formatted here, in Python, so the template holds no logic beyond layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "Cell",
    "FamilySection",
    "Figure",
    "MeasureSection",
    "Row",
    "TableModel",
    "anchor",
]


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text, whether it is a number (right-aligned), whether withheld."""

    text: str
    numeric: bool = False
    withheld: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: its header cells (``<th scope="row">``) and data cells."""

    headers: tuple[str, ...]
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class TableModel:
    """An accessible table: caption, column headers (row-header columns first), rows, notes.

    A table with a ``summary`` is shown collapsed under that line (``<details>``), for long
    tables of units below the organisation; the full data are also in the workbook.
    """

    id: str
    caption: str
    row_header_columns: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    footnotes: tuple[str, ...] = ()
    summary: str = ""

    @property
    def has_withheld(self) -> bool:
        """Whether any cell is withheld (the table then carries the "*" footnote)."""
        return any(cell.withheld for row in self.rows for cell in row.cells)


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart embedded as a base64 PNG with its alternative text and a visible caption."""

    data: str
    alt: str
    caption: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class MeasureSection:
    """One measure: its question, definition, charts, tables and sentences."""

    id: str
    measure: str
    question: str
    definition: str
    unit_label: str
    figures: tuple[Figure, ...] = ()
    tables: tuple[TableModel, ...] = ()
    sentences: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FamilySection:
    """A measure family (restrictive practice, Mental Health Act, ...) and its measures."""

    id: str
    title: str
    measures: tuple[MeasureSection, ...] = field(default_factory=tuple)


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def anchor(*parts: str) -> str:
    """An HTML id from ``parts``: letters, digits, ``_`` and ``-`` only.

    Examples
    --------
    >>> anchor("measure", "wres_2")
    'measure-wres_2'
    """
    text = "-".join(_UNSAFE.sub("-", part).strip("-") for part in parts if part)
    return text or "section"
