"""Named groupings, reference groups and assign_group.

Expected groups come from the NHS Data Dictionary broad groups (White A-C, Mixed D-G, Asian
H-L, Black M-P, Other R-S), the census placement of Chinese under Asian, and the WRES
definition of White (A-C) against BME (every other stated code).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    UnknownMethodError,
    UnrecognisedCodeError,
)
from equitymetrics.taxonomy import (
    NOT_KNOWN_LABEL,
    NOT_STATED_LABEL,
    STATED_CODES,
    UNRECOGNISED,
    UNRECOGNISED_LABEL,
    Grouping,
    assign_group,
    get_grouping,
    list_groupings,
)

BROAD_NHS = dict.fromkeys("ABC", "White") | dict.fromkeys("DEFG", "Mixed")
BROAD_NHS |= dict.fromkeys("HJKL", "Asian") | dict.fromkeys("MNP", "Black")
BROAD_NHS |= dict.fromkeys("RS", "Other")


def test_list_groupings() -> None:
    assert list_groupings() == ["nhs16", "broad", "binary"]


def test_nhs16_grouping() -> None:
    grouping = get_grouping("nhs16")
    assert grouping.name == "nhs16"
    assert len(grouping.groups) == 16
    assert grouping.reference == "White - British"
    assert grouping.mapping["N"] == "Black or Black British - African"
    assert grouping.mapping["R"] == "Other Ethnic Groups - Chinese"
    assert grouping.groups[0] == "White - British"


def test_broad_grouping_nhs_style() -> None:
    grouping = get_grouping("broad")
    assert grouping.groups == ("White", "Mixed", "Asian", "Black", "Other")
    assert grouping.reference == "White"
    assert dict(grouping.mapping) == BROAD_NHS


def test_broad_grouping_census_style_moves_chinese_to_asian() -> None:
    grouping = get_grouping("broad", broad_style="census")
    assert dict(grouping.mapping) == BROAD_NHS | {"R": "Asian"}
    assert grouping.groups == ("White", "Mixed", "Asian", "Black", "Other")


def test_unknown_broad_style() -> None:
    with pytest.raises(UnknownMethodError, match="broad_style='ons' is not available"):
        get_grouping("broad", broad_style="ons")  # type: ignore[arg-type]


def test_binary_grouping_default_is_wres() -> None:
    grouping = get_grouping("binary")
    assert grouping.groups == ("White", "BME")
    assert grouping.reference == "White"
    assert {code for code, group in grouping.mapping.items() if group == "White"} == {"A", "B", "C"}
    assert {code for code, group in grouping.mapping.items() if group == "BME"} == set(
        "DEFGHJKLMNPRS"
    )


@pytest.mark.parametrize("label", ["BME", "Global Majority", "ethnic minority", "Racialised"])
def test_binary_label_is_configurable(label: str) -> None:
    grouping = get_grouping("binary", binary_label=label)
    assert grouping.groups == ("White", label)
    assert grouping.mapping["N"] == label


def test_binary_white_definition_is_configurable() -> None:
    grouping = get_grouping("binary", white_codes=["a", "B"])
    assert grouping.mapping["A"] == "White"
    assert grouping.mapping["B"] == "White"
    assert grouping.mapping["C"] == "BME"


@pytest.mark.parametrize(
    "white_codes",
    [[], ["Z"], ["99"], ["Q"], list(STATED_CODES), [1]],
    ids=repr,
)
def test_bad_white_codes(white_codes: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="white_codes must be a non-empty selection"):
        get_grouping("binary", white_codes=white_codes)


def test_white_codes_as_a_bare_string_is_refused() -> None:
    with pytest.raises(InvalidTypeError, match="white_codes must be a sequence"):
        get_grouping("binary", white_codes="ABC")


@pytest.mark.parametrize("label", ["", "  ", "White", "white", NOT_STATED_LABEL, 3], ids=repr)
def test_bad_binary_label(label: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="binary_label must"):
        get_grouping("binary", binary_label=label)


def test_unknown_grouping_lists_the_names() -> None:
    with pytest.raises(UnknownMethodError, match="'nhs16', 'broad', 'binary'"):
        get_grouping("ons5")


def test_non_groups_are_never_comparable() -> None:
    for name in list_groupings():
        grouping = get_grouping(name)
        assert grouping.comparable_groups == grouping.groups
        for label in (NOT_STATED_LABEL, NOT_KNOWN_LABEL, UNRECOGNISED_LABEL):
            assert label not in grouping.comparable_groups
            assert not grouping.is_comparable(label)
        assert grouping.is_comparable(grouping.reference)
        assert grouping.labels[-3:] == (NOT_STATED_LABEL, NOT_KNOWN_LABEL, UNRECOGNISED_LABEL)


def test_non_group_label_constants() -> None:
    assert (NOT_STATED_LABEL, NOT_KNOWN_LABEL, UNRECOGNISED_LABEL) == (
        "Not stated",
        "Not known",
        "Unrecognised",
    )


def test_custom_grouping_with_other_counted_with_white() -> None:
    # NHS England's restrictive-intervention outputs put "Other" with White
    mapping = BROAD_NHS | {"R": "White or Other", "S": "White or Other"}
    mapping |= dict.fromkeys("ABC", "White or Other")
    grouping = Grouping.from_mapping("restrictive", mapping, "White or Other")
    assert grouping.groups == ("White or Other", "Mixed", "Asian", "Black")
    assert grouping.reference == "White or Other"
    assigned = assign_group(["S", "A", "N", "Z"], grouping)
    assert assigned.tolist() == ["White or Other", "White or Other", "Black", NOT_STATED_LABEL]


def test_custom_grouping_with_explicit_order_and_lower_case_keys() -> None:
    mapping = {code.lower(): group for code, group in BROAD_NHS.items()}
    order = ["Asian", "Black", "Mixed", "Other", "White"]
    grouping = Grouping.from_mapping("alphabetical", mapping, "White", groups=order)
    assert grouping.groups == tuple(order)
    assert list(grouping.mapping) == list(STATED_CODES)


def test_custom_grouping_reports_every_problem() -> None:
    mapping = {code: group for code, group in BROAD_NHS.items() if code not in "RS"}
    mapping["A"] = NOT_KNOWN_LABEL
    with pytest.raises(InvalidArgumentError) as caught:
        Grouping.from_mapping("broken", mapping, "Purple")
    message = str(caught.value)
    assert "no group for code(s) ['R', 'S']" in message
    assert "'Not known'" in message
    assert "reference 'Purple' is not one of the groups" in message


def test_custom_grouping_refuses_non_codes_as_keys() -> None:
    with pytest.raises(InvalidArgumentError, match=r"mapping keys \['Z'\] are not stated"):
        Grouping.from_mapping("bad", BROAD_NHS | {"Z": "White"}, "White")
    with pytest.raises(InvalidArgumentError, match="mapping key 'foo' of grouping 'bad'"):
        Grouping.from_mapping("bad", BROAD_NHS | {"foo": "White"}, "White")
    with pytest.raises(InvalidArgumentError, match="mapping key 'a' of grouping 'bad'"):
        Grouping.from_mapping("bad", BROAD_NHS | {"a": "Black"}, "White")  # repeats A


def test_grouping_is_immutable_and_hashable() -> None:
    grouping = get_grouping("broad")
    with pytest.raises(TypeError):
        grouping.mapping["A"] = "Other"  # type: ignore[index]
    with pytest.raises(AttributeError):
        grouping.reference = "Black"  # type: ignore[misc]
    assert hash(grouping) == hash(get_grouping("broad"))
    assert grouping == get_grouping("broad")
    assert grouping != get_grouping("broad", broad_style="census")


def test_assign_group_maps_codes_and_non_groups() -> None:
    codes = pd.Series(["A", "R", "Z", "99", UNRECOGNISED, "M"], index=list("uvwxyz"), name="eth")
    result = assign_group(codes, "broad")
    assert result.tolist() == [
        "White",
        "Other",
        NOT_STATED_LABEL,
        NOT_KNOWN_LABEL,
        UNRECOGNISED_LABEL,
        "Black",
    ]
    assert result.index.tolist() == list("uvwxyz")
    assert result.name == "eth"


def test_assign_group_binary_global_majority() -> None:
    grouping = get_grouping("binary", binary_label="Global Majority")
    result = assign_group(["A", "B", "C", "D", "R", "Z"], grouping)
    assert result.tolist() == ["White"] * 3 + ["Global Majority"] * 2 + [NOT_STATED_LABEL]


def test_assign_group_requires_normalised_codes() -> None:
    with pytest.raises(UnrecognisedCodeError) as caught:
        assign_group(["A", "a", "White - British", None, "a"], "broad")
    assert caught.value.counts == {"a": 2, "White - British": 1, "<missing>": 1}
    assert "normalise_ethnic_category first" in str(caught.value)


def test_assign_group_refuses_other_grouping_types() -> None:
    with pytest.raises(InvalidTypeError, match="grouping must be a Grouping"):
        assign_group(["A"], {"A": "White"})  # type: ignore[arg-type]
