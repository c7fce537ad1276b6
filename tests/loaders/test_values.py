"""Parsing of single values: dates, booleans, counts, codes. Tables of input -> expected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from equitymetrics.exceptions import DataValidationError
from equitymetrics.loaders import ColumnSpec, load
from equitymetrics.loaders._parsers import PARSERS, Invalid


def parse(kind: str, value: Any, **limits: Any) -> Any:
    spec = ColumnSpec("x", kind, "test column", **limits)  # type: ignore[arg-type]
    return PARSERS[kind](value, spec)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-05", pd.Timestamp(2024, 1, 5)),
        (" 2024-01-05 ", pd.Timestamp(2024, 1, 5)),
        ("2024-01-05 13:07", pd.Timestamp(2024, 1, 5, 13, 7)),
        ("2024-01-05 13:07:09", pd.Timestamp(2024, 1, 5, 13, 7, 9)),
        ("2024-01-05T13:07:09", pd.Timestamp(2024, 1, 5, 13, 7, 9)),
        ("2024-01-05 13:07:09.25", pd.Timestamp(2024, 1, 5, 13, 7, 9, 250000)),
        ("05/01/2024", pd.Timestamp(2024, 1, 5)),  # UK order: 5 January
        ("31/12/2023", pd.Timestamp(2023, 12, 31)),
        ("05/01/2024 13:07", pd.Timestamp(2024, 1, 5, 13, 7)),
        ("29/02/2024", pd.Timestamp(2024, 2, 29)),  # leap year
        (dt.date(2024, 1, 5), pd.Timestamp(2024, 1, 5)),
        (dt.datetime(2024, 1, 5, 8, 30), pd.Timestamp(2024, 1, 5, 8, 30)),
        (np.datetime64("2024-01-05"), pd.Timestamp(2024, 1, 5)),
        # 12:00 UTC on 1 July is 13:00 in London (BST, UTC+1).
        (pd.Timestamp("2024-07-01 12:00", tz="UTC"), pd.Timestamp(2024, 7, 1, 13, 0)),
        ("", None),
    ],
)
def test_dates(raw: Any, expected: Any) -> None:
    assert parse("date", raw) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2024-13-01", "x is not a real calendar date or time"),
        ("29/02/2023", "x is not a real calendar date or time"),
        ("2024-01-05 25:00", "x is not a real calendar date or time"),
        ("5/1/2024", "x must be a date written"),  # single digits are not DD/MM/YYYY
        ("01/05/24", "x must be a date written"),
        ("2024/01/05", "x must be a date written"),
        ("05-01-2024", "x must be a date written"),
        ("Jan 5 2024", "x must be a date written"),
        ("NA", "x must be a date written"),
        (45296, "got a int"),  # an Excel serial number is not a date
    ],
)
def test_invalid_dates(raw: Any, problem: str) -> None:
    result = parse("date", raw)
    assert isinstance(result, Invalid)
    assert result.problem.startswith(problem) or problem in result.problem


def test_mixed_date_formats_in_one_column() -> None:
    raw = pd.DataFrame(
        {
            "case_id": ["1", "2", "3"],
            "staff_id": ["a", "b", "c"],
            "ethnic_category": ["A"] * 3,
            "entered_date": ["2024-04-01", "01/04/2024", "2024-04-01 00:00"],
        }
    )
    frame = load("disciplinary", raw).frame
    assert frame["entered_date"].tolist() == [pd.Timestamp(2024, 4, 1)] * 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True), ("TRUE", True), ("Yes", True), ("y", True), ("1", True), (" Y ", True),
        ("false", False), ("No", False), ("N", False), ("0", False),
        (True, True), (False, False), (np.bool_(True), True), (1, True), (0.0, False),
        ("", None),
    ],
)  # fmt: skip
def test_booleans(raw: Any, expected: Any) -> None:
    assert parse("bool", raw) is expected


@pytest.mark.parametrize("raw", ["t", "2", "maybe", 2, 0.5])
def test_invalid_booleans(raw: Any) -> None:
    assert isinstance(parse("bool", raw), Invalid)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("12.0", 12), (12, 12), (12.0, 12), (np.int64(3), 3),
     ("+4", 4)],
)  # fmt: skip
def test_counts(raw: Any, expected: int) -> None:
    assert parse("count", raw) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("-1", "x must be at least 0"),
        (-1, "x must be at least 0"),
        ("1.5", "x must be a whole number"),
        (1.5, "x must be a whole number"),
        ("1,234", "x must be a whole number"),
        ("ten", "x must be a whole number"),
        (True, "x must be a whole number; got a true/false value"),
    ],
)
def test_invalid_counts(raw: Any, problem: str) -> None:
    assert parse("count", raw) == Invalid(problem)


def test_integer_range() -> None:
    assert parse("integer", "120", minimum=0, maximum=120) == 120
    assert parse("integer", "121", minimum=0, maximum=120) == Invalid("x must be at most 120")
    assert parse("integer", "-1", minimum=0, maximum=120) == Invalid("x must be at least 0")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", "1"), ("2", "2"), ("9", "9"), ("X", "X"), ("x", "X"), (1, "1"), (2.0, "2"),
        ("M", "1"), ("male", "1"), ("F", "2"), ("FEMALE", "2"), ("Unknown", "X"),
        ("not known", "X"), ("Not  Known", "X"), ("Indeterminate", "9"), ("", None),
    ],
)  # fmt: skip
def test_sex(raw: Any, expected: Any) -> None:
    assert parse("sex", raw) == expected


@pytest.mark.parametrize("raw", ["0", "3", "U", "Other", "all"])
def test_invalid_sex(raw: Any) -> None:
    assert isinstance(parse("sex", raw), Invalid)


def test_census_sex_allows_all() -> None:
    assert parse("census_sex", "All persons") == "all"
    assert parse("census_sex", "Female") == "2"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", "01"), ("01", "01"), (1, "01"), (4.0, "04"), ("17", "17"), (" 9 ", "09")],
)
def test_type_codes(raw: Any, expected: str) -> None:
    assert parse("type_code", raw) == expected


@pytest.mark.parametrize("raw", ["02", "2", "03", "3", "0", "18", "99", "001", "1a", "prone"])
def test_invalid_type_codes(raw: Any) -> None:
    assert isinstance(parse("type_code", raw), Invalid)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0-4", "0-4"), ("18-34", "18-34"), ("90+", "90+"), ("all", "all"), ("Total", "all"),
        ("Aged 4 years and under", "0-4"), ("Aged 5 to 9 years", "5-9"),
        ("Aged 90 years and over", "90+"), ("Aged 16 years", "16"), ("16 to 17", "16-17"),
        ("Aged under 1 year", "0"), ("65 and over", "65+"),
    ],
)  # fmt: skip
def test_age_bands(raw: str, expected: str) -> None:
    assert parse("age_band", raw) == expected


@pytest.mark.parametrize("raw", ["adults", "34-18", "18 - 34 years old", "-5"])
def test_invalid_age_bands(raw: str) -> None:
    assert isinstance(parse("age_band", raw), Invalid)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("board_member", "Non voting", "non-voting"),
        ("board_member", "VOTING", "voting"),
        ("survey_indicator", 7, "7"),
        ("survey_indicator", "8", "8"),
        ("survey_group", "bme", "BME"),
        ("survey_group", "White", "White"),
        ("area_code", " e06000045 ", "E06000045"),
        ("upper_text", " cto ", "CTO"),
        ("id", 1001, "1001"),
        ("id", 1001.0, "1001"),  # a whole number read from a numeric spreadsheet column
        ("id", " P01 ", "P01"),
        ("text", "  Oak  ", "Oak"),
    ],
)
def test_codes(kind: str, raw: Any, expected: str) -> None:
    assert parse(kind, raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("board_member", "chair"), ("survey_indicator", "4"), ("survey_group", "BAME"),
     ("area_code", "E0600004"), ("area_code", "SO14 7LY")],
)  # fmt: skip
def test_invalid_codes(kind: str, raw: Any) -> None:
    assert isinstance(parse(kind, raw), Invalid)


def test_birth_date_limits_depend_on_the_day_of_loading() -> None:
    today = pd.Timestamp.today().normalize()
    tomorrow = (today + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    raw = pd.DataFrame(
        {
            "person_id": ["1", "2"],
            "ethnic_category": ["A", "A"],
            "sex": ["1", "2"],
            "birth_date": [today.strftime("%d/%m/%Y"), tomorrow],
        }
    )
    with pytest.raises(DataValidationError) as error:
        load("patients", raw)
    assert error.value.failures["row"].tolist() == [2]
    assert (
        error.value.failures["problem"].str.startswith("birth_date may not be in the future").all()
    )


def test_text_codes_keep_leading_zeros_from_csv(tmp_path: Any) -> None:
    path = tmp_path / "ri.csv"
    path.write_text(
        "intervention_id,person_id,ward,start_date,type_code,reason_code\n"
        "007,0042,Oak,2024-06-01,01,10\n",
        encoding="utf-8",
    )
    frame = load("restrictive_interventions", path).frame
    assert frame[["intervention_id", "person_id", "type_code", "reason_code"]].iloc[0].tolist() == [
        "007", "0042", "01", "10",
    ]  # fmt: skip
