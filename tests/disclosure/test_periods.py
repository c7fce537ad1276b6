"""Sums across periods: a year is the sum of the quarters that tile it.

Expected tilings follow from the definition (contiguous periods, every day once, listed only
when no run of consecutive parts makes up another published period). Expected suppression
patterns are worked out by hand in the comments: a reader knows every published count, that a
suppressed count is at least 1 (zeros are shown under the NHS rule) and the sums; a count is
safe when it could be one more or one less.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pandas as pd
import pytest

from equitymetrics.disclosure import apply_disclosure
from equitymetrics.disclosure._periods import TILING_LIMIT, period_days, tilings
from equitymetrics.exceptions import DataQualityWarning

NA = pd.NA


def day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def span(start: str, end: str) -> tuple[int, int]:
    return day(start), day(end)


Q1 = ("2024-04-01", "2024-06-30")
Q2 = ("2024-07-01", "2024-09-30")
Q3 = ("2024-10-01", "2024-12-31")
Q4 = ("2025-01-01", "2025-03-31")
YEAR = ("2024-04-01", "2025-03-31")
QUARTERS = [span(*q) for q in (Q1, Q2, Q3, Q4)]
MONTHS = [
    (
        dt.date(year, month, 1).toordinal(),
        dt.date(year, month, calendar.monthrange(year, month)[1]).toordinal(),
    )
    for year, month in [(2024, m) for m in range(4, 13)] + [(2025, m) for m in range(1, 4)]
]


# --- which periods tile which -------------------------------------------------------------


def test_four_quarters_tile_the_year() -> None:
    found, cut_short = tilings([span(*YEAR), *reversed(QUARTERS)])
    assert found == [(span(*YEAR), tuple(QUARTERS))]
    assert cut_short == []


def test_months_tile_each_quarter_and_the_quarters_tile_the_year() -> None:
    # A year of months is the year of quarters with each quarter split into its months, so
    # only the tiling by quarters is listed for the year.
    found, _ = tilings([span(*YEAR), *QUARTERS, *MONTHS])
    expected = [(QUARTERS[0], tuple(MONTHS[0:3])), (span(*YEAR), tuple(QUARTERS))]
    expected += [(QUARTERS[q], tuple(MONTHS[3 * q : 3 * q + 3])) for q in (1, 2, 3)]
    assert found == expected


def test_a_year_of_months_alone_is_tiled_by_the_months() -> None:
    found, _ = tilings([span(*YEAR), *MONTHS])
    assert found == [(span(*YEAR), tuple(MONTHS))]


def test_two_different_tilings_are_both_listed() -> None:
    # Days 1-4: (1-2, 3-4) and (1, 2-4); neither follows from the other.
    found, _ = tilings([(1, 4), (1, 2), (3, 4), (1, 1), (2, 4)])
    assert found == [((1, 4), ((1, 1), (2, 4))), ((1, 4), ((1, 2), (3, 4)))]


@pytest.mark.parametrize(
    "periods",
    [
        pytest.param([YEAR, Q1, Q2, Q4], id="a quarter missing"),
        pytest.param([YEAR, Q1, ("2024-07-02", "2024-09-30"), Q3, Q4], id="a day missing"),
        pytest.param([YEAR, Q1, ("2024-07-01", "2024-10-01"), Q3, Q4], id="overlapping"),
        pytest.param([YEAR, ("2024-03-31", "2024-06-30"), Q2, Q3, Q4], id="starts too early"),
        pytest.param(
            [("2024-04-01", "2025-03-31"), ("2024-07-01", "2025-06-30"), Q1, Q2],
            id="rolling years",
        ),
    ],
)
def test_periods_that_do_not_tile_give_no_sum(periods: list[tuple[str, str]]) -> None:
    assert tilings([span(*p) for p in periods]) == ([], [])


def test_a_period_tiled_in_too_many_ways_is_reported() -> None:
    # Days 1-20 and every two-day window: the windows and single days tile days 1-20 in
    # hundreds of ways that do not follow from one another.
    spans = [(i, i) for i in range(1, 21)] + [(i, i + 1) for i in range(1, 20)] + [(1, 20)]
    found, cut_short = tilings(spans)
    assert cut_short == [(1, 20)]
    assert sum(whole == (1, 20) for whole, _ in found) == TILING_LIMIT


def test_periods_are_read_as_days_from_text_dates_and_timestamps() -> None:
    frame = pd.DataFrame(
        {
            "period_start": ["2024-04-01", dt.date(2024, 7, 1), pd.Timestamp("2024-10-01"), 2024],
            "period_end": ["2024-06-30", dt.date(2024, 9, 30), "2024-09-30", 2025],
        }
    )
    # The third ends before it starts; a number is not a date.
    assert period_days(frame) == [span(*Q1), span(*Q2), None, None]


@pytest.mark.parametrize("text", ["", "not a date", "NaT", "2024-13-01"])
def test_unreadable_periods_take_part_in_no_sum(text: str) -> None:
    frame = pd.DataFrame({"period_start": [text], "period_end": ["2024-06-30"]})
    assert period_days(frame) == [None]


# --- what the layer does with them --------------------------------------------------------


def rows(
    counts: dict[tuple[str, str], int], *, unit: str = "Oak", group: str = "Black"
) -> list[dict[str, Any]]:
    """One ward's rows, one per period; denominators 500 a quarter (2000 for a year)."""
    found = []
    for (start, end), numerator in counts.items():
        days = day(end) - day(start) + 1
        denominator = 500 * max(1, round(days / 91.25))
        found.append(
            {
                "measure": "restrictive_practice_people",
                "period_start": start,
                "period_end": end,
                "unit_type": "ward",
                "unit": unit,
                "grouping": "broad",
                "adjustment": "none",
                "group": group,
                "numerator": numerator,
                "denominator": denominator,
                "value": numerator / denominator * 100,
                "excess_events": 20.0,
                "reference_group": "White",
                "note": "",
                "suppressed": False,
            }
        )
    return found


