"""WRES indicators from hand-made workforce counts.

Expected values: the WRES technical guidance's worked example (46.99% of White vs 14.65% of BME
shortlisted applicants appointed gives a relative likelihood of 3.21), and the indicator
definitions evaluated by hand.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from equitymetrics import measures, taxonomy

Z95 = 1.959963984540054


def _staff(rows: list[tuple[str, str, bool, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["ethnic_category", "band", "clinical", "board_member", "headcount"]
    ).assign(division="All", executive=False)


STAFF = _staff(
    [
        ("A", "5", True, "none", 900),
        ("N", "5", True, "none", 300),
        ("A", "8a", False, "none", 200),
        ("H", "8a", False, "none", 20),
        ("A", "VSM", False, "voting", 9),
        ("M", "VSM", False, "voting", 1),
        ("Z", "5", True, "none", 70),
    ]
)
STAFF_BEFORE = _staff([("A", "5", True, "none", 1000), ("N", "5", True, "none", 300)])


def _counts(**overrides: pd.DataFrame) -> measures.WorkforceCounts:
    defaults = {
        "staff": STAFF,
        "staff_previous": STAFF_BEFORE,
        "recruitment": pd.DataFrame(
            {
                "ethnic_category": ["A", "N"],
                "shortlisted": [10_000, 10_000],
                "appointed": [4_699, 1_465],
            }
        ),
        "disciplinary": pd.DataFrame({"ethnic_category": ["A", "N"], "cases": [11, 7]}),
        "disciplinary_previous": pd.DataFrame({"ethnic_category": ["A", "N"], "cases": [9, 5]}),
        "training": pd.DataFrame(
            {
                "ethnic_category": ["A", "N", "H"],
                "staff": [1109, 300, 20],
                "accessed": [600, 150, 10],
            }
        ),
        "survey": pd.DataFrame(
            {
                "indicator": ["5", "5"],
                "group": ["White", "BME"],
                "respondents": [500, 120],
                "positive": [100, 36],
            }
        ),
    }
    defaults.update(overrides)
    return measures.WorkforceCounts(
        year_start=dt.date(2024, 4, 1), year_end=dt.date(2025, 3, 31), **defaults
    )


def _results(label: str = "BME") -> pd.DataFrame:
    grouping = taxonomy.get_grouping("binary", binary_label=label)
    return measures.finalise_results(
        measures.wres_results(_counts(), grouping, trust="Trust", confidence_level=0.95)
    )


def _row(table: pd.DataFrame, measure: str, group: str, adjustment: str = "none") -> pd.Series:
    mask = (table["measure"] == measure) & (table["group"] == group)
    return table[mask & (table["adjustment"] == adjustment)].iloc[0]


def test_indicator_2_matches_the_published_worked_example() -> None:
    white = _row(_results(), "wres_2", "White")
    assert white["reference_group"] == "BME"
    assert round(white["ratio"], 2) == 3.21  # WRES guidance: 46.99% / 14.65% = 3.21
    se = math.sqrt(1 / 4699 - 1 / 10_000 + 1 / 1465 - 1 / 10_000)  # Katz
    assert white["ratio_lower_ci"] == pytest.approx(
        (0.4699 / 0.1465) * math.exp(-Z95 * se), rel=1e-12
    )
    assert not bool(white["non_adverse_range"])  # 3.21 is outside 0.80-1.25


def test_indicator_3_is_reported_on_the_bme_row() -> None:
    table = _results()
    bme = _row(table, "wres_3", "BME")
    # BME staff at year end: 300 (N) + 20 (H) + 1 (M) = 321; White 1,109; cases 7 vs 11.
    assert bme["reference_group"] == "White"
    assert bme["ratio"] == pytest.approx((7 / 321) / (11 / 1109), rel=1e-12)
    rolling = _row(table, "wres_3", "BME", "two-year rolling (current and previous year)")
    # Two years: cases 12 vs 20; headcounts 321 + 300 vs 1,109 + 1,000.
    assert rolling["ratio"] == pytest.approx((12 / 621) / (20 / 2109), rel=1e-12)


def test_indicator_4_training() -> None:
    white = _row(_results(), "wres_4", "White")
    assert white["ratio"] == pytest.approx((600 / 1109) / (160 / 320), rel=1e-12)
    assert bool(white["non_adverse_range"])


def test_indicator_9_board_minus_workforce() -> None:
    row = _row(_results(), "wres_9", "BME")
    # Board: 1 of 10 voting members BME; workforce 321 of 1,430 with stated ethnicity.
    assert row["value"] == pytest.approx(100 * (1 / 10 - 321 / 1430), rel=1e-9)


def test_indicator_1_band_shares() -> None:
    table = _results()
    band5 = _row(table[table["unit"] == "5"], "wres_1", "BME")
    # Band 5 clinical: 300 BME of 1,200 stated (not stated staff are excluded).
    assert band5["value"] == pytest.approx(25.0)
    assert band5["ratio"] == pytest.approx(0.25 / (321 / 1430), rel=1e-12)
    assert band5["reference_group"] == "overall workforce"  # the ratio's comparator is named
    white = _row(table[table["unit"] == "5"], "wres_1", "White")
    assert white["reference_group"] == ""  # no ratio, so no comparator
    assert white["ratio"] != white["ratio"]  # NaN


def test_survey_indicator_uses_the_configured_label() -> None:
    table = _results("Global Majority")
    row = _row(table, "wres_5", "Global Majority")
    assert row["value"] == pytest.approx(30.0)
    assert row["ratio"] == pytest.approx((36 / 120) / (100 / 500), rel=1e-12)
