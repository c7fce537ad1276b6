"""Normalise messy NHS ethnic category values to the national codes "A" ... "S", "Z", "99"."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from equitymetrics.exceptions import (
    ConfigurationError,
    DataQualityWarning,
    InvalidTypeError,
    UnknownMethodError,
    UnrecognisedCodeError,
)
from equitymetrics.taxonomy._tables import (
    CENSUS_ETHNIC_GROUPS,
    NHS_BROAD_GROUP_PREFIXES,
    NHS_CODES,
    NHS_ETHNIC_CATEGORIES,
    NHS_EXTRA_ALIASES,
    NOT_KNOWN,
    STATED_CODES,
    UNRECOGNISED,
)
from equitymetrics.taxonomy._values import (
    DistinctValues,
    as_series,
    describe_values,
    distinct_values,
    label_key,
    scalar_text,
)

__all__ = [
    "AMBIGUOUS_LOCAL_CODES",
    "LEGACY_NOT_KNOWN",
    "UnrecognisedPolicy",
    "nhs_code_for",
    "normalise_ethnic_category",
]

UnrecognisedPolicy = Literal["raise", "keep"]

LEGACY_NOT_KNOWN: frozenset[str] = frozenset({"9", "X"})
"""Legacy single-character values for "not known" (read as 99)."""

AMBIGUOUS_LOCAL_CODES: Mapping[str, str] = MappingProxyType(
    {
        "NA": "'not available' or a local code under N",
        "NK": "'not known' or a local code under N",
        "NS": "'not stated' or a local code under N",
    }
)
"""Two-character values that look like local codes under N but are common abbreviations.

