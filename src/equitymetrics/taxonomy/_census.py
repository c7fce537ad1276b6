"""ONS Census 2021 ethnic group (TS021): normalise codes and labels, and cross to NHS codes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from equitymetrics.exceptions import (
    ConfigurationError,
    InvalidArgumentError,
    InvalidTypeError,
    UnrecognisedCodeError,
)
from equitymetrics.taxonomy._nhs import nhs_code_for
from equitymetrics.taxonomy._tables import (
    CENSUS_CODES,
    CENSUS_ETHNIC_GROUPS,
    CENSUS_TO_NHS_DEFAULT,
)
from equitymetrics.taxonomy._values import as_series, describe_values, distinct_values, label_key

__all__ = ["census_code_for", "census_to_nhs", "normalise_census_ethnic_group"]

_INTEGER = re.compile(r"[+-]?\d+")
_CENSUS_CODE_SET = frozenset(CENSUS_CODES)
_PREFIX = "Ethnic group"
_TOTAL = "Total: All usual residents"


def _census_label_table() -> Mapping[str, int]:
    """Label key -> census code for labels, "broad: label" forms and bulk CSV column names."""
    table: dict[str, int] = {}
    for row in CENSUS_ETHNIC_GROUPS:
        names = [row.label, *row.aliases]
        texts = [*names, *(f"{_PREFIX}: {name}" for name in names)]
        if row.broad_group:
            for broad in (row.broad_group, row.broad_group_label):
                texts += [f"{broad}: {name}" for name in names]
                texts += [f"{_PREFIX}: {broad}: {name}" for name in names]
        for text in texts:
            key = label_key(text)
            if table.get(key, row.code) != row.code:
                raise ConfigurationError(
                    f"the shipped census label table is inconsistent: {text!r} maps to "
                    f"{row.code} and to {table[key]}. Each label must map to one code."
                )
            table[key] = row.code
    return MappingProxyType(table)


_LABEL_CODES = _census_label_table()

_SUBTOTAL_KEYS = frozenset(
    label_key(text)
    for broad in (
        "Total",
        _TOTAL,
        "All usual residents",
        *sorted({row.broad_group_label for row in CENSUS_ETHNIC_GROUPS if row.broad_group}),
    )
    for text in (broad, f"{broad}: Total", f"{_PREFIX}: {broad}", f"{_PREFIX}: {broad}: Total")
)


def census_code_for(value: Any) -> int | None:
    """The census code (1 ... 19, or -8) for one distinct value, or None if not recognised.

    Accepts whole numbers (int, integral float, or digits in text) and labels matched on
    :func:`label_key`: "Bangladeshi", "Asian, Asian British or Asian Welsh: Bangladeshi" and the
    bulk CSV column name "Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi".
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return int(value) if int(value) in _CENSUS_CODE_SET else None
    if isinstance(value, float | np.floating):
        number = float(value)
        return int(number) if number.is_integer() and int(number) in _CENSUS_CODE_SET else None
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    if _INTEGER.fullmatch(stripped):
        return int(stripped) if int(stripped) in _CENSUS_CODE_SET else None
    return _LABEL_CODES.get(label_key(stripped))


def _why(value: Any) -> str:
    if isinstance(value, str) and label_key(value) in _SUBTOTAL_KEYS:
        return "a total or broad-group subtotal, not a category: drop it first"
    if isinstance(value, str) and nhs_code_for(value) is not None:
        return "an NHS code or label: use normalise_ethnic_category"
    return ""


