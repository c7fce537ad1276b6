"""The canonical tables: one schema per table, written as data.

A schema lists each column with its *kind* (how raw values are parsed and checked), whether the
column must be present, whether its values may be blank, and any range. Validation
(:mod:`equitymetrics.loaders._validate`) reads these records; nothing here runs any checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError

__all__ = [
    "CANONICAL_TABLES",
    "ColumnKind",
    "ColumnSpec",
    "KIND_DTYPES",
    "RowRule",
    "SCHEMAS",
    "TableSchema",
    "schema",
]

ColumnKind = Literal[
    "id",
    "text",
    "upper_text",
    "area_code",
    "date",
    "bool",
    "count",
    "integer",
    "sex",
    "census_sex",
    "age_band",
    "type_code",
    "board_member",
    "survey_indicator",
    "survey_group",
    "ethnic_category",
    "census_ethnic_group",
]
"""How the raw values of a column are parsed (see docs/data-contract.md for each kind)."""

KIND_DTYPES: Mapping[str, str] = MappingProxyType(
    {
        "id": "str",
        "text": "str",
        "upper_text": "str",
        "area_code": "str",
        "date": "datetime64[ns]",
        "bool": "bool",
        "count": "int64",
        "integer": "int64",
        "sex": "str",
        "census_sex": "str",
        "age_band": "str",
        "type_code": "str",
        "board_member": "str",
        "survey_indicator": "str",
        "survey_group": "str",
        "ethnic_category": "str",
        "census_ethnic_group": "int64",
    }
)
"""The pandas dtype of each kind in a canonical frame. Integer columns whose values may be blank
use the nullable ``Int64`` instead of ``int64``; text columns use pandas' default string dtype
(missing values are NaN)."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of a canonical table.

    Attributes
    ----------
    name : str
        The canonical column name.
    kind : str
        How raw values are parsed and checked (a :data:`ColumnKind`).
    description : str
        What the column holds, in a sentence.
    required : bool
        Whether the column must be present in the source.
    nullable : bool
        Whether a value may be blank (missing).
    minimum, maximum : int or None
        Inclusive range of an integer column.
    earliest : str or None
        Earliest allowed date (ISO ``YYYY-MM-DD``) of a date column.
    not_in_future : bool
        Whether a date may not be later than the day of loading.
    """

    name: str
    kind: ColumnKind
    description: str
    required: bool = True
    nullable: bool = False
    minimum: int | None = None
    maximum: int | None = None
    earliest: str | None = None
    not_in_future: bool = False

    @property
    def dtype(self) -> str:
        """The pandas dtype of this column in a canonical frame."""
        dtype = KIND_DTYPES[self.kind]
        if dtype == "int64" and self.nullable:
            return "Int64"
        return dtype


@dataclass(frozen=True, slots=True)
class RowRule:
    """A check across two columns of one row.

    ``rule="not_before"``: ``column`` may not be earlier than ``other`` (end and start dates).
    ``rule="not_greater"``: ``column`` may not be greater than ``other`` (positive and
    respondents). Rows where either value is blank or invalid are not checked.
    """

    rule: Literal["not_before", "not_greater"]
    column: str
    other: str


@dataclass(frozen=True, slots=True)
class TableSchema:
    """The schema of one canonical table.

    Attributes
    ----------
    name : str
        The table name, e.g. ``"patients"``.
    description : str
        One row of the table is ...
    columns : tuple of ColumnSpec
        The canonical columns, in output order.
    unique : tuple of tuple of str
        Keys: each tuple of columns must identify at most one row.
    one_of : tuple of tuple of str
        Groups of optional columns of which at least one must be present (patients need
        ``birth_date`` or ``age``).
    rules : tuple of RowRule
        Checks across columns of a row.
    """

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    rules: tuple[RowRule, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        """The canonical column names, in output order."""
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> ColumnSpec:
        """The specification of column ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise InvalidArgumentError(
            f"table {self.name!r} has no column {name!r}; its columns are "
            f"{', '.join(self.column_names)}."
        )

    def to_frame(self) -> pd.DataFrame:
        """The schema as a DataFrame: one row per column, for display and documentation."""
        return pd.DataFrame(
            {
                "column": [c.name for c in self.columns],
                "kind": [c.kind for c in self.columns],
                "dtype": [c.dtype for c in self.columns],
                "required": [c.required for c in self.columns],
                "nullable": [c.nullable for c in self.columns],
                "description": [c.description for c in self.columns],
            }
        )


