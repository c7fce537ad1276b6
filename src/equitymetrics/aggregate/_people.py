"""Person attributes from the ``patients`` table: ethnic category, sex, age and age band.

- ``ethnic_category`` is kept as the NHS code given; a missing value becomes ``"99"`` (not
  known), as the taxonomy treats blanks.
- ``sex`` is kept as given; a missing value becomes ``"X"`` (not known).
- Age is in completed years at a reference date (period end, or episode start): the difference
  in calendar years, less one if the birthday has not yet come round by the reference date. A
  person born on 29 February reaches each new age on 1 March in common years (as UK law
  reckons it). Without ``birth_date`` (or when it is missing) the ``age`` column is used as
  given; with neither, the age is not known and the age band is ``"unknown"``.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from equitymetrics.aggregate._engine import Frame, _Session
from equitymetrics.exceptions import DataValidationError, InvalidArgumentError

__all__ = [
    "IN_PATIENTS",
    "age_expression",
    "patients_frame",
]

IN_PATIENTS = "_in_patients"
"""Column set to 1.0 on every patients row, so that a left join shows who was found."""

_PATIENT_COLUMNS: dict[str, Any] = {
    "person_id": "string",
    "ethnic_category": "string",
    "sex": "string",
    "birth_date": "date",
    "age": "number",
    "residence_area_code": "string",
}


def patients_frame(session: _Session, patients: object, *, residence: bool = False) -> Frame:
    """Prepare ``patients``: one row per ``person_id`` with the attributes the counts need.

    Raises
    ------
    InvalidArgumentError
        Neither ``birth_date`` nor ``age`` is given, or ``residence`` is needed and
        ``residence_area_code`` is absent.
    DataValidationError
        A ``person_id`` occurs more than once (the attributes would be ambiguous).
    """
    optional = ["birth_date", "age"] + ([] if residence else ["residence_area_code"])
    frame = session.table(patients, "patients", _PATIENT_COLUMNS, optional=optional)
    names = frame.collect_schema().names()
    if "birth_date" not in names and "age" not in names:
        raise InvalidArgumentError(
            "patients needs a birth_date column (or an age column in whole years) to place "
            "people in age bands; it has neither."
        )
    _check_unique_people(session, frame)
    filled = [
        nw.col("ethnic_category").fill_null(nw.lit("99")),
        nw.col("sex").fill_null(nw.lit("X")),
        nw.lit(1.0).alias(IN_PATIENTS),
    ]
    # Rows without a person_id can never be matched; pandas would match missing keys with
    # each other, so they are dropped here (they are not exclusions of any counted table).
    return frame.filter(~nw.col("person_id").is_null()).with_columns(filled)


def _check_unique_people(session: _Session, frame: Frame) -> None:
    duplicated = session.collect(
        frame.filter(~nw.col("person_id").is_null())
        .group_by("person_id")
        .agg(nw.len().alias("rows"))
        .filter(nw.col("rows") > 1)
    )
    if len(duplicated) == 0:
        return
    duplicated = duplicated.sort_values("person_id").reset_index(drop=True)
    failures = pd.DataFrame(
        {
            "table": "patients",
            "column": "person_id",
            "row": pd.array([pd.NA] * len(duplicated), dtype="Int64"),
            "value": duplicated["person_id"].astype("str"),
            "problem": [
                f"occurs {int(n)} times; each person must occur once" for n in duplicated["rows"]
            ],
        }
    )
    examples = ", ".join(repr(v) for v in duplicated["person_id"].head(5))
    raise DataValidationError(
        f"patients: {len(duplicated)} person_id value(s) occur more than once (e.g. {examples}); "
        "keep one row per person (see .failures for all of them).",
        failures,
    )


def age_expression(names: list[str], reference: str) -> nw.Expr:
    """Expression: age in completed years (float, null when unknown) at column ``reference``."""
    given = nw.col("age") if "age" in names else None
    if "birth_date" not in names:
        if given is None:  # pragma: no cover - patients_frame refuses this
            raise InvalidArgumentError("patients has neither birth_date nor age")
        return given
    birth = nw.col("birth_date")
    at = nw.col(reference)
    years = at.dt.year().cast(nw.Float64) - birth.dt.year().cast(nw.Float64)
    before_birthday = (at.dt.month() < birth.dt.month()) | (
        (at.dt.month() == birth.dt.month()) & (at.dt.day() < birth.dt.day())
    )
    from_birth = years - nw.when(before_birthday).then(nw.lit(1.0)).otherwise(nw.lit(0.0))
    if given is None:
        return from_birth
    return nw.when(birth.is_null()).then(given).otherwise(from_birth)
