"""Severe mental illness register: people due physical health checks and checks done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import narwhals as nw

from equitymetrics.aggregate._bands import age_band_expression, parse_age_bands
from equitymetrics.aggregate._engine import open_session
from equitymetrics.aggregate._frames import (
    EXCLUSION_DTYPES,
    PERIOD_DTYPES,
    Counts,
    classify,
    finalise,
    missing_rules,
)
from equitymetrics.aggregate._people import IN_PATIENTS, age_expression, patients_frame
from equitymetrics.aggregate._periods import NEXT, WINDOW_START, period_table, validate_periods
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = [
    "SMI_AGE_BANDS",
    "SMI_ELEMENTS",
    "smi_counts",
]

SMI_ELEMENTS: tuple[str, ...] = ("bmi", "blood_pressure", "lipids", "glucose", "smoking", "alcohol")
"""The six physical health check elements; column ``<element>_date`` holds the latest date."""

SMI_AGE_BANDS: tuple[str, ...] = ("18-34", "35-49", "50-64", "65+")
"""Default age bands of :func:`smi_counts` (adults)."""

_REGISTER = "smi_register"
_SNAPSHOT = "_snapshot"
_REGISTER_COLUMNS: dict[str, Any] = {
    "person_id": "string",
    "snapshot_date": "date",
    "in_remission": "flag",
    **{f"{element}_date": "date" for element in SMI_ELEMENTS},
}
_KEYS = ("period_start", "period_end", "snapshot_date", "ethnic_category", "sex", "age_band")
SMI_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "snapshot_date": "datetime64[ns]",
    "ethnic_category": "str",
    "sex": "str",
    "age_band": "str",
    "register": "int64",
    **dict.fromkeys(SMI_ELEMENTS, "int64"),
    "all_six": "int64",
}


def smi_counts(
    register: object,
    patients: object,
    *,
    periods: Sequence[tuple[dt.date, dt.date]],
    min_age: int = 18,
    age_bands: Sequence[str] = SMI_AGE_BANDS,
    engine: str = "auto",
) -> Counts:
    """Count people on the SMI register at period end and those with each check in 12 months.

    Parameters
    ----------
    register : DataFrame, DuckDB relation or path
        Canonical ``smi_register``: ``person_id``, ``snapshot_date``, ``in_remission``, and
        ``bmi_date``, ``blood_pressure_date``, ``lipids_date``, ``glucose_date``,
        ``smoking_date``, ``alcohol_date`` (latest date recorded; missing if never).
    patients : DataFrame, DuckDB relation or path
        Canonical ``patients``.
    periods : sequence of (date, date)
        Reporting periods, both ends inclusive.
    min_age : int
        People younger than this at period end are excluded (default 18).
    age_bands : sequence of str
        Age band labels (age in completed years at period end).
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute.

    Returns
    -------
    Counts
        ``counts``: ``period_start``, ``period_end``, ``snapshot_date``, ``ethnic_category``,
        ``sex``, ``age_band``, ``register``, ``bmi``, ``blood_pressure``, ``lipids``,
        ``glucose``, ``smoking``, ``alcohol``, ``all_six``; and ``exclusions``.

    Notes
    -----
    The register of a period is its latest snapshot on or before the period end. ``register``
    counts distinct people in that snapshot who are not in remission and are at least
    ``min_age`` at period end. An element counts when its date ``d`` satisfies
    ``period_end - 12 months < d <= period_end`` (calendar months: for a period ending
    2025-06-30, dates from 2024-07-01 to 2025-06-30); ``all_six`` counts people with all six.
    A person with several rows in the snapshot counts once, with an element done if any of
    their rows has it.

    Exclusions (first that applies, per row and period): missing snapshot date (every
    period); "no snapshot on or before the period end" (every row, for such a period); "not
    the period's snapshot" (rows of other snapshots); missing ``person_id`` or
    ``in_remission``; "person not in patients"; "in remission"; "age not known"; "under the
    minimum age"; "age outside the age bands".
    """
    checked_periods = validate_periods(periods)
    bands = parse_age_bands(age_bands)
    if isinstance(min_age, bool) or not isinstance(min_age, int):
        raise InvalidTypeError(f"min_age must be a whole number of years; got {min_age!r}.")
    if min_age < 0:
        raise InvalidArgumentError(f"min_age must be >= 0; got {min_age}.")
    tables = {_REGISTER: register, "patients": patients}
    with open_session(engine, tables) as session:
        people = session.persist(patients_frame(session, patients))
        names = people.collect_schema().names()
        age = age_expression(names, "period_end")
        period_frame = session.small(period_table(checked_periods))
        frame = session.table(register, _REGISTER, _REGISTER_COLUMNS)
        latest = (
            frame.filter(~nw.col("snapshot_date").is_null())
            .group_by("snapshot_date")
            .agg(nw.len().alias("_rows"))
            .join(period_frame.select("period_start", NEXT), how="cross")
            .filter(nw.col("snapshot_date") < nw.col(NEXT))
            .group_by("period_start")
            .agg(nw.col("snapshot_date").max().alias(_SNAPSHOT))
        )

        def enrich(placed: Any) -> Any:
            joined = placed.join(latest, on="period_start", how="left")
            joined = joined.join(people, on="person_id", how="left")
            return joined.with_columns(
                age.alias("_age"), age_band_expression(age, bands).alias("age_band")
            )

        rows = classify(
            frame,
            period_frame,
            table=_REGISTER,
            unplaceable=missing_rules(["snapshot_date"]),
            inside=~nw.col("snapshot_date").is_null(),  # every period (snapshot chosen below)
            enrich=enrich,
            persist=session.persist,
            rules=[
                (nw.col(_SNAPSHOT).is_null(), "no snapshot on or before the period end"),
                (nw.col("snapshot_date") != nw.col(_SNAPSHOT), "not the period's snapshot"),
                *missing_rules(["person_id", "in_remission"]),
                (nw.col(IN_PATIENTS).is_null(), "person not in patients"),
                (nw.col("in_remission") != 0.0, "in remission"),
                (nw.col("_age").is_null(), "age not known"),
                (nw.col("_age") < min_age, "under the minimum age"),
                (nw.col("age_band").is_null(), "age outside the age bands"),
            ],
        )
        window = [nw.col(WINDOW_START), nw.col(NEXT)]
        flags = [
            nw.when(
                (nw.col(f"{element}_date") >= window[0]) & (nw.col(f"{element}_date") < window[1])
            )
            .then(nw.lit(1))
            .otherwise(nw.lit(0))
            .alias(element)
            for element in SMI_ELEMENTS
        ]
        keys = [*_KEYS[:2], _SNAPSHOT, *_KEYS[3:]]
        per_person = (
            rows.used.with_columns(flags)
            .group_by(*keys, "person_id")
            .agg(*[nw.col(element).max() for element in SMI_ELEMENTS])
            .with_columns(nw.min_horizontal(*SMI_ELEMENTS).alias("all_six"))
        )
        counts = (
            per_person.group_by(*keys)
            .agg(
                nw.len().alias("register"),
                *[nw.col(name).sum() for name in (*SMI_ELEMENTS, "all_six")],
            )
            .rename({_SNAPSHOT: "snapshot_date"})
        )
        return Counts(
            counts=finalise(session.collect(counts), SMI_DTYPES, _KEYS),
            exclusions=finalise(
                session.collect(rows.exclusions), EXCLUSION_DTYPES, tuple(EXCLUSION_DTYPES)[:4]
            ),
        )
