"""Validation: one error listing every problem, column mapping, exclusion and row accounting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitymetrics.exceptions import (
    DataValidationError,
    InvalidArgumentError,
    InvalidTypeError,
    UnknownMethodError,
)
from equitymetrics.loaders import load


def failures(*records: tuple[str, str, int | None, str | None, str]) -> pd.DataFrame:
    """A failures frame built by hand, with the documented dtypes."""
    table, column, row, value, problem = zip(*records, strict=True) if records else ([],) * 5
    return pd.DataFrame(
        {
            "table": pd.Series(table, dtype="string"),
            "column": pd.Series(column, dtype="string"),
            "row": pd.Series(row, dtype="Int64"),
            "value": pd.Series(value, dtype="string"),
            "problem": pd.Series(problem, dtype="string"),
        }
    )


SEX_RULE = (
    'sex must be "1" (male), "2" (female), "9" (indeterminate) or "X" (not known); '
    "M/F, Male/Female and Unknown/Not known are also accepted"
)
ETHNIC_RULE = (
    "ethnic_category is not an NHS ethnic category code or a label the taxonomy recognises"
)

MALFORMED_PATIENTS = (
    "person_id,ethnic_category,sex,birth_date,residence_area_code\n"
    "P1,A,M,1980-02-30,E06000045\n"  # row 1: 30 February
    "P2,Martian,F,1990-01-01,E06000045\n"  # row 2: unknown ethnic category
    ",White British,Q,01/02/1990,\n"  # row 3: blank id, unknown sex
    "P2,b,2,1899-12-31,BS1 4DJ\n"  # row 4: duplicate id, too early, a postcode
    "P5,Not stated,female,31/12/1985,e06000045\n"  # row 5: valid (lower-case area code)
    "P6,,9,2001-06-15,\n"  # row 6: valid (blank ethnicity = not known)
)


def test_malformed_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(MALFORMED_PATIENTS, encoding="utf-8")
    with pytest.raises(
        DataValidationError, match=r"patients: 8 problem\(s\) in 4 row\(s\)"
    ) as error:
        load("patients", path)
    expected = failures(
        (
            "patients",
            "birth_date",
            1,
            "1980-02-30",
            "birth_date is not a real calendar date or time",
        ),
        ("patients", "ethnic_category", 2, "Martian", ETHNIC_RULE),
        (
            "patients",
            "person_id",
            2,
            "P2",
            "duplicate person_id: the same value is also in row(s) 4",
        ),
        ("patients", "person_id", 3, "", "person_id is required but blank"),
        ("patients", "sex", 3, "Q", SEX_RULE),
        ("patients", "birth_date", 4, "1899-12-31", "birth_date may not be before 1900-01-01"),
        (
            "patients",
            "residence_area_code",
            4,
            "BS1 4DJ",
            "residence_area_code must be an ONS area code: a letter and 8 digits, e.g. E06000045",
        ),
        (
            "patients",
            "person_id",
            4,
            "P2",
            "duplicate person_id: the same value is also in row(s) 2",
        ),
    )
    pd.testing.assert_frame_equal(error.value.failures, expected)
    message = str(error.value)
    assert "row 1, birth_date = '1980-02-30'" in message
    assert "and 3 more" in message
    assert 'on_invalid="exclude"' in message
    assert "columns=" in message


def test_malformed_file_with_exclude_counts_each_row_once(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(MALFORMED_PATIENTS, encoding="utf-8")
    loaded = load("patients", path, on_invalid="exclude")
    report = loaded.report
    assert report.rows_read == 6
    assert report.rows_accepted == 2
    # First problem of each row, in schema column order then rules then duplicate keys.
    assert report.rows_excluded == {
        "invalid birth_date": 2,  # rows 1 and 4 (row 4's bad area code and duplicate id come later)
        "missing person_id": 1,  # row 3 (its bad sex comes later)
        "unrecognised ethnic category": 1,  # row 2 (its duplicate id comes later)
    }
    assert len(report.failures) == 8
    assert loaded.frame.index.tolist() == [5, 6]
    assert loaded.frame["ethnic_category"].tolist() == ["Z", "99"]
    # A blank original value is missing (an empty CSV field and an empty Excel cell agree).
    originals = loaded.frame["ethnic_category_original"].tolist()
    assert originals[0] == "Not stated"
    assert pd.isna(originals[1])
    assert loaded.frame["sex"].tolist() == ["2", "9"]
    assert loaded.frame["residence_area_code"].tolist()[0] == "E06000045"
    assert pd.isna(loaded.frame["residence_area_code"].tolist()[1])
    assert report.absent_optional_columns == ("age",)
    assert loaded.frame["age"].dtype == "Int64"


def test_accounting_invariant_holds_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(MALFORMED_PATIENTS, encoding="utf-8")
    report = load("patients", path, on_invalid="exclude").report
    assert report.rows_read == report.rows_accepted + sum(report.rows_excluded.values())


def test_column_mapping() -> None:
    raw = pd.DataFrame(
        {
            "PatientID": ["1001", "1002"],
            "EthnicCode": ["H", "Indian"],
            "Gender": ["Male", "Not known"],
            "Age": [34, 71],
            "Notes": ["x", "y"],
        }
    )
    loaded = load(
        "patients",
        raw,
        columns={
            "person_id": "PatientID",
            "ethnic_category": "EthnicCode",
            "sex": "Gender",
            "age": "Age",
        },
    )
    frame = loaded.frame
    assert list(frame.columns) == [
        "person_id",
        "ethnic_category",
        "ethnic_category_original",
        "sex",
        "birth_date",
        "age",
        "residence_area_code",
        "Notes",
    ]
    assert frame["person_id"].tolist() == ["1001", "1002"]
    assert frame["ethnic_category"].tolist() == ["H", "H"]
    assert frame["sex"].tolist() == ["1", "X"]
    assert frame["age"].tolist() == [34, 71]
    assert loaded.report.extra_columns == ("Notes",)
    assert loaded.report.absent_optional_columns == ("birth_date", "residence_area_code")


def test_missing_required_columns_always_raise_and_suggest_a_mapping() -> None:
    raw = pd.DataFrame({"PersonID": ["1"], "Ethnic_Category": ["A"], "age": [40]})
    with pytest.raises(DataValidationError, match=r"required column\(s\) missing") as error:
        load("patients", raw, on_invalid="exclude")
    expected = failures(
        ("patients", "person_id", None, None, "required column person_id is missing"),
        ("patients", "ethnic_category", None, None, "required column ethnic_category is missing"),
        ("patients", "sex", None, None, "required column sex is missing"),
    )
    pd.testing.assert_frame_equal(error.value.failures, expected)
    message = str(error.value)
    assert "'person_id': 'PersonID'" in message
    assert "'ethnic_category': 'Ethnic_Category'" in message
    assert "'PersonID', 'Ethnic_Category', 'age'" in message


def test_patients_need_birth_date_or_age() -> None:
    raw = pd.DataFrame({"person_id": ["1"], "ethnic_category": ["A"], "sex": ["1"]})
    with pytest.raises(DataValidationError) as error:
        load("patients", raw)
    expected = failures(
        (
            "patients",
            "birth_date or age",
            None,
            None,
            "table patients needs at least one of the columns birth_date, age",
        ),
    )
    pd.testing.assert_frame_equal(error.value.failures, expected)


def test_missing_column_and_row_problems_are_reported_together() -> None:
    raw = pd.DataFrame(
        {
            "stay_id": ["S1"],
            "person_id": ["P1"],
            "ward": ["Oak"],
            "division": ["Adult"],
            "start_date": ["yesterday"],
        }
    )
    with pytest.raises(DataValidationError) as error:
        load("inpatient_stays", raw)
    assert error.value.failures["column"].tolist() == ["end_date", "start_date"]
    assert error.value.failures["row"].isna().tolist() == [True, False]


def test_valid_but_unusable_rows_are_kept() -> None:
    raw = pd.DataFrame(
        {
            "staff_id": ["1", "2", "3"],
            "ethnic_category": ["Z", "", "Prefer not to say"],
            "band": [" 5 ", "8a", "VSM"],
            "clinical": ["yes", "N", "0"],
            "division": ["Adult", "Adult", "Corporate"],
            "board_member": ["none", "Voting", "NON-VOTING"],
            "executive": ["false", "true", "1"],
            "snapshot_date": ["2025-03-31"] * 3,
        }
    )
    frame = load("staff", raw).frame
    assert frame["ethnic_category"].tolist() == ["Z", "99", "Z"]
    assert frame["band"].tolist() == ["5", "8a", "VSM"]
    assert frame["clinical"].tolist() == [True, False, False]
    assert frame["board_member"].tolist() == ["none", "voting", "non-voting"]
    assert frame["executive"].dtype == np.dtype(bool)


@pytest.mark.parametrize(
    ("end", "problem"),
    [
        ("2024-01-04", "end_date is before start_date (2024-01-05)"),
        ("04/01/2024", "end_date is before start_date (2024-01-05)"),
    ],
)
def test_end_before_start(end: str, problem: str) -> None:
    raw = pd.DataFrame(
        {
            "stay_id": ["S1"],
            "person_id": ["P1"],
            "ward": ["Oak"],
            "division": ["Adult"],
            "start_date": ["2024-01-05"],
            "end_date": [end],
        }
    )
    with pytest.raises(DataValidationError) as error:
        load("inpatient_stays", raw)
    pd.testing.assert_frame_equal(
        error.value.failures, failures(("inpatient_stays", "end_date", 1, end, problem))
    )
    excluded = load("inpatient_stays", raw, on_invalid="exclude").report.rows_excluded
    assert excluded == {"end_date before start_date": 1}


def test_same_day_discharge_is_valid() -> None:
    raw = pd.DataFrame(
        {
            "stay_id": ["S1"],
            "person_id": ["P1"],
            "ward": ["Oak"],
            "division": ["Adult"],
            "start_date": ["2024-01-05 09:00"],
            "end_date": ["2024-01-05 17:30:00"],
        }
    )
    frame = load("inpatient_stays", raw).frame
    assert frame["end_date"].iloc[0] == pd.Timestamp(2024, 1, 5, 17, 30)


def test_positive_may_not_exceed_respondents() -> None:
    raw = pd.DataFrame(
        {
            "year": [2024, 2024],
            "indicator": ["5", "5"],
            "group": ["white", "BME"],
            "respondents": ["100", "20"],
            "positive": ["100", "21"],
        }
    )
    with pytest.raises(DataValidationError) as error:
        load("staff_survey", raw)
    pd.testing.assert_frame_equal(
        error.value.failures,
        failures(
            ("staff_survey", "positive", 2, "21", "positive is greater than respondents (20)")
        ),
    )


def test_intervention_id_repeats_across_types_but_not_within() -> None:
    raw = pd.DataFrame(
        {
            "intervention_id": ["I1", "I1", "I2", "I2"],
            "person_id": ["P1", "P1", "P2", "P2"],
            "ward": ["Oak"] * 4,
            "start_date": ["2024-05-01 13:05"] * 4,
            "type_code": ["1", "14", "5", "05"],
        }
    )
    with pytest.raises(DataValidationError) as error:
        load("restrictive_interventions", raw)
    found = error.value.failures
    assert found["row"].tolist() == [3, 4]
    assert found["column"].tolist() == ["intervention_id, type_code"] * 2
    assert found["value"].tolist() == ["I2, 5", "I2, 05"]
    loaded = load("restrictive_interventions", raw.iloc[:3])
    assert loaded.frame["type_code"].tolist() == ["01", "14", "05"]
    assert loaded.report.absent_optional_columns == ("reason_code",)


def test_type_codes_02_and_03_are_refused_clearly() -> None:
    raw = pd.DataFrame(
        {
            "intervention_id": ["I1", "I2", "I3"],
            "person_id": ["P1"] * 3,
            "ward": ["Oak"] * 3,
            "start_date": ["2024-05-01"] * 3,
            "type_code": ["02", "3", "18"],
        }
    )
    with pytest.raises(DataValidationError) as error:
        load("restrictive_interventions", raw)
    assert error.value.failures["problem"].tolist() == [
        "type_code 02 does not exist: the national list has no codes 02 or 03 "
        "(valid codes are 01 and 04 to 17)",
        "type_code 03 does not exist: the national list has no codes 02 or 03 "
        "(valid codes are 01 and 04 to 17)",
        "type_code must be a restrictive intervention type code: 01 or 04 to 17",
    ]


def test_unrecognised_ethnic_category_is_excluded_with_its_reason() -> None:
    raw = pd.DataFrame(
        {
            "applicant_id": ["A1", "A2", "A3"],
            "ethnic_category": ["N", "NK", "CA"],
            "shortlisted": [True, True, False],
            "appointed": [True, False, False],
            "date": ["2025-01-10"] * 3,
        }
    )
    loaded = load("recruitment", raw, on_invalid="exclude")
    assert loaded.report.rows_excluded == {"unrecognised ethnic category": 1}
    assert loaded.frame["ethnic_category"].tolist() == ["N", "C"]
    assert loaded.frame["ethnic_category_original"].tolist() == ["N", "CA"]
    assert loaded.report.failures["value"].tolist() == ["NK"]


def test_legal_status_is_upper_cased_and_end_date_optional() -> None:
    raw = pd.DataFrame(
        {
            "episode_id": ["E1", "E2"],
            "person_id": ["P1", "P2"],
            "start_date": ["2025-04-02", "2025-05-01"],
            "legal_status_category": [" a ", "cto"],
        }
    )
    frame = load("mha_episodes", raw).frame
    assert frame["legal_status_category"].tolist() == ["A", "CTO"]
    assert frame["end_date"].isna().all()
    assert frame["end_date"].dtype == "datetime64[ns]"


def test_smi_register_dates_may_be_blank() -> None:
    elements = ["bmi", "blood_pressure", "lipids", "glucose", "smoking", "alcohol"]
    raw = pd.DataFrame(
        {
            "person_id": ["P1"],
            "snapshot_date": ["2025-06-30"],
            "in_remission": ["No"],
            **{f"{e}_date": [""] for e in elements},
        }
    )
    raw["bmi_date"] = ["2025-01-31"]
    frame = load("smi_register", raw).frame
    assert frame["in_remission"].tolist() == [False]
    assert frame["bmi_date"].tolist() == [pd.Timestamp("2025-01-31")]
    assert frame["alcohol_date"].isna().all()


def test_disciplinary_and_training_tables() -> None:
    cases = pd.DataFrame(
        {
            "case_id": ["C1", "C2"],
            "staff_id": ["S1", "S1"],
            "ethnic_category": ["M", "A"],
            "entered_date": ["2024-11-01", "2025-02-01"],
        }
    )
    assert load("disciplinary", cases).report.rows_accepted == 2
    training = pd.DataFrame(
        {
            "staff_id": ["S1", "S1"],
            "ethnic_category": ["M", "M"],
            "accessed_non_mandatory": ["y", "n"],
            "year_end": ["2024-03-31", "2024-03-31"],
        }
    )
    with pytest.raises(DataValidationError, match="duplicate staff_id and year_end"):
        load("training", training)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"on_invalid": "drop"}, InvalidArgumentError, "on_invalid must be 'raise' or 'exclude'"),
        ({"columns": {"nhs_number": "id"}}, InvalidArgumentError, "not a column of patients"),
        ({"columns": {"person_id": "PatientID"}}, InvalidArgumentError, "no column 'PatientID'"),
        ({"columns": [("person_id", "id")]}, InvalidTypeError, "columns must map"),
        ({"columns": {"person_id": "id", "sex": "id"}}, InvalidArgumentError, "to both"),
        ({"columns": {"sex": "id"}}, InvalidArgumentError, "already has a column"),
        ({"delimiter": ";"}, InvalidArgumentError, "'memory' loader does not take"),
        ({"loader": 3}, InvalidTypeError, "loader must be a loader name"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    raw = pd.DataFrame({"id": ["1"], "ethnic_category": ["A"], "sex": ["1"], "age": [3]})
    with pytest.raises(error, match=match):
        load("patients", raw, **kwargs)  # type: ignore[arg-type]


def test_unknown_table() -> None:
    with pytest.raises(InvalidArgumentError, match="table must be one of patients"):
        load("people", pd.DataFrame())


def test_unknown_method_error_is_not_used_for_on_invalid() -> None:
    # on_invalid is validated as an argument value, not a method name.
    with pytest.raises(InvalidArgumentError) as error:
        load("patients", pd.DataFrame(), on_invalid="ignore")  # type: ignore[arg-type]
    assert not isinstance(error.value, UnknownMethodError)


def test_empty_source_gives_an_empty_typed_frame() -> None:
    raw = pd.DataFrame({c: [] for c in ["year", "indicator", "group", "respondents", "positive"]})
    loaded = load("staff_survey", raw)
    assert loaded.report.rows_read == 0
    assert loaded.frame.dtypes.astype(str).tolist() == ["int64", "str", "str", "int64", "int64"]
