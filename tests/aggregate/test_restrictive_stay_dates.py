"""An intervention counts only when its date lies in a stay of its person on its ward.

Each case below is a hand-made set of stays and interventions of person p1 (and, for the
"different ward" case, a stay of p2 that gives the intervention's ward a division). The quarter
is Q = 2025-04-01..2025-06-30. The rule (docs/aggregation.md, "Restrictive practice"): an
intervention dated d is counted when some stay of the same person on the same ward, counted in
the period, has ``admission <= d <= discharge`` (compared as dates, so times of day are
dropped; an open stay has no discharge). Otherwise it is excluded, with the reason
``NO_STAY_REASON``, and appears in no count.

Every expected figure is worked out by hand in the comment of its case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pandas as pd
import pytest

from equitymetrics.aggregate import NO_STAY_REASON, restrictive_practice_counts

Q = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
Q_NEXT = (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
EVENTS = "restrictive_interventions"


class Case(NamedTuple):
    """Stays (person, ward, start, end), interventions of p1 (incident, ward, start, type),
    and the hand-worked answer ``(interventions, incidents, people restricted, rows excluded
    as outside every stay)`` on the intervention's ward."""

    stays: list[tuple[str, str, str, str | None]]
    events: list[tuple[str, str, str, str]]
    want: tuple[int, int, int, int]


CASES: dict[str, Case] = {
    # Admitted 10 May, discharged 20 May; the intervention on 9 May is the day before.
    "before-admission": Case(
        [("p1", "W", "2025-05-10", "2025-05-20")],
        [("i1", "W", "2025-05-09 23:50", "01")],
        (0, 0, 0, 1),
    ),
    # Discharged 20 May; the intervention on 21 May is the day after.
    "after-discharge": Case(
        [("p1", "W", "2025-05-10", "2025-05-20")],
        [("i1", "W", "2025-05-21 00:10", "01")],
        (0, 0, 0, 1),
    ),
    # On the day of admission (10 May <= 10 May): counted.
    "on-admission-day": Case(
        [("p1", "W", "2025-05-10", "2025-05-20")],
        [("i1", "W", "2025-05-10 08:15", "01")],
        (1, 1, 1, 0),
    ),
    # On the day of discharge, late in the day (20 May <= 20 May, times dropped): counted.
    "on-discharge-day": Case(
        [("p1", "W", "2025-05-10", "2025-05-20")],
        [("i1", "W", "2025-05-20 23:59", "01")],
        (1, 1, 1, 0),
    ),
    # Admitted and discharged on 5 May; the intervention that day: counted.
    "same-day-stay": Case(
        [("p1", "W", "2025-05-05", "2025-05-05")],
        [("i1", "W", "2025-05-05 12:00", "01")],
        (1, 1, 1, 0),
    ),
    # Open stay from 10 May; the intervention on the period's last day (30 June): counted.
    "open-stay": Case(
        [("p1", "W", "2025-05-10", None)], [("i1", "W", "2025-06-30 22:00", "01")], (1, 1, 1, 0)
    ),
    # Open stay from 10 May; the intervention on 9 May is before it: excluded.
    "open-stay-before-admission": Case(
        [("p1", "W", "2025-05-10", None)], [("i1", "W", "2025-05-09", "01")], (0, 0, 0, 1)
    ),
    # Admitted before the period (1 March), discharged 5 April; intervention on 2 April.
    "admitted-before-period": Case(
        [("p1", "W", "2025-03-01", "2025-04-05")],
        [("i1", "W", "2025-04-02", "01")],
        (1, 1, 1, 0),
    ),
    # Two stays on W, 1-20 May and 10-31 May (overlapping 10-20 May). Incident i1 on 15 May,
    # recorded with two types (01, 05), lies in both stays: counted once per type, so 2
    # interventions and 1 incident (not 4 and 2).
    "overlapping-stays": Case(
        [("p1", "W", "2025-05-01", "2025-05-20"), ("p1", "W", "2025-05-10", "2025-05-31")],
        [("i1", "W", "2025-05-15", "01"), ("i1", "W", "2025-05-15", "05")],
        (2, 1, 1, 0),
    ),
    # Two stays on W, 1-10 April and 20-30 April; the intervention on 15 April lies between
    # them, in neither: excluded.
    "between-two-stays": Case(
        [("p1", "W", "2025-04-01", "2025-04-10"), ("p1", "W", "2025-04-20", "2025-04-30")],
        [("i1", "W", "2025-04-15", "01")],
        (0, 0, 0, 1),
    ),
    # p1 stays on V (10-20 May), the intervention is recorded on W on 15 May, where only p2
    # stayed (1-31 May): p1 had no stay on W, so it is excluded (p2 is not restricted).
    "different-ward": Case(
        [("p1", "V", "2025-05-10", "2025-05-20"), ("p2", "W", "2025-05-01", "2025-05-31")],
        [("i1", "W", "2025-05-15", "01")],
        (0, 0, 0, 1),
    ),
}


