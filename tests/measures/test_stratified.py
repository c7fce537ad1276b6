"""Ward-stratified Mantel-Haenszel rows ("compared with White patients on the same ward").

Expected values are computed in the test from the Mantel-Haenszel estimator and the
Greenland-Robins (1985) variance, written out independently of the library.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from equitymetrics.measures import Comparison, stratified_rows

Z95 = 1.959963984540054
COMPARISON = Comparison("broad", "White", ("White", "Mixed", "Asian", "Black", "Other"))

# (ward, group, people restricted, inpatients)
WARDS = [
    ("Oak", "White", 10, 100),
    ("Oak", "Black", 6, 20),
    ("Elm", "White", 2, 80),
    ("Elm", "Black", 2, 40),
]


def _counts(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "period_start": pd.Timestamp("2025-04-01"),
                "period_end": pd.Timestamp("2025-06-30"),
                "unit_type": "trust",
                "unit": "Trust",
                "ward": ward,
                "group": group,
                "numerator": a,
                "denominator": n,
            }
            for ward, group, a, n in rows
        ]
    )


def _greenland_robins(strata: list[tuple[int, int, int, int]]) -> tuple[float, float]:
    """MH risk ratio and se(log RR) for strata (a, n1, c, n0): Greenland and Robins 1985."""
    r = sum(a * n0 / (n1 + n0) for a, n1, c, n0 in strata)
    s = sum(c * n1 / (n1 + n0) for a, n1, c, n0 in strata)
    p = sum((n1 * n0 * (a + c) - a * c * (n1 + n0)) / (n1 + n0) ** 2 for a, n1, c, n0 in strata)
    return r / s, math.sqrt(p / (r * s))


def test_ward_stratified_ratio_matches_mantel_haenszel_by_hand() -> None:
    table = stratified_rows(
        _counts(WARDS),
        measure="restrictive_practice_people",
        comparison=COMPARISON,
        kind="proportion",
        stratum=["ward"],
        adjustment="ward (Mantel-Haenszel)",
    )
    black = table[table["group"] == "Black"].iloc[0]
    ratio, se = _greenland_robins([(6, 20, 10, 100), (2, 40, 2, 80)])
    assert black["ratio"] == pytest.approx(ratio, rel=1e-9)
    assert black["ratio_lower_ci"] == pytest.approx(ratio * math.exp(-Z95 * se), rel=1e-9)
    assert black["ratio_upper_ci"] == pytest.approx(ratio * math.exp(Z95 * se), rel=1e-9)
    assert black["numerator"] == 8
    assert black["denominator"] == 60
    assert black["adjustment"] == "ward (Mantel-Haenszel)"


def test_confounding_by_ward_is_removed() -> None:
    # Oak restrains 30% of everyone and Elm 5%, whatever their ethnicity, but Black patients
    # are mostly on Oak: crude ratio (25/100)/(40/300) = 1.875, within-ward ratio exactly 1.
    rows = [
        ("Oak", "White", 30, 100),
        ("Oak", "Black", 24, 80),
        ("Elm", "White", 10, 200),
        ("Elm", "Black", 1, 20),
    ]
    table = stratified_rows(
        _counts(rows),
        measure="m",
        comparison=COMPARISON,
        kind="proportion",
        stratum=["ward"],
        adjustment="ward",
    )
    assert table.loc[table["group"] == "Black", "ratio"].iloc[0] == pytest.approx(1.0, rel=1e-12)


def test_ward_without_white_patients_is_skipped_and_counted() -> None:
    rows = [*WARDS, ("Ash", "Black", 3, 10)]
    table = stratified_rows(
        _counts(rows),
        measure="m",
        comparison=COMPARISON,
        kind="proportion",
        stratum=["ward"],
        adjustment="ward",
    )
    black = table[table["group"] == "Black"].iloc[0]
    ratio, _ = _greenland_robins([(6, 20, 10, 100), (2, 40, 2, 80)])
    assert black["ratio"] == pytest.approx(ratio, rel=1e-9)
    assert "1 strata without information" in black["note"]


def test_reference_row_is_ratio_one() -> None:
    table = stratified_rows(
        _counts(WARDS),
        measure="m",
        comparison=COMPARISON,
        kind="proportion",
        stratum=["ward"],
        adjustment="ward",
    )
    white = table[table["group"] == "White"].iloc[0]
    assert white["ratio"] == 1.0
    assert white["significance"] == "reference group"