def numerators(frame: pd.DataFrame) -> list[Any]:
    return [NA if pd.isna(v) else int(v) for v in frame["numerator"]]


def test_the_year_minus_three_quarters_is_protected() -> None:
    # Q1 3 = 123 - 50 - 30 - 40. The cheapest other count in that sum is Q3 30 (the year is
    # a total, kept published where possible). Then Q1 + Q3 = 33 and Q1 could be 1 to 32.
    frame = pd.DataFrame(rows({Q1: 3, Q2: 50, Q3: 30, Q4: 40, YEAR: 123}))
    published = apply_disclosure(frame, "nhs_secondary_care")
    assert numerators(published) == [NA, 50, NA, 40, 125]  # 123 is published as 125
    assert published["denominator"].tolist() == [500, 500, 500, 500, 2000]
    assert published["note"].iloc[2].startswith("numerator secondarily suppressed")


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # Exactly the sum: as above.
        pytest.param(123, [NA, 50, NA, 40, 125], id="exact sum"),
        # Two people in two quarters: the reader knows only Q1 >= 122 - 120 = 2, so Q1 could
        # be 2 or 4 and nothing more is suppressed.
        pytest.param(122, [NA, 50, 30, 40, 120], id="at most, Q1 at least 2"),
        pytest.param(100, [NA, 50, 30, 40, 100], id="at most, no bound"),
    ],
)
def test_counts_of_people_add_up_over_quarters_only_as_at_most(
    year: int, expected: list[Any]
) -> None:
    frame = pd.DataFrame(rows({Q1: 3, Q2: 50, Q3: 30, Q4: 40, YEAR: year}))
    assert numerators(apply_disclosure(frame, "nhs_secondary_care")) == expected


@pytest.mark.parametrize(
    "second",
    [
        pytest.param(("2024-07-01", "2024-09-29"), id="a day missing"),
        pytest.param(("2024-07-01", "2024-10-01"), id="overlapping the next"),
    ],
)
def test_quarters_that_do_not_tile_the_year_are_not_summed(second: tuple[str, str]) -> None:
    # Without the period sum, Q1's 3 is alone in no sum and nothing else is suppressed.
    frame = pd.DataFrame(rows({Q1: 3, second: 50, Q3: 30, Q4: 40, YEAR: 123}))
    assert numerators(apply_disclosure(frame, "nhs_secondary_care")) == [NA, 50, 30, 40, 125]


def test_other_units_and_groups_are_not_summed_over_periods() -> None:
    # Each ward's Q1 is protected by its own quarters; the year of one ward says nothing
    # about another ward, so each ward's pattern is that of the first test.
    frame = pd.DataFrame(
        rows({Q1: 3, Q2: 50, Q3: 30, Q4: 40, YEAR: 123}, unit="Oak")
        + rows({Q1: 3, Q2: 50, Q3: 30, Q4: 40}, unit="Ash")  # no year: no sum
    )
    published = apply_disclosure(frame, "nhs_secondary_care", unit_parents={})
    assert numerators(published) == [NA, 50, NA, 40, 125, NA, 50, 30, 40]