def patients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["p1", "p2"],
            "ethnic_category": ["A", "N"],
            "sex": ["1", "2"],
            "birth_date": pd.to_datetime(["1980-01-01", "1985-06-01"]).astype("datetime64[ns]"),
        }
    )


def tables(cases: dict[str, Case]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stays and interventions of the cases; the ward ``W`` (or ``V``) of case ``c`` becomes
    ``c/W``, so that every case has wards of its own (all in division ``D``)."""
    stay_rows, event_rows = [], []
    for name, case in cases.items():
        for person, ward, start, end in case.stays:
            stay_rows.append((f"s{len(stay_rows)}", person, f"{name}/{ward}", "D", start, end))
        for incident, ward, start, code in case.events:
            event_rows.append((f"{name}/{incident}", "p1", f"{name}/{ward}", start, code))
    stays = pd.DataFrame(
        stay_rows, columns=["stay_id", "person_id", "ward", "division", "start_date", "end_date"]
    )
    events = pd.DataFrame(
        event_rows, columns=["intervention_id", "person_id", "ward", "start_date", "type_code"]
    )
    for frame, column in ((stays, "start_date"), (stays, "end_date"), (events, "start_date")):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[ns]")
    return stays, events


def on_ward(frame: pd.DataFrame, ward: str) -> pd.DataFrame:
    return frame[(frame["unit_type"] == "ward") & (frame["unit"] == ward)]


@pytest.mark.parametrize("name", list(CASES))
def test_stay_date_case(name: str) -> None:
    case = CASES[name]
    interventions, incidents, restricted, outside = case.want
    stays, events = tables({name: case})
    result = restrictive_practice_counts(stays, events, patients(), periods=[Q], engine="pandas")
    counted = on_ward(result.interventions, f"{name}/W")
    counted = counted[counted["type_group"] == "all"]
    assert int(counted["interventions"].sum()) == interventions
    assert int(counted["incidents"].sum()) == incidents
    people = on_ward(result.people, f"{name}/W")
    p1 = people[people["ethnic_category"] == "A"]
    assert int(p1["people_restricted"].sum()) == restricted
    # Nobody else is ever restricted (p2 has no interventions).
    assert int(people.loc[people["ethnic_category"] != "A", "people_restricted"].sum()) == 0
    # Row accounting: every intervention row is used or excluded, never both.
    reasons = result.exclusions[result.exclusions["table"] == EVENTS]
    assert reasons["reason"].tolist() == ([NO_STAY_REASON] if outside else [])
    assert int(reasons["rows"].sum()) == outside
    trust = result.interventions[
        (result.interventions["unit_type"] == "trust")
        & (result.interventions["type_group"] == "all")
    ]
    assert int(trust["interventions"].sum()) + outside == len(events)


def test_all_cases_together_on_every_engine(all_engines: Any) -> None:
    stays, events = tables(CASES)
    runs = all_engines(restrictive_practice_counts, stays, events, patients(), periods=[Q])
    result = runs["pandas"]
    # Counted: admission day, discharge day, same-day stay, open stay, admitted before the
    # period (1 row each) and overlapping stays (2 rows, 1 incident): 7 interventions in 6
    # incidents. Excluded: before admission, after discharge, open stay before admission,
    # between two stays, different ward: 5 rows.
    trust = result.interventions[
        (result.interventions["unit_type"] == "trust")
        & (result.interventions["type_group"] == "all")
    ]
    assert (int(trust["interventions"].sum()), int(trust["incidents"].sum())) == (7, 6)
    expected = pd.DataFrame(
        {
            "period_start": pd.Series([pd.Timestamp(Q[0])], dtype="datetime64[ns]"),
            "period_end": pd.Series([pd.Timestamp(Q[1])], dtype="datetime64[ns]"),
            "table": pd.Series([EVENTS], dtype="str"),
            "reason": pd.Series([NO_STAY_REASON], dtype="str"),
            "rows": pd.Series([5], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(result.exclusions, expected)
    # In division D and the trust: p1 (A) is an inpatient and restricted (the counted cases);
    # p2 (N), an inpatient of "different-ward/W" only, is not restricted.
    people = result.people[result.people["unit_type"] != "ward"]
    assert list(
        zip(people["unit"], people["ethnic_category"], people["people_restricted"], strict=True)
    ) == [("D", "A", 1), ("D", "N", 0), ("Trust", "A", 1), ("Trust", "N", 0)]


def test_two_periods_each_match_by_date() -> None:
    # p1 on W: stay 20 June..10 July. i1 on 25 June (Q, in the stay): counted in Q. i2 on
    # 5 July (Q_NEXT, in the stay): counted in Q_NEXT. i3 on 15 July (Q_NEXT, after discharge):
    # excluded in Q_NEXT. In Q, i2 and i3 are "outside the period" (2 rows); in Q_NEXT, i1 is
    # (1 row). Q: 1 used + 2 excluded = 3; Q_NEXT: 1 used + 1 + 1 excluded = 3.
    case = Case(
        [("p1", "W", "2025-06-20", "2025-07-10")],
        [
            ("i1", "W", "2025-06-25", "01"),
            ("i2", "W", "2025-07-05", "01"),
            ("i3", "W", "2025-07-15", "01"),
        ],
        (0, 0, 0, 0),  # unused: the two periods are checked below
    )
    stays, events = tables({"c": case})
    result = restrictive_practice_counts(
        stays, events, patients(), periods=[Q, Q_NEXT], engine="pandas"
    )
    trust = result.interventions[
        (result.interventions["unit_type"] == "trust")
        & (result.interventions["type_group"] == "all")
    ]
    assert trust["interventions"].tolist() == [1, 1]
    rows = result.exclusions[result.exclusions["table"] == EVENTS]
    got = {
        (start.date(), reason): n
        for start, reason, n in rows[["period_start", "reason", "rows"]].itertuples(index=False)
    }
    assert got == {
        (Q[0], "outside the period"): 2,
        (Q_NEXT[0], "outside the period"): 1,
        (Q_NEXT[0], NO_STAY_REASON): 1,
    }


def test_an_excluded_stay_does_not_cover_an_intervention() -> None:
    # p1's only stay on W has no division, so it is excluded ("missing division") and p1 is not
    # an inpatient of W; W's division comes from p2's stay. p1's intervention on W during the
    # excluded stay is therefore outside every (counted) stay of p1 on W: 1 row excluded.
    stays, events = tables(
        {
            "c": Case(
                [("p1", "W", "2025-05-10", "2025-05-20"), ("p2", "W", "2025-05-01", None)],
                [("i1", "W", "2025-05-15", "01")],
                (0, 0, 0, 1),
            )
        }
    )
    stays.loc[stays["person_id"] == "p1", "division"] = None
    result = restrictive_practice_counts(stays, events, patients(), periods=[Q], engine="pandas")
    reasons = dict(zip(result.exclusions["reason"], result.exclusions["rows"], strict=True))
    assert reasons == {"missing division": 1, NO_STAY_REASON: 1}
    assert result.interventions.empty
