"""Invariants of loading, for random tables with random invalid cells.

For any raw table and ``on_invalid="exclude"``:

- every row read is accepted or excluded: rows_read == rows_accepted + sum(rows_excluded);
- the excluded rows are exactly the rows listed in the failures;
- the accepted frame satisfies its schema, checked here by hand (not with the library's code);
- loading the accepted frame again accepts every row and changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from equitymetrics.loaders import load

STRING = pd.StringDtype(na_value=np.nan)

STAY_POOLS: dict[str, list[Any]] = {
    "stay_id": ["S1", "S2", "S3", "S4", " S5 ", "", None],
    "person_id": ["P1", "P2", "7", 7, "", None],
    "ward": ["Oak", "Café", "  ", None, "Elm"],
    "division": ["Adult", "Older adult", ""],
    "start_date": ["2024-01-05", "05/01/2024", "2024-02-30", "yesterday", "", "2024-01-05 10:00"],
    "end_date": ["", None, "2024-01-04", "2024-03-01", "31/13/2024", "2024-01-05"],
}
SURVEY_POOLS: dict[str, list[Any]] = {
    "year": [2023, "2024", "24", 1850, "", 2024.0],
    "indicator": ["5", 6, "7", "8", "9", ""],
    "group": ["White", "bme", "BAME", ""],
    "respondents": [100, "50", -1, "x", 0, 10.5],
    "positive": [0, "20", 60, -2, "", 100],
}
PATIENT_POOLS: dict[str, list[Any]] = {
    "person_id": ["P1", "P2", "P3", "P4", "P5", ""],
    "ethnic_category": ["A", "white british", "Z", "", None, "Martian", "NK", "CA", 99],
    "sex": ["1", "F", "Unknown", "", "Q"],
    "age": [0, "45", 120, 121, -1, "", "x"],
}


def _tables(pools: dict[str, list[Any]]) -> st.SearchStrategy[pd.DataFrame]:
    row = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in pools.items()})
    return st.lists(row, max_size=10).map(
        lambda rows: pd.DataFrame(
            {name: pd.Series([r[name] for r in rows], dtype=object) for name in pools}
        )
    )


def _check_accounting(raw: pd.DataFrame, table: str) -> pd.DataFrame:
    loaded = load(table, raw, on_invalid="exclude")
    report = loaded.report
    assert report.rows_read == len(raw)
    assert report.rows_read == report.rows_accepted + sum(report.rows_excluded.values())
    assert report.rows_accepted == len(loaded.frame)
    assert all(count > 0 for count in report.rows_excluded.values())
    failed_rows = set(report.failures["row"].dropna().astype(int))
    accepted_rows = set(loaded.frame.index)
    assert failed_rows.isdisjoint(accepted_rows)
    assert failed_rows | accepted_rows <= set(range(1, len(raw) + 1))
    assert len(failed_rows) == report.rows_read - report.rows_accepted
    # Loading the accepted frame again accepts every row and gives the same values.
    again = load(table, loaded.frame)
    assert again.report.rows_excluded == {}
    pd.testing.assert_frame_equal(
        again.frame.reset_index(drop=True), loaded.frame.reset_index(drop=True)
    )
    return loaded.frame


def _is_clean_text(series: pd.Series, *, nullable: bool = False) -> bool:
    values = [v for v in series.tolist() if not (nullable and pd.isna(v))]
    return series.dtype == STRING and all(
        isinstance(v, str) and v != "" and v == v.strip() for v in values
    )


@settings(max_examples=40)
@given(_tables(STAY_POOLS))
def test_inpatient_stays_accepted_rows_satisfy_the_schema(raw: pd.DataFrame) -> None:
    frame = _check_accounting(raw, "inpatient_stays")
    for name in ["stay_id", "person_id", "ward", "division"]:
        assert _is_clean_text(frame[name]), name
    assert frame["stay_id"].is_unique
    assert frame["start_date"].dtype == "datetime64[ns]"
    assert frame["end_date"].dtype == "datetime64[ns]"
    assert frame["start_date"].notna().all()
    ended = frame["end_date"].notna()
    assert (frame.loc[ended, "end_date"] >= frame.loc[ended, "start_date"]).all()


@settings(max_examples=40)
@given(_tables(SURVEY_POOLS))
def test_staff_survey_accepted_rows_satisfy_the_schema(raw: pd.DataFrame) -> None:
    frame = _check_accounting(raw, "staff_survey")
    assert frame["year"].dtype == "int64"
    assert frame["year"].between(1900, 2100).all()
    assert set(frame["indicator"]) <= {"5", "6", "7", "8"}
    assert set(frame["group"]) <= {"White", "BME"}
    for name in ["respondents", "positive"]:
        assert frame[name].dtype == "int64"
        assert (frame[name] >= 0).all()
    assert (frame["positive"] <= frame["respondents"]).all()
    assert not frame.duplicated(["year", "indicator", "group"]).any()


NHS_CODES = {*"ABCDEFGHJKLMNPRS", "Z", "99"}  # NHS Data Dictionary ethnic category codes


@settings(max_examples=40)
@given(_tables(PATIENT_POOLS))
def test_patients_accepted_rows_satisfy_the_schema(raw: pd.DataFrame) -> None:
    frame = _check_accounting(raw, "patients")
    assert _is_clean_text(frame["person_id"])
    assert frame["person_id"].is_unique
    assert set(frame["ethnic_category"]) <= NHS_CODES
    assert frame["ethnic_category"].dtype == STRING
    assert set(frame["sex"].dropna()) <= {"1", "2", "9", "X"}
    assert frame["age"].dtype == "Int64"
    assert frame["age"].dropna().between(0, 120).all()
    assert frame["birth_date"].isna().all()
