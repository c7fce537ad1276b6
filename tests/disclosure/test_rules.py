"""Row-by-row rules of apply_disclosure, with expected outputs worked out from the policy text.

Most tables here have one row per unit and no "All" or trust row, so no sum links the rows and
only the primary rule applies; secondary suppression has its own test module.

Rounding "to the nearest 5" is worked by hand: 8 -> 10, 12 -> 10, 13 -> 15, 22 -> 20,
23 -> 25, 1234 -> 1235; a value exactly half-way (12.5) goes away from zero (15).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from equitymetrics.disclosure import DisclosurePolicy, apply_disclosure, get_policy
from equitymetrics.exceptions import (
    DataQualityWarning,
    DataValidationError,
    InvalidTypeError,
    UnknownMethodError,
)

NA = pd.NA

DEFAULTS: dict[str, Any] = {
    "measure": "restrictive_practice_people",
    "period_start": "2025-04-01",
    "period_end": "2025-06-30",
    "unit_type": "ward",
    "grouping": "broad",
    "adjustment": "none",
    "group": "Black",
    "numerator": 20,
    "denominator": 100,
    "value": 20.0,
    "lower_ci": 13.3,
    "upper_ci": 28.9,
    "confidence_level": 0.95,
    "multiplier": 100.0,
    "method": "wilson",
    "reference_group": "White",
    "ratio": 1.5,
    "ratio_lower_ci": 0.9,
    "ratio_upper_ci": 2.5,
    "ratio_method": "katz",
    "excess_events": 16.7,
    "note": "",
    "suppressed": False,
}


def results(*rows: dict[str, Any]) -> pd.DataFrame:
    """A results table; rows without a ``unit`` get their own ward (so no sums link them)."""
    filled = [{**DEFAULTS, "unit": f"Ward {i + 1}", **row} for i, row in enumerate(rows)]
    return pd.DataFrame(filled)


def published_list(frame: pd.DataFrame, column: str) -> list[Any]:
    return [NA if pd.isna(v) else v for v in frame[column].tolist()]


@pytest.mark.parametrize(
    ("policy", "counts", "expected"),
    [
        (
            "nhs_secondary_care",
            [0, 1, 7, 8, 12, 13, 22, 23, 1234],
            [0, NA, NA, 10, 10, 15, 20, 25, 1235],
        ),
        ("mha_annual", [0, 1, 4, 5, 7, 8, 12, 13], [NA, NA, NA, 5, 5, 10, 10, 15]),
        ("none", [0, 1, 4, 7, 13, 1234], [0, 1, 4, 7, 13, 1234]),
    ],
)
def test_numerators_are_rounded_or_suppressed(
    policy: str, counts: list[int], expected: list[Any]
) -> None:
    table = results(*({"numerator": n, "denominator": 2000} for n in counts))
    published = apply_disclosure(table, policy)
    assert published_list(published, "numerator") == expected
    assert published["numerator"].dtype == "Int64"
    assert published["denominator"].tolist() == [2000] * len(counts)


@pytest.mark.parametrize(
    ("excess", "expected"),
    [
        (-12.5, -15),  # half-way: away from zero
        (-7.9, NA),
        (-0.2, NA),  # any size above 0 and under 8 is suppressed
        (0.0, 0),  # zero is shown
        (2.5, NA),
        (7.5, NA),
        (8.0, 10),
        (12.4, 10),
        (12.5, 15),
    ],
)
def test_excess_events_are_counts(excess: float, expected: Any) -> None:
    published = apply_disclosure(results({"excess_events": excess}), "nhs_secondary_care")
    assert published_list(published, "excess_events") == [expected]
    assert published["ratio"].tolist() == [1.5]  # the rest of the row is published
    assert bool(published["suppressed"].iloc[0]) is (expected is NA)


def test_non_integer_denominators_are_rounded_to_whole_fives() -> None:
    # 1234.4 bed days: 1234.4 / 5 = 246.88, nearest whole 247, times 5 = 1235
    published = apply_disclosure(results({"denominator": 1234.4}), "nhs_secondary_care")
    assert published["denominator"].tolist() == [1235]


def test_exempt_unit_types_are_published_exactly() -> None:
    table = results(
        {"unit_type": "national", "unit": "England", "numerator": 3, "denominator": 1234.5},
        {"numerator": 3},
    )
    published = apply_disclosure(table, "mha_annual")
    assert published_list(published, "numerator") == [3, NA]
    assert published["denominator"].dtype == "Float64"  # 1234.5 is kept exactly
    assert published["denominator"].tolist() == [1234.5, 100.0]
    assert published["suppressed"].tolist() == [False, True]


def test_statistics_of_a_suppressed_numerator_are_withheld() -> None:
    published = apply_disclosure(results({"numerator": 3}), "nhs_secondary_care")
    row = published.iloc[0]
    for column in ("value", "lower_ci", "upper_ci", "ratio", "ratio_lower_ci", "ratio_upper_ci"):
        assert math.isnan(row[column]), column
    assert row["excess_events"] is NA
    assert row["denominator"] == 100  # the denominator itself is not small
    # Descriptions of the method are not statistics and stay.
    assert (row["confidence_level"], row["multiplier"], row["method"]) == (0.95, 100.0, "wilson")
    assert row["suppressed"]
    assert row["note"] == (
        "numerator 1-7 suppressed (NHS secondary-care rule); statistics withheld because they "
        "would reveal a suppressed count"
    )


def test_statistics_of_a_suppressed_denominator_are_withheld() -> None:
    # 0 of 5 people: the numerator 0 is shown, the denominator 5 is suppressed, and the rate
    # (0%) and its interval (which depends on 5) are withheld.
    table = results({"numerator": 0, "denominator": 5, "value": 0.0, "excess_events": -8.0})
    published = apply_disclosure(table, "nhs_secondary_care")
    row = published.iloc[0]
    assert (row["numerator"], row["denominator"]) == (0, NA)
    assert math.isnan(row["value"])
    assert math.isnan(row["upper_ci"])
    assert row["excess_events"] is NA
    assert row["note"].startswith("denominator 1-7 suppressed (NHS secondary-care rule)")


def test_mha_notes_say_under_5() -> None:
    published = apply_disclosure(results({"numerator": 0}), "mha_annual")
    assert (
        published["note"]
        .iloc[0]
        .startswith("numerator under 5 suppressed (Mental Health Act annual statistics rule)")
    )


def test_a_suppressed_reference_group_withholds_every_ratio_in_its_table() -> None:
    # White (the reference) has 3 events: its rate 3/50 would follow from any published ratio
    # (reference rate = rate / ratio) or excess (expected = denominator x reference rate).
    table = results(
        {"unit": "Oak", "group": "White", "numerator": 3, "denominator": 50, "ratio": 1.0},
        {"unit": "Oak", "group": "Black", "numerator": 20, "denominator": 100},
        {"unit": "Oak", "group": "Asian", "numerator": 30, "denominator": 90},
    )
    published = apply_disclosure(table, "nhs_secondary_care")
    assert published_list(published, "numerator") == [NA, 20, 30]
    assert published["value"].tolist()[1:] == [20.0, 20.0]  # own rates stay
    for column in ("ratio", "ratio_lower_ci", "ratio_upper_ci"):
        assert published[column].isna().all(), column
    assert published["excess_events"].isna().all()
    assert published["suppressed"].tolist() == [True, True, True]
    assert published["note"].iloc[1] == (
        "ratio and excess events withheld because the reference group (White) has a "
        "suppressed count"
    )


def test_ratios_to_the_overall_rate_publish_the_total() -> None:
    # Reference "overall" and no "All" row: the overall rate follows from any ratio, and so
    # does the total 43 = 40 + 3; Black's 3 would be 43 - 40, so White is suppressed too.
    table = results(
        {"unit": "Oak", "group": "White", "numerator": 40, "reference_group": "overall"},
        {"unit": "Oak", "group": "Black", "numerator": 3, "reference_group": "overall"},
    )
    published = apply_disclosure(table, "nhs_secondary_care")
    assert published_list(published, "numerator") == [NA, NA]
    assert "secondarily suppressed" in published["note"].iloc[0]


def test_notes_are_appended_not_overwritten() -> None:
    table = results({"numerator": 3, "note": "ethnicity recording below 90%"})
    published = apply_disclosure(table, "nhs_secondary_care")
    assert (
        published["note"]
        .iloc[0]
        .startswith(
            "ethnicity recording below 90%; numerator 1-7 suppressed (NHS secondary-care rule)"
        )
    )


def test_missing_note_and_suppressed_columns_are_created() -> None:
    table = results({"numerator": 3}, {"numerator": 30}).drop(columns=["note", "suppressed"])
    published = apply_disclosure(table, "nhs_secondary_care")
    assert published["suppressed"].tolist() == [True, False]
    assert published["note"].iloc[1] == ""


def test_the_input_is_not_changed() -> None:
    table = results({"numerator": 3}, {"numerator": 13, "denominator": 6})
    before = table.copy(deep=True)
    published = apply_disclosure(table, "nhs_secondary_care")
    pd.testing.assert_frame_equal(table, before)
    assert published is not table


def test_row_order_and_index_are_kept() -> None:
    table = results({"numerator": 30}, {"numerator": 3}, {"numerator": 13})
    table.index = pd.Index([10, 5, 7], name="row")
    published = apply_disclosure(table, "nhs_secondary_care")
    assert published.index.equals(table.index)
    assert published["unit"].tolist() == table["unit"].tolist()
    assert published_list(published, "numerator") == [30, NA, 15]


def test_applying_twice_equals_applying_once() -> None:
    table = results(
        {"unit": "Oak", "group": "White", "numerator": 40, "denominator": 400},
        {"unit": "Oak", "group": "Black", "numerator": 3, "denominator": 60},
        {"unit": "Oak", "group": "Asian", "numerator": 12, "denominator": 61},
        {"unit": "Oak", "group": "All", "numerator": 55, "denominator": 521},
    )
    once = apply_disclosure(table, "nhs_secondary_care")
    twice = apply_disclosure(once, "nhs_secondary_care")
    pd.testing.assert_frame_equal(once, twice)


def test_a_policy_object_and_its_name_give_the_same_table() -> None:
    table = results({"numerator": 3}, {"numerator": 13})
    by_name = apply_disclosure(table, "mha_annual")
    by_object = apply_disclosure(table, get_policy("mha_annual"))
    pd.testing.assert_frame_equal(by_name, by_object)


def test_a_custom_policy() -> None:
    policy = DisclosurePolicy(
        name="local", description="local rule", suppress_below=10, rounding_base=10
    )
    table = results(*({"numerator": n} for n in (0, 9, 10, 14, 15, 26)))
    published = apply_disclosure(table, policy)
    # 9 suppressed; 10 -> 10, 14 -> 10, 15 -> 20 (half-way, away from zero), 26 -> 30
    assert published_list(published, "numerator") == [0, NA, 10, 10, 20, 30]
    assert published["note"].iloc[1].startswith("numerator 1-9 suppressed (local rule)")


def test_policy_none_changes_no_count_or_statistic() -> None:
    table = results({"numerator": 3, "denominator": 7, "excess_events": 0.4})
    published = apply_disclosure(table, "none")
    assert published[["numerator", "denominator"]].iloc[0].tolist() == [3, 7]
    assert published["excess_events"].tolist() == [0.4]
    assert published["value"].tolist() == [20.0]
    assert published["suppressed"].tolist() == [False]


def test_an_empty_table() -> None:
    empty = results({"numerator": 3}).iloc[0:0]
    published = apply_disclosure(empty, "nhs_secondary_care")
    assert len(published) == 0
    assert list(published.columns) == list(empty.columns)


def test_results_must_be_a_dataframe() -> None:
    with pytest.raises(InvalidTypeError, match="results must be a pandas DataFrame"):
        apply_disclosure([{"numerator": 3}], "nhs_secondary_care")  # type: ignore[arg-type]


def test_policy_must_be_a_policy_or_a_name() -> None:
    with pytest.raises(InvalidTypeError, match="policy must be a DisclosurePolicy"):
        apply_disclosure(results({}), 8)  # type: ignore[arg-type]
    with pytest.raises(UnknownMethodError, match="choose one of"):
        apply_disclosure(results({}), "nhs")


def test_every_problem_in_the_table_is_reported_at_once() -> None:
    table = results({"numerator": -1}, {"numerator": "x"}).drop(columns=["adjustment"])
    with pytest.raises(DataValidationError, match="3 problem") as caught:
        apply_disclosure(table, "nhs_secondary_care")
    failures = caught.value.failures
    assert failures[["column", "problem"]].values.tolist() == [
        ["adjustment", "required column is missing"],
        ["numerator", "is not a number"],
        ["numerator", "is a negative count"],
    ]
    assert failures["row"].tolist()[1:] == [2, 1]


def test_repeated_table_rows_are_refused() -> None:
    table = results({"unit": "Oak"}, {"unit": "Oak"})
    with pytest.raises(DataValidationError, match="repeats a table row") as caught:
        apply_disclosure(table, "nhs_secondary_care")
    assert caught.value.failures["row"].tolist() == [1, 2]


def test_suppressed_flags_must_be_booleans() -> None:
    with pytest.raises(DataValidationError, match="must be True or False"):
        apply_disclosure(results({"suppressed": "no"}), "nhs_secondary_care")


def test_infinite_counts_are_refused() -> None:
    with pytest.raises(DataValidationError, match="is not finite"):
        apply_disclosure(results({"denominator": np.inf}), "nhs_secondary_care")


def _two_unit_types() -> pd.DataFrame:
    return results(
        {"unit_type": "ward", "unit": "Oak"},
        {"unit_type": "division", "unit": "Adult"},
        {"unit_type": "trust", "unit": "Trust"},
    )


def test_a_warning_when_units_may_nest_but_no_parents_are_given() -> None:
    with pytest.warns(DataQualityWarning, match=r"\['division', 'ward'\].*unit_parents"):
        apply_disclosure(_two_unit_types(), "nhs_secondary_care")


def test_an_empty_unit_parents_says_no_unit_nests() -> None:
    apply_disclosure(_two_unit_types(), "nhs_secondary_care", unit_parents={})  # no warning
    apply_disclosure(_two_unit_types(), "none")  # nothing is suppressed, so nothing to link


def test_a_warning_when_groupings_may_nest_but_no_mapping_is_given() -> None:
    table = results({"grouping": "broad"}, {"grouping": "nhs16", "group": "African"})
    with pytest.warns(DataQualityWarning, match="nested_groupings"):
        apply_disclosure(table, "nhs_secondary_care")
    apply_disclosure(table, "nhs_secondary_care", nested_groupings={})  # no warning


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("unit_parents", [("ward", "Oak")], "unit_parents must be a mapping"),
        ("unit_parents", {"Oak": "Adult"}, r"unit_parents must map \(unit_type, unit\) pairs"),
        ("nested_groupings", {"nhs16": {}}, "keys must be .fine grouping, coarse grouping."),
        ("nested_groupings", {("nhs16", "broad"): {"African": 1}}, "must map each fine group"),
    ],
)
def test_invalid_links_are_refused(keyword: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidTypeError, match=message):
        apply_disclosure(results({}), "nhs_secondary_care", **{keyword: value})


def test_extra_columns_follow_the_statistics() -> None:
    # The measures add a sentence that quotes the figures, a significance label and a
    # small-numbers flag: in a row whose numerator is suppressed they would reveal it too.
    extras = {
        "significance": "higher",
        "small_numbers": False,
        "interpretation": "Black patients were 1.50 times as likely (95% CI 0.90 to 2.50).",
    }
    table = results({"numerator": 3, **extras}, {"numerator": 30, **extras})
    published = apply_disclosure(table, "nhs_secondary_care")
    for column in extras:
        assert published[column].isna().tolist() == [True, False], column


def test_a_suppressed_not_known_count_withholds_the_sensitivity_range() -> None:
    # The sensitivity range assumes every record of unknown ethnicity belongs to the group
    # (or to the reference), so it is computed from the Not known count (3, suppressed).
    rows = [
        {"unit": "Oak", "group": "White", "numerator": 40, "ratio": 1.0},
        {"unit": "Oak", "group": "Black", "numerator": 20},
        {"unit": "Oak", "group": "Not known", "numerator": 3, "ratio": np.nan},
    ]
    sensitivity = {"ratio_sensitivity_lower": 1.2, "ratio_sensitivity_upper": 1.9}
    table = results(*({**row, **sensitivity} for row in rows))
    published = apply_disclosure(table, "nhs_secondary_care")
    assert published["ratio_sensitivity_lower"].isna().all()
    assert published["ratio_sensitivity_upper"].isna().all()
    assert published["ratio"].tolist()[:2] == [1.0, 1.5]  # the ratios themselves stay
    assert published["note"].iloc[1] == (
        "sensitivity range withheld because a not-stated or not-known count is suppressed"
    )
