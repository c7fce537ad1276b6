"""Bad files: each case is reported (one error, every problem, with its row) or handled by a
documented rule with exact row accounting (docs/data-quality.md, "Bad files").

Every file is built here, in ``tmp_path``: CSV files from bytes written by the test, Excel
workbooks with openpyxl, SQLite databases with the standard ``sqlite3`` module. Expected failures
frames and canonical values are written out by hand. Row numbers are the 1-based data records
of the source (the first record after the header is row 1); where a quoted value holds a line
break, the record number and the line number differ, and the record number is the one reported.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from equitymetrics.aggregate import NO_STAY_REASON, restrictive_practice_counts
from equitymetrics.exceptions import DataValidationError, LoaderError
from equitymetrics.loaders import LoadReport, load

STAYS_HEADER = "stay_id,person_id,ward,division,start_date,end_date"
DATE_RULE = "must be a date written YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or DD/MM/YYYY [HH:MM[:SS]]"
LONG_ROW = (
    "the row has {found} fields but the header has {width} columns, {extra} too many (a value "
    "containing ',' that is not in double quotes, or a delimiter at the end of the line?)"
)
SHORT_ROW = (
    "the row has {found} field(s) but the header has {width} columns: no value for {missing} "
    "(a delimiter left out, or the line cut short?)"
)
RESAVE = 'save it as "CSV UTF-8 (Comma delimited) (*.csv)"'


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_text(tmp_path: Path, name: str, lines: list[str], *, ending: str = "\n") -> Path:
    """The lines joined with ``ending`` (and ending with it), written as UTF-8 bytes."""
    return write_bytes(tmp_path, name, (ending.join(lines) + ending).encode("utf-8"))


def failures(table: str, *problems: tuple[str, int | None, str | None, str]) -> pd.DataFrame:
    """A failures frame written by hand: (column, row, value, problem) per problem."""
    return pd.DataFrame(
        {
            "table": pd.Series([table] * len(problems), dtype="string"),
            "column": pd.Series([p[0] for p in problems], dtype="string"),
            "row": pd.Series([p[1] for p in problems], dtype="Int64"),
            "value": pd.Series([p[2] for p in problems], dtype="string"),
            "problem": pd.Series([p[3] for p in problems], dtype="string"),
        }
    )


def assert_accounting(
    report: LoadReport, *, read: int, accepted: int, excluded: dict[str, int]
) -> None:
    assert (report.rows_read, report.rows_accepted, report.rows_excluded) == (
        read,
        accepted,
        excluded,
    )
    assert report.rows_read == report.rows_accepted + sum(report.rows_excluded.values())


def text_series(values: list[str | None], index: list[int], name: str) -> pd.Series:
    return pd.Series(
        values,
        index=pd.Index(index, name="row"),
        dtype=pd.StringDtype(na_value=np.nan),
        name=name,
    )


# --- Wrong encodings ------------------------------------------------------------------------


def test_utf16_without_byte_order_mark_is_a_loader_error_naming_the_file(tmp_path: Path) -> None:
    # UTF-16 without a BOM decodes "successfully" as UTF-8 (NUL bytes are valid UTF-8), which
    # used to give column names full of NUL characters; now it is refused with advice.
    text = f"{STAYS_HEADER}\nS1,P1,Oak,Adult,2024-01-05,\n"
    path = write_bytes(tmp_path, "stays.csv", text.encode("utf-16-le"))
    with pytest.raises(LoaderError) as caught:
        load("inpatient_stays", path)
    message = str(caught.value)
    assert repr(str(path)) in message
    assert "UTF-16 or UTF-32 text without a byte-order mark" in message
    assert RESAVE in message
    assert "encoding='utf-16-le'" in message


def test_utf16_without_byte_order_mark_loads_with_the_encoding_given(tmp_path: Path) -> None:
    text = f"{STAYS_HEADER}\nS1,P1,Café,Adult,2024-01-05,\n"
    path = write_bytes(tmp_path, "stays.csv", text.encode("utf-16-le"))
    loaded = load("inpatient_stays", path, encoding="utf-16-le")
    assert loaded.frame["ward"].tolist() == ["Café"]
    assert_accounting(loaded.report, read=1, accepted=1, excluded={})


def test_encoding_that_is_neither_utf8_nor_cp1252_is_refused_not_guessed(tmp_path: Path) -> None:
    # Shift-JIS bytes for a ward name. The byte 0x8F is undefined in Windows-1252 and the bytes
    # are not UTF-8, so the file is refused; it used to be decoded by a statistical guess.
    data = f"{STAYS_HEADER}\nS1,P1,".encode() + "病棟".encode("shift_jis") + b",Adult,2024-01-05,\n"
    undefined_in_cp1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}  # the five unassigned cp1252 bytes
    first = next(b for b in data if b in undefined_in_cp1252)
    path = write_bytes(tmp_path, "stays.csv", data)
    with pytest.raises(LoaderError) as caught:
        load("inpatient_stays", path)
    message = str(caught.value)
    assert message.startswith(f"{str(path)!r} is neither UTF-8 nor Windows-1252 text")
    assert f"byte 0x{first:02X} on line 2" in message
    assert RESAVE in message


def test_windows_1252_file_is_read_and_its_encoding_recorded(tmp_path: Path) -> None:
    lines = [STAYS_HEADER, "S1,P1,Café £,Adult,2024-01-05,"]
    path = write_bytes(tmp_path, "stays.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"))
    loaded = load("inpatient_stays", path)
    assert loaded.frame["ward"].tolist() == ["Café £"]
    assert loaded.report.details["encoding"] == "cp1252"
    assert_accounting(loaded.report, read=1, accepted=1, excluded={})


def test_nul_characters_in_utf8_text_are_refused(tmp_path: Path) -> None:
    path = write_bytes(
        tmp_path, "stays.csv", f"{STAYS_HEADER}\nS1,P1,Oak\x00,Adult,2024-01-05,\n".encode()
    )
    with pytest.raises(LoaderError, match=r"holds NUL characters \(the first on line 2\)"):
        load("inpatient_stays", path)


# --- Byte-order marks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mark", "encoding", "detected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),  # Excel's "CSV UTF-8"
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),  # Excel's "Unicode Text"
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    ],
)
def test_byte_order_mark_names_the_encoding_and_is_not_part_of_a_name(
    tmp_path: Path, mark: bytes, encoding: str, detected: str
) -> None:
    text = f"{STAYS_HEADER}\nS1,P1,Café,Adult,2024-01-05,\n"
    path = write_bytes(tmp_path, "stays.csv", mark + text.encode(encoding))
    loaded = load("inpatient_stays", path)
    assert loaded.frame.columns[0] == "stay_id"
    assert loaded.frame["stay_id"].tolist() == ["S1"]
    assert loaded.frame["ward"].tolist() == ["Café"]
    assert loaded.report.details["encoding"] == detected
    assert_accounting(loaded.report, read=1, accepted=1, excluded={})


def test_utf8_byte_order_mark_with_explicit_utf8_encoding_is_removed(tmp_path: Path) -> None:
    # Regression: with encoding="utf-8" the mark stayed in the first name ("\ufeffstay_id"),
    # and the table then lacked its stay_id column.
    text = f"{STAYS_HEADER}\nS1,P1,Oak,Adult,2024-01-05,\n"
    path = write_bytes(tmp_path, "stays.csv", codecs.BOM_UTF8 + text.encode())
    loaded = load("inpatient_stays", path, encoding="utf-8")
    assert loaded.frame["stay_id"].tolist() == ["S1"]
    assert_accounting(loaded.report, read=1, accepted=1, excluded={})


def test_utf8_byte_order_mark_with_explicit_cp1252_encoding_is_refused(tmp_path: Path) -> None:
    # Regression: the mark was read as the three characters "ï»¿" at the start of the first name.
    text = f"{STAYS_HEADER}\nS1,P1,Oak,Adult,2024-01-05,\n"
    path = write_bytes(tmp_path, "stays.csv", codecs.BOM_UTF8 + text.encode())
    with pytest.raises(LoaderError, match="starts with a UTF-8 byte-order mark"):
        load("inpatient_stays", path, encoding="cp1252")


# --- Delimiters -----------------------------------------------------------------------------


def test_semicolon_file_with_commas_inside_values_is_sniffed(tmp_path: Path) -> None:
    lines = [STAYS_HEADER.replace(",", ";"), "S1;P1;Oak, North;Adult;05/01/2024;"]
    loaded = load("inpatient_stays", write_text(tmp_path, "stays.csv", lines))
    assert loaded.frame["ward"].tolist() == ["Oak, North"]
    assert loaded.frame["start_date"].tolist() == [pd.Timestamp(2024, 1, 5)]
    assert loaded.report.details["delimiter"] == "semicolon"
    assert_accounting(loaded.report, read=1, accepted=1, excluded={})


def test_rows_with_the_wrong_number_of_fields_are_all_reported(tmp_path: Path) -> None:
    lines = [
        STAYS_HEADER,
        "S1,P1,Oak,Adult,2024-01-05,2024-02-01",
        "S2,P2,Oak, North,Adult,2024-01-06,",  # an unquoted comma: 7 fields
        "S3,P3,Elm,Adult,2024-01-07",  # the last delimiter left out: 5 fields
        "S4;P4;Elm;Adult;2024-01-08;",  # another delimiter: 1 field
        "S5,P5,Ash,Adult,2024-01-09,",
    ]
    path = write_text(tmp_path, "stays.csv", lines)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    expected = failures(
        "inpatient_stays",
        (
            "end_date",
            2,
            "S2,P2,Oak, North,Adult,2024-01-06,",
            LONG_ROW.format(found=7, width=6, extra=1),
        ),
        # The row's fields are taken in order, so "Adult" lands in start_date.
        ("start_date", 2, "Adult", f"start_date {DATE_RULE}"),
        (
            "end_date",
            3,
            "S3,P3,Elm,Adult,2024-01-07",
            SHORT_ROW.format(found=5, width=6, missing="'end_date'"),
        ),
        (
            "person_id",
            4,
            "S4;P4;Elm;Adult;2024-01-08;",
            SHORT_ROW.format(
                found=1,
                width=6,
                missing="'person_id', 'ward', 'division', 'start_date', 'end_date'",
            ),
        ),
        ("person_id", 4, None, "person_id is required but blank"),
        ("ward", 4, None, "ward is required but blank"),
        ("division", 4, None, "division is required but blank"),
        ("start_date", 4, None, "start_date is required but blank"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)


def test_rows_with_the_wrong_number_of_fields_are_excluded_and_counted(tmp_path: Path) -> None:
    # Regression: a row missing its last field used to be padded with a blank, so a stay whose
    # end date was cut off was accepted as a stay still in progress.
    lines = [
        STAYS_HEADER,
        "S1,P1,Oak,Adult,2024-01-05,2024-02-01",
        "S2,P2,Oak, North,Adult,2024-01-06,",
        "S3,P3,Elm,Adult,2024-01-07",
        "S4,P4,Ash,Adult,2024-01-09,",
    ]
    loaded = load("inpatient_stays", write_text(tmp_path, "stays.csv", lines), on_invalid="exclude")
    assert loaded.frame.index.tolist() == [1, 4]
    assert loaded.frame["stay_id"].tolist() == ["S1", "S4"]
    assert_accounting(loaded.report, read=4, accepted=2, excluded={"wrong number of fields": 2})


def test_first_row_with_an_extra_field_does_not_shift_the_columns(tmp_path: Path) -> None:
    # Regression: pandas took the first column as an index when the first data row had one
    # field more than the header, shifting every value one column to the left.
    lines = [
        STAYS_HEADER,
        "S1,P1,Oak,Adult,2024-01-05,2024-02-01,x",
        "S2,P2,Elm,Adult,2024-01-06,",
    ]
    path = write_text(tmp_path, "stays.csv", lines)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    expected = failures(
        "inpatient_stays",
        (
            "end_date",
            1,
            "S1,P1,Oak,Adult,2024-01-05,2024-02-01,x",
            LONG_ROW.format(found=7, width=6, extra=1),
        ),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    loaded = load("inpatient_stays", path, on_invalid="exclude")
    assert loaded.frame[["stay_id", "person_id", "ward"]].to_numpy().tolist() == [
        ["S2", "P2", "Elm"]
    ]
    assert_accounting(loaded.report, read=2, accepted=1, excluded={"wrong number of fields": 1})


@pytest.mark.parametrize(
    ("header_end", "row_end"),
    [(",", ","), (",", "")],
    ids=["every-line", "header-only"],
)
def test_delimiter_at_the_end_of_lines_gives_no_extra_column(
    tmp_path: Path, header_end: str, row_end: str
) -> None:
    # Regression: the unnamed, empty last column was kept as an extra column called "".
    lines = [STAYS_HEADER + header_end, "S1,P1,Oak,Adult,2024-01-05," + row_end]
    loaded = load("inpatient_stays", write_text(tmp_path, "stays.csv", lines))
    assert list(loaded.frame.columns) == STAYS_HEADER.split(",")
    assert loaded.report.extra_columns == ()
    assert loaded.report.details["unnamed_empty_columns_dropped"] == "1"
    assert_accounting(loaded.report, read=1, accepted=1, excluded={})


def test_unnamed_column_holding_data_is_refused(tmp_path: Path) -> None:
    lines = [
        STAYS_HEADER + ",",
        "S1,P1,Oak,Adult,2024-01-05,,",
        "S2,P2,Oak,Adult,2024-01-06,,see notes",
    ]
    with pytest.raises(
        LoaderError,
        match=re.escape("column 7 holds data (first in row 2: 'see notes') but has no name"),
    ):
        load("inpatient_stays", write_text(tmp_path, "stays.csv", lines))


def test_old_mac_line_endings_are_read(tmp_path: Path) -> None:
    # Regression: a file with lone carriage returns raised the csv module's own error.
    lines = [STAYS_HEADER, "S1,P1,Oak,Adult,2024-01-05,", "S2,P2,Elm,Adult,2024-01-06,"]
    loaded = load("inpatient_stays", write_text(tmp_path, "stays.csv", lines, ending="\r"))
    assert loaded.frame["stay_id"].tolist() == ["S1", "S2"]
    assert_accounting(loaded.report, read=2, accepted=2, excluded={})


# --- Quoted newlines --------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_quoted_newline_keeps_record_numbers(tmp_path: Path, ending: str) -> None:
    # Line 1 is the header, record 1 spans lines 2-3, record 2 is line 4, record 3 is line 5:
    # the bad date is reported in row 3 (the record), not line 5.
    lines = [
        STAYS_HEADER,
        f'S1,P1,"Oak{ending}North",Adult,2024-01-05,2024-02-01',
        "S2,P2,Elm,Adult,2024-01-06,",
        "S3,P3,Ash,Adult,2024-13-01,",
    ]
    path = write_text(tmp_path, "stays.csv", lines, ending=ending)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    expected = failures(
        "inpatient_stays",
        ("start_date", 3, "2024-13-01", "start_date is not a real calendar date or time"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    loaded = load("inpatient_stays", path, on_invalid="exclude")
    pd.testing.assert_series_equal(
        loaded.frame["ward"], text_series([f"Oak{ending}North", "Elm"], [1, 2], "ward")
    )
    assert_accounting(loaded.report, read=3, accepted=2, excluded={"invalid start_date": 1})


def test_unclosed_quote_is_a_loader_error_naming_the_row_and_line(tmp_path: Path) -> None:
    lines = [
        STAYS_HEADER,
        'S1,P1,"Oak\nNorth",Adult,2024-01-05,',
        'S2,P2,"Elm,Adult,2024-01-06,',
        "S3,P3,Ash,Adult,2024-01-07,",
    ]
    with pytest.raises(LoaderError) as caught:
        load("inpatient_stays", write_text(tmp_path, "stays.csv", lines))
    assert "data row 2 (starting on line 4) is not well-formed delimited text" in str(caught.value)
    assert "must be in double quotes" in str(caught.value)


# --- Duplicate column names -------------------------------------------------------------------


def test_duplicate_csv_column_names_are_refused_naming_the_column(tmp_path: Path) -> None:
    lines = ["stay_id,person_id,ward, ward ,division,start_date,end_date"]
    with pytest.raises(
        LoaderError, match=re.escape("duplicate column names ['ward'] ('ward' is in columns 3, 4)")
    ):
        load("inpatient_stays", write_text(tmp_path, "stays.csv", lines))


def test_duplicate_excel_column_names_are_refused_naming_the_column(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["stay_id", "person_id", "ward", "division", "start_date", "ward "])
    sheet.append(["S1", "P1", "Oak", "Adult", dt.datetime(2024, 1, 5), "Elm"])
    path = tmp_path / "stays.xlsx"
    workbook.save(path)
    with pytest.raises(
        LoaderError, match=re.escape("duplicate column names ['ward'] ('ward' is in columns 3, 6)")
    ):
        load("inpatient_stays", path)


def test_duplicate_sql_column_names_are_refused_naming_the_column(tmp_path: Path) -> None:
    database = tmp_path / "trust.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE stays (stay_id TEXT, person_id TEXT, ward TEXT)")
    query = "SELECT stay_id, person_id, ward, ward FROM stays"
    with pytest.raises(
        LoaderError, match=re.escape("duplicate column names ['ward'] ('ward' is in columns 3, 4)")
    ):
        load("inpatient_stays", f"sqlite:///{database}", query=query)


# --- Missing and extra columns ----------------------------------------------------------------


def test_missing_columns_are_all_listed_with_a_suggested_mapping(tmp_path: Path) -> None:
    lines = ["StayID,person_id,division,end_date,notes", "S1,P1,Adult,,first"]
    path = write_text(tmp_path, "stays.csv", lines)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    expected = failures(
        "inpatient_stays",
        ("stay_id", None, None, "required column stay_id is missing"),
        ("ward", None, None, "required column ward is missing"),
        ("start_date", None, None, "required column start_date is missing"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    assert "columns={'stay_id': 'StayID'}" in str(caught.value)


def test_extra_columns_are_kept_and_listed(tmp_path: Path) -> None:
    lines = [
        "StayID,person_id,ward,division,start_date,end_date,notes,bed",
        "S1,P1,Oak,Adult,2024-01-05,,first,12",
        "S2,P2,Elm,Adult,2024-01-06,,,",
    ]
    path = write_text(tmp_path, "stays.csv", lines)
    loaded = load("inpatient_stays", path, columns={"stay_id": "StayID"})
    assert loaded.report.extra_columns == ("notes", "bed")
    assert list(loaded.frame.columns) == [*STAYS_HEADER.split(","), "notes", "bed"]
    assert loaded.frame["notes"].tolist() == ["first", ""]
    assert loaded.frame["bed"].tolist() == ["12", ""]
    assert_accounting(loaded.report, read=2, accepted=2, excluded={})


# --- Merged header rows in Excel --------------------------------------------------------------


def two_row_header_workbook(path: Path, *, vertical: bool = False) -> Path:
    """A sheet with group titles in merged cells on row 1 and the column names on row 2.

    Data start on sheet row 3: S1 is valid, S2 ends before it starts, S3 starts on a day that
    does not exist. With ``vertical``, the first name is in cells A1:A2 merged.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Stays"
    sheet.append(["Identifiers", None, "Place", None, "Dates", None])
    sheet.append(["stay_id", "person_id", "ward", "division", "start_date", "end_date"])
    sheet.append(["S1", "P1", "Oak", "Adult", dt.datetime(2024, 1, 5), None])
    sheet.append(["S2", "P2", "Oak", "Adult", "05/02/2024", dt.datetime(2024, 2, 1)])
    sheet.append(["S3", "P3", "Elm", "Adult", "31/02/2024", None])
    for cells in ("C1:D1", "E1:F1"):
        sheet.merge_cells(cells)
    if vertical:
        sheet["A1"] = "stay_id"
        sheet.merge_cells("A1:A2")
    else:
        sheet.merge_cells("A1:B1")
    workbook.save(path)
    return path


