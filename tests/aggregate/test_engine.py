"""Engine selection and the DuckDB inputs: paths, CSV text, relations, connections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from equitymetrics.aggregate import ENGINES, _engine, disciplinary_counts, staff_counts
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, UnknownMethodError

YEAR_START, YEAR_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)


def cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["c1", "c2", "c3"],
            "ethnic_category": ["N", "A", "A"],
            "entered_date": pd.to_datetime(["2024-05-01", "2024-06-01", "2023-01-01"]),
        }
    )


def test_engine_names() -> None:
    assert {"auto", "duckdb", "pandas"} <= set(ENGINES)
    assert list(ENGINES) == sorted(ENGINES)


@pytest.mark.parametrize(
    ("engine", "tables", "chosen"),
    [
        ("pandas", {"t": pd.DataFrame()}, "pandas"),
        ("duckdb", {"t": pd.DataFrame()}, "duckdb"),
        ("auto", {"t": pd.DataFrame({"a": [1, 2]})}, "pandas"),
        ("auto", {"t": "cases.parquet"}, "duckdb"),
        ("auto", {"t": Path("cases.csv"), "u": pd.DataFrame()}, "duckdb"),
    ],
)
def test_resolve_engine(engine: str, tables: dict[str, Any], chosen: str) -> None:
    assert _engine.resolve_engine(engine, tables) == chosen


def test_auto_uses_duckdb_above_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_engine, "AUTO_DUCKDB_ROWS", 3)
    frames = {"t": pd.DataFrame({"a": [1, 2]}), "u": pd.DataFrame({"a": [1, 2]})}
    assert _engine.resolve_engine("auto", frames) == "duckdb"  # 4 rows > 3


def test_auto_stays_on_pandas_at_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_engine, "AUTO_DUCKDB_ROWS", 4)
    frames = {"t": pd.DataFrame({"a": [1, 2]}), "u": pd.DataFrame({"a": [1, 2]})}
    assert _engine.resolve_engine("auto", frames) == "pandas"


def test_unknown_engine() -> None:
    with pytest.raises(
        UnknownMethodError, match=r"one of 'auto', 'duckdb', 'pandas'.*; got 'polars'"
    ):
        disciplinary_counts(cases(), start=YEAR_START, end=YEAR_END, engine="polars")


def test_pandas_engine_refuses_a_path() -> None:
    with pytest.raises(InvalidArgumentError, match="engine='pandas' needs pandas DataFrames"):
        disciplinary_counts("cases.parquet", start=YEAR_START, end=YEAR_END, engine="pandas")


def test_a_table_of_the_wrong_type() -> None:
    with pytest.raises(InvalidTypeError, match="disciplinary must be a pandas DataFrame"):
        disciplinary_counts([1, 2], start=YEAR_START, end=YEAR_END)


def test_unknown_file_type(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="cannot tell the file type"):
        disciplinary_counts(tmp_path / "cases.xlsx", start=YEAR_START, end=YEAR_END)


def test_csv_keeps_codes_as_text(tmp_path: Path) -> None:
    # A CSV read by DuckDB: every column as text, so "08" stays "08"; flags and dates parsed.
    path = tmp_path / "staff.csv"
    path.write_text(
        "staff_id,ethnic_category,band,clinical,division,board_member,executive,snapshot_date\n"
        "s1,A,08,true,Adult,none,false,2025-03-31\n"
        "s2,N,8a,False,Adult,voting,TRUE,2025-03-31\n"
        "s3,N,8a,,Adult,none,false,2025-03-31\n",
        encoding="utf-8",
    )
    from_csv = staff_counts(path, snapshot_date=YEAR_END)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["clinical"] = frame["clinical"].str.lower().map({"true": True, "false": False})
    frame["executive"] = frame["executive"].str.lower() == "true"
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    from_pandas = staff_counts(frame, snapshot_date=YEAR_END, engine="pandas")
    pd.testing.assert_frame_equal(from_csv.counts, from_pandas.counts)
    pd.testing.assert_frame_equal(from_csv.exclusions, from_pandas.exclusions)
    assert from_csv.counts["band"].tolist() == ["08", "8a"]
    assert from_csv.exclusions["reason"].tolist() == ["missing clinical"]


def test_relations_on_another_connection_are_used_there() -> None:
    connection = duckdb.connect()
    try:
        connection.execute(
            "CREATE TABLE cases AS SELECT * FROM (VALUES "
            "('c1', 'N', TIMESTAMP '2024-05-01'), ('c2', 'A', TIMESTAMP '2024-06-01')) "
            "t(case_id, ethnic_category, entered_date)"
        )
        result = disciplinary_counts(connection.table("cases"), start=YEAR_START, end=YEAR_END)
        assert result.counts[["ethnic_category", "cases"]].values.tolist() == [["A", 1], ["N", 1]]
        # The temporary tables used on the caller's connection are gone afterwards.
        tables = connection.sql("SELECT table_name FROM duckdb_tables()").fetchall()
        assert tables == [("cases",)]
    finally:
        connection.close()


def test_relations_from_two_connections_are_refused() -> None:
    first, second = duckdb.connect(), duckdb.connect()
    try:
        relation = first.sql("SELECT 'p1' AS person_id")
        other = second.from_df(cases())
        session = _engine._Session
        with pytest.raises(InvalidArgumentError, match="different connection"):
            session("duckdb", {"patients": relation, "disciplinary": other})
    finally:
        first.close()
        second.close()


def test_parquet_directory(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    cases().iloc[:2].to_parquet(folder / "part-0.parquet")
    cases().iloc[2:].to_parquet(folder / "part-1.parquet")
    from_folder = disciplinary_counts(folder, start=YEAR_START, end=YEAR_END)
    in_memory = disciplinary_counts(cases(), start=YEAR_START, end=YEAR_END, engine="pandas")
    pd.testing.assert_frame_equal(from_folder.counts, in_memory.counts)
    pd.testing.assert_frame_equal(from_folder.exclusions, in_memory.exclusions)