They are never rolled up to N silently: they are unrecognised until the caller recodes them.
"""

_CODE_SET = frozenset(NHS_CODES)
_NATIONAL_FIRST_CHARACTERS = frozenset((*STATED_CODES, "Z"))
_LOCAL_CODE = re.compile(r"[A-Z][A-Z0-9]")


def _label_table() -> Mapping[str, str]:
    """Label key -> code for every NHS label, short label, prefixed short label and alias."""
    pairs: list[tuple[str, str]] = []
    for row in NHS_ETHNIC_CATEGORIES:
        pairs += [(row.label, row.code), (row.short_label, row.code)]
        if row.stated:
            prefixes = NHS_BROAD_GROUP_PREFIXES[row.broad_group]
            pairs += [(f"{prefix} {row.short_label}", row.code) for prefix in prefixes]
    pairs += list(NHS_EXTRA_ALIASES)
    table: dict[str, str] = {}
    for text, code in pairs:
        key = label_key(text)
        if code not in _CODE_SET or table.get(key, code) != code:
            raise ConfigurationError(
                f"the shipped NHS label tables are inconsistent: {text!r} maps to {code!r} "
                f"and also to {table.get(key)!r}. Each label must map to one valid code."
            )
        table[key] = code
    return MappingProxyType(table)


_LABEL_CODES = _label_table()

_BROAD_KEYS = frozenset(
    label_key(prefix) for prefixes in NHS_BROAD_GROUP_PREFIXES.values() for prefix in prefixes
) | frozenset(label_key(row.broad_group_label) for row in CENSUS_ETHNIC_GROUPS if row.code > 0)
_CENSUS_ONLY_KEYS = frozenset(
    label_key(row.label) for row in CENSUS_ETHNIC_GROUPS if row.code > 0
) - frozenset(_LABEL_CODES)


def nhs_code_for(value: Any) -> str | None:
    """The NHS code for one distinct input value, or None if no rule recognises it.

    Rules, in order: text only (whole numbers become their digits); blank -> 99; an exact code
    (any case, surrounding spaces) -> itself; legacy 9 or X -> 99; a two-character local code ->
    its first (national) character, except the abbreviations in :data:`AMBIGUOUS_LOCAL_CODES`;
    a known label or variant (matched on :func:`label_key`) -> its code; a code followed by its
    own label ("A - White British") -> that code.
    """
    text = scalar_text(value)
    if text is None:
        return None
    stripped = text.strip()
    if not stripped:
        return NOT_KNOWN
    upper = stripped.upper()
    if upper in _CODE_SET:
        return upper
    if upper in LEGACY_NOT_KNOWN:
        return NOT_KNOWN
    if upper in AMBIGUOUS_LOCAL_CODES:
        return None
    if _LOCAL_CODE.fullmatch(upper):
        return upper[0] if upper[0] in _NATIONAL_FIRST_CHARACTERS else None
    key = label_key(stripped)
    code = _LABEL_CODES.get(key)
    if code is not None:
        return code
    head, _, rest = key.partition(" ")
    if rest and head.upper() in _CODE_SET and _LABEL_CODES.get(rest) == head.upper():
        return head.upper()
    return None


def _why(value: Any) -> str:
    """A short hint about why a value is not recognised (empty when there is nothing to add)."""
    text = scalar_text(value)
    if text is None:
        return f"not text (type {type(value).__name__})"
    upper = text.strip().upper()
    if upper in AMBIGUOUS_LOCAL_CODES:
        return f"ambiguous: {AMBIGUOUS_LOCAL_CODES[upper]}"
    key = label_key(text)
    if key in _BROAD_KEYS:
        return "a broad group, not one category"
    if key in _CENSUS_ONLY_KEYS:
        return "a census category: use normalise_census_ethnic_group and census_to_nhs"
    head, _, rest = key.partition(" ")
    if head.upper() in _CODE_SET and rest in _LABEL_CODES:
        return f"code {head.upper()!r} contradicts its label, which means {_LABEL_CODES[rest]!r}"
    return ""


def _subject(series: pd.Series) -> str:
    return "values" if series.name is None else f"values (Series {series.name!r})"


def _raise_unrecognised(series: pd.Series, distinct: DistinctValues, bad: list[int]) -> None:
    """Policy "raise": one error listing every distinct unrecognised value with its count."""
    listing, counts = describe_values(series, distinct, bad, note=_why)
    raise UnrecognisedCodeError(
        f"{_subject(series)} hold {len(bad)} distinct value(s) in {sum(counts.values())} row(s) "
        f"that are not NHS ethnic category codes or labels: {listing}. Recode them first "
        "(for example values.replace({'NK': '99'})), or pass unrecognised='keep' to count "
        f"them as {UNRECOGNISED!r}.",
        counts,
    )


def _keep_unrecognised(series: pd.Series, distinct: DistinctValues, bad: list[int]) -> None:
    """Policy "keep": the values become UNRECOGNISED and a warning lists them with counts."""
    listing, counts = describe_values(series, distinct, bad, note=_why)
    warnings.warn(
        f"{_subject(series)}: {len(bad)} distinct value(s) in {sum(counts.values())} row(s) are "
        f"not NHS ethnic category codes or labels and were kept as {UNRECOGNISED!r} (counted "
        f"separately, never merged into a group): {listing}.",
        DataQualityWarning,
        stacklevel=3,
    )


@dataclass(frozen=True, slots=True)
class _Policy:
    report: Callable[[pd.Series, DistinctValues, list[int]], None]
    accepts_unrecognised_marker: bool


_POLICIES: Mapping[str, _Policy] = MappingProxyType(
    {
        "raise": _Policy(_raise_unrecognised, accepts_unrecognised_marker=False),
        "keep": _Policy(_keep_unrecognised, accepts_unrecognised_marker=True),
    }
)


def _resolve_policy(unrecognised: Any) -> _Policy:
    if not isinstance(unrecognised, str):
        raise InvalidTypeError(f"unrecognised must be 'raise' or 'keep'; got {unrecognised!r}.")
    try:
        return _POLICIES[unrecognised]
    except KeyError:
        raise UnknownMethodError(
            f"unrecognised={unrecognised!r} is not available; choose 'raise' (the default) or "
            "'keep'."
        ) from None


def normalise_ethnic_category(
    values: Any, *, unrecognised: UnrecognisedPolicy = "raise"
) -> pd.Series:
    """Normalise NHS ethnic category values to the national codes.

    Parameters
    ----------
    values : Series, list, tuple, numpy or pandas array, Index, or any iterable of scalars
        Codes or labels as found in real extracts. A Series keeps its index and name.
    unrecognised : {"raise", "keep"}, default "raise"
        What to do with values that no rule recognises. ``"raise"``: raise
        :class:`~equitymetrics.exceptions.UnrecognisedCodeError` listing every distinct such
        value with its count (also in ``.counts``). ``"keep"``: return them as
        :data:`UNRECOGNISED` and issue a :class:`~equitymetrics.exceptions.DataQualityWarning`
        that lists them with counts; values already equal to :data:`UNRECOGNISED` then pass
        through without a new warning, so normalising twice gives the same result.

    Returns
    -------
    pandas.Series
        Always a Series of strings, the same length as ``values``: "A" ... "S" (the 16 stated
        groups), "Z" (not stated), "99" (not known), and in keep mode :data:`UNRECOGNISED`.

    Raises
    ------
    UnrecognisedCodeError
        When ``unrecognised="raise"`` and some values are not recognised.
    InvalidTypeError
        When ``values`` is a bare string or scalar, or a DataFrame.

    Notes
    -----
    Rules, applied to each distinct value once:

    - blanks, None, NaN and pd.NA -> "99";
    - a code in any case with surrounding spaces -> the code ("  c " -> "C");
    - legacy "9" and "X" -> "99";
    - a two-character local code -> its first, national, character ("CA" -> "C"); "99" stays
      "99"; "NA", "NK" and "NS" are ambiguous (abbreviations or local codes under N) and are
      not recognised, so that they are never silently counted as Black African;
    - the NHS label and common variants, matched ignoring case, spaces and punctuation
      ("White - British", "White British", "British", "Black or Black British - African",
      "Black African", "Other White", "Any other ethnic group"); "Not stated", "Prefer not to
      say" and "Declined" -> "Z"; "Not known" and "Unknown" -> "99";
    - a code followed by its own label ("A - White British") -> the code.

    Broad groups alone ("White", "Asian") and census categories are not recognised. Census
    data go through :func:`normalise_census_ethnic_group` and :func:`census_to_nhs`.

    Examples
    --------
    >>> normalise_ethnic_category(["a", " CA ", "White - British", "Black African", None, "X"])
    0     A
    1     C
    2     A
    3     N
    4    99
    5    99
    dtype: str
    """
    policy = _resolve_policy(unrecognised)
    series = as_series(values)
    distinct = distinct_values(series)
    mapped = [nhs_code_for(value) for value in distinct.uniques]
    if policy.accepts_unrecognised_marker:
        mapped = [
            UNRECOGNISED if code is None and value == UNRECOGNISED else code
            for code, value in zip(mapped, distinct.uniques, strict=True)
        ]
    bad = [k for k, code in enumerate(mapped) if code is None]
    if bad:
        policy.report(series, distinct, bad)
    final = [UNRECOGNISED if code is None else code for code in mapped]
    return pd.Series(distinct.take(final, NOT_KNOWN), index=series.index, name=series.name).astype(
        "str"
    )