def test_excel_merged_header_cell_is_named_in_the_error(tmp_path: Path) -> None:
    path = two_row_header_workbook(tmp_path / "stays.xlsx")
    with pytest.raises(LoaderError) as caught:
        load("inpatient_stays", path)
    assert str(caught.value) == (
        f"{str(path)!r}, sheet 'Stays': column B holds data but has no name in the header row "
        "(1): its header cell is part of the merged cells A1:B1, and merged cells keep their "
        "text in the first cell only. Unmerge the header cells and give every column its own "
        "name in one row, or set header_row= to the row that holds the column names."
    )


def test_excel_vertically_merged_header_cell_is_named_in_the_error(tmp_path: Path) -> None:
    path = two_row_header_workbook(tmp_path / "stays.xlsx", vertical=True)
    with pytest.raises(LoaderError, match=r"column A .* part of the merged cells A1:A2"):
        load("inpatient_stays", path, header_row=2)


def test_excel_two_row_header_with_header_row_numbers_rows_after_the_header(
    tmp_path: Path,
) -> None:
    path = two_row_header_workbook(tmp_path / "stays.xlsx")
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path, header_row=2)
    # Data row r is sheet row header_row + r: S2 is on sheet row 4, S3 on sheet row 5.
    expected = failures(
        "inpatient_stays",
        ("end_date", 2, "2024-02-01 00:00:00", "end_date is before start_date (2024-02-05)"),
        ("start_date", 3, "31/02/2024", "start_date is not a real calendar date or time"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    loaded = load("inpatient_stays", path, header_row=2, on_invalid="exclude")
    assert loaded.frame["stay_id"].tolist() == ["S1"]
    assert loaded.report.details["header_row"] == "2"
    assert_accounting(
        loaded.report,
        read=3,
        accepted=1,
        excluded={"end_date before start_date": 1, "invalid start_date": 1},
    )


# --- Dates in mixed formats -------------------------------------------------------------------


def test_dates_in_mixed_formats_iso_and_uk_are_read_others_reported(tmp_path: Path) -> None:
    starts = [
        "2024-01-05",
        "2024-01-05 14:30",
        "05/01/2024 09:15:00",
        "5/1/2024",  # day and month without leading zeros: could be US or UK
        "2024/01/05",
        "45296",  # an Excel serial number
        "31/02/2024",  # no such day
        "2024-01-05T10:00:00Z",  # a time zone
        "Jan 5 2024",
        "05-01-2024",
    ]
    ends = ["06/02/2024", "", "2024-01-06T10:00:00", *[""] * 7]
    lines = [STAYS_HEADER]
    lines += [
        f"S{k},P{k},Oak,Adult,{start},{end}"
        for k, (start, end) in enumerate(zip(starts, ends, strict=True), start=1)
    ]
    path = write_text(tmp_path, "stays.csv", lines)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    wrong_format = f"start_date {DATE_RULE}"
    expected = failures(
        "inpatient_stays",
        ("start_date", 4, "5/1/2024", wrong_format),
        ("start_date", 5, "2024/01/05", wrong_format),
        ("start_date", 6, "45296", wrong_format),
        ("start_date", 7, "31/02/2024", "start_date is not a real calendar date or time"),
        ("start_date", 8, "2024-01-05T10:00:00Z", wrong_format),
        ("start_date", 9, "Jan 5 2024", wrong_format),
        ("start_date", 10, "05-01-2024", wrong_format),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    loaded = load("inpatient_stays", path, on_invalid="exclude")
    assert loaded.frame["start_date"].tolist() == [
        pd.Timestamp(2024, 1, 5),
        pd.Timestamp(2024, 1, 5, 14, 30),
        pd.Timestamp(2024, 1, 5, 9, 15),
    ]
    end_dates = loaded.frame["end_date"].tolist()
    assert end_dates[0] == pd.Timestamp(2024, 2, 6)
    assert pd.isna(end_dates[1])
    assert end_dates[2] == pd.Timestamp(2024, 1, 6, 10)
    assert_accounting(loaded.report, read=10, accepted=3, excluded={"invalid start_date": 7})


def test_excel_date_column_mixing_date_cells_text_and_serial_numbers(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(STAYS_HEADER.split(","))
    sheet.append(["S1", "P1", "Oak", "Adult", dt.datetime(2024, 1, 5, 8, 0), None])
    sheet.append(["S2", "P2", "Oak", "Adult", "06/01/2024", "2024-01-09"])
    sheet.append(["S3", "P3", "Oak", "Adult", 45296, None])  # a date typed as a number
    path = tmp_path / "stays.xlsx"
    workbook.save(path)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    expected = failures(
        "inpatient_stays",
        ("start_date", 3, "45296", f"start_date {DATE_RULE} (or a date value); got a int"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    loaded = load("inpatient_stays", path, on_invalid="exclude")
    assert loaded.frame["start_date"].tolist() == [
        pd.Timestamp(2024, 1, 5, 8),
        pd.Timestamp(2024, 1, 6),
    ]
    assert_accounting(loaded.report, read=3, accepted=2, excluded={"invalid start_date": 1})


# --- Duplicate ids ----------------------------------------------------------------------------


def test_duplicate_ids_report_every_row_sharing_the_id(tmp_path: Path) -> None:
    lines = [
        STAYS_HEADER,
        "S1,P1,Oak,Adult,2024-01-05,",
        "S2,P2,Oak,Adult,2024-01-06,",
        "S1,P3,Elm,Adult,2024-01-07,",
        "S3,P4,Elm,Adult,2024-01-08,",
        "S1,P5,Ash,Adult,2024-01-09,",
        " S2 ,P6,Ash,Adult,2024-01-10,",  # the same id once spaces are removed
    ]
    path = write_text(tmp_path, "stays.csv", lines)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    also = "duplicate stay_id: the same value is also in row(s) "
    expected = failures(
        "inpatient_stays",
        ("stay_id", 1, "S1", also + "3, 5"),
        ("stay_id", 2, "S2", also + "6"),
        ("stay_id", 3, "S1", also + "1, 5"),
        ("stay_id", 5, "S1", also + "1, 3"),
        ("stay_id", 6, " S2 ", also + "2"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    loaded = load("inpatient_stays", path, on_invalid="exclude")
    assert loaded.frame["stay_id"].tolist() == ["S3"]
    assert_accounting(loaded.report, read=6, accepted=1, excluded={"duplicate stay_id": 5})


# --- Stays ending before they start -----------------------------------------------------------


def test_stays_ending_before_they_start_are_reported_and_excluded(tmp_path: Path) -> None:
    lines = [
        STAYS_HEADER,
        "S1,P1,Oak,Adult,2024-01-05,2024-01-20",
        "S2,P2,Oak,Adult,2024-03-01,2024-02-28",
        "S3,P3,Elm,Adult,2024-03-01,2024-03-01",  # a same-day stay is not an error
        "S4,P4,Elm,Adult,2024-03-01 10:00,2024-03-01 09:00",
    ]
    path = write_text(tmp_path, "stays.csv", lines)
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", path)
    expected = failures(
        "inpatient_stays",
        ("end_date", 2, "2024-02-28", "end_date is before start_date (2024-03-01)"),
        ("end_date", 4, "2024-03-01 09:00", "end_date is before start_date (2024-03-01 10:00:00)"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)
    loaded = load("inpatient_stays", path, on_invalid="exclude")
    assert loaded.frame["stay_id"].tolist() == ["S1", "S3"]
    assert_accounting(loaded.report, read=4, accepted=2, excluded={"end_date before start_date": 2})


def test_stays_ending_before_they_start_in_a_sqlite_table(tmp_path: Path) -> None:
    database = tmp_path / "trust.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE stays (stay_id TEXT, person_id TEXT, ward TEXT, division TEXT, "
            "start_date TEXT, end_date TEXT)"
        )
        connection.executemany(
            "INSERT INTO stays VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("S1", "P1", "Oak", "Adult", "2024-01-05", None),
                ("S2", "P2", "Oak", "Adult", "2024-03-01", "2024-02-28"),
            ],
        )
    query = "SELECT * FROM stays ORDER BY stay_id"
    with pytest.raises(DataValidationError) as caught:
        load("inpatient_stays", f"sqlite:///{database}", query=query)
    expected = failures(
        "inpatient_stays",
        ("end_date", 2, "2024-02-28", "end_date is before start_date (2024-03-01)"),
    )
    pd.testing.assert_frame_equal(caught.value.failures, expected)


# --- Across tables: interventions outside any stay, people missing from patients --------------

PATIENTS = ["person_id,ethnic_category,sex,birth_date", "P1,A,1,1980-01-01", "P2,B,2,1990-05-05"]
INTERVENTIONS_HEADER = "intervention_id,person_id,ward,start_date,type_code"
QUARTER = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))


def exclusions(*rows: tuple[str, str, int]) -> pd.DataFrame:
    """An exclusions frame for QUARTER written by hand: (table, reason, rows) per row."""
    frame = pd.DataFrame(
        {
            "period_start": pd.Series([pd.Timestamp(QUARTER[0])] * len(rows), dtype="M8[ns]"),
            "period_end": pd.Series([pd.Timestamp(QUARTER[1])] * len(rows), dtype="M8[ns]"),
            "table": [r[0] for r in rows],
            "reason": [r[1] for r in rows],
            "rows": pd.Series([r[2] for r in rows], dtype="int64"),
        }
    )
    return frame.astype({"table": "str", "reason": "str"})


def load_three(
    tmp_path: Path, stays: list[str], interventions: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    loaded = [
        load(table, write_text(tmp_path, f"{table}.csv", lines))
        for table, lines in (
            ("inpatient_stays", [STAYS_HEADER, *stays]),
            ("restrictive_interventions", [INTERVENTIONS_HEADER, *interventions]),
            ("patients", PATIENTS),
        )
    ]
    return loaded[0].frame, loaded[1].frame, loaded[2].frame


def trust_interventions(counts: pd.DataFrame) -> int:
    rows = counts[(counts["unit_type"] == "trust") & (counts["type_group"] == "all")]
    return int(rows["interventions"].sum())


def test_interventions_outside_any_stay_are_counted_in_exclusions(tmp_path: Path) -> None:
    stays, interventions, patients = load_three(
        tmp_path,
        ["S1,P1,Oak,Adult,2024-01-05,2024-01-20", "S2,P2,Elm,Older adult,2024-02-01,"],
        [
            "I1,P1,Oak,2024-01-10,01",  # during P1's stay on Oak: used
            "I2,P2,Oak,2024-02-05,05",  # P2 never stayed on Oak: outside every stay
            "I3,P1,Ash,2024-01-12,04",  # no stay on Ash at all: division unknown
            "I4,P1,Oak,2023-12-20,01",  # before the quarter
        ],
    )
    counts = restrictive_practice_counts(
        stays, interventions, patients, periods=[QUARTER], engine="pandas"
    )
    expected = exclusions(
        ("restrictive_interventions", NO_STAY_REASON, 1),
        ("restrictive_interventions", "outside the period", 1),
        ("restrictive_interventions", "ward not in inpatient_stays", 1),
    )
    pd.testing.assert_frame_equal(counts.exclusions, expected)
    # Only I1 is counted; with I2, I3 and I4 excluded, the four rows are accounted for.
    assert trust_interventions(counts.interventions) == 1
    excluded = int(counts.exclusions["rows"].sum())
    assert trust_interventions(counts.interventions) + excluded == len(interventions)


def test_intervention_dated_outside_every_stay_of_its_person_is_excluded(
    tmp_path: Path,
) -> None:
    stays, interventions, patients = load_three(
        tmp_path,
        ["S1,P1,Oak,Adult,2024-01-05,2024-01-20"],
        ["I1,P1,Oak,2024-01-10,01", "I2,P1,Oak,2024-03-01,01"],  # I2: after discharge
    )
    counts = restrictive_practice_counts(
        stays, interventions, patients, periods=[QUARTER], engine="pandas"
    )
    assert counts.exclusions["rows"].sum() == 1
    expected = exclusions(("restrictive_interventions", NO_STAY_REASON, 1))
    pd.testing.assert_frame_equal(counts.exclusions, expected)
    assert trust_interventions(counts.interventions) == 1  # I1 only


def test_interventions_on_the_days_of_admission_and_discharge_count(tmp_path: Path) -> None:
    # Dates are compared as days, whatever the time of day the file gives: I1 at 00:05 on the
    # admission day and I2 at 23:55 on the discharge day lie in S1 (5-20 January); I3 at 00:05
    # the day after discharge and I4 at 23:55 the day before admission do not.
    stays, interventions, patients = load_three(
        tmp_path,
        ["S1,P1,Oak,Adult,2024-01-05 14:00,2024-01-20 09:00"],
        [
            "I1,P1,Oak,2024-01-05 00:05,01",
            "I2,P1,Oak,20/01/2024 23:55,01",
            "I3,P1,Oak,2024-01-21 00:05,01",
            "I4,P1,Oak,2024-01-04 23:55,01",
        ],
    )
    counts = restrictive_practice_counts(
        stays, interventions, patients, periods=[QUARTER], engine="pandas"
    )
    pd.testing.assert_frame_equal(
        counts.exclusions, exclusions(("restrictive_interventions", NO_STAY_REASON, 2))
    )
    assert trust_interventions(counts.interventions) == 2  # I1 and I2


def test_people_missing_from_patients_are_counted_in_exclusions(tmp_path: Path) -> None:
    stays, interventions, patients = load_three(
        tmp_path,
        ["S1,P1,Oak,Adult,2024-01-05,2024-01-20", "S2,P9,Oak,Adult,2024-01-06,"],
        ["I1,P1,Oak,2024-01-10,01", "I2,P9,Oak,2024-01-11,05", "I3,P9,Oak,2024-01-12,01"],
    )
    counts = restrictive_practice_counts(
        stays, interventions, patients, periods=[QUARTER], engine="pandas"
    )
    expected = exclusions(
        ("inpatient_stays", "person not in patients", 1),
        ("restrictive_interventions", "person not in patients", 2),
    )
    pd.testing.assert_frame_equal(counts.exclusions, expected)
    people = counts.people[counts.people["unit_type"] == "trust"]
    assert int(people["inpatients"].sum()) == 1  # P1 only
    assert trust_interventions(counts.interventions) == 1
