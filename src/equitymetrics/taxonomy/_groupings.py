"""Named groupings of the 16 stated NHS ethnic categories, with their reference groups."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    UnknownMethodError,
    UnrecognisedCodeError,
)
from equitymetrics.taxonomy._nhs import nhs_code_for
from equitymetrics.taxonomy._tables import (
    NHS_ETHNIC_CATEGORIES,
    NOT_KNOWN,
    NOT_STATED,
    STATED_CODES,
    UNRECOGNISED,
    NhsEthnicCategory,
)
from equitymetrics.taxonomy._values import as_series, describe_values, distinct_values

__all__ = [
    "BroadStyle",
    "Grouping",
    "NOT_KNOWN_LABEL",
    "NOT_STATED_LABEL",
    "UNRECOGNISED_LABEL",
    "assign_group",
    "get_grouping",
    "list_groupings",
]

NOT_STATED_LABEL = "Not stated"
"""Label given to code Z by :func:`assign_group`; never a group for ratios."""

NOT_KNOWN_LABEL = "Not known"
"""Label given to code 99 by :func:`assign_group`; never a group for ratios."""

UNRECOGNISED_LABEL = "Unrecognised"
"""Label given to :data:`UNRECOGNISED` by :func:`assign_group`; never a group for ratios."""

_NON_GROUP_LABELS: Mapping[str, str] = MappingProxyType(
    {NOT_STATED: NOT_STATED_LABEL, NOT_KNOWN: NOT_KNOWN_LABEL, UNRECOGNISED: UNRECOGNISED_LABEL}
)

BroadStyle = Literal["nhs", "census"]


_RESERVED_LABELS = frozenset(_NON_GROUP_LABELS.values())


def _problems_in(
    name: Any, mapping: Mapping[Any, Any], groups: tuple[Any, ...], reference: Any
) -> list[str]:
    """Every rule a grouping breaks, so that one error can report them all."""
    problems: list[str] = []
    if not isinstance(name, str) or not name.strip():
        problems.append(f"name must be a non-empty string; got {name!r}")
    missing = [code for code in STATED_CODES if code not in mapping]
    extra = [code for code in mapping if code not in STATED_CODES]
    if missing:
        problems.append(f"mapping has no group for code(s) {missing}")
    if extra:
        problems.append(f"mapping keys {extra!r} are not stated NHS codes ('A'-'S')")
    bad_labels = sorted(
        {
            repr(label)
            for label in mapping.values()
            if not isinstance(label, str) or not label.strip() or label in _RESERVED_LABELS
        }
    )
    if bad_labels:
        problems.append(
            f"group labels must be non-empty strings other than {sorted(_RESERVED_LABELS)}; "
            f"got {', '.join(bad_labels)}"
        )
    try:
        consistent = len(set(groups)) == len(groups) and set(groups) == set(mapping.values())
    except TypeError:  # unhashable labels, reported above
        consistent = True
    if not consistent:
        problems.append(
            f"groups {list(groups)!r} must list each label of the mapping once "
            f"({sorted(map(str, set(mapping.values())))!r})"
        )
    if reference not in groups:
        problems.append(f"reference {reference!r} is not one of the groups {list(groups)!r}")
    return problems


@dataclass(frozen=True, slots=True)
class Grouping:
    """A named grouping of the 16 stated NHS ethnic categories.

    Attributes
    ----------
    name : str
        The grouping's name, e.g. "broad" (written to the ``grouping`` results column).
    mapping : Mapping[str, str]
        Read-only mapping from each stated NHS code ("A" ... "S") to its group label.
    groups : tuple of str
        The group labels in reporting order.
    reference : str
        The default reference group for ratios (one of ``groups``).

    Notes
    -----
    "Not stated" (Z), "Not known" (99) and "Unrecognised" are never groups: they are
    reported as recording completeness and excluded from ratios. Construct custom groupings
    with :meth:`from_mapping`; the constructor checks every rule and reports all problems at
    once.
    """

    name: str
    mapping: Mapping[str, str]
    groups: tuple[str, ...]
    reference: str

    def __post_init__(self) -> None:
        if not isinstance(self.mapping, Mapping):
            raise InvalidTypeError(
                f"mapping must be a mapping from NHS code to group label; got "
                f"{type(self.mapping).__name__}."
            )
        given: Any = self.groups  # checked at run time: callers may pass anything
        if isinstance(given, str) or not isinstance(given, Iterable):
            raise InvalidTypeError(f"groups must be a sequence of labels; got {given!r}.")
        groups = tuple(given)
        problems = _problems_in(self.name, self.mapping, groups, self.reference)
        if problems:
            raise InvalidArgumentError(
                f"invalid grouping {self.name!r}: {'; '.join(problems)}. Map every stated code "
                "'A'-'S' to a label and choose the reference among the labels."
            )
        ordered = {code: self.mapping[code] for code in STATED_CODES}
        object.__setattr__(self, "mapping", MappingProxyType(ordered))
        object.__setattr__(self, "groups", groups)

    def __hash__(self) -> int:
        return hash((self.name, tuple(self.mapping.items()), self.groups, self.reference))

    @property
    def comparable_groups(self) -> tuple[str, ...]:
        """The real groups, those that may enter ratios (never Not stated / Not known)."""
        return tuple(group for group in self.groups if group not in _RESERVED_LABELS)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label :func:`assign_group` can return: the groups, then the non-groups."""
        return (*self.groups, NOT_STATED_LABEL, NOT_KNOWN_LABEL, UNRECOGNISED_LABEL)

    def is_comparable(self, label: str) -> bool:
        """Whether ``label`` is a real group of this grouping (False for the non-groups)."""
        return label in self.comparable_groups

    @classmethod
    def from_mapping(
        cls,
        name: str,
        mapping: Mapping[str, str],
        reference: str,
        *,
        groups: Sequence[str] | None = None,
    ) -> Grouping:
        """Build a custom grouping from a mapping NHS code -> group label.

        Parameters
        ----------
        name : str
            Name of the grouping.
        mapping : mapping
            Group label for each of the 16 stated codes "A" ... "S" (keys may be codes in any
            case, or anything :func:`normalise_ethnic_category` recognises).
        reference : str
            The default reference group; one of the labels.
        groups : sequence of str, optional
            Reporting order of the labels; by default the order in which they first appear
            going through the codes A to S.

        Examples
        --------
        NHS England's restrictive-intervention outputs count "Other" with White:

        >>> mapping = {code: "Black" for code in "MNP"}
        >>> mapping.update({code: "White or Other" for code in "ABCRS"})
        >>> mapping.update({code: "Mixed" for code in "DEFG"})
        >>> mapping.update({code: "Asian" for code in "HJKL"})
        >>> custom = Grouping.from_mapping("restrictive", mapping, "White or Other")
        >>> custom.groups
        ('White or Other', 'Mixed', 'Asian', 'Black')
        """
        if not isinstance(mapping, Mapping):
            raise InvalidTypeError(
                f"mapping must be a mapping from NHS code to group label; got "
                f"{type(mapping).__name__}."
            )
        by_code: dict[str, Any] = {}
        for key, label in mapping.items():
            code = nhs_code_for(key) if isinstance(key, str) else None
            if code is None or by_code.get(code, label) != label:
                raise InvalidArgumentError(
                    f"mapping key {key!r} of grouping {name!r} is not an NHS code, or repeats "
                    f"a code with another label; use each code 'A'-'S' once."
                )
            if not isinstance(label, str):
                raise InvalidTypeError(
                    f"group labels must be strings; got {label!r} for key {key!r} of grouping "
                    f"{name!r}."
                )
            by_code[code] = label
        if groups is None:
            groups = tuple(dict.fromkeys(by_code[c] for c in STATED_CODES if c in by_code))
        return cls(name=name, mapping=by_code, groups=tuple(groups), reference=reference)


