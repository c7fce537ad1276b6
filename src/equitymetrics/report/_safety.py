"""Output safety: spreadsheet formula injection and characters no output format can hold.

Text in the results comes from data (ward, division and group names, notes), so it is treated
as hostile in every output:

* **Spreadsheets** (CSV and Excel) run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
  formula, and some also after a leading tab or carriage return. Following the OWASP advice on
  CSV injection, such text is prefixed with a single quote (``'``) so that it is shown as text.
  Only text is changed: numbers (including negative numbers) stay numbers.
* **HTML** is escaped by the template engine (autoescape is on for every template); nothing in
  this package builds HTML by joining strings.
* **XML** (inside the Excel workbook) and HTML cannot hold most ASCII control characters; they
  are replaced by U+FFFD so that a stray byte in a ward name cannot break a file.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "clean_text",
    "is_text_column",
    "neutralise_formula",
    "neutralise_frame",
    "safe_text",
]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet treat a text cell as a formula (OWASP)."""

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def neutralise_formula(text: str) -> str:
    """Prefix ``text`` with a single quote when a spreadsheet would run it as a formula.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"x\\")")
    '\\'=HYPERLINK("x")'
    >>> neutralise_formula("Oak ward")
    'Oak ward'
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def clean_text(text: str) -> str:
    """Replace control characters that XML and HTML cannot hold with U+FFFD.

    Tab, line feed and carriage return are kept.
    """
    return _CONTROL.sub("\ufffd", text)


def safe_text(value: object) -> str:
    """Any value as text that every output format can hold (missing values become "")."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):  # type: ignore[call-overload]
        return ""
    return clean_text(str(value))


def is_text_column(series: pd.Series) -> bool:
    """Whether a column holds text (object or string dtype), as opposed to numbers or dates."""
    return bool(series.dtype == object or pd.api.types.is_string_dtype(series.dtype))


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Only text values in text columns change; numbers, dates, booleans and missing values are
    left as they are.
    """
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if is_text_column(series):
            result[column] = series.map(
                lambda value: neutralise_formula(value) if isinstance(value, str) else value
            ).astype(series.dtype)
    return result
