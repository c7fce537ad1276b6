"""smi_counts on a hand-made register: snapshot choice, 12-month window, exclusions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from equitymetrics.aggregate import SMI_ELEMENTS, smi_counts
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

Q1 = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
EARLY = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))  # before any snapshot


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[ns]")


def patients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["r1", "r2", "r3", "r4", "r5", "r7"],
            "ethnic_category": ["A", "N", "M", "H", "A", "A"],
            "sex": ["1", "2", "1", "2", "2", "1"],
            "birth_date": dates(
                "1980-01-01", "2008-07-01", "1950-01-01", None, "2007-06-30", "1970-01-01"
            ),
        }
    )


def register() -> pd.DataFrame:
    # Window for the period ending 2025-06-30: 2024-07-01 to 2025-06-30 inclusive.
    rows = [
        # person, snapshot, in remission, bmi, blood pressure, lipids, glucose, smoking, alcohol
        ("r1", "2025-06-30", False, "2024-07-01", "2024-06-30", "2025-06-30", "2025-07-01",
         "2025-01-01", None),
        ("r3", "2025-06-30", False, *["2025-01-15"] * 6),
        ("r3", "2025-06-30", False, *[None] * 6),  # a second row for r3: still one person
        ("r2", "2025-06-30", False, *[None] * 6),  # 16 at period end
        ("r4", "2025-06-30", False, *[None] * 6),  # no birth date
        ("r5", "2025-06-30", False, "2025-06-30", *[None] * 5),  # 18 on the period end
        ("r6", "2025-06-30", False, *[None] * 6),  # not in patients
        ("r7", "2025-06-30", True, *[None] * 6),  # in remission
        ("r1", "2025-03-31", False, *[None] * 6),  # an earlier snapshot
        ("r1", "2025-07-31", False, *[None] * 6),  # a snapshot after the period end
        ("r1", None, False, *[None] * 6),  # no snapshot date
    ]  # fmt: skip
    elements = [f"{e}_date" for e in SMI_ELEMENTS]
    frame = pd.DataFrame(rows, columns=["person_id", "snapshot_date", "in_remission", *elements])
    for column in ["snapshot_date", *elements]:
        frame[column] = dates(*frame[column])
    return frame


@pytest.fixture(scope="module")
def result() -> Any:
    return smi_counts(register(), patients(), periods=[Q1, EARLY], engine="pandas")


def test_counts(result: Any) -> None:
    # Snapshot for Q1: 2025-06-30 (the latest on or before 30 June; 31 July is later).
    # r1 (A, 1, 45): bmi 2024-07-01 (first day in the window), lipids 2025-06-30 (last day),
    #   smoking; blood pressure 2024-06-30 is a day too early and glucose 2025-07-01 too late.
    # r5 (A, 2, 18 on 2025-06-30): bmi only.  r3 (M, 1, 75): all six (on its first row).
    want = pd.DataFrame(
        [
            ("A", "1", "35-49", 1, 1, 0, 1, 0, 1, 0, 0),
            ("A", "2", "18-34", 1, 1, 0, 0, 0, 0, 0, 0),
            ("M", "1", "65+", 1, 1, 1, 1, 1, 1, 1, 1),
        ],
        columns=["ethnic_category", "sex", "age_band", "register", *SMI_ELEMENTS, "all_six"],
    )
    want.insert(0, "snapshot_date", pd.Timestamp("2025-06-30"))
    want.insert(0, "period_end", pd.Timestamp("2025-06-30"))
    want.insert(0, "period_start", pd.Timestamp("2025-04-01"))
    text = {"ethnic_category": "str", "sex": "str", "age_band": "str"}
    stamps = dict.fromkeys(["period_start", "period_end", "snapshot_date"], "datetime64[ns]")
    pd.testing.assert_frame_equal(result.counts, want.astype({**stamps, **text}))


def test_exclusions(result: Any) -> None:
    # Q1: 11 rows = 4 used (r1, r3 twice, r5) + 7 excluded. EARLY: no snapshot on or before
    # 2024-03-31, so all 10 rows with a snapshot date are excluded, and the undated row.
    excluded = {
        (str(row.period_start.date()), row.reason): row.rows
        for row in result.exclusions.itertuples()
    }
    assert excluded == {
        ("2024-01-01", "missing snapshot_date"): 1,
        ("2024-01-01", "no snapshot on or before the period end"): 10,
        ("2025-04-01", "age not known"): 1,
        ("2025-04-01", "in remission"): 1,
        ("2025-04-01", "missing snapshot_date"): 1,
        ("2025-04-01", "not the period's snapshot"): 2,
        ("2025-04-01", "person not in patients"): 1,
        ("2025-04-01", "under the minimum age"): 1,
    }
    assert set(result.exclusions["table"]) == {"smi_register"}


def test_every_engine_gives_identical_frames(all_engines: Any) -> None:
    all_engines(smi_counts, register(), patients(), periods=[Q1, EARLY])


def test_a_lower_minimum_age() -> None:
    result = smi_counts(
        register(),
        patients(),
        periods=[Q1],
        min_age=16,
        age_bands=("16-34", "35-49", "50-64", "65+"),
    )
    # r2 (16) now joins r5 (18) in 16-34.
    assert result.counts["register"].sum() == 4
    assert "under the minimum age" not in set(result.exclusions["reason"])


def test_window_for_a_leap_day_period_end() -> None:
    # 12 calendar months before 2024-02-29 is 2023-02-28: a check on that day is too early,
    # one on 2023-03-01 counts.
    frame = register().iloc[[1]].reset_index(drop=True)
    frame["snapshot_date"] = dates("2024-02-29")
    frame["bmi_date"] = dates("2023-02-28")
    frame["lipids_date"] = dates("2023-03-01")
    result = smi_counts(frame, patients(), periods=[(dt.date(2023, 12, 1), dt.date(2024, 2, 29))])
    assert result.counts[["bmi", "lipids"]].values.tolist() == [[0, 1]]


@pytest.mark.parametrize(
    ("min_age", "error"), [(-1, InvalidArgumentError), (18.5, InvalidTypeError)]
)
def test_bad_min_age(min_age: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="min_age"):
        smi_counts(register(), patients(), periods=[Q1], min_age=min_age)
