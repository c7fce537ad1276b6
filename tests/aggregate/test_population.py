"""population_counts: census bands nested in analysis bands, crosswalk to NHS codes."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from equitymetrics.aggregate import population_counts
from equitymetrics.exceptions import InvalidArgumentError, UnrecognisedCodeError

BANDS = ("0-15", "16-17", "18-34", "35-49", "50-64", "65+")


def census() -> pd.DataFrame:
    rows = [
        ("E1", "13", "1", "16-17", 100),  # English, Welsh, ... British -> A
        ("E1", "13", "1", "18-19", 50),
        ("E1", "13", "1", "20-24", 25),  # with 18-19: 75 in 18-34
        ("E1", "2", "2", "18-19", 10),  # Chinese -> R (the NHS puts it under Other)
        ("E1", "Arab", "2", "18-19", 5),  # a TS021 label; Arab -> S by default
        ("E1", "18", "2", "20-24", 7),  # Arab by code: 5 + 7 = 12 in S, 18-34
        ("E2", "13", "1", "18-19", 1000),  # outside the catchment
        ("E1", "13", "1", None, 4),  # no age band
        ("E1", "15", "1", "90+", 3),  # Gypsy or Irish Traveller -> C
        ("E1", "-8", "1", "0-4", 0),  # does not apply -> 99 (not known)
    ]
    return pd.DataFrame(
        rows, columns=["area_code", "ethnic_group", "sex", "age_band", "population"]
    )


def expected(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["ethnic_category", "sex", "age_band", "population"])
    frame.insert(0, "period_end", pd.NaT)
    frame.insert(0, "period_start", pd.NaT)
    return frame.astype(
        {
            "period_start": "datetime64[ns]",
            "period_end": "datetime64[ns]",
            "ethnic_category": "str",
            "sex": "str",
            "age_band": "str",
        }
    )


def test_population(all_engines: Any) -> None:
    runs = all_engines(population_counts, census(), catchment=["E1"], age_bands=BANDS)
    result = runs["pandas"]
    want = expected(
        [
            ("99", "1", "0-15", 0),
            ("A", "1", "16-17", 100),
            ("A", "1", "18-34", 75),
            ("C", "1", "65+", 3),
            ("R", "2", "18-34", 10),
            ("S", "2", "18-34", 12),
        ]
    )
    pd.testing.assert_frame_equal(result.counts, want)
    assert result.exclusions[["reason", "rows"]].values.tolist() == [
        ["area outside the catchment", 1],
        ["missing age_band", 1],
    ]
    assert result.exclusions["period_start"].isna().all()


def test_crosswalk_override() -> None:
    # Gypsy or Irish Traveller (15) to "any other ethnic group" instead of "other White".
    result = population_counts(census(), catchment=["E1"], age_bands=BANDS, crosswalk={15: "S"})
    assert result.counts[result.counts["age_band"] == "65+"]["ethnic_category"].tolist() == ["S"]


def test_census_band_straddling_two_analysis_bands_names_both() -> None:
    with pytest.raises(InvalidArgumentError, match=r"'18-19' straddles.*'0-18' and '19\+'"):
        population_counts(census(), catchment=["E1"], age_bands=("0-18", "19+"))


def test_census_band_partly_outside_the_analysis_bands() -> None:
    with pytest.raises(InvalidArgumentError, match="'16-17' lies partly outside"):
        population_counts(census(), catchment=["E1"], age_bands=("17-34", "35+"))


def test_census_bands_wholly_outside_are_excluded() -> None:
    result = population_counts(census(), catchment=["E1"], age_bands=("18-64", "65+"))
    # 0-4 and 16-17 lie below 18.
    reasons = dict(zip(result.exclusions["reason"], result.exclusions["rows"], strict=True))
    assert reasons["age band outside the analysis bands"] == 2
    assert result.counts["population"].sum() == 75 + 10 + 12 + 3


def test_unrecognised_ethnic_group() -> None:
    data = census()
    data.loc[0, "ethnic_group"] = "Martian"
    with pytest.raises(UnrecognisedCodeError, match="Martian"):
        population_counts(data, catchment=["E1"], age_bands=BANDS)


def test_fractional_population_is_refused() -> None:
    data = census()
    data["population"] = data["population"].astype("float64")
    data.loc[0, "population"] = 100.5
    with pytest.raises(InvalidArgumentError, match="whole numbers"):
        population_counts(data, catchment=["E1"], age_bands=BANDS)
