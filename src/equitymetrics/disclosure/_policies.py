"""Disclosure-control policies as data: frozen, typed and validated on construction."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, UnknownMethodError

__all__ = [
    "ADDITIVE_COLUMNS",
    "COUNT_COLUMNS",
    "DisclosurePolicy",
    "get_policy",
    "list_policies",
]

COUNT_COLUMNS: tuple[str, ...] = ("numerator", "denominator", "excess_events")
"""The results columns that hold counts and may be rounded or suppressed."""

ADDITIVE_COLUMNS: tuple[str, ...] = ("numerator", "denominator")
"""Count columns that add up across groups and units, so secondary suppression applies."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DisclosurePolicy:
    """The rules that make a results table safe to publish.

    A count ``x`` in one of ``count_columns`` is *suppressed* (published as a missing value)
    when ``0 < |x| < suppress_below``, or when it is zero and ``show_zero`` is false; every
    other count is rounded to the nearest multiple of ``rounding_base`` (halves away from
    zero). Rows whose ``unit_type`` is in ``exempt_unit_types`` are published exactly.
    Statistics are never rounded: they are computed earlier on exact counts, and the
    disclosure layer only blanks those that would reveal a suppressed count.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"nhs_secondary_care"``.
    description : str
        The rule in plain words, used in the ``note`` of suppressed rows, e.g.
        ``"NHS secondary-care rule"``.
    suppress_below : int
        Counts whose size is above 0 and below this are suppressed (8 suppresses 1-7).
        0 or 1 suppresses nothing. With rounding, it must be at least half the rounding base,
        so that no count is rounded down to 0.
    show_zero : bool
        Publish zero as 0 (true), or suppress it with the small counts (false).
    rounding_base : int
        Published counts are rounded to the nearest multiple of this (1 = no rounding).
    count_columns : tuple of str
        Which results columns are counts under this policy.
    exempt_unit_types : tuple of str
        Unit types published exactly (e.g. national totals).
    secondary_suppression : bool
        Also suppress further cells so that no suppressed count can be recovered from totals
        (see :func:`equitymetrics.disclosure.apply_disclosure`).

    Examples
    --------
    >>> from equitymetrics.disclosure import DisclosurePolicy
    >>> strict = DisclosurePolicy(name="strict", description="local rule", suppress_below=10)
    >>> strict.suppressed_range
    (1, 9)
    """

    name: str
    description: str
    suppress_below: int
    show_zero: bool = True
    rounding_base: int = 5
    count_columns: tuple[str, ...] = COUNT_COLUMNS
    exempt_unit_types: tuple[str, ...] = ("national",)
    secondary_suppression: bool = True

    def __post_init__(self) -> None:
        for field_name in ("name", "description"):
            text = getattr(self, field_name)
            if not isinstance(text, str) or not text.strip():
                raise InvalidTypeError(
                    f"DisclosurePolicy {field_name} must be a non-empty string; got {text!r}."
                )
        for field_name in ("suppress_below", "rounding_base"):
            number = getattr(self, field_name)
            if not isinstance(number, int) or isinstance(number, bool):
                raise InvalidTypeError(
                    f"DisclosurePolicy {field_name} must be a whole number (int); got {number!r}."
                )
        if self.suppress_below < 0:
            raise InvalidArgumentError(
                f"DisclosurePolicy suppress_below must be >= 0; got {self.suppress_below}. "
                "Use 8 to suppress counts 1-7, or 0 to suppress nothing."
            )
        if self.rounding_base < 1:
            raise InvalidArgumentError(
                f"DisclosurePolicy rounding_base must be >= 1; got {self.rounding_base}. "
                "Use 1 for no rounding."
            )
        smallest_rounded_up = -(-self.rounding_base // 2)  # counts from here round to the base
        if self.rounding_base > 1 and self.suppress_below < smallest_rounded_up:
            raise InvalidArgumentError(
                f"DisclosurePolicy with rounding_base {self.rounding_base} needs suppress_below "
                f">= {smallest_rounded_up}; got {self.suppress_below}: counts 1-"
                f"{smallest_rounded_up - 1} would be published as 0, which reads as a true zero."
            )
        for field_name in ("show_zero", "secondary_suppression"):
            if not isinstance(getattr(self, field_name), bool):
                raise InvalidTypeError(
                    f"DisclosurePolicy {field_name} must be True or False; "
                    f"got {getattr(self, field_name)!r}."
                )
        for field_name in ("count_columns", "exempt_unit_types"):
            value = getattr(self, field_name)
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                raise InvalidTypeError(
                    f"DisclosurePolicy {field_name} must be a tuple of strings; got {value!r}."
                )
        unknown = [column for column in self.count_columns if column not in COUNT_COLUMNS]
        if unknown:
            raise InvalidArgumentError(
                f"DisclosurePolicy count_columns may only name {list(COUNT_COLUMNS)}; "
                f"got {unknown}."
            )

    @property
    def suppressed_range(self) -> tuple[int, int] | None:
        """The smallest and largest whole counts that are suppressed, or None if none are."""
        lowest = 1 if self.show_zero else 0
        highest = self.suppress_below - 1
        return (lowest, highest) if highest >= lowest else None

    @property
    def lower_bound(self) -> int:
        """What anyone reading the published table knows about a suppressed count.

        1 when zeros are shown (a suppressed count cannot be zero), otherwise 0.
        """
        return 1 if self.show_zero else 0

    def is_small(self, value: float) -> bool:
        """Whether a single exact count would be suppressed by this policy."""
        if math.isnan(value):
            return False
        if value == 0:
            return not self.show_zero
        return abs(value) < self.suppress_below


_BUILT_IN: Mapping[str, DisclosurePolicy] = MappingProxyType(
    {
        "nhs_secondary_care": DisclosurePolicy(
            name="nhs_secondary_care",
            description="NHS secondary-care rule",
            suppress_below=8,
            show_zero=True,
            rounding_base=5,
        ),
        "mha_annual": DisclosurePolicy(
            name="mha_annual",
            description="Mental Health Act annual statistics rule",
            suppress_below=5,
            show_zero=False,
            rounding_base=5,
        ),
        "none": DisclosurePolicy(
            name="none",
            description="no disclosure control",
            suppress_below=0,
            show_zero=True,
            rounding_base=1,
            secondary_suppression=False,
        ),
    }
)


def list_policies() -> list[str]:
    """Names of the built-in policies, sorted.

    Examples
    --------
    >>> from equitymetrics.disclosure import list_policies
    >>> list_policies()
    ['mha_annual', 'nhs_secondary_care', 'none']
    """
    return sorted(_BUILT_IN)


def get_policy(name: str) -> DisclosurePolicy:
    """The built-in policy called ``name``.

    Parameters
    ----------
    name : str
        One of :func:`list_policies`: ``"nhs_secondary_care"`` (0 shown, 1-7 suppressed,
        others rounded to 5), ``"mha_annual"`` (counts under 5, zero included, suppressed,
        others rounded to 5) or ``"none"``.

    Raises
    ------
    UnknownMethodError
        If no built-in policy has that name; the message lists the valid names.

    Examples
    --------
    >>> from equitymetrics.disclosure import get_policy
    >>> get_policy("nhs_secondary_care").suppressed_range
    (1, 7)
    """
    if not isinstance(name, str):
        raise InvalidTypeError(
            f"policy name must be a string such as 'nhs_secondary_care'; got {name!r}."
        )
    try:
        return _BUILT_IN[name]
    except KeyError:
        raise UnknownMethodError(
            f"policy {name!r} is not a built-in disclosure policy; choose one of "
            f"{list_policies()}, or construct a DisclosurePolicy for a local rule."
        ) from None
