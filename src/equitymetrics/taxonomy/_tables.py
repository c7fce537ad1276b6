"""The classification tables, read from the CSV files shipped in ``taxonomy/data``.

The classifications are data, not code paths: each table is a small CSV file that an analyst can
read and review without reading Python, and that a change to a classification touches without
touching the logic. The files are read once, when the module is imported, into immutable
constants (tuples of frozen records and read-only mappings), so there is no mutable global state.

Files
-----
``nhs_ethnic_category.csv``
    NHS Data Dictionary ethnic category: ``code``, ``label``, ``short_label`` (the label without
    its broad-group prefix), ``broad_group`` (NHS broad group), ``census_broad_group`` (the
    census broad group the category falls in: only Chinese, R, differs) and ``stated``.
``nhs_broad_group_prefix.csv``
    Prefixes that real extracts put before a short label ("Black African", "Asian British -
    Indian"); used to build the label variants that normalisation recognises.
``nhs_ethnic_category_alias.csv``
    Further spellings that map to one code ("Other White", "Prefer not to say", "Unknown").
``census2021_ethnic_group.csv``
    ONS Census 2021 ethnic group (table TS021, 19 categories and -8 "Does not apply"): ``code``,
    ``label``, ``broad_group``, ``broad_group_label`` (the long census name), ``nhs_code`` (the
    default crosswalk), ``aliases`` (``|``-separated) and ``crosswalk_note``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

import pandas as pd

__all__ = [
    "CENSUS_CODES",
    "CENSUS_ETHNIC_GROUPS",
    "CENSUS_TO_NHS_DEFAULT",
    "CensusEthnicGroup",
    "NHS_BROAD_GROUP_PREFIXES",
    "NHS_CODES",
    "NHS_ETHNIC_CATEGORIES",
    "NHS_EXTRA_ALIASES",
    "NOT_KNOWN",
    "NOT_STATED",
    "NhsEthnicCategory",
    "STATED_CODES",
    "UNRECOGNISED",
    "census_ethnic_groups",
    "nhs_ethnic_categories",
]

NOT_STATED = "Z"
"""NHS code for "not stated": the person was asked and declined to give an ethnic group."""

NOT_KNOWN = "99"
"""NHS code for "not known": not asked, or unable to answer (also blanks and legacy 9 / X)."""

UNRECOGNISED = "unrecognised"
"""The value given to inputs that no rule recognises, when the caller asks to keep them."""


@dataclass(frozen=True, slots=True)
class NhsEthnicCategory:
    """One row of the NHS Data Dictionary ethnic category table."""

    code: str
    label: str
    short_label: str
    broad_group: str
    census_broad_group: str
    stated: bool


@dataclass(frozen=True, slots=True)
class CensusEthnicGroup:
    """One row of the ONS Census 2021 ethnic group table (TS021)."""

    code: int
    label: str
    broad_group: str
    broad_group_label: str
    nhs_code: str
    aliases: tuple[str, ...]
    crosswalk_note: str


def _read_rows(filename: str) -> list[dict[str, str]]:
    """Read one CSV file of ``taxonomy/data`` into a list of row dictionaries."""
    text = resources.files("equitymetrics.taxonomy").joinpath("data", filename).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _parse_bool(text: str) -> bool:
    return {"true": True, "false": False}[text.strip().lower()]


NHS_ETHNIC_CATEGORIES: tuple[NhsEthnicCategory, ...] = tuple(
    NhsEthnicCategory(
        code=row["code"],
        label=row["label"],
        short_label=row["short_label"],
        broad_group=row["broad_group"],
        census_broad_group=row["census_broad_group"],
        stated=_parse_bool(row["stated"]),
    )
    for row in _read_rows("nhs_ethnic_category.csv")
)
"""The 18 NHS ethnic category rows: A to S (16 stated groups), then Z and 99."""

NHS_CODES: tuple[str, ...] = tuple(row.code for row in NHS_ETHNIC_CATEGORIES)
"""Every valid normalised NHS code, in Data Dictionary order: "A" ... "S", "Z", "99"."""

STATED_CODES: tuple[str, ...] = tuple(row.code for row in NHS_ETHNIC_CATEGORIES if row.stated)
"""The 16 codes of stated ethnic groups, "A" ... "S" (no I, O or Q)."""

NHS_BROAD_GROUP_PREFIXES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        group: tuple(
            row["prefix"]
            for row in _read_rows("nhs_broad_group_prefix.csv")
            if row["broad_group"] == group
        )
        for group in dict.fromkeys(row.broad_group for row in NHS_ETHNIC_CATEGORIES if row.stated)
    }
)
"""NHS broad group -> the prefixes seen before its short labels ("Black or Black British")."""

NHS_EXTRA_ALIASES: tuple[tuple[str, str], ...] = tuple(
    (row["alias"], row["code"]) for row in _read_rows("nhs_ethnic_category_alias.csv")
)
"""Further (alias, code) pairs recognised by normalisation."""

CENSUS_ETHNIC_GROUPS: tuple[CensusEthnicGroup, ...] = tuple(
    CensusEthnicGroup(
        code=int(row["code"]),
        label=row["label"],
        broad_group=row["broad_group"],
        broad_group_label=row["broad_group_label"],
        nhs_code=row["nhs_code"],
        aliases=tuple(alias for alias in row["aliases"].split("|") if alias),
        crosswalk_note=row["crosswalk_note"],
    )
    for row in _read_rows("census2021_ethnic_group.csv")
)
"""The 19 Census 2021 categories (codes 1 to 19) and -8 "Does not apply"."""

CENSUS_CODES: tuple[int, ...] = tuple(row.code for row in CENSUS_ETHNIC_GROUPS)
"""Every valid census code: 1 ... 19 and -8."""

CENSUS_TO_NHS_DEFAULT: Mapping[int, str] = MappingProxyType(
    {row.code: row.nhs_code for row in CENSUS_ETHNIC_GROUPS}
)
"""Default crosswalk, census code -> NHS code (read-only).

