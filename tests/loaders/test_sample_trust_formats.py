"""Every canonical table of the sample trust loads through the registry from CSV, Parquet,
SQLite and Excel, and gives the same canonical frame whatever the format.

The other formats are written here from the raw CSV text with pandas (all values as strings), so
the expected frame is the CSV load and nothing is taken from the library's own output except that.
Excel is exercised on the first 1,500 data rows of each table to keep the test fast.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from equitymetrics import datasets, loaders

FILES = datasets.sample_trust_files()
EXCEL_ROWS = 1500


def _raw(table: str) -> pd.DataFrame:
    return pd.read_csv(FILES[table], dtype=str, keep_default_na=False)


@pytest.mark.parametrize("table", sorted(FILES))
def test_parquet_and_sqlite_load_like_csv(table: str, tmp_path: Path) -> None:
    expected = loaders.load(table, FILES[table], loader="csv").frame
    raw = _raw(table)
    parquet = tmp_path / f"{table}.parquet"
    raw.to_parquet(parquet, index=False)
    pd.testing.assert_frame_equal(loaders.load(table, parquet, loader="parquet").frame, expected)
    database = tmp_path / "trust.db"
    with sqlite3.connect(database) as connection:
        raw.to_sql(table, connection, index=False)
    loaded = loaders.load(table, f"sqlite:///{database}", loader="sql", table=table).frame
    pd.testing.assert_frame_equal(loaded, expected)


@pytest.mark.parametrize("table", sorted(FILES))
def test_excel_loads_like_csv(table: str, tmp_path: Path) -> None:
    raw = _raw(table).head(EXCEL_ROWS)
    csv_part = tmp_path / f"{table}.csv"
    raw.to_csv(csv_part, index=False)
    expected = loaders.load(table, csv_part, loader="csv").frame
    workbook = tmp_path / f"{table}.xlsx"
    raw.to_excel(workbook, index=False, sheet_name=table)
    loaded = loaders.load(table, workbook, loader="excel", sheet=table).frame
    pd.testing.assert_frame_equal(loaded, expected)
