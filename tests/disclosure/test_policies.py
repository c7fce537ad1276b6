"""Disclosure policies: the built-in rules as data, custom policies and their validation.

Expected parameters are read from the published rules themselves:
NHS secondary-care statistics (below national level: 0 shown as 0, 1-7 suppressed, all other
counts rounded to the nearest 5) and Mental Health Act annual statistics (counts under 5
suppressed, shown as "*", others rounded to the nearest 5, national totals exempt).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from equitymetrics.disclosure import DisclosurePolicy, get_policy, list_policies
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, UnknownMethodError


def test_list_policies_names_the_built_ins_in_order() -> None:
    assert list_policies() == ["mha_annual", "nhs_secondary_care", "none"]


@pytest.mark.parametrize(
    ("name", "suppress_below", "show_zero", "rounding_base", "secondary", "suppressed_range"),
    [
        # "0 shown as 0, 1-7 suppressed, all other counts rounded to the nearest 5"
        ("nhs_secondary_care", 8, True, 5, True, (1, 7)),
        # "counts under 5 suppressed (*), others rounded to the nearest 5": 0 is under 5
        ("mha_annual", 5, False, 5, True, (0, 4)),
        # no control at all: nothing suppressed, nothing rounded
        ("none", 0, True, 1, False, None),
    ],
)
def test_built_in_policy_parameters(
    name: str,
    suppress_below: int,
    show_zero: bool,
    rounding_base: int,
    secondary: bool,
    suppressed_range: tuple[int, int] | None,
) -> None:
    policy = get_policy(name)
    assert policy.name == name
    assert policy.suppress_below == suppress_below
    assert policy.show_zero is show_zero
    assert policy.rounding_base == rounding_base
    assert policy.secondary_suppression is secondary
    assert policy.suppressed_range == suppressed_range
    assert policy.count_columns == ("numerator", "denominator", "excess_events")
    assert policy.exempt_unit_types == ("national",)  # national figures are published exactly


def test_lower_bound_is_what_a_reader_knows_about_a_suppressed_count() -> None:
    # Zeros shown: a suppressed count is at least 1. Zeros suppressed: it may be 0.
    assert get_policy("nhs_secondary_care").lower_bound == 1
    assert get_policy("mha_annual").lower_bound == 0


@pytest.mark.parametrize(
    ("name", "value", "small"),
    [
        ("nhs_secondary_care", 0.0, False),
        ("nhs_secondary_care", 1.0, True),
        ("nhs_secondary_care", 7.0, True),
        ("nhs_secondary_care", 7.5, True),
        ("nhs_secondary_care", 8.0, False),
        ("nhs_secondary_care", -3.2, True),  # excess events: the size counts
        ("mha_annual", 0.0, True),
        ("mha_annual", 4.0, True),
        ("mha_annual", 5.0, False),
        ("none", 1.0, False),
        ("nhs_secondary_care", math.nan, False),
    ],
)
def test_is_small(name: str, value: float, small: bool) -> None:
    assert get_policy(name).is_small(value) is small


def test_unknown_policy_name_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownMethodError, match=r"'nhs'.*mha_annual.*nhs_secondary_care.*none"):
        get_policy("nhs")


def test_policy_name_must_be_a_string() -> None:
    with pytest.raises(InvalidTypeError, match="policy name must be a string"):
        get_policy(8)  # type: ignore[arg-type]


def test_policies_are_frozen() -> None:
    policy = get_policy("nhs_secondary_care")
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.suppress_below = 3  # type: ignore[misc]


def test_custom_policy_by_construction() -> None:
    policy = DisclosurePolicy(
        name="local",
        description="local rule",
        suppress_below=10,
        rounding_base=10,
        exempt_unit_types=("national", "region"),
    )
    assert policy.suppressed_range == (1, 9)
    assert policy.secondary_suppression is True
    assert dataclasses.replace(policy, show_zero=False).suppressed_range == (0, 9)


BASE = {"name": "local", "description": "local rule", "suppress_below": 8}


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"name": ""}, InvalidTypeError, "name must be a non-empty string"),
        ({"description": None}, InvalidTypeError, "description must be a non-empty string"),
        ({"suppress_below": 7.5}, InvalidTypeError, "suppress_below must be a whole number"),
        ({"suppress_below": True}, InvalidTypeError, "suppress_below must be a whole number"),
        ({"suppress_below": -1}, InvalidArgumentError, "suppress_below must be >= 0; got -1"),
        ({"rounding_base": 0}, InvalidArgumentError, "rounding_base must be >= 1; got 0"),
        # 1 and 2 would round to 0 with base 5: a true 2 would read as a true zero
        ({"suppress_below": 2}, InvalidArgumentError, r"needs suppress_below >= 3; got 2"),
        ({"show_zero": "yes"}, InvalidTypeError, "show_zero must be True or False"),
        ({"count_columns": ["numerator"]}, InvalidTypeError, "count_columns must be a tuple"),
        ({"count_columns": ("value",)}, InvalidArgumentError, r"may only name .*got \['value'\]"),
        ({"exempt_unit_types": "national"}, InvalidTypeError, "exempt_unit_types must be a tuple"),
    ],
)
def test_invalid_policies_are_refused(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        DisclosurePolicy(**{**BASE, **changes})