def _nhs16(options: _Options) -> Grouping:
    """The 16 NHS categories, labelled as in the Data Dictionary; reference "White - British"."""
    mapping = {row.code: row.label for row in _stated_rows()}
    return Grouping("nhs16", mapping, tuple(mapping.values()), mapping["A"])


_BROAD_STYLES: Mapping[str, Callable[[NhsEthnicCategory], str]] = MappingProxyType(
    {
        "nhs": lambda row: row.broad_group,
        "census": lambda row: row.census_broad_group,
    }
)


def _broad(options: _Options) -> Grouping:
    """White, Mixed, Asian, Black, Other; reference "White"; census style moves Chinese (R)."""
    group_of = _BROAD_STYLES[options.broad_style]
    mapping = {row.code: group_of(row) for row in _stated_rows()}
    return Grouping("broad", mapping, tuple(dict.fromkeys(mapping.values())), "White")


def _binary(options: _Options) -> Grouping:
    """White (``white_codes``) vs everyone else stated (``binary_label``); reference "White"."""
    mapping = {
        row.code: "White" if row.code in options.white_codes else options.binary_label
        for row in _stated_rows()
    }
    return Grouping("binary", mapping, ("White", options.binary_label), "White")


def _stated_rows() -> tuple[NhsEthnicCategory, ...]:
    return tuple(row for row in NHS_ETHNIC_CATEGORIES if row.stated)


@dataclass(frozen=True, slots=True)
class _Options:
    binary_label: str
    white_codes: frozenset[str]
    broad_style: str


_BUILDERS: Mapping[str, Callable[[_Options], Grouping]] = MappingProxyType(
    {"nhs16": _nhs16, "broad": _broad, "binary": _binary}
)


def list_groupings() -> list[str]:
    """Names of the built-in groupings: ``["nhs16", "broad", "binary"]``."""
    return list(_BUILDERS)


