"""The ``ons_census`` loader: ONS Census 2021 ethnic group files into ``census_population``.

Two layouts are recognised from the header:

Wide (the bulk CSV ``census2021-ts021-*.csv``)
    ``date``, ``geography``, ``geography code``, then one column per category, named like
    ``Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi``. Columns with one colon
    (``Ethnic group: White``) are broad-group subtotals and ``Ethnic group: Total: ...`` is the
    total: neither is a category, so both are dropped after checking that the categories add up
    to them. The table has no sex or age, so every row gets sex ``"all"`` and age band
    ``"all"``. Each area becomes 19 rows, all numbered with the area's data row in the file.
Long (one row per area, ethnic group, sex and age band)
    Columns such as ``area code``, ``ethnic group``, ``sex``, ``age band`` and ``count``, or
    the ONS custom-dataset names (``Lower tier local authorities Code``,
    ``Ethnic group (20 categories)``, ``Sex (2 categories)``, ``Age (18 categories)``,
    ``Observation``). Recognised columns are renamed to the canonical names; labels (such as
    "Female" or "Aged 5 to 9 years") are converted by the schema.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from equitymetrics.loaders._csv import as_path, read_delimited
from equitymetrics.loaders._protocol import DETAILS_ATTR, FAILURES_ATTR, check_options

__all__ = ["OnsCensusLoader"]

_PREFIX = "ethnic group:"
_GEOGRAPHY_CODE = "geography code"
STRING = pd.StringDtype(na_value=np.nan)

_LONG_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "area_code": (
        re.compile(r"(area|geography) code"),
        re.compile(
            r".*(authorit|geograph|area|lsoa|msoa|ward|region|countr|ltla|utla|lad)\S* code"
        ),
    ),
    "ethnic_group": (re.compile(r"ethnic group"), re.compile(r"ethnic group \(\d+ categories\)")),
    "sex": (re.compile(r"sex"), re.compile(r"sex \(\d+ categories\)")),
    "age_band": (
        re.compile(r"age band"),
        re.compile(r"age"),
        re.compile(r"age \(\d+ categories\)"),
    ),
    "population": (re.compile(r"population|count|observation|obs value|value"),),
}


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("_", " ").split())


def _parts(name: str) -> list[str]:
    return [part.strip() for part in name.split(":")]


def _whole_numbers(column: pd.Series) -> pd.Series:
    """Whole numbers of a text column as floats; NaN where a cell is not digits."""
    text = column.astype(STRING).str.strip()
    return pd.to_numeric(text.where(text.str.fullmatch(r"\d+").fillna(False)), errors="coerce")


def _sum_failures(frame: pd.DataFrame, categories: list[str], totals: list[str]) -> pd.DataFrame:
    """Rows whose categories do not add up to the total or to a broad-group subtotal.

    Rows with a category cell that is not a whole number are not checked: the schema reports
    that cell.
    """
    counts = pd.DataFrame({c: _whole_numbers(frame[c]) for c in categories}, index=frame.index)
    checkable = counts.notna().all(axis=1)
    pieces = []
    for total in totals:
        parts = _parts(total)
        if parts[1].casefold() == "total":
            members, what = categories, "the categories"
        else:
            members = [c for c in categories if _parts(c)[1] == parts[1]]
            what = f"the {parts[1]} categories"
        stated = _whole_numbers(frame[total])
        added = counts[members].sum(axis=1).astype("int64")
        broken = checkable & (stated.isna() | (stated != added))
        problems = [
            f"{total} must be a whole number >= 0"
            if pd.isna(s)
            else f"{what} add up to {a}, not to {total} ({int(s)})"
            for s, a in zip(stated[broken], added[broken], strict=True)
        ]
        pieces.append(
            pd.DataFrame(
                {
                    "column": total,
                    "row": frame.index[broken.to_numpy()],
                    "value": frame[total][broken].to_numpy(),
                    "problem": problems,
                    "reason": "categories do not add up to the total",
                }
            )
        )
    columns = ["column", "row", "value", "problem", "reason"]
    found = [piece for piece in pieces if not piece.empty]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=columns)


def _wide_to_long(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    ethnic = [c for c in frame.columns if _key(c).startswith(_PREFIX)]
    totals = [c for c in ethnic if len(_parts(c)) == 2 or _parts(c)[1].casefold() == "total"]
    categories = [c for c in ethnic if c not in totals]
    others = [c for c in frame.columns if c not in ethnic]
    code = next(c for c in others if _key(c) == _GEOGRAPHY_CODE)
    extra = [c for c in others if c != code]
    failures = _sum_failures(frame, categories, totals)
    pieces = []
    for category in categories:
        piece = pd.DataFrame(
            {
                "area_code": frame[code],
                "ethnic_group": category,
                "sex": "all",
                "age_band": "all",
                "population": frame[category],
                **{name: frame[name] for name in extra},
            },
            index=frame.index,
        )
        pieces.append(piece)
    columns = ["area_code", "ethnic_group", "sex", "age_band", "population", *extra]
    if not pieces:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="row")), failures
    long = pd.concat(pieces).sort_index(kind="stable")
    return long[columns], failures


def _rename_long(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename columns recognised as the canonical ones (only if exactly one matches)."""
    renames: dict[str, str] = {}
    for canonical, patterns in _LONG_PATTERNS.items():
        if canonical in frame.columns:
            continue
        for pattern in patterns:
            matches = [c for c in frame.columns if c not in renames and pattern.fullmatch(_key(c))]
            if len(matches) == 1:
                renames[matches[0]] = canonical
                break
    return frame.rename(columns=renames)


class OnsCensusLoader:
    """Read an ONS Census 2021 ethnic group CSV (``loader="ons_census"``).

    Chosen automatically for a ``.csv`` file loaded as the ``census_population`` table. Takes
    the CSV options ``delimiter`` and ``encoding``. See the module notes for the two layouts;
    the layout used is recorded in the report details (``layout``: ``wide`` or ``long``).
    """

    name = "ons_census"

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Read ``source`` (a path) into a raw ``census_population`` table."""
        check_options(self.name, options, ("delimiter", "encoding"))
        path = as_path(self.name, source)
        frame, details = read_delimited(
            path, delimiter=options.get("delimiter"), encoding=options.get("encoding")
        )
        # Rows with the wrong number of fields, found while reading; kept through the reshaping.
        found = [frame.attrs.pop(FAILURES_ATTR)] if FAILURES_ATTR in frame.attrs else []
        keys = {_key(c) for c in frame.columns}
        wide = _GEOGRAPHY_CODE in keys and any(k.startswith(_PREFIX) for k in keys)
        if wide:
            frame, failures = _wide_to_long(frame)
            details["layout"] = "wide"
            found.extend([failures] if not failures.empty else [])
        else:
            frame = _rename_long(frame)
            details["layout"] = "long"
        frame.attrs = {DETAILS_ATTR: details}
        if found:
            frame.attrs[FAILURES_ATTR] = pd.concat(found, ignore_index=True)
        return frame