def normalise_census_ethnic_group(values: Any) -> pd.Series:
    """Normalise ONS Census 2021 ethnic group values (table TS021) to the census codes.

    Parameters
    ----------
    values : Series, list, array or any iterable of scalars
        Census codes as numbers or text (1 ... 19, and -8 "Does not apply"), or the TS021
        labels in any case and spacing: the category label ("Bangladeshi"), the "broad group:
        category" form ("Asian, Asian British or Asian Welsh: Bangladeshi", or with the short
        broad group "Asian: Bangladeshi") and the column names of the ONS bulk CSV files
        ("Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi"). A Series keeps its
        index and name.

    Returns
    -------
    pandas.Series
        Census codes as int64: 1 ... 19, and -8 for "Does not apply".

    Raises
    ------
    UnrecognisedCodeError
        Listing every distinct value that is not a census code or label (missing values
        included) with its count; totals and broad-group subtotals ("Ethnic group: White") are
        not categories and are refused with a hint to drop them.

    Examples
    --------
    >>> normalise_census_ethnic_group([13, "2", "Ethnic group: White: Roma", " arab "]).tolist()
    [13, 2, 16, 18]
    """
    series = as_series(values)
    distinct = distinct_values(series)
    mapped = [census_code_for(value) for value in distinct.uniques]
    bad = [k for k, code in enumerate(mapped) if code is None]
    missing = int(np.count_nonzero(distinct.codes < 0))
    if bad or missing:
        listing, counts = describe_values(series, distinct, bad, note=_why, missing=True)
        subject = "values" if series.name is None else f"values (Series {series.name!r})"
        raise UnrecognisedCodeError(
            f"{subject} hold {len(counts)} distinct value(s) in {sum(counts.values())} row(s) "
            f"that are not Census 2021 ethnic group codes (1-19, -8) or TS021 labels: "
            f"{listing}. Recode or remove them first.",
            counts,
        )
    lookup = np.array([code for code in mapped if code is not None] + [0], dtype=np.int64)
    return pd.Series(lookup[distinct.codes], index=series.index, name=series.name)


def _resolve_crosswalk(crosswalk: Any) -> dict[int, str]:
    """The default crosswalk updated with the caller's entries, after checking every entry."""
    table = dict(CENSUS_TO_NHS_DEFAULT)
    if crosswalk is None:
        return table
    if not isinstance(crosswalk, Mapping):
        raise InvalidTypeError(
            "crosswalk must be a mapping from census code to NHS code, e.g. {15: 'S'}; "
            f"got {type(crosswalk).__name__}."
        )
    problems: list[str] = []
    for key, value in crosswalk.items():
        census_code = census_code_for(key)
        nhs_code = nhs_code_for(value) if isinstance(value, str) else None
        if census_code is None:
            problems.append(f"key {key!r} is not a census code (1-19, -8) or TS021 label")
        if nhs_code is None:
            problems.append(f"value {value!r} (for key {key!r}) is not an NHS ethnic category")
        if census_code is not None and nhs_code is not None:
            table[census_code] = nhs_code
    if problems:
        raise InvalidArgumentError(
            f"crosswalk has {len(problems)} problem(s): {'; '.join(problems)}. Use census codes "
            "as keys and NHS codes ('A'-'S', 'Z', '99') as values, e.g. {18: 'S', 15: 'C'}."
        )
    return table


def census_to_nhs(census_codes: Any, *, crosswalk: Mapping[Any, str] | None = None) -> pd.Series:
    """Map Census 2021 ethnic groups to NHS ethnic category codes through a crosswalk.

    Parameters
    ----------
    census_codes : Series, list, array or any iterable of scalars
        Census codes or TS021 labels, anything :func:`normalise_census_ethnic_group` accepts.
    crosswalk : mapping, optional
        Entries that override :data:`CENSUS_TO_NHS_DEFAULT`, census code (or label) -> NHS code,
        e.g. ``{18: "S", 15: "99"}``. Entries not given keep their default.

    Returns
    -------
    pandas.Series
        NHS codes as strings, index and name kept from a Series input.

    Notes
    -----
    The default crosswalk makes four choices explicit, because the two classifications differ:
    Chinese (2) -> R, which the NHS places under Other while the census places it under Asian;
    Gypsy or Irish Traveller (15) and Roma (16) -> C (any other White background); Arab (18) ->
    S (any other ethnic group). "Does not apply" (-8) -> 99 (not known), so that it never
    joins a group. Every other category has a one-to-one NHS counterpart.

    Examples
    --------
    >>> census_to_nhs([2, 15, 18]).tolist()
    ['R', 'C', 'S']
    >>> census_to_nhs([2, 15, 18], crosswalk={15: "S"}).tolist()
    ['R', 'S', 'S']
    """
    table = _resolve_crosswalk(crosswalk)
    codes = normalise_census_ethnic_group(census_codes)
    lookup = np.empty(max(CENSUS_CODES) - min(CENSUS_CODES) + 1, dtype=object)
    offset = min(CENSUS_CODES)
    for census_code, nhs_code in table.items():
        lookup[census_code - offset] = nhs_code
    mapped = lookup[codes.to_numpy(dtype=np.int64) - offset]
    return pd.Series(mapped, index=codes.index, name=codes.name).astype("str")
