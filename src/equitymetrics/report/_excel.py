"""The Excel workbook (``results.xlsx``): a README sheet and one sheet per measure family.

Every sheet holds published (disclosure-controlled) results only. Text from data is written as
text that cannot run as a formula; numbers stay numbers with fixed number formats; withheld
cells show ``*``. The workbook is byte-identical for the same inputs: its document properties
take the run's provenance time, and the zip entries get that time too (openpyxl stamps them
with the clock otherwise).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from equitymetrics.report._format import SUPPRESSED, format_date, format_period, is_missing
from equitymetrics.report._published import CHECKED_COLUMNS, Published, find_spec, policy_rule
from equitymetrics.report._safety import clean_text, neutralise_formula

__all__ = ["FAMILY_SHEETS", "OTHER_SHEET", "xlsx_bytes"]

FAMILY_SHEETS: tuple[tuple[str, str], ...] = (
    ("restrictive_practice", "Restrictive practice"),
    ("mha", "Mental Health Act"),
    ("smi", "SMI health checks"),
    ("wres", "WRES"),
    ("recording", "Ethnicity recording"),
)
"""Measure family -> sheet title, in workbook order."""

OTHER_SHEET = "Other measures"
"""Sheet for measures the catalogue does not hold (present only when there are any)."""

_FORMATS = {
    "value": "0.0",
    "lower_ci": "0.0",
    "upper_ci": "0.0",
    "excess_events": "0.0",
    "ratio": "0.00",
    "ratio_lower_ci": "0.00",
    "ratio_upper_ci": "0.00",
    "ratio_sensitivity_lower": "0.00",
    "ratio_sensitivity_upper": "0.00",
    "confidence_level": "0.0%",
    "multiplier": "#,##0",
}
_COUNT_COLUMNS = ("numerator", "denominator")
_DATE_FORMAT = "yyyy-mm-dd"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9E2F3", end_color="FFD9E2F3")
_TITLE_FONT = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_MAX_WIDTH = 60
_MIN_WIDTH = 8


def _text(value: object) -> str:
    return neutralise_formula(clean_text(str(value)))


def _set_text(sheet: Worksheet, row: int, column: int, value: object) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = _text(value)
    cell.data_type = "s"


def _set_value(
    sheet: Worksheet, row: int, column: int, value: object, number_format: str | None
) -> None:
    """Write one data cell: numbers as numbers, dates as dates, text neutralised."""
    if is_missing(value):
        return
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool | np.bool_):
        cell.value = bool(value)
    elif isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        cell.value = pd.Timestamp(value).date()
        cell.number_format = _DATE_FORMAT
    elif isinstance(value, int | float | np.integer | np.floating):
        cell.value = int(value) if isinstance(value, int | np.integer) else float(value)
        if number_format:
            cell.number_format = number_format
    else:
        _set_text(sheet, row, column, value)


def _count_format(series: pd.Series) -> str:
    present = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)
    return "#,##0" if np.all(present == np.round(present)) else "#,##0.0"


def _width(values: Sequence[str]) -> float:
    longest = max((len(v) for v in values), default=0)
    return float(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))


def _results_sheet(sheet: Worksheet, table: pd.DataFrame, withheld: pd.DataFrame) -> None:
    columns = list(table.columns)
    for position, name in enumerate(columns, start=1):
        _set_text(sheet, 1, position, name)
        header = sheet.cell(row=1, column=position)
        header.font = _HEADER_FONT
        header.fill = _HEADER_FILL
    formats = {name: _FORMATS.get(name) for name in columns}
    for name in _COUNT_COLUMNS:
        if name in table.columns:
            formats[name] = _count_format(table[name])
    records = table.astype(object).to_numpy()
    hidden = withheld.reindex(columns=columns, fill_value=False).to_numpy(dtype=bool)
    for offset, record in enumerate(records):
        for position, name in enumerate(columns):
            if hidden[offset, position]:
                _set_text(sheet, offset + 2, position + 1, SUPPRESSED)
            else:
                _set_value(sheet, offset + 2, position + 1, record[position], formats[name])
    for position, name in enumerate(columns, start=1):
        shown = [name, *(clean_text(str(v)) for v in table[name].head(500) if not is_missing(v))]
        if table[name].dtype.kind in "fiu" or name in _COUNT_COLUMNS:
            shown = [name, "0000000.00"]
        sheet.column_dimensions[get_column_letter(position)].width = _width(shown)
    last = f"{get_column_letter(max(len(columns), 1))}{len(records) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    sheet.freeze_panes = "A2"


def _heading(sheet: Worksheet, row: int, text: str) -> int:
    _set_text(sheet, row, 1, text)
    sheet.cell(row=row, column=1).font = _HEADER_FONT
    return row + 1


def _rows(
    sheet: Worksheet, row: int, header: Sequence[str], body: Sequence[Sequence[object]]
) -> int:
    for position, name in enumerate(header, start=1):
        _set_text(sheet, row, position, name)
        cell = sheet.cell(row=row, column=position)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for offset, values in enumerate(body, start=1):
        for position, value in enumerate(values, start=1):
            _set_value(sheet, row + offset, position, value, "#,##0")
            sheet.cell(row=row + offset, column=position).alignment = _WRAP
    return row + len(body) + 2


def _readme(sheet: Worksheet, published: Published, sheets: Sequence[str]) -> None:
    provenance = published.provenance
    _set_text(sheet, 1, 1, f"Race equity results: {provenance.organisation}")
    sheet.cell(row=1, column=1).font = _TITLE_FONT
    _set_text(
        sheet, 2, 1, f"Period: {format_period(provenance.period_start, provenance.period_end)}"
    )
    row = _heading(sheet, 4, "What this workbook is")
    for line in (
        "Results of equitymetrics: one row per measure, period, organisational unit, ethnic "
        "grouping and group, with the value, its confidence interval, the ratio to the named "
        "reference group with its interval, the method used and notes.",
        f"Sheets: {', '.join(sheets)}. Each has a filter on its header row.",
        "Definitions of the columns are in the equitymetrics documentation (data contract).",
    ):
        _set_text(sheet, row, 1, line)
        row += 1
    row = _heading(sheet, row + 1, "Disclosure control")
    _set_text(sheet, row, 1, policy_rule(published.policy))
    _set_text(sheet, row + 1, 1, f"{SUPPRESSED} marks a count or statistic that is withheld.")
    row = _heading(sheet, row + 3, "Measures")
    measures = list(dict.fromkeys(published.table["measure"].astype(str)))
    body: list[list[object]] = []
    for measure in measures:
        spec = find_spec(measure)
        if spec is None:
            body.append([measure, "", "", "not in the catalogue", ""])
        else:
            body.append([measure, spec.family, spec.question, spec.definition, spec.unit_label])
    row = _rows(sheet, row, ["measure", "family", "question", "definition", "unit"], body)
    row = _heading(sheet, row, "Provenance")
    for label, value in (
        ("library", f"{provenance.library} {provenance.library_version}"),
        ("Python", provenance.python_version),
        ("created", provenance.created.isoformat()),
        ("organisation", provenance.organisation),
        ("period start", format_date(provenance.period_start)),
        ("period end", format_date(provenance.period_end)),
        ("disclosure policy", published.policy.name),
    ):
        _set_text(sheet, row, 1, label)
        _set_text(sheet, row, 2, value)
        row += 1
    inputs = [
        [
            record.table,
            record.source,
            record.loader,
            record.sha256,
            SUPPRESSED if record.rows_read is None else record.rows_read,
            SUPPRESSED if record.rows_accepted is None else record.rows_accepted,
        ]
        for record in published.inputs
    ]
    header = ["input table", "source", "loader", "SHA-256", "rows read", "rows accepted"]
    row = _rows(sheet, row + 1, header, inputs)
    methods = [[m.name, m.used_for, m.reference] for m in provenance.methods]
    _rows(sheet, row, ["method", "used for", "reference"], methods)
    for letter, width in zip("ABCDEF", (30, 34, 50, 70, 30, 14), strict=True):
        sheet.column_dimensions[letter].width = width


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _fixed_zip(data: bytes, moment: dt.datetime) -> bytes:
    """Rewrite a zip archive with every entry stamped ``moment`` (zip cannot hold pre-1980)."""
    stamp = max(moment, dt.datetime(1980, 1, 1))
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    target = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            archive.writestr(entry, source.read(info.filename))
    return target.getvalue()


def _family_of(measure: str) -> str:
    spec = find_spec(measure)
    return spec.family if spec is not None else ""


def xlsx_bytes(published: Published) -> bytes:
    """The workbook as bytes: README, then one sheet per measure family."""
    table = published.table
    withheld = published.withheld
    families = table["measure"].astype(str).map(_family_of)
    known = {family for family, _ in FAMILY_SHEETS}
    sheets: list[tuple[str, npt.NDArray[np.bool_]]] = [
        (title, (families == family).to_numpy()) for family, title in FAMILY_SHEETS
    ]
    other = (~families.isin(known)).to_numpy()
    if other.any():
        sheets.append((OTHER_SHEET, other))

    workbook = Workbook()
    readme = workbook.active
    readme.title = "README"
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        _results_sheet(
            sheet,
            table.loc[rows].reset_index(drop=True),
            withheld.loc[rows, list(CHECKED_COLUMNS)].reset_index(drop=True),
        )
    _readme(readme, published, ["README", *(title for title, _ in sheets)])

    moment = _naive_utc(published.provenance.created)
    properties = workbook.properties
    properties.created = moment
    properties.modified = moment
    properties.creator = f"equitymetrics {published.provenance.library_version}"
    properties.lastModifiedBy = properties.creator
    properties.title = clean_text(f"Race equity results: {published.provenance.organisation}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _fixed_zip(buffer.getvalue(), moment)
