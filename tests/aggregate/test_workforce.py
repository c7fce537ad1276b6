"""Workforce counts (WRES inputs) on hand-made tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from equitymetrics.aggregate import (
    disciplinary_counts,
    recruitment_counts,
    staff_counts,
    training_counts,
)
from equitymetrics.exceptions import InvalidArgumentError

YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[ns]")


def test_staff_headcount(all_engines: Any) -> None:
    staff = pd.DataFrame(
        {
            "staff_id": ["s1", "s2", "s2", "s3", "s4", "s5", None],
            "ethnic_category": ["A", "N", "N", "A", None, "A", "A"],
            "band": ["5", "8a", "8a", "5", None, "5", "5"],
            "clinical": [True, False, False, True, True, None, True],
            "division": ["Adult", "Adult", "Adult", "Adult", "Older", "Adult", "Adult"],
            "board_member": ["none", "voting", "voting", "none", "none", "none", "none"],
            "executive": [False, True, True, False, False, False, False],
            "snapshot_date": dates(*["2025-03-31"] * 3, "2024-03-31", *["2025-03-31"] * 3),
        }
    )
    runs = all_engines(staff_counts, staff, snapshot_date=YEAR[1])
    result = runs["pandas"]
    # s1: A band 5 clinical; s2 twice (counted once): N 8a voting executive; s3 is in the 2024
    # snapshot; s4: no ethnic category (99) and no band (kept, as a missing band); s5 has no
    # clinical flag and the last row no staff_id: both excluded.
    rows = [
        ("99", None, True, "Older", "none", False, 1),
        ("A", "5", True, "Adult", "none", False, 1),
        ("N", "8a", False, "Adult", "voting", True, 1),
    ]
    columns = ["ethnic_category", "band", "clinical", "division", "board_member", "executive"]
    want = pd.DataFrame(rows, columns=[*columns, "headcount"])
    want.insert(0, "period_end", pd.Timestamp("2025-03-31"))
    want.insert(0, "period_start", pd.Timestamp("2025-03-31"))
    want = want.astype(
        {
            "period_start": "datetime64[ns]",
            "period_end": "datetime64[ns]",
            **dict.fromkeys(["ethnic_category", "band", "division", "board_member"], "str"),
        }
    )
    pd.testing.assert_frame_equal(result.counts, want)
    assert result.exclusions[["reason", "rows"]].values.tolist() == [
        ["missing clinical", 1],
        ["missing staff_id", 1],
        ["outside the period", 1],
    ]


def test_recruitment(all_engines: Any) -> None:
    recruitment = pd.DataFrame(
        {
            "applicant_id": ["a1", "a2", "a3", "a4", "a5", "a6"],
            "ethnic_category": ["A", "A", "N", "N", "N", "A"],
            "shortlisted": [True, True, True, False, False, True],
            "appointed": [True, False, False, False, True, True],
            "date": dates(*["2024-06-01"] * 5, "2025-04-01"),
        }
    )
    result = all_engines(recruitment_counts, recruitment, start=YEAR[0], end=YEAR[1])["pandas"]
    # A: a1 shortlisted and appointed, a2 shortlisted (a6 is after the year).
    # N: a3 shortlisted, a4 neither; a5 appointed without being shortlisted: excluded.
    assert result.counts[
        ["ethnic_category", "applications", "shortlisted", "appointed"]
    ].values.tolist() == [["A", 2, 2, 1], ["N", 2, 1, 0]]
    assert result.exclusions[["reason", "rows"]].values.tolist() == [
        ["appointed but not shortlisted", 1],
        ["outside the period", 1],
    ]


def test_disciplinary(all_engines: Any) -> None:
    cases = pd.DataFrame(
        {
            "case_id": ["c1", "c1", "c2", "c3", "c4"],
            "staff_id": ["s1", "s1", "s2", "s3", "s4"],
            "ethnic_category": ["N", "N", "N", "A", "A"],
            "entered_date": dates("2024-04-01", "2024-04-01", "2025-03-31", "2025-04-01", None),
        }
    )
    result = all_engines(disciplinary_counts, cases, start=YEAR[0], end=YEAR[1])["pandas"]
    # N: c1 (twice: one case) and c2 on the last day; A: c3 the day after; c4 has no date.
    assert result.counts[["ethnic_category", "cases"]].values.tolist() == [["N", 2]]
    assert result.exclusions[["reason", "rows"]].values.tolist() == [
        ["missing entered_date", 1],
        ["outside the period", 1],
    ]


def test_training(all_engines: Any) -> None:
    training = pd.DataFrame(
        {
            "staff_id": ["s1", "s1", "s2", "s3", "s4"],
            "ethnic_category": ["A", "A", "N", "N", "A"],
            "accessed_non_mandatory": [True, False, False, True, True],
            "year_end": dates(*["2025-03-31"] * 4, "2024-03-31"),
        }
    )
    result = all_engines(training_counts, training, year_end=YEAR[1])["pandas"]
    # A: s1 (two rows, accessed in one); N: s2 no, s3 yes; s4's row is for an earlier year.
    assert result.counts[["ethnic_category", "staff", "accessed"]].values.tolist() == [
        ["A", 1, 1],
        ["N", 2, 1],
    ]
    assert result.counts["period_start"].tolist() == [pd.Timestamp("2024-04-01")] * 2
    assert result.exclusions[["reason", "rows"]].values.tolist() == [["outside the period", 1]]


def test_window_must_not_be_reversed() -> None:
    with pytest.raises(InvalidArgumentError, match="start must not be after end"):
        disciplinary_counts(pd.DataFrame(), start=YEAR[1], end=YEAR[0])
