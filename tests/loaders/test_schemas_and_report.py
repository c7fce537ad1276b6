"""The canonical table list and schemas, and the load report's accounting invariant."""

from __future__ import annotations

import pandas as pd
import pytest

from equitymetrics.exceptions import InvalidArgumentError
from equitymetrics.loaders import (
    CANONICAL_TABLES,
    SCHEMAS,
    LoadedTable,
    LoadReport,
    TableSchema,
    load,
    schema,
)

# The canonical tables and columns of the data contract, copied here by hand so that a change
# to a schema that breaks the contract fails this test.
CONTRACT = {
    "patients": ["person_id", "ethnic_category", "sex", "birth_date", "age",
                 "residence_area_code"],
    "inpatient_stays": ["stay_id", "person_id", "ward", "division", "start_date", "end_date"],
    "restrictive_interventions": ["intervention_id", "person_id", "ward", "start_date",
                                  "type_code", "reason_code"],
    "mha_episodes": ["episode_id", "person_id", "start_date", "end_date",
                     "legal_status_category"],
    "smi_register": ["person_id", "snapshot_date", "in_remission", "bmi_date",
                     "blood_pressure_date", "lipids_date", "glucose_date", "smoking_date",
                     "alcohol_date"],
    "census_population": ["area_code", "ethnic_group", "sex", "age_band", "population"],
    "staff": ["staff_id", "ethnic_category", "band", "clinical", "division", "board_member",
              "executive", "snapshot_date"],
    "recruitment": ["applicant_id", "ethnic_category", "shortlisted", "appointed", "date"],
    "disciplinary": ["case_id", "staff_id", "ethnic_category", "entered_date"],
    "training": ["staff_id", "ethnic_category", "accessed_non_mandatory", "year_end"],
    "staff_survey": ["year", "indicator", "group", "respondents", "positive"],
}  # fmt: skip

OPTIONAL = {
    ("patients", "birth_date"),
    ("patients", "age"),
    ("patients", "residence_area_code"),
    ("restrictive_interventions", "reason_code"),
    ("mha_episodes", "end_date"),
}


def test_canonical_tables_match_the_contract() -> None:
    assert tuple(CONTRACT) == CANONICAL_TABLES
    for table, columns in CONTRACT.items():
        assert schema(table).column_names == tuple(columns), table
        assert isinstance(SCHEMAS[table], TableSchema)


def test_required_and_optional_columns() -> None:
    for table in CANONICAL_TABLES:
        for column in schema(table).columns:
            assert column.required == ((table, column.name) not in OPTIONAL), (table, column)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("patients", ("person_id",)),
        ("inpatient_stays", ("stay_id",)),
        ("restrictive_interventions", ("intervention_id", "type_code")),
        ("mha_episodes", ("episode_id",)),
        ("recruitment", ("applicant_id",)),
        ("staff", ("staff_id", "snapshot_date")),
    ],
)
def test_keys(table: str, key: tuple[str, ...]) -> None:
    assert key in schema(table).unique


def test_schema_as_a_frame() -> None:
    frame = schema("staff_survey").to_frame()
    assert frame["column"].tolist() == CONTRACT["staff_survey"]
    assert frame["dtype"].tolist() == ["int64", "str", "str", "int64", "int64"]
    assert schema("patients").column("age").dtype == "Int64"


def test_unknown_table_and_column() -> None:
    with pytest.raises(InvalidArgumentError, match="table must be one of"):
        schema("wards")
    with pytest.raises(InvalidArgumentError, match="has no column 'nhs_number'"):
        schema("patients").column("nhs_number")


def _report(**changes: object) -> LoadReport:
    values: dict[str, object] = {
        "table": "patients",
        "source": "patients.csv",
        "loader": "csv",
        "rows_read": 10,
        "rows_accepted": 7,
        "rows_excluded": {"invalid sex": 2, "missing person_id": 1},
    }
    values.update(changes)
    return LoadReport(**values)  # type: ignore[arg-type]


def test_report_accepts_reconciled_counts() -> None:
    report = _report()
    assert report.rows_excluded_total == 3
    assert report.to_dict()["rows_excluded"] == {"invalid sex": 2, "missing person_id": 1}


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"rows_read": 11}, r"rows_read \(11\) must equal rows_accepted \(7\) plus"),
        ({"rows_accepted": 8}, "does not reconcile"),
        ({"rows_excluded": {}}, "does not reconcile"),
        ({"rows_read": -1}, "rows_read must be a whole number >= 0"),
        ({"rows_excluded": {"x": -3, "y": 6}}, r"rows_excluded\['x'\] must be"),
        ({"rows_accepted": 7.0}, "rows_accepted must be a whole number"),
    ],
)
def test_report_refuses_counts_that_do_not_reconcile(
    changes: dict[str, object], match: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        _report(**changes)


def test_loaded_table_is_frozen() -> None:
    loaded = load(
        "staff_survey",
        pd.DataFrame(
            {
                "year": [2024],
                "indicator": ["5"],
                "group": ["BME"],
                "respondents": [10],
                "positive": [3],
            }
        ),
    )
    assert isinstance(loaded, LoadedTable)
    with pytest.raises(AttributeError):
        loaded.sha256 = "0"  # type: ignore[misc]
    assert "staff_survey" in repr(loaded)
    assert loaded.report.failures.columns.tolist() == ["table", "column", "row", "value", "problem"]
