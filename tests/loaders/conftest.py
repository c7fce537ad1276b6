"""Shared fixtures of the loader tests: one small inpatient_stays table, written by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# The canonical table every loader must reproduce. "Café" and "£" exercise the encodings; the
# blank end date is a stay still in progress; S004 crosses a year end.
STAYS_HEADER = ["stay_id", "person_id", "ward", "division", "start_date", "end_date"]
STAYS_ROWS = [
    ["S001", "P001", "Café Ward", "Adult", "2024-01-05", "2024-02-01"],
    ["S002", "P002", "Oak £", "Adult", "2024-01-20", ""],
    ["S003", "P001", "Oak £", "Older adult", "2024-03-01", "2024-03-01"],
    ["S004", "P003", "Elm", "Older adult", "2023-12-31", "2024-01-02"],
]


def text(values: list[str | None]) -> pd.Series:
    """A text column as the canonical frames hold it: pandas' default string dtype."""
    return pd.Series(values, dtype=pd.StringDtype(na_value=np.nan))


@pytest.fixture
def expected_stays() -> pd.DataFrame:
    """The canonical frame of STAYS_ROWS, built directly (not through the library)."""
    index = pd.Index([1, 2, 3, 4], name="row")
    frame = pd.DataFrame(
        {
            "stay_id": text(["S001", "S002", "S003", "S004"]),
            "person_id": text(["P001", "P002", "P001", "P003"]),
            "ward": text(["Café Ward", "Oak £", "Oak £", "Elm"]),
            "division": text(["Adult", "Adult", "Older adult", "Older adult"]),
            "start_date": pd.Series(
                np.array(["2024-01-05", "2024-01-20", "2024-03-01", "2023-12-31"], "M8[ns]")
            ),
            "end_date": pd.Series(
                np.array(["2024-02-01", "NaT", "2024-03-01", "2024-01-02"], "M8[ns]")
            ),
        }
    )
    return frame.set_axis(index, axis=0)


@pytest.fixture
def stays_header() -> list[str]:
    """Column names of the small stays table."""
    return list(STAYS_HEADER)


@pytest.fixture
def stays_rows() -> list[list[str]]:
    """Rows of the small stays table, as text (blank = missing)."""
    return [list(row) for row in STAYS_ROWS]


@pytest.fixture
def stays_csv_text() -> str:
    """STAYS_ROWS as comma-separated text with a header line."""
    lines = [",".join(STAYS_HEADER), *(",".join(row) for row in STAYS_ROWS)]
    return "\n".join(lines) + "\n"