def test_periods_written_as_dates_and_text_still_tile() -> None:
    frame = pd.DataFrame(rows({Q1: 3, Q2: 50, Q3: 30, Q4: 40, YEAR: 123}))
    frame["period_start"] = frame["period_start"].astype(object)
    frame["period_end"] = frame["period_end"].astype(object)
    frame.loc[1, "period_start"] = dt.date(2024, 7, 1)
    frame.loc[4, "period_end"] = pd.Timestamp("2025-03-31")
    published = apply_disclosure(frame, "nhs_secondary_care")
    assert numerators(published) == [NA, 50, NA, 40, 125]


def test_the_outcome_does_not_depend_on_the_order_of_the_rows() -> None:
    frame = pd.DataFrame(rows({Q1: 3, Q2: 30, Q3: 30, Q4: 30, YEAR: 93}))
    published = apply_disclosure(frame, "nhs_secondary_care")
    shuffled = apply_disclosure(frame.iloc[[4, 2, 0, 3, 1]], "nhs_secondary_care")
    pd.testing.assert_frame_equal(shuffled.sort_index(), published)


def test_a_period_tiled_in_too_many_ways_warns() -> None:
    first = day("2024-04-01")
    spans = [(i, i) for i in range(20)] + [(i, i + 1) for i in range(19)] + [(0, 19)]
    counts = {
        (
            dt.date.fromordinal(first + start).isoformat(),
            dt.date.fromordinal(first + end).isoformat(),
        ): 20 * (end - start + 1)
        for start, end in spans
    }
    frame = pd.DataFrame(rows(counts))
    with pytest.warns(DataQualityWarning, match=r"row 40 .* in more than 64 ways"):
        apply_disclosure(frame, "nhs_secondary_care")
    apply_disclosure(frame, "none")  # no secondary suppression: nothing to warn about


def test_groups_by_wards_by_quarters_with_the_year_lose_few_denominators() -> None:
    # 5 wards x 5 groups x 4 quarters and the year, with the trust and "All" rows: 180
    # denominators, linked in three directions (groups to "All", wards to the trust, quarters
    # to the year), all sums exact. Two are small: Ward 1 Asian Q1 (3) and Ward 2 Black Q2 (5).
    # By hand: the eight cells of wards {1, 2} x groups {Asian, Black} x quarters {Q1, Q2}
    # can move by +1 / -1 alternately (a cell's sign flips with each coordinate changed), so
    # every "All" row, trust row and year row (each adds two of the eight, one +1, one -1)
    # keeps its value. Both small cells are opposite corners of that cube, Ward 1 Asian Q1
    # could be 4 (Ward 2 Black Q2 then 4, each >= 1), so suppressing the other six (all
    # ordinary quarterly ward counts of non-reference groups, at least 100 each, so able to
    # fall by one) protects all eight. So at most 6 secondary suppressions are needed. At
    # least 3: Ward 1 Asian Q1 is alone in three sums (its ward's "All" in Q1, the trust's
    # Asian in Q1, its year), which share no other cell and hold no other small one, so each
    # needs a companion of its own. (Adding one companion at a time suppressed far more.)
    groups = ["White", "Asian", "Black", "Mixed", "Other"]
    quarters = [Q1, Q2, Q3, Q4]
    small = {(1, "Asian", Q1): 3, (2, "Black", Q2): 5}
    counts: dict[tuple[str, str, tuple[str, str]], int] = {}
    for ward in range(1, 6):
        for g, group in enumerate(groups):
            for q, quarter in enumerate(quarters):
                counts[(f"Ward {ward}", group, quarter)] = small.get(
                    (ward, group, quarter), 100 + 10 * ward + g + 3 * q
                )
    for (unit, group, quarter), value in list(counts.items()):
        counts[(unit, "All", quarter)] = counts.get((unit, "All", quarter), 0) + value
        counts[("Trust", group, quarter)] = counts.get(("Trust", group, quarter), 0) + value
        counts[("Trust", "All", quarter)] = counts.get(("Trust", "All", quarter), 0) + value
    for (unit, group, _), value in list(counts.items()):
        counts[(unit, group, YEAR)] = counts.get((unit, group, YEAR), 0) + value
    records = []
    for (unit, group, (start, end)), denominator in counts.items():
        record = rows({(start, end): 0}, unit=unit, group=group)[0]
        record["unit_type"] = "trust" if unit == "Trust" else "ward"
        record["denominator"] = denominator
        record["value"] = 0.0
        records.append(record)
    frame = pd.DataFrame(records)
    assert len(frame) == 180
    published = apply_disclosure(frame, "nhs_secondary_care", unit_parents={})
    hidden = published["denominator"].isna()
    assert int((frame["denominator"] < 8).sum()) == 2
    secondary = int((hidden & (frame["denominator"] >= 8)).sum())
    assert 3 <= secondary <= 6
    assert published["numerator"].notna().all()  # zeros are shown
