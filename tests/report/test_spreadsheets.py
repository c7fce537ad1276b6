"""results.csv, results.xlsx, results.parquet and provenance.json, read back from disk."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from equitymetrics.measures import RESULT_COLUMNS, Results

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_rows(report_dir: Path) -> list[dict[str, str]]:
    with (report_dir / "results.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _small_row(rows: list[dict[str, str]], facts: Any) -> dict[str, str]:
    return next(
        row
        for row in rows
        if row["measure"] == facts.measure
        and row["unit"] == facts.small_ward
        and row["group"] == facts.small_group
        and row["period_end"] == "2025-06-30"
    )


# --- CSV -------------------------------------------------------------------------------------


def test_csv_has_the_contract_columns_and_names_the_policy(report_dir: Path) -> None:
    rows = _csv_rows(report_dir)
    assert list(rows[0])[: len(RESULT_COLUMNS)] == list(RESULT_COLUMNS)
    assert {row["disclosure_policy"] for row in rows} == {"nhs_secondary_care"}


def test_csv_text_cannot_run_as_a_formula(report_dir: Path, facts: Any) -> None:
    rows = _csv_rows(report_dir)
    units = {row["unit"] for row in rows}
    # OWASP: a leading "'" makes a spreadsheet show the cell as text.
    assert "'" + facts.formula_ward in units
    assert "'" + facts.formula_division in units
    assert facts.formula_ward not in units
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(FORMULA_STARTS) or _is_number(value), (column, value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_csv_negative_numbers_stay_numbers(report_dir: Path) -> None:
    negatives = [row["excess_events"] for row in _csv_rows(report_dir)]
    negatives = [value for value in negatives if value.startswith("-")]
    assert negatives, "the test data should hold negative excess events"
    assert all(_is_number(value) for value in negatives)


def test_csv_counts_are_rounded_or_suppressed(
    results: Results, report_dir: Path, facts: Any
) -> None:
    rows = _csv_rows(report_dir)
    exact = results.table
    assert len(rows) == len(exact)
    for published, (_, original) in zip(rows, exact.iterrows(), strict=True):
        for column in ("numerator", "denominator"):
            text = published[column]
            if text == "":
                continue
            # By hand: the NHS secondary-care rule rounds to the nearest 5, halves up.
            assert float(text) == 5 * math.floor(float(original[column]) / 5 + 0.5)
            assert float(text) != facts.small_numerator
    small = _small_row(rows, facts)
    assert small["numerator"] == ""
    assert small["value"] == ""
    assert small["suppressed"] == "True"


def test_csv_dates_are_iso(report_dir: Path) -> None:
    starts = {row["period_start"] for row in _csv_rows(report_dir)}
    assert "2025-04-01" in starts
    assert all(len(value) == 10 for value in starts)


# --- Excel -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(report_dir: Path) -> Any:
    return openpyxl.load_workbook(report_dir / "results.xlsx")


def test_workbook_sheets(workbook: Any) -> None:
    assert workbook.sheetnames == [
        "README",
        "Restrictive practice",
        "Mental Health Act",
        "SMI health checks",
        "WRES",
        "Ethnicity recording",
    ]


def _header(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[1]]


def _column(sheet: Any, name: str) -> list[Any]:
    index = _header(sheet).index(name) + 1
    return [sheet.cell(row=row, column=index) for row in range(2, sheet.max_row + 1)]


def test_family_sheets_are_frozen_filtered_and_formatted(workbook: Any) -> None:
    sheet = workbook["Restrictive practice"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.auto_filter.ref.endswith(str(sheet.max_row))
    assert _header(sheet)[: len(RESULT_COLUMNS)] == list(RESULT_COLUMNS)
    values = [c for c in _column(sheet, "value") if isinstance(c.value, float)]
    ratios = [c for c in _column(sheet, "ratio") if isinstance(c.value, float)]
    assert values
    assert ratios
    assert {c.number_format for c in values} == {"0.0"}
    assert {c.number_format for c in ratios} == {"0.00"}
    assert sheet.column_dimensions["A"].width > 10


def test_workbook_rows_follow_the_published_table(workbook: Any, results: Results) -> None:
    exact = results.table
    counted = {
        "Restrictive practice": "restrictive_practice_people",
        "Mental Health Act": "mha_detentions",
        "WRES": "wres_2",
        "Ethnicity recording": "ethnicity_recording",
    }
    for title, measure in counted.items():
        assert workbook[title].max_row - 1 == int((exact["measure"] == measure).sum())
    assert workbook["SMI health checks"].max_row == 1


def test_workbook_text_cannot_run_as_a_formula(workbook: Any, facts: Any) -> None:
    units = [c.value for c in _column(workbook["Restrictive practice"], "unit")]
    assert "'" + facts.formula_ward in units
    assert "'" + facts.formula_division in units
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value


def test_workbook_numbers_stay_numbers(workbook: Any) -> None:
    excess = [c.value for c in _column(workbook["Restrictive practice"], "excess_events")]
    negatives = [value for value in excess if isinstance(value, int | float) and value < 0]
    assert negatives, "the test data should hold negative excess events"
    counts = [c.value for c in _column(workbook["Restrictive practice"], "numerator")]
    assert all(isinstance(value, int | float) or value == "*" for value in counts)
    dates = [c.value for c in _column(workbook["Restrictive practice"], "period_start")]
    assert all(isinstance(value, dt.datetime) for value in dates)


def test_workbook_shows_suppressed_cells_as_star(workbook: Any, facts: Any) -> None:
    sheet = workbook["Restrictive practice"]
    header = _header(sheet)
    for row in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        if (record["unit"], record["group"]) == (facts.small_ward, facts.small_group):
            assert record["numerator"] == "*"
            assert record["value"] == "*"
            assert record["suppressed"] is True
            break
    else:
        pytest.fail("the small ward row is missing from the workbook")
    for row in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        assert record["numerator"] != facts.small_numerator


def test_readme_states_policy_measures_and_provenance(workbook: Any, results: Results) -> None:
    text = "\n".join(
        str(cell.value) for row in workbook["README"].iter_rows() for cell in row if cell.value
    )
    assert "NHS secondary-care rule (nhs_secondary_care)" in text
    assert "If I am admitted to a mental-health ward" in text
    for record in results.provenance.inputs:
        assert record.sha256 in text
    assert "equitymetrics 0.1.0" in text


def test_workbook_properties_and_zip_times_come_from_provenance(
    report_dir: Path, workbook: Any
) -> None:
    created = dt.datetime(2025, 7, 14, 9, 30)
    assert workbook.properties.created == created
    assert workbook.properties.modified == created
    with zipfile.ZipFile(report_dir / "results.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 7, 14, 9, 30, 0)}


# --- Parquet and JSON ------------------------------------------------------------------------


def test_parquet_is_the_published_table(report_dir: Path, facts: Any) -> None:
    table = pq.read_table(report_dir / "results.parquet")
    metadata = table.schema.metadata
    assert metadata[b"equitymetrics.disclosure_policy"] == b"nhs_secondary_care"
    frame = table.to_pandas()
    assert list(frame.columns[: len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)
    small = frame[
        (frame["measure"] == facts.measure)
        & (frame["unit"] == facts.small_ward)
        & (frame["group"] == facts.small_group)
    ]
    assert small["numerator"].isna().all()
    assert small["value"].isna().all()
    # Text is stored exactly in the typed file (no formula prefix).
    assert facts.formula_ward in set(frame["unit"])
    assert not (frame["numerator"].dropna() == facts.small_numerator).any()
    assert pd.api.types.is_datetime64_any_dtype(frame["period_start"])


def test_provenance_json_is_sorted_and_names_the_policy(report_dir: Path, results: Results) -> None:
    text = (report_dir / "provenance.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["disclosure_policy"] == "nhs_secondary_care"
    assert list(document) == sorted(document)
    assert document["library_version"] == results.provenance.library_version
    assert document["created"].startswith("2025-07-14T09:30:00")
    patients = next(item for item in document["inputs"] if item["table"] == "patients")
    # By hand: 12,406 read -> 12,405; 12,400 accepted; 3 excluded -> suppressed (null).
    assert patients["rows_read"] == 12_405
    assert patients["rows_accepted"] == 12_400
    assert patients["rows_excluded"] == {"duplicate person": None, "invalid age": None}
    assert patients["sha256"] == "a" * 64
    assert text.endswith("\n")
