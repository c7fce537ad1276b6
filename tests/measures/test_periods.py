"""Reporting periods for trends: earlier periods have the reporting period's length.

Every expected list is written out by hand from the calendar.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from equitymetrics.measures import reporting_periods, wres_year

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "count", "expected"),
    [
        pytest.param(
            D(2025, 4, 1), D(2025, 6, 30), 3,
            [(D(2024, 10, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 3, 31)),
             (D(2025, 4, 1), D(2025, 6, 30))],
            id="quarters",
        ),
        pytest.param(
            D(2024, 4, 1), D(2025, 3, 31), 2,
            [(D(2023, 4, 1), D(2024, 3, 31)), (D(2024, 4, 1), D(2025, 3, 31))],
            id="financial years, not quarters before a year",
        ),
        pytest.param(
            D(2024, 3, 1), D(2024, 3, 31), 3,
            [(D(2024, 1, 1), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 29)),
             (D(2024, 3, 1), D(2024, 3, 31))],
            id="months, through a leap February",
        ),
        pytest.param(
            D(2025, 3, 10), D(2025, 3, 16), 3,
            [(D(2025, 2, 24), D(2025, 3, 2)), (D(2025, 3, 3), D(2025, 3, 9)),
             (D(2025, 3, 10), D(2025, 3, 16))],
            id="weeks: same number of days",
        ),
        pytest.param(
            D(2025, 4, 1), D(2025, 6, 30), 1, [(D(2025, 4, 1), D(2025, 6, 30))], id="one period",
        ),
    ],
)  # fmt: skip
def test_reporting_periods(
    start: dt.date, end: dt.date, count: int, expected: list[tuple[dt.date, dt.date]]
) -> None:
    assert reporting_periods(start, end, count) == expected


def test_reporting_periods_tile_without_gaps() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2025, 6, 30), 40)
    for (_, earlier_end), (later_start, _) in itertools.pairwise(periods):
        assert later_start - earlier_end == dt.timedelta(days=1)
    assert periods[0] == (D(2015, 7, 1), D(2015, 9, 30))  # 39 quarters before April 2025


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 6, 30), (D(2024, 4, 1), D(2025, 3, 31))),
        (D(2025, 3, 31), (D(2024, 4, 1), D(2025, 3, 31))),
        (D(2025, 3, 30), (D(2023, 4, 1), D(2024, 3, 31))),
    ],
)
def test_wres_year_ends_on_or_before_the_day(
    day: dt.date, expected: tuple[dt.date, dt.date]
) -> None:
    assert wres_year(day) == expected