def _check_options(binary_label: Any, white_codes: Any, broad_style: Any) -> _Options:
    if not isinstance(binary_label, str) or not binary_label.strip():
        raise InvalidArgumentError(
            f"binary_label must be a non-empty string such as 'BME', 'Global Majority' or "
            f"'ethnic minority'; got {binary_label!r}."
        )
    if binary_label.strip().casefold() == "white" or binary_label in _RESERVED_LABELS:
        raise InvalidArgumentError(
            f"binary_label must differ from 'White' and from {sorted(_RESERVED_LABELS)}; "
            f"got {binary_label!r}."
        )
    if isinstance(white_codes, str) or not isinstance(white_codes, Iterable):
        raise InvalidTypeError(
            f"white_codes must be a sequence of NHS codes such as ('A', 'B', 'C'); "
            f"got {white_codes!r}."
        )
    given = list(white_codes)
    codes = {nhs_code_for(code) if isinstance(code, str) else None for code in given}
    if not given or not codes <= set(STATED_CODES) or codes == set(STATED_CODES):
        raise InvalidArgumentError(
            "white_codes must be a non-empty selection of the stated NHS codes 'A'-'S' that "
            f"leaves at least one code outside; got {given!r}."
        )
    if not isinstance(broad_style, str) or broad_style not in _BROAD_STYLES:
        raise UnknownMethodError(
            f"broad_style={broad_style!r} is not available; choose one of "
            f"{', '.join(map(repr, _BROAD_STYLES))}."
        )
    return _Options(binary_label, frozenset(c for c in codes if c is not None), broad_style)


def get_grouping(
    name: str,
    *,
    binary_label: str = "BME",
    white_codes: Iterable[str] = ("A", "B", "C"),
    broad_style: BroadStyle = "nhs",
) -> Grouping:
    """A built-in grouping by name, with its default reference group.

    Parameters
    ----------
    name : {"nhs16", "broad", "binary"}
        ``"nhs16"``: the 16 NHS categories with their Data Dictionary labels, reference
        "White - British". ``"broad"``: White, Mixed, Asian, Black, Other, reference "White".
        ``"binary"``: "White" against ``binary_label``, reference "White".
    binary_label : str, default "BME"
        Label of the minority group in the binary grouping ("BME" as in WRES, "Global
        Majority", "ethnic minority", or any other string).
    white_codes : sequence of str, default ("A", "B", "C")
        Codes counted as White in the binary grouping; every other stated code is in the
        minority group. Z and 99 are in neither.
    broad_style : {"nhs", "census"}, default "nhs"
        ``"nhs"`` keeps Chinese (R) in Other, as the NHS classification does; ``"census"``
        moves it to Asian, as the 2021 census does.

    Options that do not concern the chosen grouping are checked but have no effect.

    Examples
    --------
    >>> get_grouping("binary", binary_label="Global Majority").groups
    ('White', 'Global Majority')
    >>> get_grouping("broad", broad_style="census").mapping["R"]
    'Asian'
    """
    options = _check_options(binary_label, white_codes, broad_style)
    if not isinstance(name, str) or name not in _BUILDERS:
        raise UnknownMethodError(
            f"grouping {name!r} is not available; choose one of "
            f"{', '.join(map(repr, _BUILDERS))}, or build one with Grouping.from_mapping."
        )
    return _BUILDERS[name](options)


def assign_group(codes: Any, grouping: Grouping | str) -> pd.Series:
    """Map normalised NHS codes to the group labels of a grouping.

    Parameters
    ----------
    codes : Series, list or array
        Normalised NHS codes, as returned by :func:`normalise_ethnic_category`.
    grouping : Grouping or str
        A grouping, or the name of a built-in one (see :func:`get_grouping`).

    Returns
    -------
    pandas.Series
        Group labels (index and name kept from a Series input). Z becomes
        :data:`NOT_STATED_LABEL`, 99 :data:`NOT_KNOWN_LABEL` and :data:`UNRECOGNISED`
        :data:`UNRECOGNISED_LABEL`; these are never groups for ratios.

    Raises
    ------
    UnrecognisedCodeError
        Listing every value that is not a normalised code (missing values included), with
        counts; normalise the codes first.

    Examples
    --------
    >>> assign_group(["A", "R", "Z", "99"], "broad").tolist()
    ['White', 'Other', 'Not stated', 'Not known']
    """
    if isinstance(grouping, str):
        grouping = get_grouping(grouping)
    if not isinstance(grouping, Grouping):
        raise InvalidTypeError(
            f"grouping must be a Grouping or a grouping name; got {type(grouping).__name__}."
        )
    series = as_series(codes, argument="codes")
    distinct = distinct_values(series)
    table = {**grouping.mapping, **_NON_GROUP_LABELS}
    mapped = [table.get(value) if isinstance(value, str) else None for value in distinct.uniques]
    bad = [k for k, label in enumerate(mapped) if label is None]
    missing = int(np.count_nonzero(distinct.codes < 0))
    if bad or missing:
        listing, counts = describe_values(series, distinct, bad, missing=True)
        raise UnrecognisedCodeError(
            f"codes hold {len(counts)} distinct value(s) in {sum(counts.values())} row(s) that "
            f"are not normalised NHS codes: {listing}. Pass the codes through "
            "normalise_ethnic_category first.",
            counts,
        )
    labels = [label for label in mapped if label is not None]
    return pd.Series(
        distinct.take(labels, NOT_KNOWN_LABEL), index=series.index, name=series.name
    ).astype("str")
