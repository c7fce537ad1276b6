"""Age band labels, census band nesting, period validation and calendar months."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from equitymetrics.aggregate import AgeBand, parse_age_bands
from equitymetrics.aggregate._bands import nest_age_bands
from equitymetrics.aggregate._periods import months_before, validate_periods
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError


@pytest.mark.parametrize(
    ("labels", "bands"),
    [
        (("0-17", "18+"), [("0-17", 0, 17), ("18+", 18, None)]),
        (("15", "0-14", "16-17"), [("0-14", 0, 14), ("15", 15, 15), ("16-17", 16, 17)]),
        ((" 18 - 34 ", "35+"), [(" 18 - 34 ", 18, 34), ("35+", 35, None)]),
        (("18-34",), [("18-34", 18, 34)]),
    ],
)
def test_parse_age_bands(labels: tuple[str, ...], bands: list[tuple[Any, ...]]) -> None:
    assert parse_age_bands(labels) == tuple(AgeBand(*band) for band in bands)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (("0-17", "19+"), "gap between the age bands '0-17' and '19\\+'.*ages 18 to 18"),
        (("0-18", "18+"), "'0-18' and '18\\+' overlap"),
        (("0+", "18-34"), "'0\\+' and '18-34' overlap"),
        (("0-17", "0-17"), "repeated"),
        (("0-17", "5-10", "18+"), "'0-17' and '5-10' overlap"),
        (("18-", "19+"), "cannot read the age band '18-'"),
        (("34-18",), "ends before it starts"),
        ((), "at least one"),
    ],
)
def test_bad_age_bands(labels: tuple[str, ...], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        parse_age_bands(labels)


def test_repeated_single_age_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="repeated"):
        parse_age_bands(["15", "15", "16+"])


def test_a_single_string_is_not_a_list_of_bands() -> None:
    with pytest.raises(InvalidTypeError, match="single string"):
        parse_age_bands("0-17")


def test_nest_census_bands() -> None:
    bands = parse_age_bands(("0-15", "16-17", "18-34", "35+"))
    nesting = nest_age_bands(["0-4", "15", "16-17", "18-19", "30-34", "90+"], bands)
    assert dict(nesting) == {
        "0-4": "0-15",
        "15": "0-15",
        "16-17": "16-17",
        "18-19": "18-34",
        "30-34": "18-34",
        "90+": "35+",
    }
    assert nest_age_bands(["0-4"], parse_age_bands(["18+"])) == {"0-4": None}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 6, 30), dt.date(2024, 6, 30)),
        (dt.date(2024, 2, 29), dt.date(2023, 2, 28)),
        (dt.date(2025, 3, 31), dt.date(2024, 3, 31)),
        (dt.date(2025, 1, 15), dt.date(2024, 1, 15)),
    ],
)
def test_twelve_calendar_months_before(day: dt.date, expected: dt.date) -> None:
    assert months_before(day, 12) == expected


def test_one_calendar_month_before_clips_to_month_end() -> None:
    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2025, 1, 31), 1) == dt.date(2024, 12, 31)


@pytest.mark.parametrize(
    ("periods", "error", "message"),
    [
        ([], InvalidArgumentError, "at least one"),
        ("2025", InvalidTypeError, "sequence of \\(start, end\\)"),
        ([(dt.date(2025, 6, 30), dt.date(2025, 4, 1))], InvalidArgumentError, "starts after"),
        ([("2025-04-01", "2025-06-30")], InvalidTypeError, "datetime.date"),
        ([(dt.date(2025, 4, 1),)], InvalidTypeError, "pair"),
        (
            [(dt.datetime(2025, 4, 1, 9, 0), dt.date(2025, 6, 30))],
            InvalidArgumentError,
            "date-time",
        ),
        (
            [(dt.date(2025, 4, 1), dt.date(2025, 6, 30))] * 2,
            InvalidArgumentError,
            "repeated",
        ),
    ],
)
def test_bad_periods(periods: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        validate_periods(periods)


def test_midnight_datetimes_are_dates() -> None:
    periods = [(dt.datetime(2025, 4, 1), dt.datetime(2025, 6, 30))]
    assert validate_periods(periods) == ((dt.date(2025, 4, 1), dt.date(2025, 6, 30)),)
