"""recording_completeness: counts reconcile and Wilson limits match independent values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from equitymetrics.exceptions import (
    InvalidArgumentError,
    ShapeMismatchError,
    UnrecognisedCodeError,
)
from equitymetrics.taxonomy import NHS_CODES, UNRECOGNISED, recording_completeness

COUNT_COLUMNS = ["records", "stated", "not_stated", "not_known", "unrecognised"]


def wilson_by_hand(stated: int, records: int, confidence_level: float) -> tuple[float, float]:
    """Wilson (1927) score limits, written out independently of the library."""
    z = norm.ppf(1 - (1 - confidence_level) / 2)
    centre = 2 * stated + z**2
    spread = z * math.sqrt(z**2 + 4 * stated * (1 - stated / records))
    denominator = 2 * (records + z**2)
    return (centre - spread) / denominator, (centre + spread) / denominator


def codes_with(stated: int, not_stated: int, not_known: int, unrecognised: int) -> pd.Series:
    values = ["N"] * stated + ["Z"] * not_stated + ["99"] * not_known
    return pd.Series(values + [UNRECOGNISED] * unrecognised)


def test_overall_counts_and_columns() -> None:
    table = recording_completeness(codes_with(6, 2, 1, 1))
    assert list(table.columns) == [
        *COUNT_COLUMNS,
        "completeness",
        "lower_ci",
        "upper_ci",
        "confidence_level",
        "method",
        "note",
    ]
    assert table[COUNT_COLUMNS].iloc[0].tolist() == [10, 6, 2, 1, 1]
    assert table["completeness"].iloc[0] == pytest.approx(0.6)
    assert table["method"].iloc[0] == "wilson"
    assert table["confidence_level"].iloc[0] == 0.95


@pytest.mark.parametrize(
    ("stated", "records", "confidence_level", "expected"),
    [
        # UKHSA public-health methods test data, Wilson 95% and 99.8%
        (65, 100, 0.95, (0.55254443296887967, 0.73635751756902468)),
        (1045, 5000, 0.95, (0.19795549880013297, 0.22049130373189027)),
        (65, 100, 0.998, (0.49549465740704313, 0.77835406140896968)),
    ],
)
def test_wilson_limits_match_published_values(
    stated: int, records: int, confidence_level: float, expected: tuple[float, float]
) -> None:
    codes = codes_with(stated, records - stated - 3, 2, 1)
    table = recording_completeness(codes, confidence_level=confidence_level)
    assert table["lower_ci"].iloc[0] == pytest.approx(expected[0], rel=1e-12)
    assert table["upper_ci"].iloc[0] == pytest.approx(expected[1], rel=1e-12)


def test_per_unit_rows_match_hand_formula() -> None:
    codes = pd.Series(["A", "Z", "99", "N", "A", UNRECOGNISED, "S", "S", "Z"])
    wards = pd.Series(["Oak", "Oak", "Oak", "Ash", "Ash", "Ash", "Elm", "Elm", "Elm"], name="ward")
    table = recording_completeness(codes, by=wards)
    assert table["ward"].tolist() == ["Ash", "Elm", "Oak"]
    assert table[COUNT_COLUMNS].to_numpy().tolist() == [
        [3, 2, 0, 0, 1],
        [3, 2, 1, 0, 0],
        [3, 1, 1, 1, 0],
    ]
    for row in table.itertuples():
        lower, upper = wilson_by_hand(row.stated, row.records, 0.95)  # hand formula above
        assert row.lower_ci == pytest.approx(lower, rel=1e-12)
        assert row.upper_ci == pytest.approx(upper, rel=1e-12)
        assert row.completeness == pytest.approx(row.stated / row.records)


def test_wilson_limits_match_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    table = recording_completeness(codes_with(37, 5, 4, 2), confidence_level=0.9)
    lower, upper = proportion_confint(37, 48, alpha=0.1, method="wilson")
    assert table["lower_ci"].iloc[0] == pytest.approx(lower, rel=1e-10)
    assert table["upper_ci"].iloc[0] == pytest.approx(upper, rel=1e-10)


def test_by_dataframe_with_missing_unit_kept() -> None:
    codes = pd.Series(["A", "Z", "B", "99", "C"])
    by = pd.DataFrame({"division": ["x", "x", "y", None, "y"], "ward": [1, 1, 2, 3, 2]})
    table = recording_completeness(codes, by=by)
    assert table["division"].tolist()[:2] == ["x", "y"]
    assert pd.isna(table["division"].iloc[2])
    assert table["records"].tolist() == [2, 2, 1]
    assert table["records"].sum() == len(codes)


def test_by_array_gives_a_unit_column() -> None:
    table = recording_completeness(["A", "Z"], by=["w1", "w2"])
    assert table["unit"].tolist() == ["w1", "w2"]


def test_no_records_gives_nan_with_a_note() -> None:
    table = recording_completeness([])
    assert table[COUNT_COLUMNS].iloc[0].tolist() == [0, 0, 0, 0, 0]
    assert np.isnan(table["completeness"].iloc[0])
    assert np.isnan(table["lower_ci"].iloc[0])
    assert table["note"].iloc[0] != ""


def test_all_stated_gives_upper_limit_one() -> None:
    table = recording_completeness(["A", "B", "C"])
    assert table["completeness"].iloc[0] == 1.0
    assert table["upper_ci"].iloc[0] == 1.0


def test_unnormalised_codes_are_refused() -> None:
    with pytest.raises(UnrecognisedCodeError, match="normalise_ethnic_category first") as caught:
        recording_completeness(["A", "white", None])
    assert caught.value.counts == {"white": 1, "<missing>": 1}


def test_misaligned_by_is_refused() -> None:
    codes = pd.Series(["A", "B"], index=[0, 1])
    with pytest.raises(InvalidArgumentError, match="aligned with codes"):
        recording_completeness(codes, by=pd.Series(["x", "y"], index=[1, 2]))
    with pytest.raises(ShapeMismatchError, match="one row per code"):
        recording_completeness(codes, by=["x"])


def test_by_column_named_like_an_output_column_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="Rename them"):
        recording_completeness(["A"], by=pd.DataFrame({"records": ["x"]}))


def test_bad_confidence_level_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="confidence_level"):
        recording_completeness(["A"], confidence_level=95)


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.sampled_from([*NHS_CODES, UNRECOGNISED]), st.sampled_from(["a", "b", "c"])),
        min_size=1,
        max_size=60,
    )
)
def test_counts_reconcile(rows: list[tuple[str, Any]]) -> None:
    codes = pd.Series([code for code, _ in rows])
    units = pd.Series([unit for _, unit in rows], name="unit")
    table = recording_completeness(codes, by=units)
    parts = table["stated"] + table["not_stated"] + table["not_known"] + table["unrecognised"]
    assert (parts == table["records"]).all()
    assert table["records"].sum() == len(rows)
    overall = recording_completeness(codes)
    assert overall["stated"].iloc[0] == table["stated"].sum()
    assert ((table["lower_ci"] <= table["completeness"]) | table["records"].eq(0)).all()
    assert (table["completeness"] <= table["upper_ci"]).all()