Chinese (2) -> R (the NHS puts Chinese under Other; the census under Asian); Gypsy or Irish
Traveller (15) and Roma (16) -> C; Arab (18) -> S; Does not apply (-8) -> 99 (not known). Override
any entry with ``census_to_nhs(..., crosswalk={15: "S"})``.
"""


def nhs_ethnic_categories() -> pd.DataFrame:
    """The NHS Data Dictionary ethnic category table as a new DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per code ("A" ... "S", "Z", "99") with columns ``code``, ``label``,
        ``short_label``, ``broad_group``, ``census_broad_group`` and ``stated``. The broad-group
        columns are empty strings for Z and 99, which are not groups.

    Examples
    --------
    >>> table = nhs_ethnic_categories()
    >>> table.loc[table["code"] == "R", ["label", "broad_group", "census_broad_group"]].values
    array([['Other Ethnic Groups - Chinese', 'Other', 'Asian']], dtype=object)
    """
    return pd.DataFrame(
        {
            "code": [row.code for row in NHS_ETHNIC_CATEGORIES],
            "label": [row.label for row in NHS_ETHNIC_CATEGORIES],
            "short_label": [row.short_label for row in NHS_ETHNIC_CATEGORIES],
            "broad_group": [row.broad_group for row in NHS_ETHNIC_CATEGORIES],
            "census_broad_group": [row.census_broad_group for row in NHS_ETHNIC_CATEGORIES],
            "stated": [row.stated for row in NHS_ETHNIC_CATEGORIES],
        }
    )


def census_ethnic_groups() -> pd.DataFrame:
    """The ONS Census 2021 ethnic group table (TS021) and default crosswalk as a new DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per census code (1 ... 19, then -8) with columns ``code``, ``label``,
        ``broad_group``, ``broad_group_label`` (the long census name, e.g. "Asian, Asian British
        or Asian Welsh"), ``nhs_code`` (the default crosswalk) and ``crosswalk_note``.

    Examples
    --------
    >>> table = census_ethnic_groups()
    >>> table.loc[table["code"] == 18, ["label", "broad_group", "nhs_code"]].values
    array([['Arab', 'Other', 'S']], dtype=object)
    """
    return pd.DataFrame(
        {
            "code": pd.array([row.code for row in CENSUS_ETHNIC_GROUPS], dtype="int64"),
            "label": [row.label for row in CENSUS_ETHNIC_GROUPS],
            "broad_group": [row.broad_group for row in CENSUS_ETHNIC_GROUPS],
            "broad_group_label": [row.broad_group_label for row in CENSUS_ETHNIC_GROUPS],
            "nhs_code": [row.nhs_code for row in CENSUS_ETHNIC_GROUPS],
            "crosswalk_note": [row.crosswalk_note for row in CENSUS_ETHNIC_GROUPS],
        }
    )
