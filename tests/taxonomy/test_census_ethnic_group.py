"""Census 2021 ethnic group (TS021): code and label parsing, and the crosswalk to NHS codes.

Expected census codes follow the ONS TS021 classification (1 Bangladeshi ... 19 Any other
ethnic group, -8 Does not apply); the bulk CSV column names are written out here as ONS
publishes them in ``census2021-ts021-*.csv``. The default crosswalk is the usual NHS mapping
(Chinese -> R, Gypsy or Irish Traveller -> C, Roma -> C, Arab -> S).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, UnrecognisedCodeError
from equitymetrics.taxonomy import (
    CENSUS_TO_NHS_DEFAULT,
    census_to_nhs,
    normalise_census_ethnic_group,
)

BULK_CSV_COLUMNS = [
    ("Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi", 1),
    ("Ethnic group: Asian, Asian British or Asian Welsh: Chinese", 2),
    ("Ethnic group: Asian, Asian British or Asian Welsh: Indian", 3),
    ("Ethnic group: Asian, Asian British or Asian Welsh: Pakistani", 4),
    ("Ethnic group: Asian, Asian British or Asian Welsh: Other Asian", 5),
    ("Ethnic group: Black, Black British, Black Welsh, Caribbean or African: African", 6),
    ("Ethnic group: Black, Black British, Black Welsh, Caribbean or African: Caribbean", 7),
    ("Ethnic group: Black, Black British, Black Welsh, Caribbean or African: Other Black", 8),
    ("Ethnic group: Mixed or Multiple ethnic groups: White and Asian", 9),
    ("Ethnic group: Mixed or Multiple ethnic groups: White and Black African", 10),
    ("Ethnic group: Mixed or Multiple ethnic groups: White and Black Caribbean", 11),
    ("Ethnic group: Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", 12),
    ("Ethnic group: White: English, Welsh, Scottish, Northern Irish or British", 13),
    ("Ethnic group: White: Irish", 14),
    ("Ethnic group: White: Gypsy or Irish Traveller", 15),
    ("Ethnic group: White: Roma", 16),
    ("Ethnic group: White: Other White", 17),
    ("Ethnic group: Other ethnic group: Arab", 18),
    ("Ethnic group: Other ethnic group: Any other ethnic group", 19),
]

SUBTOTAL_COLUMNS = [
    "Ethnic group: Total: All usual residents",
    "Ethnic group: Asian, Asian British or Asian Welsh",
    "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
    "Ethnic group: Mixed or Multiple ethnic groups",
    "Ethnic group: White",
    "Ethnic group: Other ethnic group",
    "White: Total",
]


@pytest.mark.parametrize(("column", "expected"), BULK_CSV_COLUMNS)
def test_bulk_csv_column_names(column: str, expected: int) -> None:
    assert normalise_census_ethnic_group([column]).tolist() == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (19, 19),
        (-8, -8),
        (np.int64(7), 7),
        (12.0, 12),
        ("13", 13),
        (" 2 ", 2),
        ("-8", -8),
        ("Bangladeshi", 1),
        ("bangladeshi", 1),
        ("  Roma ", 16),
        ("Other Mixed or Multiple ethnic groups", 12),
        ("Other Mixed or Multiple", 12),
        ("English, Welsh, Scottish, Northern Irish or British", 13),
        ("White: Irish", 14),
        ("Asian, Asian British or Asian Welsh: Chinese", 2),
        ("Asian: Chinese", 2),
        ("Other ethnic group: Arab", 18),
        ("Mixed or Multiple ethnic groups: White and Black Caribbean", 11),
        ("Does not apply", -8),
    ],
    ids=repr,
)
def test_census_values_normalise(value: Any, expected: int) -> None:
    assert normalise_census_ethnic_group([value]).tolist() == [expected]


def test_result_is_int64_series_with_index_kept() -> None:
    values = pd.Series(["Roma", 3], index=["x", "y"], name="ethnic_group")
    result = normalise_census_ethnic_group(values)
    assert result.dtype == np.int64
    assert result.index.tolist() == ["x", "y"]
    assert result.name == "ethnic_group"


@pytest.mark.parametrize("column", SUBTOTAL_COLUMNS)
def test_totals_and_subtotals_are_refused_with_a_hint(column: str) -> None:
    with pytest.raises(UnrecognisedCodeError, match="a total or broad-group subtotal"):
        normalise_census_ethnic_group([column])


def test_error_lists_every_bad_value_and_missing_values() -> None:
    values = ["Roma", 20, "A", 20, None, "0", None]
    with pytest.raises(UnrecognisedCodeError) as caught:
        normalise_census_ethnic_group(values)
    assert caught.value.counts == {"20": 2, "A": 1, "0": 1, "<missing>": 2}
    message = str(caught.value)
    assert "20 (2 rows, first at index 1)" in message
    assert "'A' (1 row, first at index 2; an NHS code or label" in message
    assert "missing values (2 rows)" in message


def test_nhs_labels_are_not_census_labels() -> None:
    with pytest.raises(UnrecognisedCodeError, match="White - British"):
        normalise_census_ethnic_group(["White - British"])


@pytest.mark.parametrize(
    ("census_code", "nhs_code"),
    [
        (1, "K"),
        (2, "R"),
        (3, "H"),
        (4, "J"),
        (5, "L"),
        (6, "N"),
        (7, "M"),
        (8, "P"),
        (9, "F"),
        (10, "E"),
        (11, "D"),
        (12, "G"),
        (13, "A"),
        (14, "B"),
        (15, "C"),
        (16, "C"),
        (17, "C"),
        (18, "S"),
        (19, "S"),
        (-8, "99"),
    ],
)
def test_default_crosswalk(census_code: int, nhs_code: str) -> None:
    assert census_to_nhs([census_code]).tolist() == [nhs_code]
    assert CENSUS_TO_NHS_DEFAULT[census_code] == nhs_code


def test_crosswalk_accepts_labels_and_bulk_column_names() -> None:
    result = census_to_nhs(["Chinese", "Ethnic group: White: Roma", "Arab"])
    assert result.tolist() == ["R", "C", "S"]


def test_crosswalk_overrides_only_the_given_entries() -> None:
    result = census_to_nhs([2, 15, 16, 18], crosswalk={15: "S", "Chinese": "l", "18": "99"})
    assert result.tolist() == ["L", "S", "C", "99"]
    # the defaults are untouched for the next call
    assert census_to_nhs([15]).tolist() == ["C"]


def test_crosswalk_problems_are_all_reported() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        census_to_nhs([1], crosswalk={25: "A", 3: "Q", 4: "unrecognised"})
    message = str(caught.value)
    assert "3 problem(s)" in message
    assert "key 25 is not a census code" in message
    assert "value 'Q' (for key 3)" in message
    assert "value 'unrecognised' (for key 4)" in message


def test_crosswalk_must_be_a_mapping() -> None:
    with pytest.raises(InvalidTypeError, match="crosswalk must be a mapping"):
        census_to_nhs([1], crosswalk=[(15, "S")])  # type: ignore[arg-type]


def test_census_to_nhs_keeps_index() -> None:
    values = pd.Series([13, 2], index=[5, 6])
    result = census_to_nhs(values)
    assert result.index.tolist() == [5, 6]
    assert result.tolist() == ["A", "R"]


def test_bulk_frame_columns_to_nhs_codes() -> None:
    # the shape of an ONS bulk file, after dropping the total and subtotal columns
    frame = pd.DataFrame(
        {"date": [2021], "geography": ["Hartlepool"], "geography code": ["E06000001"]}
        | {column: [10 * code] for column, code in BULK_CSV_COLUMNS}
    )
    long = frame.melt(
        id_vars=["date", "geography", "geography code"],
        var_name="ethnic_group",
        value_name="population",
    )
    long["nhs_code"] = census_to_nhs(long["ethnic_group"])
    totals = long.groupby("nhs_code")["population"].sum()
    assert totals["C"] == 10 * (15 + 16 + 17)  # Gypsy or Irish Traveller, Roma, Other White
    assert totals["S"] == 10 * (18 + 19)  # Arab and any other ethnic group
    assert totals["R"] == 10 * 2  # Chinese
    assert totals.sum() == 10 * sum(range(1, 20))
