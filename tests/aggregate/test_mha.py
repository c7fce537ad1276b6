"""mha_counts on hand-made episodes: detentions and CTOs of catchment residents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from equitymetrics.aggregate import mha_counts
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

Q1 = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
CATCHMENT = ["E06000045", "E06000044"]


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[ns]")


def patients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["q1", "q2", "q3", "q4", "q5"],
            "ethnic_category": ["A", "N", "M", "H", "A"],
            "sex": ["1", "2", "1", "2", "2"],
            "birth_date": dates("2000-05-10", "2009-04-02", "1960-01-01", "1985-06-01", None),
            "residence_area_code": ["E06000045", "E06000045", "E09000001", None, "E06000044"],
        }
    )


def episodes() -> pd.DataFrame:
    rows = [
        ("e1", "q1", "2025-05-09", "A"),  # 24: the 25th birthday is the next day
        ("e1", "q1", "2025-05-09", "A"),  # the same episode again: counted once
        ("e2", "q2", "2025-04-01", "B"),  # 15 on the day before the 16th birthday
        ("e3", "q2", "2025-04-02", "CTO"),  # 16 on the birthday
        ("e4", "q3", "2025-05-01", "A"),  # lives outside the catchment
        ("e5", "q4", "2025-05-01", "C"),  # no residence area code
        ("e6", "q5", "2025-06-30", "P"),  # age not known
        ("e7", "q1", "2025-06-01", "01"),  # informal: not a new detention or CTO
        ("e8", "q9", "2025-05-01", "A"),  # q9 is not in patients
        ("e9", "q1", "2025-07-01", "D"),  # after the period
        ("e10", "q1", None, "A"),  # no start date
    ]
    frame = pd.DataFrame(
        rows, columns=["episode_id", "person_id", "start_date", "legal_status_category"]
    )
    frame["start_date"] = dates(*frame["start_date"])
    return frame


def stamp(frame: pd.DataFrame) -> pd.DataFrame:
    frame.insert(0, "period_end", pd.Timestamp("2025-06-30"))
    frame.insert(0, "period_start", pd.Timestamp("2025-04-01"))
    return frame.astype({"period_start": "datetime64[ns]", "period_end": "datetime64[ns]"})


def test_counts_and_exclusions(all_engines: Any) -> None:
    runs = all_engines(mha_counts, episodes(), patients(), periods=[Q1], catchment=CATCHMENT)
    result = runs["pandas"]
    # Age at the episode start, bands 0-15, 16-17, 18-34, ...: e1 -> 24 (18-34), e2 -> 15
    # (0-15), e3 -> 16 (16-17), e6 -> unknown. Categories A, B, C, D, P are detentions.
    want = pd.DataFrame(
        [
            ("A", "1", "18-34", "detention", 1),
            ("A", "2", "unknown", "detention", 1),
            ("N", "2", "0-15", "detention", 1),
            ("N", "2", "16-17", "cto", 1),
        ],
        columns=["ethnic_category", "sex", "age_band", "episode_kind", "episodes"],
    ).astype({"ethnic_category": "str", "sex": "str", "age_band": "str", "episode_kind": "str"})
    pd.testing.assert_frame_equal(result.counts, stamp(want))
    # 11 rows: 5 used (e1 twice, e2, e3, e6) and one of each reason below.
    reasons = pd.DataFrame(
        {
            "table": "mha_episodes",
            "reason": [
                "missing start_date",
                "no residence area code",
                "not a new detention or CTO",
                "not resident in the catchment",
                "outside the period",
                "person not in patients",
            ],
            "rows": 1,
        }
    ).astype({"table": "str", "reason": "str", "rows": "int64"})
    pd.testing.assert_frame_equal(result.exclusions, stamp(reasons))


def test_national_cto_codes_can_be_added() -> None:
    data = episodes()
    data.loc[data["episode_id"] == "e7", "legal_status_category"] = "17"
    result = mha_counts(
        data, patients(), periods=[Q1], catchment=CATCHMENT, cto_codes=("CTO", "17")
    )
    # e7 (q1, 24 on 2025-06-01) is now a CTO.
    cto = result.counts[result.counts["episode_kind"] == "cto"]
    assert cto[["ethnic_category", "age_band", "episodes"]].values.tolist() == [
        ["A", "18-34", 1],
        ["N", "16-17", 1],
    ]


def test_a_code_cannot_be_both_kinds() -> None:
    with pytest.raises(InvalidArgumentError, match="both detention_codes and cto_codes"):
        mha_counts(
            episodes(), patients(), periods=[Q1], catchment=CATCHMENT, cto_codes=("CTO", "A")
        )


@pytest.mark.parametrize(
    ("catchment", "error"),
    [([], InvalidArgumentError), ("E06000045", InvalidTypeError), ([45], InvalidTypeError)],
)
def test_bad_catchment(catchment: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="catchment"):
        mha_counts(episodes(), patients(), periods=[Q1], catchment=catchment)


def test_patients_need_a_residence_column() -> None:
    with pytest.raises(InvalidArgumentError, match="'residence_area_code'"):
        mha_counts(
            episodes(),
            patients().drop(columns="residence_area_code"),
            periods=[Q1],
            catchment=CATCHMENT,
        )


def test_two_periods_in_one_pass() -> None:
    q2 = (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    result = mha_counts(episodes(), patients(), periods=[Q1, q2], catchment=CATCHMENT)
    # Q2 holds only e9 (q1, D, 2025-07-01: 25 by then).
    q2_rows = result.counts[result.counts["period_start"] == pd.Timestamp("2025-07-01")]
    assert q2_rows[["age_band", "episode_kind", "episodes"]].values.tolist() == [
        ["18-34", "detention", 1]
    ]
    q2_excluded = result.exclusions[result.exclusions["period_start"] == pd.Timestamp("2025-07-01")]
    # 11 rows = 1 used + 1 without a date + 9 outside Q2.
    assert dict(zip(q2_excluded["reason"], q2_excluded["rows"], strict=True)) == {
        "missing start_date": 1,
        "outside the period": 9,
    }
