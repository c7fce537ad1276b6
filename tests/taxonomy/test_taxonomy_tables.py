"""The shipped classification tables match the NHS Data Dictionary and ONS TS021.

Expected rows are typed here by hand from the NHS Data Dictionary "Ethnic Category" (2001
census based) and the ONS Census 2021 ethnic group classification (table TS021), independently
of the CSV files the package ships.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from equitymetrics import taxonomy
from equitymetrics.taxonomy import (
    CENSUS_TO_NHS_DEFAULT,
    NHS_CODES,
    NOT_KNOWN,
    NOT_STATED,
    STATED_CODES,
    UNRECOGNISED,
    census_ethnic_groups,
    nhs_ethnic_categories,
)

# NHS Data Dictionary, Ethnic Category: code, label, NHS broad group.
NHS_EXPECTED = [
    ("A", "White - British", "White"),
    ("B", "White - Irish", "White"),
    ("C", "White - Any other White background", "White"),
    ("D", "Mixed - White and Black Caribbean", "Mixed"),
    ("E", "Mixed - White and Black African", "Mixed"),
    ("F", "Mixed - White and Asian", "Mixed"),
    ("G", "Mixed - Any other mixed background", "Mixed"),
    ("H", "Asian or Asian British - Indian", "Asian"),
    ("J", "Asian or Asian British - Pakistani", "Asian"),
    ("K", "Asian or Asian British - Bangladeshi", "Asian"),
    ("L", "Asian or Asian British - Any other Asian background", "Asian"),
    ("M", "Black or Black British - Caribbean", "Black"),
    ("N", "Black or Black British - African", "Black"),
    ("P", "Black or Black British - Any other Black background", "Black"),
    ("R", "Other Ethnic Groups - Chinese", "Other"),
    ("S", "Other Ethnic Groups - Any other ethnic group", "Other"),
]

ASIAN = "Asian, Asian British or Asian Welsh"
BLACK = "Black, Black British, Black Welsh, Caribbean or African"
MIXED = "Mixed or Multiple ethnic groups"
OTHER = "Other ethnic group"

# ONS Census 2021 TS021: code, label, census broad group label, usual NHS code.
CENSUS_EXPECTED = [
    (1, "Bangladeshi", ASIAN, "K"),
    (2, "Chinese", ASIAN, "R"),
    (3, "Indian", ASIAN, "H"),
    (4, "Pakistani", ASIAN, "J"),
    (5, "Other Asian", ASIAN, "L"),
    (6, "African", BLACK, "N"),
    (7, "Caribbean", BLACK, "M"),
    (8, "Other Black", BLACK, "P"),
    (9, "White and Asian", MIXED, "F"),
    (10, "White and Black African", MIXED, "E"),
    (11, "White and Black Caribbean", MIXED, "D"),
    (12, "Other Mixed or Multiple ethnic groups", MIXED, "G"),
    (13, "English, Welsh, Scottish, Northern Irish or British", "White", "A"),
    (14, "Irish", "White", "B"),
    (15, "Gypsy or Irish Traveller", "White", "C"),
    (16, "Roma", "White", "C"),
    (17, "Other White", "White", "C"),
    (18, "Arab", OTHER, "S"),
    (19, "Any other ethnic group", OTHER, "S"),
]


def test_nhs_table_has_the_sixteen_groups_then_not_stated_and_not_known() -> None:
    table = nhs_ethnic_categories()
    stated = table[table["stated"]]
    assert list(zip(stated["code"], stated["label"], stated["broad_group"], strict=True)) == (
        NHS_EXPECTED
    )
    assert list(table["code"]) == [code for code, _, _ in NHS_EXPECTED] + ["Z", "99"]
    assert not table.loc[table["code"].isin(["Z", "99"]), "stated"].any()


def test_census_broad_group_differs_only_for_chinese() -> None:
    table = nhs_ethnic_categories().set_index("code")
    stated = table[table["stated"]]
    differs = stated.index[stated["broad_group"] != stated["census_broad_group"]]
    assert list(differs) == ["R"]
    assert table.loc["R", "census_broad_group"] == "Asian"


def test_code_constants() -> None:
    assert NOT_STATED == "Z"
    assert NOT_KNOWN == "99"
    assert UNRECOGNISED == "unrecognised"
    assert list(STATED_CODES) == list("ABCDEFGHJKLMNPRS")
    assert list(NHS_CODES) == [*"ABCDEFGHJKLMNPRS", "Z", "99"]


def test_census_table_matches_ts021() -> None:
    table = census_ethnic_groups()
    categories = table[table["code"] > 0]
    assert (
        list(
            zip(
                categories["code"],
                categories["label"],
                categories["broad_group_label"],
                categories["nhs_code"],
                strict=True,
            )
        )
        == CENSUS_EXPECTED
    )
    does_not_apply = table[table["code"] == -8]
    assert does_not_apply["label"].tolist() == ["Does not apply"]
    assert does_not_apply["nhs_code"].tolist() == ["99"]


def test_census_short_broad_groups() -> None:
    table = census_ethnic_groups().set_index("code")
    assert table.loc[2, "broad_group"] == "Asian"
    assert table.loc[18, "broad_group"] == "Other"
    assert set(table.loc[13:17, "broad_group"]) == {"White"}


def test_default_crosswalk_is_read_only_and_complete() -> None:
    assert dict(CENSUS_TO_NHS_DEFAULT) == {
        **{code: nhs for code, _, _, nhs in CENSUS_EXPECTED},
        -8: "99",
    }
    with pytest.raises(TypeError):
        CENSUS_TO_NHS_DEFAULT[15] = "S"  # type: ignore[index]


@pytest.mark.parametrize(
    "filename",
    [
        "nhs_ethnic_category.csv",
        "nhs_broad_group_prefix.csv",
        "nhs_ethnic_category_alias.csv",
        "census2021_ethnic_group.csv",
    ],
)
def test_tables_are_shipped_as_csv_package_data(filename: str) -> None:
    text = resources.files(taxonomy).joinpath("data", filename).read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, f"{filename} is empty"


def test_table_functions_return_new_frames() -> None:
    first = nhs_ethnic_categories()
    first.loc[0, "label"] = "changed"
    assert nhs_ethnic_categories().loc[0, "label"] == "White - British"
