"""Every built-in loader reads the same small table into the same canonical frame.

The expected frame (``expected_stays`` in conftest.py) is written by hand with plain pandas
constructors; each test writes the table in one source format into ``tmp_path`` with the
format's own library (csv text, pyarrow, openpyxl, sqlite3) and loads it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from equitymetrics.exceptions import DataValidationError, LoaderError
from equitymetrics.loaders import load


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "delimiter", "reported_encoding", "reported_delimiter"),
    [
        ("utf-8", ",", "utf-8", "comma"),
        ("utf-8-sig", ",", "utf-8-sig", "comma"),  # Excel's "CSV UTF-8" writes a BOM
        ("cp1252", ",", "cp1252", "comma"),  # Excel's plain "CSV" on Windows
        ("utf-8", ";", "utf-8", "semicolon"),  # European locales
        ("utf-8", "\t", "utf-8", "tab"),
        ("cp1252", "|", "cp1252", "pipe"),
    ],
)
def test_csv_encodings_and_delimiters(
    tmp_path: Path,
    stays_csv_text: str,
    expected_stays: pd.DataFrame,
    encoding: str,
    delimiter: str,
    reported_encoding: str,
    reported_delimiter: str,
) -> None:
    path = _write(tmp_path / "stays.csv", stays_csv_text.replace(",", delimiter), encoding)
    loaded = load("inpatient_stays", path)
    pd.testing.assert_frame_equal(loaded.frame, expected_stays)
    assert loaded.report.details["encoding"] == reported_encoding
    assert loaded.report.details["delimiter"] == reported_delimiter
    assert loaded.report.loader == "csv"
    # Independent check of the fingerprint: hashlib over the bytes just written.
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_cp1252_bytes_really_differ_from_utf8(stays_csv_text: str) -> None:
    # Guard for the test above: the cp1252 file must not be valid UTF-8, or it tests nothing.
    with pytest.raises(UnicodeDecodeError):
        stays_csv_text.encode("cp1252").decode("utf-8")


def test_csv_explicit_options_override_detection(
    tmp_path: Path, stays_csv_text: str, expected_stays: pd.DataFrame
) -> None:
    path = _write(tmp_path / "stays.txt", stays_csv_text.replace(",", ";"), "cp1252")
    loaded = load("inpatient_stays", path, loader="csv", delimiter=";", encoding="cp1252")
    pd.testing.assert_frame_equal(loaded.frame, expected_stays)


def test_csv_wrong_explicit_encoding_is_a_loader_error(tmp_path: Path, stays_csv_text: str) -> None:
    path = _write(tmp_path / "stays.csv", stays_csv_text, "cp1252")
    with pytest.raises(LoaderError, match="cannot be decoded as utf-8"):
        load("inpatient_stays", path, encoding="utf-8")


def test_parquet(
    tmp_path: Path,
    stays_header: list[str],
    stays_rows: list[list[str]],
    expected_stays: pd.DataFrame,
) -> None:
    raw = pd.DataFrame(stays_rows, columns=stays_header)
    raw["start_date"] = pd.to_datetime(raw["start_date"])
    raw["end_date"] = pd.to_datetime(raw["end_date"].replace("", None))
    path = tmp_path / "stays.parquet"
    raw.to_parquet(path, engine="pyarrow", index=False)
    loaded = load("inpatient_stays", path)
    pd.testing.assert_frame_equal(loaded.frame, expected_stays)
    assert loaded.report.loader == "parquet"


def test_parquet_dates_as_text(
    tmp_path: Path,
    stays_header: list[str],
    stays_rows: list[list[str]],
    expected_stays: pd.DataFrame,
) -> None:
    path = tmp_path / "stays.pq"
    pd.DataFrame(stays_rows, columns=stays_header).to_parquet(path, index=False)
    pd.testing.assert_frame_equal(load("inpatient_stays", path).frame, expected_stays)


def _excel_value(column: str, value: str) -> object:
    if not value:
        return None
    if column.endswith("_date"):
        return dt.datetime.fromisoformat(value)  # a real Excel date cell
    return value


def test_excel_named_sheet_and_header_offset(
    tmp_path: Path,
    stays_header: list[str],
    stays_rows: list[list[str]],
    expected_stays: pd.DataFrame,
) -> None:
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["This sheet is not data"])
    sheet = workbook.create_sheet("Stays")
    sheet.append(["Inpatient stays, quarter 4"])  # sheet row 1: a title
    sheet.append([])  # sheet row 2: blank
    sheet.append(stays_header)  # sheet row 3: the header
    for row in stays_rows:
        sheet.append([_excel_value(c, v) for c, v in zip(stays_header, row, strict=True)])
    path = tmp_path / "stays.xlsx"
    workbook.save(path)
    loaded = load("inpatient_stays", path, sheet="Stays", header_row=3)
    pd.testing.assert_frame_equal(loaded.frame, expected_stays)
    assert loaded.report.details["sheet"] == "Stays"


def test_excel_row_numbers_count_blank_rows(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["year", "indicator", "group", "respondents", "positive"])
    sheet.append([2024, 5, "White", 100, 20])  # data row 1
    sheet.append([None, None, None, None, None])  # data row 2: empty
    sheet.append([2024, 5, "BME", 40, 50])  # data row 3: positive > respondents
    path = tmp_path / "survey.xlsx"
    workbook.save(path)
    loaded = load("staff_survey", path, on_invalid="exclude")
    assert loaded.frame.index.tolist() == [1]
    assert loaded.report.failures["row"].tolist() == [3]  # sheet row 4 = header row 1 + 3
    assert loaded.report.details["blank_rows_skipped"] == "1"
    assert loaded.report.rows_read == 2


def _sqlite(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE stays ({', '.join(f'{c} TEXT' for c in header)})")
        connection.execute("CREATE TABLE x (a TEXT)")
        connection.executemany(
            f"INSERT INTO stays VALUES ({', '.join('?' for _ in header)})",
            [[value or None for value in row] for row in rows],
        )
    connection.close()
    return path


def test_sql_table(
    tmp_path: Path,
    stays_header: list[str],
    stays_rows: list[list[str]],
    expected_stays: pd.DataFrame,
) -> None:
    path = _sqlite(tmp_path / "trust.db", stays_header, stays_rows)
    loaded = load("inpatient_stays", f"sqlite:///{path}", loader="sql", table="stays")
    pd.testing.assert_frame_equal(loaded.frame, expected_stays)
    assert loaded.report.source == f"sqlite:///{path} (table 'stays')"


def test_sql_parameterised_query(
    tmp_path: Path,
    stays_header: list[str],
    stays_rows: list[list[str]],
    expected_stays: pd.DataFrame,
) -> None:
    path = _sqlite(tmp_path / "trust.db", stays_header, stays_rows)
    loaded = load(
        "inpatient_stays",
        f"sqlite:///{path}",
        query="SELECT * FROM stays WHERE start_date >= :since ORDER BY stay_id",
        params={"since": "2000-01-01"},
    )
    pd.testing.assert_frame_equal(loaded.frame, expected_stays)
    # The parameter really filters: a later date keeps only the stays starting from it.
    later = load(
        "inpatient_stays",
        f"sqlite:///{path}",
        query="SELECT * FROM stays WHERE start_date >= :since ORDER BY stay_id",
        params={"since": "2024-03-01"},
    )
    assert later.frame["stay_id"].tolist() == ["S003"]


def test_sql_refuses_a_malicious_table_name(
    tmp_path: Path, stays_header: list[str], stays_rows: list[list[str]]
) -> None:
    path = _sqlite(tmp_path / "trust.db", stays_header, stays_rows)
    with pytest.raises(LoaderError, match=r"no table or view named 'stays; DROP TABLE x'"):
        load("inpatient_stays", f"sqlite:///{path}", table="stays; DROP TABLE x")
    with sqlite3.connect(path) as connection:  # both tables are still there
        names = connection.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
    connection.close()
    assert names == [("stays",), ("x",)]


def test_sql_missing_database_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(LoaderError, match="does not exist"):
        load("inpatient_stays", f"sqlite:///{path}", table="stays")
    assert not path.exists()


def test_memory(
    stays_header: list[str], stays_rows: list[list[str]], expected_stays: pd.DataFrame
) -> None:
    raw = pd.DataFrame(stays_rows, columns=stays_header)
    loaded = load("inpatient_stays", raw)
    pd.testing.assert_frame_equal(loaded.frame, expected_stays)
    assert loaded.report.loader == "memory"
    assert loaded.report.source == "DataFrame (4 rows, 6 columns)"
    # Independent fingerprint: the documented CSV serialisation, computed here with pandas.
    numbered = raw.set_axis(pd.RangeIndex(1, 5), axis=0)
    serialised = numbered.to_csv(index=True, index_label="row", lineterminator="\n")
    assert loaded.sha256 == hashlib.sha256(serialised.encode("utf-8")).hexdigest()


def test_memory_does_not_change_the_input(
    stays_header: list[str], stays_rows: list[list[str]]
) -> None:
    raw = pd.DataFrame(stays_rows, columns=stays_header)
    before = raw.copy()
    load("inpatient_stays", raw)
    pd.testing.assert_frame_equal(raw, before)


def test_memory_named_index_becomes_a_column(
    stays_header: list[str], stays_rows: list[list[str]], expected_stays: pd.DataFrame
) -> None:
    raw = pd.DataFrame(stays_rows, columns=stays_header).set_index("stay_id")
    pd.testing.assert_frame_equal(load("inpatient_stays", raw).frame, expected_stays)


def test_csv_blank_lines_keep_their_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "year,indicator,group,respondents,positive\n"
        "2024,5,White,100,20\n"
        "\n"
        " , , , , \n"
        "2024,5,BME,40,50\n",
        encoding="utf-8",
    )
    loaded = load("staff_survey", path, on_invalid="exclude")
    assert loaded.report.details["blank_rows_skipped"] == "2"
    assert loaded.report.rows_read == 2
    assert loaded.report.failures["row"].tolist() == [4]  # line 5 of the file = data row 4


def test_csv_duplicate_column_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("person_id, person_id ,sex\n1,2,1\n", encoding="utf-8")
    with pytest.raises(LoaderError, match=r"duplicate column names \['person_id'\]"):
        load("patients", path)


def test_csv_ragged_rows_are_failures_of_their_rows(tmp_path: Path) -> None:
    # A row with more fields than the header is a failure of that row (reason "wrong number of
    # fields"), listed with the other problems; tests/hardening/test_bad_files.py has the rest.
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        load("patients", path)
    rows = caught.value.failures.dropna(subset=["row"])
    assert rows[["column", "row", "value"]].to_numpy().tolist() == [["b", 2, "1,2,3"]]
