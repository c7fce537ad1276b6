"""Results rows from grouped counts: values, ratios, excess events, sensitivity bounds.

Expected values are worked out in each test from the published formulas (Wilson 1927; Katz et
al. 1978; the log method for rate ratios), not taken from the library.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitymetrics.measures import ALL_GROUP, Comparison, comparison_rows, finalise_results

Z95 = 1.959963984540054  # standard normal 0.975 quantile
PERIOD = {"period_start": pd.Timestamp("2025-04-01"), "period_end": pd.Timestamp("2025-06-30")}
COMPARISON = Comparison("broad", "White", ("White", "Mixed", "Asian", "Black", "Other"))


def _counts(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                **PERIOD,
                "unit_type": "ward",
                "unit": unit,
                "group": group,
                "numerator": a,
                "denominator": n,
            }
            for unit, group, a, n in rows
        ]
    )


def _row(table: pd.DataFrame, unit: str, group: str) -> pd.Series:
    return table[(table["unit"] == unit) & (table["group"] == group)].iloc[0]


def test_proportion_rows_follow_wilson_and_katz() -> None:
    counts = _counts(
        [("Oak", "White", 12, 150), ("Oak", "Black", 9, 45), ("Oak", "Not stated", 2, 10)]
    )
    table = comparison_rows(
        counts,
        measure="restrictive_practice_people",
        comparison=COMPARISON,
        kind="proportion",
        multiplier=100.0,
    )
    black = _row(table, "Oak", "Black")
    # Wilson for 9/45 by hand: (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).
    x, n, z = 9.0, 45.0, Z95
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    assert black["value"] == pytest.approx(20.0, rel=1e-12)
    assert black["lower_ci"] == pytest.approx(100 * (2 * x + z * z - spread) / (2 * (n + z * z)))
    assert black["upper_ci"] == pytest.approx(100 * (2 * x + z * z + spread) / (2 * (n + z * z)))
    # Katz: RR = (9/45)/(12/150) = 2.5; se = sqrt(1/9 - 1/45 + 1/12 - 1/150).
    se = math.sqrt(1 / 9 - 1 / 45 + 1 / 12 - 1 / 150)
    assert black["ratio"] == pytest.approx(2.5, rel=1e-12)
    assert black["ratio_lower_ci"] == pytest.approx(2.5 * math.exp(-z * se), rel=1e-12)
    assert black["ratio_upper_ci"] == pytest.approx(2.5 * math.exp(z * se), rel=1e-12)
    assert black["significance"] == "higher"
    # Excess events: 9 - 45 x 12/150 = 5.4.
    assert black["excess_events"] == pytest.approx(5.4, rel=1e-12)
    # Sensitivity: 2 of 10 unknown. All to Black: (11/55)/(12/150) = 2.5;
    # all to White: (9/45)/(14/160) = 2.2857...
    assert black["ratio_sensitivity_lower"] == pytest.approx((9 / 45) / (14 / 160), rel=1e-12)
    assert black["ratio_sensitivity_upper"] == pytest.approx((11 / 55) / (12 / 150), rel=1e-12)


def test_reference_row_has_ratio_one_and_no_interval() -> None:
    counts = _counts([("Oak", "White", 12, 150), ("Oak", "Black", 9, 45)])
    table = comparison_rows(
        counts,
        measure="restrictive_practice_people",
        comparison=COMPARISON,
        kind="proportion",
        multiplier=100.0,
    )
    white = _row(table, "Oak", "White")
    assert white["ratio"] == 1.0
    assert math.isnan(white["ratio_lower_ci"])
    assert white["significance"] == "reference group"
    assert white["excess_events"] == pytest.approx(0.0, abs=1e-12)


def test_not_stated_rows_are_kept_but_never_compared() -> None:
    counts = _counts([("Oak", "White", 12, 150), ("Oak", "Not stated", 2, 10)])
    table = comparison_rows(
        counts,
        measure="restrictive_practice_people",
        comparison=COMPARISON,
        kind="proportion",
        multiplier=100.0,
    )
    row = _row(table, "Oak", "Not stated")
    assert row["value"] == pytest.approx(20.0)
    assert math.isnan(row["ratio"])
    assert "not a group for comparison" in row["note"]


def test_rate_rows_use_log_rate_ratio() -> None:
    counts = _counts([("Oak", "White", 30, 2000.0), ("Oak", "Black", 24, 800.0)])
    table = comparison_rows(
        counts,
        measure="restrictive_practice_rate",
        comparison=COMPARISON,
        kind="rate",
        multiplier=1000.0,
    )
    black = _row(table, "Oak", "Black")
    # 24 per 800 bed days = 30 per 1,000; White 15 per 1,000; RR 2; se(log) = sqrt(1/24 + 1/30).
    se = math.sqrt(1 / 24 + 1 / 30)
    assert black["value"] == pytest.approx(30.0, rel=1e-12)
    assert black["ratio"] == pytest.approx(2.0, rel=1e-12)
    assert black["ratio_lower_ci"] == pytest.approx(2.0 * math.exp(-Z95 * se), rel=1e-12)
    assert black["excess_events"] == pytest.approx(24 - 800 * 30 / 2000, rel=1e-12)
    # Byar's lower limit for 24 events, by hand, per 1,000 bed days.
    byar_lower = 24 * (1 - 1 / (9 * 24) - Z95 / (3 * math.sqrt(24))) ** 3
    assert black["lower_ci"] == pytest.approx(byar_lower / 800 * 1000, rel=1e-12)


def test_missing_reference_group_is_explained() -> None:
    counts = _counts([("Oak", "Black", 3, 10)])
    table = comparison_rows(
        counts,
        measure="restrictive_practice_people",
        comparison=COMPARISON,
        kind="proportion",
        multiplier=100.0,
    )
    assert math.isnan(table.loc[0, "ratio"])
    assert "no White reference group" in table.loc[0, "note"]


def test_small_numbers_are_flagged_not_hidden() -> None:
    counts = _counts([("Oak", "White", 12, 150), ("Oak", "Black", 3, 20)])
    table = comparison_rows(
        counts,
        measure="restrictive_practice_people",
        comparison=COMPARISON,
        kind="proportion",
        multiplier=100.0,
    )
    black = _row(table, "Oak", "Black")
    assert bool(black["small_numbers"])
    assert black["value"] == pytest.approx(15.0)
    assert "small numbers" in black["note"]


def test_all_row_is_not_counted_as_unknown_ethnicity() -> None:
    counts = _counts(
        [("Oak", "White", 12, 150), ("Oak", "Black", 9, 45), ("Oak", ALL_GROUP, 21, 195)]
    )
    table = comparison_rows(
        counts,
        measure="restrictive_practice_people",
        comparison=COMPARISON,
        kind="proportion",
        multiplier=100.0,
    )
    assert math.isnan(_row(table, "Oak", "Black")["ratio_sensitivity_lower"])
    assert _row(table, "Oak", ALL_GROUP)["significance"] == "not compared"


@settings(max_examples=30)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(1, 60), st.integers(0, 50), st.integers(1, 60)),
        min_size=1,
        max_size=6,
    )
)
def test_swapping_groups_inverts_the_ratio(tables: list[tuple[int, int, int, int]]) -> None:
    rows = []
    for index, (a, extra1, c, extra0) in enumerate(tables):
        rows += [(f"W{index}", "White", a, a + extra1), (f"W{index}", "Black", c, c + extra0)]
    counts = _counts(rows)
    forward = comparison_rows(
        counts, measure="m", comparison=COMPARISON, kind="proportion", multiplier=100.0
    )
    backward = comparison_rows(
        counts,
        measure="m",
        kind="proportion",
        multiplier=100.0,
        comparison=Comparison("broad", "Black", COMPARISON.groups),
    )
    for index in range(len(tables)):
        f = _row(forward, f"W{index}", "Black")
        b = _row(backward, f"W{index}", "White")
        if f["ratio"] > 0 and np.isfinite(f["ratio"]):
            assert b["ratio"] == pytest.approx(1 / f["ratio"], rel=1e-9)


def test_finalise_orders_and_types_rows() -> None:
    counts = _counts([("Oak", "White", 12, 150), ("Oak", "Black", 9, 45)])
    table = finalise_results(
        [
            comparison_rows(
                counts, measure="m", comparison=COMPARISON, kind="proportion", multiplier=100.0
            )
        ]
    )
    assert list(table["group"]) == ["White", "Black"]
    assert table["numerator"].dtype == np.float64
    assert table["suppressed"].dtype == bool
