"""restrictive_practice_counts on a hand-made trust, with every count worked out by hand.

The trust has three wards: Oak and Elm in division "Adult", Ash in division "Older". Two
periods: Q1 = 2025-04-01..2025-06-30 and Q2 = 2025-07-01..2025-09-30.

People (age in completed years at period end):
- p1: A, male, born 1990-08-15: 34 on 2025-06-30 ("18-34"), 35 on 2025-09-30 ("35-49"),
  but still 34 on 2025-07-01: age is taken at period end.
- p2: N, female, born 1980-01-15: 45 ("35-49") in both periods.
- p3: M, male, born 1950-03-01: 75 ("65+").
- p4: no ethnic category (-> "99"), no sex (-> "X"), no birth date (-> age band "unknown").
- p5: A, female, born 2026-01-01: a negative age, outside every band.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from equitymetrics import aggregate
from equitymetrics.aggregate import NO_STAY_REASON, restrictive_practice_counts
from equitymetrics.exceptions import (
    DataValidationError,
    InvalidArgumentError,
    InvalidTypeError,
    UnknownMethodError,
)

Q1 = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
Q2 = (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
STAMP = {"Q1": (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30"))}
STAMP["Q2"] = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="ISO8601")).astype("datetime64[ns]")


def patients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["p1", "p2", "p3", "p4", "p5"],
            "ethnic_category": ["A", "N", "M", None, "A"],
            "sex": ["1", "2", "1", None, "2"],
            "birth_date": dates("1990-08-15", "1980-01-15", "1950-03-01", None, "2026-01-01"),
        }
    )


def stays() -> pd.DataFrame:
    rows = [
        # stay, person, ward, division, start, end
        ("s1", "p1", "Oak", "Adult", "2025-03-20", "2025-04-10"),  # admitted before Q1
        ("s2", "p1", "Elm", "Adult", "2025-04-10", None),  # transfer, still in hospital
        ("s3", "p2", "Oak", "Adult", "2025-06-20", None),  # open stay
        ("s4", "p3", "Ash", "Older", "2025-05-05", "2025-05-05"),  # same-day stay
        ("s5", "p2", "Ash", "Older", "2025-03-01", "2025-04-01"),  # discharged on Q1 start
        ("s6", "p9", "Oak", "Adult", "2025-05-01", "2025-05-03"),  # p9 not in patients
        ("s7", "p4", "Elm", "Adult", "2025-08-01", "2025-07-15"),  # ends before it starts
        ("s8", "p5", "Ash", "Older", "2025-07-01", "2025-07-02"),  # age outside bands
        ("s9", "p4", "Elm", "Adult", "2025-09-30", None),  # admitted on Q2's last day
    ]
    frame = pd.DataFrame(
        rows, columns=["stay_id", "person_id", "ward", "division", "start_date", "end_date"]
    )
    frame["start_date"] = dates(*frame["start_date"])
    frame["end_date"] = dates(*frame["end_date"])
    return frame


def interventions() -> pd.DataFrame:
    rows = [
        # incident, person, ward, start, type
        ("i1", "p1", "Oak", "2025-04-05", "01"),  # prone ...
        ("i1", "p1", "Oak", "2025-04-05", "09"),  # ... and supine in one incident
        ("i2", "p1", "Elm", "2025-05-01T10:30", "14"),  # a date-time; chemical
        ("i3", "p2", "Oak", "2025-06-25", "05"),  # seclusion ...
        ("i3", "p2", "Oak", "2025-06-25", "05"),  # ... recorded twice (counts once)
        ("i5", "p3", "Oak", "2025-05-05", "06"),  # p3 never stayed on Oak: excluded
        ("i6", "p1", "Oak", "2025-04-20", "02"),  # 02 is not a type in use
        ("i7", "p9", "Oak", "2025-05-02", "01"),  # p9 not in patients
        ("i8", "p1", "Elm", "2025-07-15", "01"),  # Q2
        ("i9", "p4", "Elm", "2025-09-30", "07"),  # Q2, physical standing
        ("i10", "p2", "Birch", "2025-05-10", "01"),  # Birch has no stays: division unknown
        ("i11", "p1", "Oak", None, "01"),  # no date: cannot be placed
    ]
    frame = pd.DataFrame(
        rows, columns=["intervention_id", "person_id", "ward", "start_date", "type_code"]
    )
    frame["start_date"] = dates(*frame["start_date"])
    return frame


def expected(
    rows: list[tuple[Any, ...]], columns: list[str], dtypes: dict[str, str]
) -> pd.DataFrame:
    records = []
    for period, *rest in rows:
        records.append((*STAMP[period], *rest))
    frame = pd.DataFrame(records, columns=["period_start", "period_end", *columns])
    return frame.astype(
        {"period_start": "datetime64[ns]", "period_end": "datetime64[ns]", **dtypes}
    )


UNIT = ["unit_type", "unit", "ethnic_category", "sex", "age_band"]
TEXT = dict.fromkeys(UNIT, "str")


@pytest.fixture(scope="module")
def result() -> aggregate.RestrictivePracticeCounts:
    return restrictive_practice_counts(
        stays(), interventions(), patients(), periods=[Q1, Q2], engine="pandas"
    )


def test_people(result: aggregate.RestrictivePracticeCounts) -> None:
    # Q1 inpatients (stays overlapping Q1): p1 on Oak (s1) and Elm (s2); p2 on Oak (s3) and
    # Ash (s5, discharged on 1 April: still overlaps); p3 on Ash (s4, same day).
    # Q1 counted interventions: i1 (p1, Oak, 5 Apr, in s1), i2 (p1, Elm, 1 May, in s2), i3
    # (p2, Oak, 25 Jun, in s3). i5 (p3, Oak) lies in no stay of p3 on Oak, so it is excluded
    # and p3 is restricted nowhere (not even at trust level); on Ash and in Older nobody was
    # restricted.
    # Q2 inpatients: p1 on Elm (s2), p2 on Oak (s3), p4 on Elm (s9); interventions i8 (p1, Elm)
    # (in s2) and i9 (p4, Elm, 30 Sep: s9's admission day, which counts). p1 is now 35.
    rows = [
        ("Q1", "division", "Adult", "A", "1", "18-34", 1, 1),
        ("Q1", "division", "Adult", "N", "2", "35-49", 1, 1),
        ("Q1", "division", "Older", "M", "1", "65+", 1, 0),
        ("Q1", "division", "Older", "N", "2", "35-49", 1, 0),
        ("Q1", "trust", "Trust", "A", "1", "18-34", 1, 1),
        ("Q1", "trust", "Trust", "M", "1", "65+", 1, 0),
        ("Q1", "trust", "Trust", "N", "2", "35-49", 1, 1),
        ("Q1", "ward", "Ash", "M", "1", "65+", 1, 0),
        ("Q1", "ward", "Ash", "N", "2", "35-49", 1, 0),
        ("Q1", "ward", "Elm", "A", "1", "18-34", 1, 1),
        ("Q1", "ward", "Oak", "A", "1", "18-34", 1, 1),
        ("Q1", "ward", "Oak", "N", "2", "35-49", 1, 1),
        ("Q2", "division", "Adult", "99", "X", "unknown", 1, 1),
        ("Q2", "division", "Adult", "A", "1", "35-49", 1, 1),
        ("Q2", "division", "Adult", "N", "2", "35-49", 1, 0),
        ("Q2", "trust", "Trust", "99", "X", "unknown", 1, 1),
        ("Q2", "trust", "Trust", "A", "1", "35-49", 1, 1),
        ("Q2", "trust", "Trust", "N", "2", "35-49", 1, 0),
        ("Q2", "ward", "Elm", "99", "X", "unknown", 1, 1),
        ("Q2", "ward", "Elm", "A", "1", "35-49", 1, 1),
        ("Q2", "ward", "Oak", "N", "2", "35-49", 1, 0),
    ]
    columns = [*UNIT, "inpatients", "people_restricted"]
    want = expected(rows, columns, {**TEXT, "inpatients": "int64", "people_restricted": "int64"})
    pd.testing.assert_frame_equal(result.people, want)


def test_a_person_counts_once_at_trust_level_but_on_each_ward(
    result: aggregate.RestrictivePracticeCounts,
) -> None:
    # p1 stayed on Oak and on Elm in Q1 (two stays, both in division Adult).
    q1 = result.people[result.people["period_start"] == STAMP["Q1"][0]]
    p1 = q1[q1["ethnic_category"] == "A"]
    by_unit = dict(zip(p1["unit"], p1["inpatients"], strict=True))
    assert by_unit == {"Trust": 1, "Adult": 1, "Oak": 1, "Elm": 1}


def test_interventions(result: aggregate.RestrictivePracticeCounts) -> None:
    # Q1: p1 (A 1 18-34): i1 on Oak with types 01 (prone: all, physical, prone) and 09
    # (supine: all, physical); i2 on Elm with 14 (all, chemical). p2 (N 2 35-49): i3 on Oak,
    # 05 (all, seclusion), recorded twice. p3's i5 (Oak, 06) is excluded: no stay of p3 on Oak.
    # Division Adult and the trust hold Oak and Elm: for p1, "all" has the pairs (i1, 01),
    # (i1, 09), (i2, 14) = 3 interventions in 2 incidents.
    # Q2: p1 (A 1 35-49): i8 on Elm, 01; p4 (99 X unknown): i9 on Elm, 07 (all, physical).
    q1_adult = [
        ("A", "1", "18-34", "all", 3, 2),
        ("A", "1", "18-34", "chemical", 1, 1),
        ("A", "1", "18-34", "physical", 2, 1),
        ("A", "1", "18-34", "prone", 1, 1),
        ("N", "2", "35-49", "all", 1, 1),
        ("N", "2", "35-49", "seclusion", 1, 1),
    ]
    q2_adult = [
        ("99", "X", "unknown", "all", 1, 1),
        ("99", "X", "unknown", "physical", 1, 1),
        ("A", "1", "35-49", "all", 1, 1),
        ("A", "1", "35-49", "physical", 1, 1),
        ("A", "1", "35-49", "prone", 1, 1),
    ]
    rows = [
        *[("Q1", "division", "Adult", *row) for row in q1_adult],
        *[("Q1", "trust", "Trust", *row) for row in q1_adult],
        ("Q1", "ward", "Elm", "A", "1", "18-34", "all", 1, 1),
        ("Q1", "ward", "Elm", "A", "1", "18-34", "chemical", 1, 1),
        ("Q1", "ward", "Oak", "A", "1", "18-34", "all", 2, 1),
        ("Q1", "ward", "Oak", "A", "1", "18-34", "physical", 2, 1),
        ("Q1", "ward", "Oak", "A", "1", "18-34", "prone", 1, 1),
        ("Q1", "ward", "Oak", "N", "2", "35-49", "all", 1, 1),
        ("Q1", "ward", "Oak", "N", "2", "35-49", "seclusion", 1, 1),
        *[("Q2", "division", "Adult", *row) for row in q2_adult],
        *[("Q2", "trust", "Trust", *row) for row in q2_adult],
        *[("Q2", "ward", "Elm", *row) for row in q2_adult],
    ]
    columns = [*UNIT, "type_group", "interventions", "incidents"]
    dtypes = {**TEXT, "type_group": "str", "interventions": "int64", "incidents": "int64"}
    pd.testing.assert_frame_equal(result.interventions, expected(rows, columns, dtypes))


def test_bed_days(result: aggregate.RestrictivePracticeCounts) -> None:
    # Q1 (bed days = days from max(start, 1 Apr) to min(end, 1 Jul)):
    #   s1 p1 Oak 20 Mar..10 Apr: 1 Apr to 10 Apr = 9.  s2 p1 Elm 10 Apr..open: 10 Apr to
    #   1 Jul = 21 + 31 + 30 = 82.  s3 p2 Oak 20 Jun..open: 20 Jun to 1 Jul = 11.
    #   s4 p3 Ash same day: 0.  s5 p2 Ash discharged 1 Apr: 1 Apr to 1 Apr = 0.
    # Q2 (1 Jul to 1 Oct = 31 + 31 + 30 = 92 days): s2 p1 Elm 92; s3 p2 Oak 92;
    #   s9 p4 Elm 30 Sep..open: 30 Sep to 1 Oct = 1.
    rows = [
        ("Q1", "division", "Adult", "A", "1", "18-34", 91.0),
        ("Q1", "division", "Adult", "N", "2", "35-49", 11.0),
        ("Q1", "division", "Older", "M", "1", "65+", 0.0),
        ("Q1", "division", "Older", "N", "2", "35-49", 0.0),
        ("Q1", "trust", "Trust", "A", "1", "18-34", 91.0),
        ("Q1", "trust", "Trust", "M", "1", "65+", 0.0),
        ("Q1", "trust", "Trust", "N", "2", "35-49", 11.0),
        ("Q1", "ward", "Ash", "M", "1", "65+", 0.0),
        ("Q1", "ward", "Ash", "N", "2", "35-49", 0.0),
        ("Q1", "ward", "Elm", "A", "1", "18-34", 82.0),
        ("Q1", "ward", "Oak", "A", "1", "18-34", 9.0),
        ("Q1", "ward", "Oak", "N", "2", "35-49", 11.0),
        ("Q2", "division", "Adult", "99", "X", "unknown", 1.0),
        ("Q2", "division", "Adult", "A", "1", "35-49", 92.0),
        ("Q2", "division", "Adult", "N", "2", "35-49", 92.0),
        ("Q2", "trust", "Trust", "99", "X", "unknown", 1.0),
        ("Q2", "trust", "Trust", "A", "1", "35-49", 92.0),
        ("Q2", "trust", "Trust", "N", "2", "35-49", 92.0),
        ("Q2", "ward", "Elm", "99", "X", "unknown", 1.0),
        ("Q2", "ward", "Elm", "A", "1", "35-49", 92.0),
        ("Q2", "ward", "Oak", "N", "2", "35-49", 92.0),
    ]
    want = expected(rows, [*UNIT, "occupied_bed_days"], {**TEXT, "occupied_bed_days": "float64"})
    pd.testing.assert_frame_equal(result.bed_days, want)


def test_exclusions(result: aggregate.RestrictivePracticeCounts) -> None:
    # Stays, Q1: s6 (p9) not in patients; s7 ends before it starts (every period); s8 and s9
    # start after Q1. Q2: s8's person is -1 years old; s7; s1, s4, s5, s6 ended before Q2.
    # Interventions, Q1: i11 has no date (every period); i8, i9 after Q1; i7 (p9) not in
    # patients; i6 type 02; i10 on Birch (no stays, so no division); i5 (p3 had no stay on
    # Oak) outside every stay. Q2: i11; the other 9 rows are in Q1. Per period, used + excluded
    # = 12 rows: Q1 used i1 twice, i2, i3 twice (5) + excluded 1 + 1 + 2 + 1 + 1 + 1 = 7;
    # Q2 used i8, i9 (2) + excluded 1 + 9 = 10.
    stays_table, events = "inpatient_stays", "restrictive_interventions"
    rows = [
        ("Q1", stays_table, "end date before start date", 1),
        ("Q1", stays_table, "outside the period", 2),
        ("Q1", stays_table, "person not in patients", 1),
        ("Q1", events, "missing start_date", 1),
        ("Q1", events, NO_STAY_REASON, 1),
        ("Q1", events, "outside the period", 2),
        ("Q1", events, "person not in patients", 1),
        ("Q1", events, "unrecognised type code", 1),
        ("Q1", events, "ward not in inpatient_stays", 1),
        ("Q2", stays_table, "age outside the age bands", 1),
        ("Q2", stays_table, "end date before start date", 1),
        ("Q2", stays_table, "outside the period", 4),
        ("Q2", events, "missing start_date", 1),
        ("Q2", events, "outside the period", 9),
    ]
    dtypes = {"table": "str", "reason": "str", "rows": "int64"}
    want = expected(rows, ["table", "reason", "rows"], dtypes)
    pd.testing.assert_frame_equal(result.exclusions, want)


def test_an_incident_on_two_wards_counts_once_in_their_division() -> None:
    # i1 (p1, type 01) is recorded on Oak and on Elm on 10 April, the day p1 moved from Oak
    # (s1, discharged that day) to Elm (s2, admitted that day), so it lies in a stay on each
    # ward: one incident and one intervention on each ward, but still one of each in division
    # Adult and in the trust.
    events = interventions().iloc[[0]].assign(start_date=pd.Timestamp("2025-04-10"))
    events = pd.concat([events, events.assign(ward="Elm")], ignore_index=True)
    result = restrictive_practice_counts(stays(), events, patients(), periods=[Q1])
    prone = result.interventions[result.interventions["type_group"] == "prone"]
    counts = {
        unit: (n, k)
        for unit, n, k in zip(
            prone["unit"], prone["interventions"], prone["incidents"], strict=True
        )
    }
    assert counts == {"Adult": (1, 1), "Trust": (1, 1), "Elm": (1, 1), "Oak": (1, 1)}


def test_every_engine_gives_identical_frames(all_engines: Any) -> None:
    runs = all_engines(
        restrictive_practice_counts, stays(), interventions(), patients(), periods=[Q1, Q2]
    )
    assert len(runs["pandas"].interventions) == 34  # the 34 rows of test_interventions


def test_results_do_not_depend_on_row_order(result: aggregate.RestrictivePracticeCounts) -> None:
    shuffled = [frame.sample(frac=1.0, random_state=7) for frame in (stays(), interventions())]
    again = restrictive_practice_counts(
        *shuffled, patients().iloc[::-1], periods=[Q2, Q1], engine="pandas"
    )
    for name in ("people", "interventions", "bed_days", "exclusions"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(result, name))


BED_DAY_CASES = {
    # case: (start, end, bed days in Q1). Q1 runs 1 April to 30 June inclusive: 30 + 31 + 30 =
    # 91 days. Bed days run from max(start, 1 Apr) to min(end, 1 Jul); the discharge day itself
    # is not an occupied day.
    "admitted-before-period": ("2025-03-20", "2025-04-10", 9.0),  # 1 Apr .. 10 Apr
    "open-stay": ("2025-06-20", None, 11.0),  # 20 Jun .. 1 Jul
    "discharged-on-period-start": ("2025-03-01", "2025-04-01", 0.0),
    "same-day-stay": ("2025-05-05", "2025-05-05", 0.0),
    "open-across-whole-period": ("2025-01-01", None, 91.0),
    "discharged-on-period-end": ("2025-04-01", "2025-06-30", 90.0),
    "discharged-day-after-end": ("2025-04-01", "2025-07-01", 91.0),
    "admitted-on-period-end": ("2025-06-30", None, 1.0),
    "admitted-on-period-end-closed": ("2025-06-30", "2025-07-20", 1.0),
}


@pytest.fixture(scope="module")
def edge_cases() -> aggregate.RestrictivePracticeCounts:
    """One stay per case, each on its own ward (named after the case), all for person p1."""
    cases = list(BED_DAY_CASES.items())
    stay = pd.DataFrame(
        {
            "stay_id": [f"s{i}" for i in range(len(cases))],
            "person_id": "p1",
            "ward": [name for name, _ in cases],
            "division": "Adult",
            "start_date": dates(*[start for _, (start, _, _) in cases]),
            "end_date": dates(*[end for _, (_, end, _) in cases]),
        }
    )
    return restrictive_practice_counts(
        stay, interventions().iloc[:0], patients(), periods=[Q1], engine="pandas"
    )


@pytest.mark.parametrize("case", list(BED_DAY_CASES))
def test_bed_day_edge_cases(case: str, edge_cases: aggregate.RestrictivePracticeCounts) -> None:
    ward = edge_cases.bed_days[edge_cases.bed_days["unit"] == case]
    assert ward["occupied_bed_days"].tolist() == [BED_DAY_CASES[case][2]]
    # Every stay that overlaps the period makes its person an inpatient, even with 0 days.
    people = edge_cases.people[edge_cases.people["unit"] == case]
    assert people["inpatients"].tolist() == [1]


def test_bed_days_add_up_over_wards(edge_cases: aggregate.RestrictivePracticeCounts) -> None:
    # 9 + 11 + 0 + 0 + 91 + 90 + 91 + 1 + 1 = 294 at division and trust level, one person.
    totals = edge_cases.bed_days[edge_cases.bed_days["unit_type"] != "ward"]
    assert totals["occupied_bed_days"].tolist() == [294.0, 294.0]
    assert edge_cases.people[edge_cases.people["unit_type"] == "trust"]["inpatients"].item() == 1


def test_custom_age_bands_and_trust_name() -> None:
    result = restrictive_practice_counts(
        stays(),
        interventions(),
        patients(),
        periods=[Q1],
        age_bands=("0-39", "40+"),
        trust="Example NHS Trust",
        engine="pandas",
    )
    trust = result.people[result.people["unit_type"] == "trust"]
    # p1 is 34 ("0-39"), p2 45 and p3 75 ("40+").
    assert trust["unit"].unique().tolist() == ["Example NHS Trust"]
    assert trust["age_band"].tolist() == ["0-39", "40+", "40+"]


def test_patients_with_age_instead_of_birth_date() -> None:
    people = patients().drop(columns="birth_date").assign(age=[30, 45.0, 75, None, 20])
    result = restrictive_practice_counts(
        stays(), interventions(), people, periods=[Q1], engine="pandas"
    )
    trust = result.people[result.people["unit_type"] == "trust"]
    assert trust["age_band"].tolist() == ["18-34", "65+", "35-49"]


def test_duplicate_person_ids_are_refused() -> None:
    people = pd.concat([patients(), patients().iloc[[1]]], ignore_index=True)
    with pytest.raises(DataValidationError, match="person_id") as error:
        restrictive_practice_counts(stays(), interventions(), people, periods=[Q1])
    assert error.value.failures["value"].tolist() == ["p2"]


def test_a_ward_in_two_divisions_is_refused() -> None:
    moved = stays()
    moved.loc[moved["stay_id"] == "s3", "division"] = "Older"
    with pytest.raises(DataValidationError, match="Oak") as error:
        restrictive_practice_counts(moved, interventions(), patients(), periods=[Q1])
    assert sorted(error.value.failures["value"]) == ["Adult", "Older"]


def test_unknown_engine_lists_the_valid_names() -> None:
    with pytest.raises(UnknownMethodError, match=r"'auto', 'duckdb', 'pandas'.*'polars'"):
        restrictive_practice_counts(
            stays(), interventions(), patients(), periods=[Q1], engine="polars"
        )


def test_missing_column_is_named() -> None:
    with pytest.raises(InvalidArgumentError, match=r"inpatient_stays is missing.*'division'"):
        restrictive_practice_counts(
            stays().drop(columns="division"), interventions(), patients(), periods=[Q1]
        )


@pytest.mark.parametrize(
    ("type_groups", "error", "message"),
    [
        ({"all": ("01",)}, InvalidArgumentError, "must not define 'all'"),
        ({}, InvalidTypeError, "non-empty mapping"),
        ({"prone": "01"}, InvalidTypeError, "sequence of code strings"),
    ],
)
def test_bad_type_groups(type_groups: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        restrictive_practice_counts(
            stays(), interventions(), patients(), periods=[Q1], type_groups=type_groups
        )


def test_custom_type_groups_change_what_is_recognised() -> None:
    # Only "prone" (01): the 09, 14, 05 and 06 rows of Q1 become unrecognised; 02 still is.
    result = restrictive_practice_counts(
        stays(), interventions(), patients(), periods=[Q1], type_groups={"prone": ("01",)}
    )
    assert sorted(result.interventions["type_group"].unique()) == ["all", "prone"]
    reasons = result.exclusions.set_index("reason")["rows"]
    # Unrecognised: i1/09, i2/14, i3/05 twice, i5/06, i6/02.
    assert reasons["unrecognised type code"] == 6
