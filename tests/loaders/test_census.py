"""The ons_census loader: the TS021 bulk CSV (wide) and long ethnic group by sex by age files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitymetrics.exceptions import DataValidationError
from equitymetrics.loaders import load

ASIAN = "Asian, Asian British or Asian Welsh"
BLACK = "Black, Black British, Black Welsh, Caribbean or African"
MIXED = "Mixed or Multiple ethnic groups"
OTHER = "Other ethnic group"

# The TS021 bulk CSV layout (columns in the order ONS publishes them), with the census code of
# each category taken from the ONS classification table (Census 2021, 19 categories).
CATEGORIES: list[tuple[str, int]] = [
    (f"{ASIAN}: Bangladeshi", 1),
    (f"{ASIAN}: Chinese", 2),
    (f"{ASIAN}: Indian", 3),
    (f"{ASIAN}: Pakistani", 4),
    (f"{ASIAN}: Other Asian", 5),
    (f"{BLACK}: African", 6),
    (f"{BLACK}: Caribbean", 7),
    (f"{BLACK}: Other Black", 8),
    (f"{MIXED}: White and Asian", 9),
    (f"{MIXED}: White and Black African", 10),
    (f"{MIXED}: White and Black Caribbean", 11),
    (f"{MIXED}: Other Mixed or Multiple ethnic groups", 12),
    ("White: English, Welsh, Scottish, Northern Irish or British", 13),
    ("White: Irish", 14),
    ("White: Gypsy or Irish Traveller", 15),
    ("White: Roma", 16),
    ("White: Other White", 17),
    (f"{OTHER}: Arab", 18),
    (f"{OTHER}: Any other ethnic group", 19),
]
BROAD = [ASIAN, BLACK, MIXED, "White", OTHER]
TOTAL = "Ethnic group: Total: All usual residents"

AREA_COUNTS = {
    "E06000045": [3, 2, 10, 4, 1, 7, 5, 2, 3, 1, 2, 2, 400, 9, 1, 1, 30, 2, 5],
    "E06000046": [0, 1, 2, 0, 1, 1, 0, 0, 1, 0, 1, 1, 120, 2, 0, 0, 8, 0, 1],
}
AREA_NAMES = {"E06000045": "Area One", "E06000046": "Area Two"}


def _header() -> list[str]:
    columns = ["date", "geography", "geography code", TOTAL]
    for broad in BROAD:
        columns.append(f"Ethnic group: {broad}")
        columns += [f"Ethnic group: {c}" for c, _ in CATEGORIES if c.startswith(f"{broad}: ")]
    return columns


def _write_wide(path: Path, counts: dict[str, list[int]], *, total_offset: int = 0) -> Path:
    header = _header()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for area, values in counts.items():
            by_name = {
                f"Ethnic group: {c}": n for (c, _), n in zip(CATEGORIES, values, strict=True)
            }
            row: dict[str, object] = {
                "date": 2021,
                "geography": AREA_NAMES[area],
                "geography code": area,
                TOTAL: sum(values) + total_offset,
            }
            for broad in BROAD:
                members = [
                    n for name, n in by_name.items() if name.startswith(f"Ethnic group: {broad}: ")
                ]
                row[f"Ethnic group: {broad}"] = sum(members)
            row.update(by_name)
            writer.writerow([row[c] for c in header])
    return path


def test_header_matches_the_published_layout() -> None:
    header = _header()
    assert len(header) == 28  # 3 geography columns, total, 5 broad subtotals, 19 categories
    assert header[4] == f"Ethnic group: {ASIAN}"
    assert header[5] == f"Ethnic group: {ASIAN}: Bangladeshi"
    assert header[-1] == f"Ethnic group: {OTHER}: Any other ethnic group"


def test_wide_two_areas(tmp_path: Path) -> None:
    path = _write_wide(tmp_path / "census2021-ts021-ltla.csv", AREA_COUNTS)
    loaded = load("census_population", path)
    assert loaded.report.loader == "ons_census"
    assert loaded.report.details["layout"] == "wide"
    # Expected: one row per area and category, codes from the classification, sex/age "all".
    codes = [code for _, code in CATEGORIES]
    areas = list(AREA_COUNTS)
    expected = pd.DataFrame(
        {
            "area_code": pd.Series(np.repeat(areas, 19), dtype=pd.StringDtype(na_value=np.nan)),
            "ethnic_group": pd.Series(codes * 2, dtype="int64"),
            "sex": pd.Series(["all"] * 38, dtype=pd.StringDtype(na_value=np.nan)),
            "age_band": pd.Series(["all"] * 38, dtype=pd.StringDtype(na_value=np.nan)),
            "population": pd.Series(AREA_COUNTS[areas[0]] + AREA_COUNTS[areas[1]], dtype="int64"),
        }
    ).set_axis(pd.Index(np.repeat([1, 2], 19), name="row"), axis=0)
    canonical = loaded.frame[["area_code", "ethnic_group", "sex", "age_band", "population"]]
    pd.testing.assert_frame_equal(canonical, expected)
    assert loaded.report.extra_columns == ("date", "geography")
    assert loaded.frame["geography"].tolist() == ["Area One"] * 19 + ["Area Two"] * 19
    assert loaded.report.rows_read == 38
    # The totals of the file (added up by hand above) are preserved.
    assert loaded.frame.groupby("area_code")["population"].sum().to_dict() == {
        "E06000045": 490,
        "E06000046": 139,
    }


def test_wide_totals_that_do_not_add_up(tmp_path: Path) -> None:
    counts = {area: list(values) for area, values in AREA_COUNTS.items()}
    path = _write_wide(tmp_path / "census2021-ts021-ltla.csv", counts, total_offset=0)
    # Corrupt the second area: its Indian count no longer matches the Asian subtotal or total.
    text = path.read_text(encoding="utf-8").splitlines()
    cells = next(csv.reader([text[2]]))
    header = _header()
    cells[header.index(f"Ethnic group: {ASIAN}: Indian")] = "5"  # was 2
    text[2] = ",".join(f'"{c}"' if "," in c else c for c in cells)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")

    with pytest.raises(DataValidationError, match="add up to") as error:
        load("census_population", path)
    expected = pd.DataFrame(
        {
            "table": pd.Series(["census_population"] * 2, dtype="string"),
            "column": pd.Series([TOTAL, f"Ethnic group: {ASIAN}"], dtype="string"),
            "row": pd.Series([2, 2], dtype="Int64"),
            "value": pd.Series(["139", "4"], dtype="string"),
            "problem": pd.Series(
                [
                    f"the categories add up to 142, not to {TOTAL} (139)",
                    f"the {ASIAN} categories add up to 7, not to Ethnic group: {ASIAN} (4)",
                ],
                dtype="string",
            ),
        }
    )
    pd.testing.assert_frame_equal(error.value.failures, expected)

    loaded = load("census_population", path, on_invalid="exclude")
    assert loaded.report.rows_excluded == {"categories do not add up to the total": 19}
    assert loaded.report.rows_accepted == 19
    assert set(loaded.frame["area_code"]) == {"E06000045"}


def test_wide_bad_cell_is_reported_by_the_schema(tmp_path: Path) -> None:
    path = _write_wide(tmp_path / "census2021-ts021-ltla.csv", AREA_COUNTS)
    text = path.read_text(encoding="utf-8").replace(
        ",Area Two,E06000046,139,", ",Area Two,E06000046,c,"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as error:
        load("census_population", path)
    assert error.value.failures["problem"].tolist() == [f"{TOTAL} must be a whole number >= 0"]


def test_long_layout_with_canonical_names(tmp_path: Path) -> None:
    path = tmp_path / "population.csv"
    path.write_text(
        "area code,ethnic group,sex,age band,count\n"
        "E06000045,Indian,Female,Aged 4 years and under,12\n"
        "E06000045,3,Male,Aged 5 to 9 years,10\n"
        "E06000045,White: Irish,M,Aged 90 years and over,2\n"
        "E06000045,Roma,2,18-34,7\n",
        encoding="utf-8",
    )
    loaded = load("census_population", path)
    assert loaded.report.details["layout"] == "long"
    frame = loaded.frame
    assert frame["ethnic_group"].tolist() == [3, 3, 14, 16]
    assert frame["sex"].tolist() == ["2", "1", "1", "2"]
    assert frame["age_band"].tolist() == ["0-4", "5-9", "90+", "18-34"]
    assert frame["population"].tolist() == [12, 10, 2, 7]


def test_long_layout_ons_custom_dataset(tmp_path: Path) -> None:
    path = tmp_path / "custom.csv"
    path.write_text(
        "Lower tier local authorities Code,Lower tier local authorities,"
        "Ethnic group (20 categories) Code,Ethnic group (20 categories),"
        "Sex (2 categories) Code,Sex (2 categories),Age (6 categories) Code,"
        "Age (6 categories),Observation\n"
        "E06000045,Area One,-8,Does not apply,1,Female,1,Aged 15 years and under,0\n"
        'E06000045,Area One,1,"Asian, Asian British or Asian Welsh: Bangladeshi",1,Female,'
        "1,Aged 15 years and under,14\n"
        "E06000045,Area One,17,White: Other White,2,Male,6,Aged 65 years and over,30\n",
        encoding="utf-8",
    )
    loaded = load("census_population", path)
    # "Does not apply" is not a group of people: always excluded, counted, never a failure.
    assert loaded.report.rows_excluded == {"ethnic group does not apply": 1}
    assert loaded.report.failures.empty
    frame = loaded.frame
    assert frame.index.tolist() == [2, 3]
    assert frame["area_code"].tolist() == ["E06000045", "E06000045"]
    assert frame["ethnic_group"].tolist() == [1, 17]
    assert frame["sex"].tolist() == ["2", "1"]
    assert frame["age_band"].tolist() == ["0-15", "65+"]
    assert frame["population"].tolist() == [14, 30]
    assert "Lower tier local authorities" in loaded.report.extra_columns


def test_census_duplicate_cells_are_refused(tmp_path: Path) -> None:
    raw = pd.DataFrame(
        {
            "area_code": ["E06000045", "E06000045"],
            "ethnic_group": ["Indian", 3],
            "sex": ["all", "all"],
            "age_band": ["all", "all"],
            "population": [1, 2],
        }
    )
    with pytest.raises(DataValidationError, match="duplicate area_code and ethnic_group"):
        load("census_population", raw)