def _id(name: str, description: str) -> ColumnSpec:
    return ColumnSpec(name, "id", description)


def _ethnic() -> ColumnSpec:
    return ColumnSpec(
        "ethnic_category",
        "ethnic_category",
        'NHS ethnic category code ("A" ... "S", "Z" not stated, "99" not known), normalised '
        "from a code or a label the taxonomy recognises; the value as given is kept in "
        "ethnic_category_original",
    )


def _date(
    name: str, description: str, *, required: bool = True, nullable: bool = False
) -> ColumnSpec:
    return ColumnSpec(name, "date", description, required=required, nullable=nullable)


def _bool(name: str, description: str) -> ColumnSpec:
    return ColumnSpec(name, "bool", description)


_SEX_DESCRIPTION = '"1" male, "2" female, "9" indeterminate, "X" not known; blank stays missing'

_SCHEMA_LIST: tuple[TableSchema, ...] = (
    TableSchema(
        "patients",
        "one person",
        (
            _id("person_id", "the person"),
            _ethnic(),
            ColumnSpec("sex", "sex", _SEX_DESCRIPTION, nullable=True),
            ColumnSpec(
                "birth_date",
                "date",
                "date of birth (not before 1900-01-01, not in the future)",
                required=False,
                nullable=True,
                earliest="1900-01-01",
                not_in_future=True,
            ),
            ColumnSpec(
                "age",
                "integer",
                "age in whole years, 0 to 120",
                required=False,
                nullable=True,
                minimum=0,
                maximum=120,
            ),
            ColumnSpec(
                "residence_area_code",
                "area_code",
                "ONS code of the local authority of residence, e.g. E06000045",
                required=False,
                nullable=True,
            ),
        ),
        unique=(("person_id",),),
        one_of=(("birth_date", "age"),),
    ),
    TableSchema(
        "inpatient_stays",
        "one hospital stay (spell) on a ward",
        (
            _id("stay_id", "the stay"),
            _id("person_id", "the person"),
            ColumnSpec("ward", "text", "ward name or code"),
            ColumnSpec("division", "text", "division (or directorate) of the ward"),
            _date("start_date", "admission date"),
            _date("end_date", "discharge date; blank while still in hospital", nullable=True),
        ),
        unique=(("stay_id",),),
        rules=(RowRule("not_before", "end_date", "start_date"),),
    ),
    TableSchema(
        "restrictive_interventions",
        "one restrictive intervention: one incident and one intervention type",
        (
            _id("intervention_id", "the incident (repeated for each type used in it)"),
            _id("person_id", "the person"),
            ColumnSpec("ward", "text", "ward where it happened"),
            _date("start_date", "date (or date and time) the intervention started"),
            ColumnSpec(
                "type_code",
                "type_code",
                'restrictive intervention type, "01" or "04" ... "17" (there is no 02 or 03)',
            ),
            ColumnSpec(
                "reason_code",
                "text",
                "reason for the intervention (national code, e.g. 10)",
                required=False,
                nullable=True,
            ),
        ),
        unique=(("intervention_id", "type_code"),),
    ),
    TableSchema(
        "mha_episodes",
        "one Mental Health Act episode (detention, CTO or other legal status)",
        (
            _id("episode_id", "the episode"),
            _id("person_id", "the person"),
            _date("start_date", "start of the episode"),
            _date(
                "end_date", "end of the episode; blank if ongoing", required=False, nullable=True
            ),
            ColumnSpec(
                "legal_status_category",
                "upper_text",
                "legal status category (A, B, C, D, P for new detentions; CTO ...), upper-cased",
            ),
        ),
        unique=(("episode_id",),),
        rules=(RowRule("not_before", "end_date", "start_date"),),
    ),
    TableSchema(
        "smi_register",
        "one person on the severe mental illness register at a snapshot date",
        (
            _id("person_id", "the person"),
            _date("snapshot_date", "the register as at this date"),
            _bool("in_remission", "whether the person is in remission"),
            *(
                _date(
                    f"{element}_date",
                    f"latest date the {label} was recorded; blank if never",
                    nullable=True,
                )
                for element, label in (
                    ("bmi", "body mass index"),
                    ("blood_pressure", "blood pressure"),
                    ("lipids", "lipid profile"),
                    ("glucose", "blood glucose or HbA1c"),
                    ("smoking", "smoking status"),
                    ("alcohol", "alcohol consumption"),
                )
            ),
        ),
        unique=(("person_id", "snapshot_date"),),
    ),
    TableSchema(
        "census_population",
        "the census population of one area, ethnic group, sex and age band",
        (
            ColumnSpec("area_code", "area_code", "ONS area code, e.g. E06000045"),
            ColumnSpec(
                "ethnic_group",
                "census_ethnic_group",
                "Census 2021 ethnic group code 1 ... 19 (from a code or a label)",
            ),
            ColumnSpec("sex", "census_sex", '"1" male, "2" female, or "all" (both sexes)'),
            ColumnSpec(
                "age_band",
                "age_band",
                'age band such as "0-4", "18-34" or "90+", or "all" (all ages)',
            ),
            ColumnSpec("population", "count", "usual residents (a whole number >= 0)"),
        ),
        unique=(("area_code", "ethnic_group", "sex", "age_band"),),
    ),
    TableSchema(
        "staff",
        "one member of staff at a snapshot date",
        (
            _id("staff_id", "the member of staff"),
            _ethnic(),
            ColumnSpec(
                "band", "text", 'pay band as given ("1" ... "9", "8a" ... "8d", "VSM", ...)'
            ),
            _bool("clinical", "whether the post is clinical"),
            ColumnSpec("division", "text", "division (or directorate)"),
            ColumnSpec(
                "board_member", "board_member", '"none", "voting" or "non-voting" board member'
            ),
            _bool("executive", "whether the member of staff is an executive director"),
            _date("snapshot_date", "the workforce as at this date"),
        ),
        unique=(("staff_id", "snapshot_date"),),
    ),
    TableSchema(
        "recruitment",
        "one applicant for a post",
        (
            _id("applicant_id", "the application"),
            _ethnic(),
            _bool("shortlisted", "whether the applicant was shortlisted"),
            _bool("appointed", "whether the applicant was appointed"),
            _date("date", "date of the shortlisting or appointment decision"),
        ),
        unique=(("applicant_id",),),
    ),
    TableSchema(
        "disciplinary",
        "one member of staff entering one formal disciplinary investigation",
        (
            _id("case_id", "the case"),
            _id("staff_id", "the member of staff"),
            _ethnic(),
            _date("entered_date", "date of entry into the formal investigation"),
        ),
        unique=(("case_id", "staff_id"),),
    ),
    TableSchema(
        "training",
        "one member of staff in one year, and whether they accessed non-mandatory training",
        (
            _id("staff_id", "the member of staff"),
            _ethnic(),
            _bool("accessed_non_mandatory", "whether they accessed non-mandatory training or CPD"),
            _date("year_end", "the last day of the year the row describes, e.g. 2025-03-31"),
        ),
        unique=(("staff_id", "year_end"),),
    ),
    TableSchema(
        "staff_survey",
        "aggregated staff survey answers of one group to one WRES indicator in one year",
        (
            ColumnSpec("year", "integer", "survey year, e.g. 2024", minimum=1900, maximum=2100),
            ColumnSpec("indicator", "survey_indicator", 'WRES indicator "5", "6", "7" or "8"'),
            ColumnSpec("group", "survey_group", '"White" or "BME"'),
            ColumnSpec("respondents", "count", "number of respondents in the group"),
            ColumnSpec("positive", "count", "number answering positively (<= respondents)"),
        ),
        unique=(("year", "indicator", "group"),),
        rules=(RowRule("not_greater", "positive", "respondents"),),
    ),
)

SCHEMAS: Mapping[str, TableSchema] = MappingProxyType({s.name: s for s in _SCHEMA_LIST})
"""Read-only mapping: canonical table name -> :class:`TableSchema`."""

CANONICAL_TABLES: tuple[str, ...] = tuple(s.name for s in _SCHEMA_LIST)
"""The names of the canonical tables, in documentation order."""


def schema(table: str) -> TableSchema:
    """Return the schema of a canonical table.

    Parameters
    ----------
    table : str
        One of :data:`CANONICAL_TABLES`, e.g. ``"patients"``.

    Returns
    -------
    TableSchema
        Columns, keys and cross-column rules; ``schema(table).to_frame()`` shows them.

    Raises
    ------
    InvalidArgumentError
        ``table`` is not a canonical table (the message lists them).

    Examples
    --------
    >>> schema("inpatient_stays").column_names
    ('stay_id', 'person_id', 'ward', 'division', 'start_date', 'end_date')
    """
    if not isinstance(table, str) or table not in SCHEMAS:
        raise InvalidArgumentError(
            f"table must be one of {', '.join(CANONICAL_TABLES)}; got {table!r}."
        )
    return SCHEMAS[table]
